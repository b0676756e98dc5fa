"""The tenant's batches, newest first (`GET /v1/batches`).

Batch ids begin with the second they were started (`core.batches.new_batch_id`), so the sort key
`BATCH#<batch>` orders them in time: a page is one query read backwards, never a scan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from odoo_sync.core.batches import Batch
from odoo_sync.errors import InvalidInputError
from odoo_sync.stores.dynamodb import decode_cursor, encode_cursor, storage_errors, strip_keys
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_BATCH_SK = "BATCH#"


class DynamoBatchList:
    def __init__(self, table: Table) -> None:
        self._table = table

    def recent(self, tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Batch], str | None]:
        pk = tenant_pk(tenant_id)
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with(_BATCH_SK),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        start = decode_cursor(cursor, partition_key=pk)
        if start is not None:
            if not str(start["sk"]).startswith(_BATCH_SK):
                raise InvalidInputError("the cursor is not valid", field="cursor")
            query["ExclusiveStartKey"] = start
        with storage_errors("list the batches"):
            page = self._table.query(**query)
        batches = [Batch.model_validate(strip_keys(item)) for item in page.get("Items", [])]
        return batches, encode_cursor(page.get("LastEvaluatedKey"))

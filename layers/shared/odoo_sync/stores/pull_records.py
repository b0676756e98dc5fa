"""Writing what came from Odoo into the records table, and reading the links a reconciliation needs.

A pulled record's data and its link are written in one UpdateItem, conditional on the version
read before the decision (or on the record not existing yet, for a new one): a tenant write that
lands in between is never overwritten; the pull reports a race and the page is applied again.
The version goes up by one, so the link's synced_version is known before the write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.errors import ConflictError
from odoo_sync.stores.dynamodb import ConditionFailedError, storage_errors
from odoo_sync.stores.records import _record, _to_dynamo, records_pk
from odoo_sync.sync.model import LocalRecord, OdooLink

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoPulledRecords:
    """core.pull_apply.PulledRecordWriter and core.pull.LinkedIds on the records table."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def write(
        self,
        tenant_id: str,
        entity: str,
        local_id: str,
        *,
        connection_id: str,
        data: dict[str, Any],
        link: OdooLink,
        expected_version: int | None,
    ) -> LocalRecord:
        """Data and link together; `expected_version` None creates the record. ConflictError
        when the record changed (or appeared) since it was read."""
        updated_at = iso(utc_now())
        stored_link = _to_dynamo(link.model_dump(mode="json", exclude_none=True))
        names = {
            "#data": "data",
            "#updated_at": "updated_at",
            "#updated_sk": "updated_sk",
            "#links": "links",
            "#version": "version",
        }
        values: dict[str, Any] = {
            ":data": _to_dynamo(data),
            ":updated_at": updated_at,
            ":updated_sk": f"{updated_at}#{local_id}",
            ":one": 1,
        }
        update = "SET #data = :data, #updated_at = :updated_at, #updated_sk = :updated_sk, "
        if expected_version is None:
            condition = "attribute_not_exists(pk)"
            names.update({"#entity": "entity", "#local_id": "local_id"})
            values.update({":entity": entity, ":local_id": local_id, ":links": {connection_id: stored_link}})
            update += "#entity = :entity, #local_id = :local_id, #links = :links ADD #version :one"
        else:
            condition = "#version = :expected"
            names["#connection"] = connection_id
            values.update({":expected": expected_version, ":link": stored_link})
            update += "#links.#connection = :link ADD #version :one"
        try:
            with storage_errors("store the pulled record"):
                answer = self._table.meta.client.update_item(
                    TableName=self._table.name,
                    Key={"pk": records_pk(tenant_id, entity), "sk": local_id},
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                    ReturnValues="ALL_NEW",
                )
        except ConditionFailedError as exc:
            raise ConflictError(
                f"record {local_id} changed while it was pulled; it will be pulled again", field="local_id"
            ) from exc
        return _record(answer["Attributes"])

    def linked_ids(self, tenant_id: str, entity: str, connection_id: str) -> Iterator[tuple[str, int, str]]:
        """(local id, Odoo id, link status) of every record of the entity linked to the connection."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(records_pk(tenant_id, entity)),
            "ProjectionExpression": "#sk, #links.#connection",
            "ExpressionAttributeNames": {"#sk": "sk", "#links": "links", "#connection": connection_id},
            "ConsistentRead": True,
        }
        while True:
            with storage_errors("read the records' links"):
                page = self._table.query(**query)
            for item in page.get("Items", []):
                links: Any = item.get("links") or {}
                link: Any = links.get(connection_id) or {}
                odoo_id = link.get("odoo_id")
                if odoo_id is not None:
                    yield str(item["sk"]), int(odoo_id), str(link.get("status", "pending"))
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

"""Connections in the configuration table: pk=TENANT#<tenant_id>, sk=CONNECTION#<connection_id>.

Updates are conditional on the version read, so two concurrent edits cannot silently overwrite
each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from odoo_sync.core.connections import StoredConnection
from odoo_sync.core.warm_cache import CONNECTIONS, changed
from odoo_sync.errors import ConflictError
from odoo_sync.stores.dynamodb import (
    ConditionFailedError,
    query_page,
    storage_errors,
    strip_keys,
    to_item,
)
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_SK_PREFIX = "CONNECTION#"


class DynamoConnectionRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def put_new(self, connection: StoredConnection) -> None:
        try:
            with storage_errors("store the connection"):
                self._table.put_item(Item=_item(connection), ConditionExpression="attribute_not_exists(pk)")
        except ConditionFailedError as exc:
            raise ConflictError("a connection with this id already exists") from exc

    def replace(self, connection: StoredConnection, expected_version: int) -> None:
        try:
            with storage_errors("update the connection"):
                self._table.put_item(
                    Item=_item(connection),
                    ConditionExpression="attribute_exists(pk) AND version = :expected",
                    ExpressionAttributeValues={":expected": expected_version},
                )
        except ConditionFailedError as exc:
            raise ConflictError(
                "the connection was changed or deleted meanwhile; read it again", field="connection_id"
            ) from exc
        changed(CONNECTIONS, connection.tenant_id)

    def get(self, tenant_id: str, connection_id: str) -> StoredConnection | None:
        with storage_errors("read the connection"):
            item = self._table.get_item(Key=_key(tenant_id, connection_id), ConsistentRead=True).get("Item")
        return StoredConnection.model_validate(strip_keys(item)) if item else None

    def list(
        self, tenant_id: str, limit: int, cursor: str | None
    ) -> tuple[list[StoredConnection], str | None]:
        page, next_cursor = query_page(
            self._table, tenant_pk(tenant_id), _SK_PREFIX, limit, cursor, action="list connections"
        )
        return [StoredConnection.model_validate(strip_keys(item)) for item in page], next_cursor

    def delete(self, tenant_id: str, connection_id: str) -> bool:
        with storage_errors("delete the connection"):
            answer = self._table.delete_item(Key=_key(tenant_id, connection_id), ReturnValues="ALL_OLD")
        changed(CONNECTIONS, tenant_id)
        return "Attributes" in answer


def _key(tenant_id: str, connection_id: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"{_SK_PREFIX}{connection_id}"}


def _item(connection: StoredConnection) -> dict[str, Any]:
    return to_item(connection, **_key(connection.tenant_id, connection.connection_id))

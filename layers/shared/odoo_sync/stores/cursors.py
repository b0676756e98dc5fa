"""Delta cursors in the config table: one per (tenant, connection, entity).

Item: pk=TENANT#<tenant>  sk=CURSOR#<connection>#<entity>
      cursor            Odoo write_date up to which changes were applied (None: never)
      pending_batch     the delta batch that will move it, with pending_cursor (the value it
                        moves to) and pending_last_chunk (its last page's number; kept
                        for what it shows, the cursor no longer waits for that page)

A delta starts by naming itself pending; the page that completes its batch (whichever: pages run
in the connection's lanes at once) commits, conditional on still being the pending one, so an
older delta finishing late never moves the cursor of a newer one. The cursor only ever moves
forward.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.pull import DeltaCursor
from odoo_sync.stores.dynamodb import ConditionFailedError, storage_errors
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_CURSOR = "CURSOR#"


def cursor_key(tenant_id: str, connection_id: str, entity: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"{_CURSOR}{connection_id}#{entity}"}


class DynamoCursorStore:
    """core.pull.CursorStore."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, tenant_id: str, connection_id: str, entity: str) -> DeltaCursor:
        with storage_errors("read the delta cursor"):
            item = self._table.get_item(
                Key=cursor_key(tenant_id, connection_id, entity), ConsistentRead=True
            ).get("Item")
        if not item:
            return DeltaCursor()
        return DeltaCursor.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})

    def begin(
        self, tenant_id: str, connection_id: str, entity: str, *, batch_id: str, value: str, last_chunk: int
    ) -> None:
        with storage_errors("store the delta cursor"):
            self._table.update_item(
                Key=cursor_key(tenant_id, connection_id, entity),
                UpdateExpression=(
                    "SET pending_batch = :batch, pending_cursor = :value, pending_last_chunk = :last, "
                    "updated_at = :now"
                ),
                ExpressionAttributeValues={
                    ":batch": batch_id,
                    ":value": value,
                    ":last": last_chunk,
                    ":now": iso(utc_now()),
                },
            )

    def commit(self, tenant_id: str, connection_id: str, entity: str, *, batch_id: str) -> bool:
        """Move the cursor to the pending value of this batch; False when another delta took over
        (or the cursor is already further)."""
        current = self.get(tenant_id, connection_id, entity)
        if current.pending_batch != batch_id or current.pending_cursor is None:
            return False
        if current.cursor is not None and current.cursor >= current.pending_cursor:
            return self._clear_pending(tenant_id, connection_id, entity, batch_id)
        try:
            with storage_errors("move the delta cursor"):
                self._table.update_item(
                    Key=cursor_key(tenant_id, connection_id, entity),
                    UpdateExpression=(
                        "SET #cursor = :value, updated_at = :now "
                        "REMOVE pending_batch, pending_cursor, pending_last_chunk"
                    ),
                    ConditionExpression="pending_batch = :batch",
                    ExpressionAttributeNames={"#cursor": "cursor"},
                    ExpressionAttributeValues={
                        ":value": current.pending_cursor,
                        ":batch": batch_id,
                        ":now": iso(utc_now()),
                    },
                )
        except ConditionFailedError:
            return False
        return True

    def _clear_pending(self, tenant_id: str, connection_id: str, entity: str, batch_id: str) -> bool:
        try:
            with storage_errors("store the delta cursor"):
                self._table.update_item(
                    Key=cursor_key(tenant_id, connection_id, entity),
                    UpdateExpression="REMOVE pending_batch, pending_cursor, pending_last_chunk",
                    ConditionExpression="pending_batch = :batch",
                    ExpressionAttributeValues={":batch": batch_id},
                )
        except ConditionFailedError:
            return False
        return False

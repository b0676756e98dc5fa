"""Leases on a connection's slots (core.lanes): one push chunk at a time per record.

Item (operations table): pk=TENANT#<tenant>  sk=SLOT#<connection>#<slot>  holder, until (epoch s)

Taking the leases of a chunk's slots is one transaction: each slot is free (no holder, or its
lease ran out: a worker that died keeps it at most `until`), or already this holder's. Giving
them back is one transaction that removes each holder, only where it is still this holder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.errors import StorageError
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


def slot_key(tenant_id: str, connection_id: str, slot: int) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"SLOT#{connection_id}#{slot}"}


class DynamoSlotLeases:
    def __init__(self, table: Table, *, clock: Callable[[], float] = time.time) -> None:
        self._table = table
        self._clock = clock

    def acquire(
        self, tenant_id: str, connection_id: str, slots: Sequence[int], holder: str, seconds: float
    ) -> bool:
        """True when every slot is now this holder's (until `seconds` from now); False (nothing
        taken) when another holder has one of them."""
        if not slots:
            return True
        now = int(self._clock())
        actions = [
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": slot_key(tenant_id, connection_id, slot),
                    "UpdateExpression": "SET holder = :me, #until = :until",
                    "ConditionExpression": "attribute_not_exists(holder) OR holder = :me OR #until < :now",
                    "ExpressionAttributeNames": {"#until": "until"},
                    "ExpressionAttributeValues": {":me": holder, ":until": now + int(seconds), ":now": now},
                }
            }
            for slot in sorted(set(slots))
        ]
        return self._transact(actions, "take the slots' lease")

    def release(self, tenant_id: str, connection_id: str, slots: Sequence[int], holder: str) -> None:
        """Give the leases back (where they are still this holder's)."""
        if not slots:
            return
        actions = [
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": slot_key(tenant_id, connection_id, slot),
                    "UpdateExpression": "REMOVE holder, #until",
                    "ConditionExpression": "holder = :me",
                    "ExpressionAttributeNames": {"#until": "until"},
                    "ExpressionAttributeValues": {":me": holder},
                }
            }
            for slot in sorted(set(slots))
        ]
        if not self._transact(actions, "give the slots' lease back"):
            # Not all were still ours (one ran out and was taken): give back the others one by one.
            for action in actions:
                self._transact([action], "give a slot's lease back")

    def _transact(self, actions: list[dict[str, Any]], what: str) -> bool:
        try:
            self._table.meta.client.transact_write_items(TransactItems=actions)  # type: ignore[arg-type]
        except ClientError as exc:
            codes = {str(r.get("Code")) for r in exc.response.get("CancellationReasons", [])}
            if codes & {"ConditionalCheckFailed", "TransactionConflict"}:
                return False
            raise StorageError(f"storage failed to {what}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"storage failed to {what}") from exc
        return True

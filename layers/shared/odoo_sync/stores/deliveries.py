"""Webhook deliveries: the DeliveryQueue (SQS, standard) and the delivery log in the ChangesTable.

Log items: pk=TENANT#<tenant>#WEBHOOK#<subscription>  sk=DELIVERY#<queued_at>#<delivery_id>,
one per delivery, updated on each attempt (`attempts` counted with ADD), newest first when
listed, expiring with the change feed (TTL `expires_at`). An entry appears with the first attempt.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.core.changes import DeliveryMessage
from odoo_sync.core.ids import utc_now
from odoo_sync.core.webhook_delivery import DeliveryRecord
from odoo_sync.errors import StorageError
from odoo_sync.stores.dynamodb import decode_cursor, encode_cursor, storage_errors, strip_keys
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table
    from mypy_boto3_sqs.client import SQSClient

_MAX_ENTRIES = 10
_ATTEMPTS = 5
_LOG_ATTRIBUTES = ("pk", "sk", "expires_at")


def delivery_pk(tenant_id: str, subscription_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#WEBHOOK#{subscription_id}"


class SqsDeliveryQueue:
    """core.changes.DeliveryQueue: batches of 10, failed entries resent a few times."""

    def __init__(self, client: SQSClient, queue_url: str, *, sleep: Callable[[float], None] = time.sleep):
        self._client = client
        self._queue_url = queue_url
        self._sleep = sleep

    def send(self, messages: Sequence[DeliveryMessage]) -> None:
        for start in range(0, len(messages), _MAX_ENTRIES):
            group = messages[start : start + _MAX_ENTRIES]
            self._send_batch({str(n): message.model_dump_json() for n, message in enumerate(group)})

    def _send_batch(self, bodies: dict[str, str]) -> None:
        pending = dict(bodies)
        for attempt in range(_ATTEMPTS):
            try:
                answer = self._client.send_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[{"Id": key, "MessageBody": body} for key, body in pending.items()],
                )
            except (ClientError, BotoCoreError) as exc:
                raise StorageError("the delivery queue refused the deliveries") from exc
            failed: list[Any] = answer.get("Failed", [])
            if not failed:
                return
            if any(failure.get("SenderFault") for failure in failed):
                raise StorageError("the delivery queue refused the deliveries")
            pending = {str(failure["Id"]): pending[str(failure["Id"])] for failure in failed}
            self._sleep(min(2.0, 0.1 * 2**attempt))
        raise StorageError("the delivery queue kept failing to accept the deliveries")


class DynamoDeliveryLog:
    """core.webhook_delivery.DeliveryLog, and `list` for the API."""

    def __init__(self, table: Table, retention_days: int, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._table = table
        self._retention = timedelta(days=retention_days)
        self._clock = clock

    def record_attempt(self, tenant_id: str, record: DeliveryRecord) -> None:
        fields = record.model_dump(mode="json", exclude={"attempts"})
        fields["expires_at"] = int((self._clock() + self._retention).timestamp())
        names = {f"#f{n}": name for n, name in enumerate(fields)}
        values = {f":f{n}": value for n, value in enumerate(fields.values())}
        assignments = ", ".join(f"#f{n} = :f{n}" for n in range(len(fields)))
        with storage_errors("record a webhook delivery"):
            self._table.update_item(
                Key=_key(tenant_id, record),
                UpdateExpression=f"SET {assignments} ADD attempts :one",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**values, ":one": 1},
            )

    def list(
        self, tenant_id: str, subscription_id: str, limit: int, cursor: str | None
    ) -> tuple[list[DeliveryRecord], str | None]:
        pk = delivery_pk(tenant_id, subscription_id)
        query: dict[str, object] = {
            "KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with("DELIVERY#"),
            "Limit": limit,
            "ScanIndexForward": False,
        }
        start = decode_cursor(cursor, partition_key=pk)
        if start is not None:
            query["ExclusiveStartKey"] = start
        with storage_errors("list webhook deliveries"):
            page = self._table.query(**query)  # type: ignore[arg-type]
        records = [
            DeliveryRecord.model_validate(
                {k: v for k, v in strip_keys(item).items() if k not in _LOG_ATTRIBUTES}
            )
            for item in page.get("Items", [])
        ]
        return records, encode_cursor(page.get("LastEvaluatedKey"))


def _key(tenant_id: str, record: DeliveryRecord) -> dict[str, str]:
    return {
        "pk": delivery_pk(tenant_id, record.subscription_id),
        "sk": f"DELIVERY#{record.queued_at}#{record.delivery_id}",
    }

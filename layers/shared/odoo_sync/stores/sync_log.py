"""The sync log: one item per record operation, newest first, expiring after the retention period.

Items:
  pk=TENANT#<tenant>  sk=<started_at>#<write order>#<log_id>
  batch_pk=TENANT#<tenant>#BATCH#<batch>          (index ByBatch; only entries of a batch)
  record_pk=TENANT#<tenant>#<entity>#<local_id>   (index ByRecord)
  expires_at=<epoch seconds>                      (TTL)

A query reads the most selective key it can (a record, then a batch, then the tenant), narrows
by time on the sort key, and filters the rest. Cursors carry the key of the last entry returned
and must point into the caller's own partition.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from pydantic import BaseModel, ConfigDict, Field, model_validator

from odoo_sync.core.ids import Moment, utc_now
from odoo_sync.errors import InvalidInputError, StorageError
from odoo_sync.stores.dynamodb import storage_errors, to_item
from odoo_sync.stores.tenants import tenant_pk
from odoo_sync.sync.model import ENTITY_NAME_PATTERN, LOCAL_ID_PATTERN, SyncLogEntry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_MAX_BATCH_WRITE = 25
_IO_ATTEMPTS = 8
_PAGES_PER_REQUEST = 10  # a sparse filter answers a short page with a cursor rather than scan on
_KEY_ATTRIBUTES = ("pk", "sk", "batch_pk", "record_pk", "expires_at")
_SECOND_SORT = "%Y-%m-%dT%H:%M:%S"


class LogQuery(BaseModel):
    """`GET /v1/logs` filters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Literal["success", "error"] | None = None
    entity: str | None = Field(default=None, pattern=ENTITY_NAME_PATTERN)
    batch_id: str | None = Field(default=None, pattern=r"^bat_[0-9a-f]{16}$")
    local_id: str | None = Field(default=None, pattern=LOCAL_ID_PATTERN)
    since: Moment | None = None
    until: Moment | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)

    @model_validator(mode="after")
    def _coherent(self) -> LogQuery:
        if self.local_id is not None and self.entity is None:
            raise ValueError("local_id needs entity")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError("since is after until")
        return self


def log_sort_key(entry: SyncLogEntry, write_order: int) -> str:
    """Time first; within one second of started_at, the order entries were written (then the id)."""
    return f"{entry.started_at}#{write_order:024d}#{entry.id}"


class DynamoSyncLog:
    """core.ports.SyncLogWriter, and `query` for `GET /v1/logs`."""

    def __init__(
        self,
        table: Table,
        retention_days: int,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
        ticks: Callable[[], int] = time.time_ns,
    ) -> None:
        self._table = table
        self._retention = timedelta(days=retention_days)
        self._clock = clock
        self._sleep = sleep
        self._ticks = ticks

    def append(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> None:
        expires_at = int((self._clock() + self._retention).timestamp())
        written = self._ticks() * 10_000  # room for the position of each entry in this call
        items = [
            self._item(tenant_id, entry, expires_at, written + position)
            for position, entry in enumerate(entries)
        ]
        for start in range(0, len(items), _MAX_BATCH_WRITE):
            self._write(items[start : start + _MAX_BATCH_WRITE])

    def query(self, tenant_id: str, wanted: LogQuery) -> tuple[list[SyncLogEntry], str | None]:
        index, partition_name, partition = self._partition(tenant_id, wanted)
        request: dict[str, Any] = {
            "KeyConditionExpression": self._key_condition(partition_name, partition, wanted),
            "ScanIndexForward": False,
            "Limit": wanted.limit,
        }
        if index is not None:
            request["IndexName"] = index
        filters = self._filters(wanted, index)
        if filters is not None:
            request["FilterExpression"] = filters
        start: dict[str, Any] | None = _decode_cursor(wanted.cursor, tenant_id, partition_name, partition)
        found: list[dict[str, Any]] = []
        for _ in range(_PAGES_PER_REQUEST):
            if start is not None:
                request["ExclusiveStartKey"] = start
            with storage_errors("read the sync log"):
                page = self._table.query(**request)
            for item in page.get("Items", []):
                found.append(item)
                if len(found) == wanted.limit:
                    return _entries(found), _encode_cursor(item, partition_name)
            start = page.get("LastEvaluatedKey")
            if start is None:
                return _entries(found), None
        return _entries(found), _encode_cursor(start, partition_name) if start else None

    def _item(self, tenant_id: str, entry: SyncLogEntry, expires_at: int, write_order: int) -> dict[str, Any]:
        keys: dict[str, Any] = {
            "pk": tenant_pk(tenant_id),
            "sk": log_sort_key(entry, write_order),
            "record_pk": _record_pk(tenant_id, entry.entity, entry.local_id),
        }
        if entry.batch_id:
            keys["batch_pk"] = _batch_pk(tenant_id, entry.batch_id)
        item = to_item(entry, **keys)
        item["expires_at"] = expires_at
        return {key: value for key, value in item.items() if value is not None}

    def _write(self, items: list[dict[str, Any]]) -> None:
        """BatchWriteItem, resending what DynamoDB left unprocessed with growing pauses."""
        pending = [{"PutRequest": {"Item": item}} for item in items]
        for attempt in range(_IO_ATTEMPTS):
            with storage_errors("write the sync log"):
                answer = self._table.meta.client.batch_write_item(
                    RequestItems={self._table.name: pending}  # type: ignore[dict-item]
                )
            pending = list(answer.get("UnprocessedItems", {}).get(self._table.name, []))  # type: ignore[arg-type]
            if not pending:
                return
            self._sleep(min(2.0, 0.05 * 2**attempt))
        raise StorageError("storage kept refusing part of the sync log")

    @staticmethod
    def _partition(tenant_id: str, wanted: LogQuery) -> tuple[str | None, str, str]:
        if wanted.local_id is not None and wanted.entity is not None:
            return "ByRecord", "record_pk", _record_pk(tenant_id, wanted.entity, wanted.local_id)
        if wanted.batch_id is not None:
            return "ByBatch", "batch_pk", _batch_pk(tenant_id, wanted.batch_id)
        return None, "pk", tenant_pk(tenant_id)

    @staticmethod
    def _key_condition(name: str, partition: str, wanted: LogQuery) -> ConditionBase:
        condition: ConditionBase = Key(name).eq(partition)
        since = _utc(wanted.since) if wanted.since else None
        # Entries of the `until` second itself are included: compare against the next second.
        until = _utc(wanted.until + timedelta(seconds=1)) if wanted.until else None
        if since and until:
            return condition & Key("sk").between(since, until)
        if since:
            return condition & Key("sk").gte(since)
        if until:
            return condition & Key("sk").lt(until)
        return condition

    @staticmethod
    def _filters(wanted: LogQuery, index: str | None) -> ConditionBase | None:
        conditions: list[ConditionBase] = []
        if wanted.status is not None:
            conditions.append(Attr("sync_status").eq(wanted.status))
        if wanted.entity is not None and index != "ByRecord":
            conditions.append(Attr("entity").eq(wanted.entity))
        if wanted.batch_id is not None and index == "ByRecord":
            conditions.append(Attr("batch_id").eq(wanted.batch_id))
        if not conditions:
            return None
        combined = conditions[0]
        for condition in conditions[1:]:
            combined = combined & condition
        return combined


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_SECOND_SORT)


def _record_pk(tenant_id: str, entity: str, local_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#{entity}#{local_id}"


def _batch_pk(tenant_id: str, batch_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#BATCH#{batch_id}"


def _entries(items: list[dict[str, Any]]) -> list[SyncLogEntry]:
    return [
        SyncLogEntry.model_validate({k: v for k, v in item.items() if k not in _KEY_ATTRIBUTES})
        for item in items
    ]


def _encode_cursor(item: dict[str, Any], partition_name: str) -> str:
    key = {"pk": item["pk"], "sk": item["sk"], partition_name: item[partition_name]}
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(
    cursor: str | None, tenant_id: str, partition_name: str, partition: str
) -> dict[str, str] | None:
    """A cursor is good only for the query that made it, in the caller's own partition."""
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInputError("the cursor is not valid", field="cursor") from exc
    valid = (
        isinstance(key, dict)
        and key.get("pk") == tenant_pk(tenant_id)
        and key.get(partition_name) == partition
        and isinstance(key.get("sk"), str)
        and set(key) == {"pk", "sk", partition_name}
    )
    if not valid:
        raise InvalidInputError("the cursor is not valid", field="cursor")
    return {str(name): str(value) for name, value in key.items()}

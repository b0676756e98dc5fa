"""The sync log: one entry per record operation, newest first, expiring after the retention period.

Entries are written a page at a time: each `append` (one chunk or page of a sync, one record
pushed now) is one item holding all its entries, so a chunk of 500 records costs one request and
its entries share the item's write units instead of each rounding up to a whole one. A page is
cut into parts per batch (so a batch's query finds all its entries) and by size (items stay far
below DynamoDB's 400 KB); the parts of one append are read back as one page.

Items:
  pk=TENANT#<tenant>  sk=<newest entry's start>#<write order>#<page id>#<part>
  entries_z=<the entries, a JSON list, zlib-compressed>  n=<how many>
  batch_pk=TENANT#<tenant>#BATCH#<batch> (index ByBatch; a batch's part)
  records=|<entity>/<local id>|...  entities=|<entity>|...  statuses=|success|error|   (for filters)
  expires_at=<epoch seconds>                      (TTL)

ByBatch projects the keys and the entities and statuses markers only (INCLUDE): its entry of a
page costs one write unit whatever the page holds; a batch's query reads the parts it finds from
the table by key (one BatchGetItem per query request).

A query reads a batch's parts (ByBatch) or the tenant's pages, newest first, a few items per
request (`Limit`), narrowed by time on the sort key (`until` with a margin: a page holds the
entries of up to a chunk's run time, all older than its key) and by the filters above
(DynamoDB drops pages with no entry of the record, entity or status asked for), then picks the
entries. A record's history is such a filtered read of the tenant's pages; a sparse filter
answers with what it found in a bounded number of reads and a cursor to go on from. Cursors
carry the page and the position of the last entry returned, in the caller's own partition.

The entries are stored compressed: a chunk's entries repeat the same entity, connection, batch,
fields and times, and compress about 15 to 1 (a product pushed: ~400 bytes of JSON, ~25 stored),
and DynamoDB bills writes by the bytes stored. Pages written before hold `entries` as JSON text
and read the same.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from pydantic import BaseModel, ConfigDict, Field, model_validator

from odoo_sync.core.ids import Moment, utc_now
from odoo_sync.errors import InvalidInputError, StorageError
from odoo_sync.stores.batching import batch_get
from odoo_sync.stores.dynamodb import storage_errors
from odoo_sync.stores.tenants import tenant_pk
from odoo_sync.sync.model import ENTITY_NAME_PATTERN, LOCAL_ID_PATTERN, SyncLogEntry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_MAX_BATCH_WRITE = 25
_IO_ATTEMPTS = 8
_PART_BYTES = 300_000
_READS_PER_REQUEST = 10  # a sparse filter answers a short page with a cursor rather than read on
_ITEMS_PER_READ = 4  # a page holds up to hundreds of entries: a few items fill most answers
_FILTERED_ITEMS_PER_READ = 25
# A page's entries started within a chunk's run (a worker runs at most minutes): its sort key's
# time is within this margin of every entry's, so time bounds are widened by it, then applied
# to the entries themselves.
PAGE_SPAN = timedelta(minutes=15)
_SECOND_SORT = "%Y-%m-%dT%H:%M:%S"
_LOWEST, _HIGHEST = "0", "~"
_PAST_EVERY_ENTRY = 1_000_000


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


@dataclass
class LogPage:
    """core.ports.PendingLog: a page of entries ready to be written (once)."""

    log: DynamoSyncLog
    items: list[dict[str, Any]]
    written: bool = False

    def write(self) -> None:
        if not self.written and self.items:
            self.log.write_items(self.items)
        self.written = True

    @property
    def size(self) -> int:
        return sum(len(bytes(item.get("entries_z", b""))) + _markers_size(item) + 300 for item in self.items)


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
        self.prepare(tenant_id, entries).write()

    def prepare(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> LogPage:
        """The page these entries make, not written yet: `write()` it, or let the batch's count
        carry it in its own transaction (stores/batch_chunks.py: one request for both)."""
        if not entries:
            return LogPage(self, [])
        expires_at = int((self._clock() + self._retention).timestamp())
        # Ordered by its newest entry's start, then by when it was written.
        newest = max(entry.started_at for entry in entries)
        page = f"{newest}#{self._ticks():024d}#{secrets.token_hex(4)}"
        items = [
            self._item(tenant_id, f"{page}#{number:02d}", part, expires_at)
            for number, part in enumerate(_parts(entries))
        ]
        return LogPage(self, items)

    @property
    def table_name(self) -> str:
        return self._table.name

    def write_items(self, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), _MAX_BATCH_WRITE):
            self._write(items[start : start + _MAX_BATCH_WRITE])

    def query(self, tenant_id: str, wanted: LogQuery) -> tuple[list[SyncLogEntry], str | None]:
        index, partition_name, partition = self._partition(tenant_id, wanted)
        position = _decode_cursor(wanted.cursor, tenant_id, partition_name, partition)
        request: dict[str, Any] = {
            "KeyConditionExpression": self._key_condition(partition_name, partition, wanted, position),
            "ScanIndexForward": False,
        }
        if index is not None:
            request["IndexName"] = index
        filters = _filters(wanted, on_index=index is not None)
        request["Limit"] = _ITEMS_PER_READ if filters is None else _FILTERED_ITEMS_PER_READ
        if filters is not None:
            request["FilterExpression"] = filters
        found: list[SyncLogEntry] = []
        for page, entries, resume_at in self._pages(request):
            if resume_at is not None:
                # The reads ran out inside a sparse filter: the next request goes on from here.
                return found, _encode_cursor(tenant_id, partition_name, partition, page, resume_at)
            for number, entry in enumerate(entries):
                if position is not None and page == position[0] and number <= position[1]:
                    continue
                if not _matches(entry, wanted):
                    continue
                found.append(entry)
                if len(found) == wanted.limit:
                    return found, _encode_cursor(tenant_id, partition_name, partition, page, number)
        return found, None

    def _pages(self, request: dict[str, Any]) -> Iterator[tuple[str, list[SyncLogEntry], int | None]]:
        """(page, its entries newest first, None) per page in order (its parts read together), then,
        when the reads run out before the end, (page, [], position to resume after)."""
        pending: list[dict[str, Any]] = []
        done: str | None = None
        for _ in range(_READS_PER_REQUEST):
            with storage_errors("read the sync log"):
                answer = self._table.query(**request)
            for item in self._whole(request, answer.get("Items", [])):
                if pending and _page_of(item) != _page_of(pending[0]):
                    done = _page_of(pending[0])
                    yield done, _merged(pending), None
                    pending = []
                pending.append(item)
            start = answer.get("LastEvaluatedKey")
            if start is None:
                if pending:
                    yield _page_of(pending[0]), _merged(pending), None
                return
            request["ExclusiveStartKey"] = start
        if pending:  # its other parts may follow: read the whole page again
            yield _page_of(pending[0]), [], -1
        else:
            last = _page_of(request["ExclusiveStartKey"])
            yield last, [], _PAST_EVERY_ENTRY if last == done else -1

    def _whole(self, request: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The parts a query found, whole: ByBatch projects only the keys and the filters'
        markers (its entry costs one write unit, not a copy of the page), so the parts it
        finds are read from the table by key, in the order found."""
        if "IndexName" not in request or not items:
            return items
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items]
        read = {str(item["sk"]): item for item in batch_get(self._table, keys, "read the sync log")}
        return [read[str(item["sk"])] for item in items if str(item["sk"]) in read]

    def _item(self, tenant_id: str, sk: str, entries: list[SyncLogEntry], expires_at: int) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": tenant_pk(tenant_id),
            "sk": sk,
            "entries_z": zlib.compress(_dump(entries).encode()),
            "n": len(entries),
            "records": _markers(f"{e.entity}/{e.local_id}" for e in entries),
            "entities": _markers(e.entity for e in entries),
            "statuses": _markers(e.sync_status for e in entries),
            "expires_at": expires_at,
        }
        if entries[0].batch_id:
            item["batch_pk"] = _batch_pk(tenant_id, entries[0].batch_id)
        return item

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
        if wanted.batch_id is not None:
            return "ByBatch", "batch_pk", _batch_pk(tenant_id, wanted.batch_id)
        return None, "pk", tenant_pk(tenant_id)

    @staticmethod
    def _key_condition(
        name: str, partition: str, wanted: LogQuery, position: tuple[str, int] | None
    ) -> ConditionBase:
        low = _utc(wanted.since) if wanted.since else _LOWEST
        # Entries of the `until` second itself are included: compare against the next second.
        high = _utc(wanted.until + timedelta(seconds=1) + PAGE_SPAN) if wanted.until else _HIGHEST
        if position is not None:
            high = min(high, f"{position[0]}#{_HIGHEST}")  # the cursor's page again, and older ones
        return Key(name).eq(partition) & Key("sk").between(low, high)


def _parts(entries: Sequence[SyncLogEntry]) -> Iterator[list[SyncLogEntry]]:
    """The entries cut per batch (in the order they came), then by size."""
    by_batch: dict[str | None, list[SyncLogEntry]] = {}
    for entry in entries:
        by_batch.setdefault(entry.batch_id, []).append(entry)
    for group in by_batch.values():
        part: list[SyncLogEntry] = []
        size = 0
        for entry in group:
            entry_size = len(entry.model_dump_json(exclude_none=True))
            if part and size + entry_size > _PART_BYTES:
                yield part
                part, size = [], 0
            part.append(entry)
            size += entry_size
        yield part


def _dump(entries: list[SyncLogEntry]) -> str:
    return json.dumps([e.model_dump(mode="json", exclude_none=True) for e in entries], separators=(",", ":"))


def _stored_entries(item: dict[str, Any]) -> list[Any]:
    """A part's entries as JSON values: compressed, or as text in pages written before."""
    if "entries_z" in item:
        stored = item["entries_z"]
        return list(json.loads(zlib.decompress(bytes(getattr(stored, "value", stored)))))
    return list(json.loads(str(item["entries"])))


def _markers_size(item: dict[str, Any]) -> int:
    return sum(len(str(item.get(name, ""))) for name in ("records", "entities", "statuses"))


def _markers(values: Iterator[str] | Sequence[str]) -> str:
    return "|" + "|".join(dict.fromkeys(values)) + "|"


def _page_of(item: dict[str, Any]) -> str:
    return str(item["sk"]).rsplit("#", 1)[0]


def _merged(parts: list[dict[str, Any]]) -> list[SyncLogEntry]:
    """A page's entries, newest first (by start time; those of one second as they were written)."""
    written: list[SyncLogEntry] = []
    for part in sorted(parts, key=lambda item: str(item["sk"])):
        written += [SyncLogEntry.model_validate(e) for e in _stored_entries(part)]
    order = sorted(range(len(written)), key=lambda i: (written[i].started_at, i), reverse=True)
    return [written[i] for i in order]


def _matches(entry: SyncLogEntry, wanted: LogQuery) -> bool:
    checks = [
        wanted.status is None or entry.sync_status == wanted.status,
        wanted.entity is None or entry.entity == wanted.entity,
        wanted.local_id is None or entry.local_id == wanted.local_id,
        wanted.batch_id is None or entry.batch_id == wanted.batch_id,
        wanted.since is None or entry.started_at >= _utc(wanted.since),
        wanted.until is None or entry.started_at < _utc(wanted.until + timedelta(seconds=1)),
    ]
    return all(checks)


def _filters(wanted: LogQuery, *, on_index: bool = False) -> ConditionBase | None:
    """Pages with no entry the query could want are dropped by DynamoDB before they are sent.
    ByBatch holds no `records` marker: a batch's entries of one record are picked when read."""
    conditions: list[ConditionBase] = []
    if wanted.local_id is not None and wanted.entity is not None and not on_index:
        conditions.append(Attr("records").contains(f"|{wanted.entity}/{wanted.local_id}|"))
    elif wanted.entity is not None:
        conditions.append(Attr("entities").contains(f"|{wanted.entity}|"))
    if wanted.status is not None:
        conditions.append(Attr("statuses").contains(f"|{wanted.status}|"))
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined & condition
    return combined


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_SECOND_SORT)


def _batch_pk(tenant_id: str, batch_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#BATCH#{batch_id}"


def _encode_cursor(tenant_id: str, partition_name: str, partition: str, page: str, number: int) -> str:
    state = {"p": partition_name, "v": partition, "t": tenant_pk(tenant_id), "s": page, "i": number}
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(
    cursor: str | None, tenant_id: str, partition_name: str, partition: str
) -> tuple[str, int] | None:
    """A cursor is good only for the query that made it, in the caller's own partition."""
    if not cursor:
        return None
    try:
        state = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInputError("the cursor is not valid", field="cursor") from exc
    valid = (
        isinstance(state, dict)
        and set(state) == {"p", "v", "t", "s", "i"}
        and state["t"] == tenant_pk(tenant_id)
        and state["p"] == partition_name
        and state["v"] == partition
        and isinstance(state["s"], str)
        and isinstance(state["i"], int)
    )
    if not valid:
        raise InvalidInputError("the cursor is not valid", field="cursor")
    return str(state["s"]), int(state["i"])

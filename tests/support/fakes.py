"""In-memory stand-ins for the push path's ports (core.ports, core.batches), for unit tests.

They keep what they are given and answer from it, with the same contracts as the DynamoDB
adapters, so a test can check behaviour without AWS. Each keeps its calls for assertions.
"""

from __future__ import annotations

import inspect
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from odoo_sync.core.batches import Batch
from odoo_sync.core.push import PushService
from odoo_sync.errors import InvalidInputError, NotFoundError, StorageError
from odoo_sync.sync.filters import RecordFilters
from odoo_sync.sync.model import (
    BulkSelectMessage,
    EntityDefinition,
    LinkStatus,
    LocalRecord,
    MatchKey,
    OdooLink,
    PullPageMessage,
    PushChunkMessage,
    RecordOutcome,
    SyncAction,
    SyncLogEntry,
)

NOW = "2024-05-01T10:00:00Z"


def outcome(
    local_id: str,
    action: SyncAction | str = SyncAction.CREATED,
    *,
    odoo_id: int | None = None,
    duration_ms: int = 10,
    at: str = NOW,
    error: str | None = None,
) -> RecordOutcome:
    action = SyncAction(action)
    failed = action is SyncAction.ERROR
    return RecordOutcome(
        local_id=local_id,
        action=action,
        odoo_id=None if failed else (odoo_id or zlib.crc32(local_id.encode()) % 10_000 + 1),
        error_message=(error or "refused") if failed else None,
        started_at=at,
        completed_at=at,
        duration_ms=duration_ms,
    )


class InMemoryRecordStore:
    """core.ports.RecordStore plus the `put` and `iter_local_ids` of the records store."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str, str], LocalRecord] = {}

    def put(
        self, tenant_id: str, entity: str, local_id: str, data: dict[str, Any], updated_at: str = NOW
    ) -> LocalRecord:
        old = self.records.get((tenant_id, entity, local_id))
        record = LocalRecord(
            entity=entity,
            local_id=local_id,
            data=data,
            version=(old.version + 1) if old else 1,
            updated_at=updated_at,
            links=old.links if old else {},
        )
        self.records[(tenant_id, entity, local_id)] = record
        return record

    def get_many(self, tenant_id: str, entity: str, local_ids: Sequence[str]) -> list[LocalRecord]:
        return [r for i in local_ids if (r := self.records.get((tenant_id, entity, i))) is not None]

    def update_link(
        self, tenant_id: str, entity: str, local_id: str, connection_id: str, link: OdooLink
    ) -> None:
        record = self.records[(tenant_id, entity, local_id)]
        record.links[connection_id] = link

    def update_links(
        self, tenant_id: str, entity: str, connection_id: str, links: Mapping[str, OdooLink]
    ) -> None:
        for local_id, link in links.items():
            if (tenant_id, entity, local_id) in self.records:
                self.update_link(tenant_id, entity, local_id, connection_id, link)

    def iter_local_ids(self, tenant_id: str, entity: str, filters: RecordFilters) -> Iterator[str]:
        if filters.needs_connection() and filters.connection_id is None:
            raise InvalidInputError("has_odoo_id and status need a connection", field="connection_id")
        for (tenant, kind, local_id), record in sorted(self.records.items()):
            if tenant == tenant_id and kind == entity and _matches(record, filters):
                yield local_id

    def page_local_ids(
        self, tenant_id: str, entity: str, filters: RecordFilters, limit: int, cursor: str | None
    ) -> tuple[list[str], str | None]:
        """The cursor is the last id of the page before (ids come sorted)."""
        after = [
            local_id
            for local_id in self.iter_local_ids(tenant_id, entity, filters)
            if local_id > (cursor or "")
        ]
        return after[:limit], after[limit - 1] if len(after) > limit else None


def _matches(record: LocalRecord, filters: RecordFilters) -> bool:
    link = record.links.get(filters.connection_id or "", OdooLink())
    checks = [
        filters.modified_since is None
        or datetime.fromisoformat(record.updated_at) >= filters.modified_since.astimezone(UTC),
        filters.has_odoo_id is None or (link.odoo_id is not None) == filters.has_odoo_id,
        filters.status is None or link.status == filters.status,
        filters.local_ids is None or record.local_id in filters.local_ids,
        all(record.data.get(name) == value for name, value in filters.fields.items()),
    ]
    return all(checks)


class InMemorySyncLog:
    """core.ports.SyncLogWriter."""

    def __init__(self) -> None:
        self.entries: dict[str, list[SyncLogEntry]] = defaultdict(list)

    def append(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> None:
        self.entries[tenant_id].extend(entries)

    def prepare(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> PendingEntries:
        return PendingEntries(lambda: self.append(tenant_id, entries))


@dataclass
class PendingEntries:
    """core.ports.PendingLog of the in-memory log."""

    append: Callable[[], None]
    written: bool = False

    def write(self) -> None:
        if not self.written:
            self.append()
        self.written = True


class InMemoryStats:
    """core.ports.StatsRecorder."""

    def __init__(self) -> None:
        self.counters: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def record(
        self, tenant_id: str, entity: str, outcomes: Sequence[RecordOutcome], newly_linked: int
    ) -> None:
        for key in ((tenant_id, "*"), (tenant_id, entity)):
            counters = self.counters[key]
            counters["total_syncs"] += len(outcomes)
            counters["successful_syncs"] += sum(1 for o in outcomes if o.success)
            counters["failed_syncs"] += sum(1 for o in outcomes if not o.success)
            counters["records_with_odoo_id"] += newly_linked


class InMemoryBatchProgress:
    """core.ports.BatchProgress: keeps every chunk's outcomes, as given (and the chunk numbers)."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str, str, str, list[RecordOutcome]]] = []
        self.chunk_numbers: list[int] = []

    def record_chunk(
        self,
        tenant_id: str,
        batch_id: str,
        entity: str,
        outcomes: Sequence[RecordOutcome],
        *,
        chunk: int,
        newly_linked: int = 0,
        log: Any = None,
    ) -> None:
        self.chunks.append((tenant_id, batch_id, entity, list(outcomes)))
        self.chunk_numbers.append(chunk)
        if log is not None:
            log.write()


QueuedMessage = PushChunkMessage | PullPageMessage | BulkSelectMessage


@dataclass
class RecordingQueue:
    """core.batches.ChunkQueue: keeps messages; `fail_after` messages it raises like SQS failing."""

    fail_after: int | None = None
    sent: list[tuple[PushChunkMessage | PullPageMessage | BulkSelectMessage, int]] = field(
        default_factory=list
    )

    def send(self, messages: Sequence[QueuedMessage], attempt: int = 0) -> int:
        for count, message in enumerate(messages):
            if self.fail_after is not None and len(self.sent) >= self.fail_after:
                raise StorageError("the queue refused the chunks", details={"messages_sent": count})
            self.sent.append((message, attempt))
        return len(messages)

    @property
    def messages(self) -> list[PushChunkMessage]:
        return [message for message, _ in self.sent if isinstance(message, PushChunkMessage)]

    @property
    def pages(self) -> list[PullPageMessage]:
        return [message for message, _ in self.sent if isinstance(message, PullPageMessage)]


@dataclass
class KnownEntities:
    """core.batches.EntityLookup: the named entities exist (over res.partner), others do not."""

    names: tuple[str, ...] = ("product", "customer")

    def get(self, tenant_id: str, name: str) -> EntityDefinition:
        if name not in self.names:
            raise NotFoundError("entity", name, field="entity")
        return EntityDefinition(
            name=name, odoo_model="res.partner", match_keys=[MatchKey(local_field="ref", odoo_field="ref")]
        )


@dataclass
class FixedConnections:
    """core.batches.ConnectionResolver for a tenant with exactly one connection."""

    connection_id: str = "con_0123456789abcdef"
    max_in_flight: int = 2

    def resolve_id(self, tenant_id: str, connection_id: str | None) -> str:
        if connection_id not in (None, self.connection_id):
            raise InvalidInputError("no such connection", field="connection_id")
        return self.connection_id

    def resolve(self, tenant_id: str, connection_id: str | None) -> FixedConnections:
        self.resolve_id(tenant_id, connection_id)
        return self


Pusher = Callable[[str, Sequence[str]], list[RecordOutcome]]
_REAL_PUSH = inspect.signature(PushService.push)


@dataclass
class ScriptedPushService:
    """Stands in for core.push.PushService: takes what its `push` takes (bound to the real
    signature, so a call the real service would refuse fails here too), answers (or raises) as
    the test's function says, and, like it, reports outcomes to the batch progress when given a
    batch id. `calls` holds each call's arguments by name, defaults filled in."""

    pusher: Pusher
    batches: Any = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def push(self, *args: Any, **kwargs: Any) -> list[RecordOutcome]:
        call = _REAL_PUSH.bind(self, *args, **kwargs)
        call.apply_defaults()
        asked = {name: value for name, value in call.arguments.items() if name != "self"}
        self.calls.append(asked)
        outcomes = self.pusher(asked["entity"], asked["local_ids"])
        if asked["batch_id"] is not None and self.batches is not None:
            self.batches.record_chunk(
                asked["tenant_id"], asked["batch_id"], asked["entity"], outcomes, chunk=asked["chunk"]
            )
        return outcomes


def new_batch(
    tenant_id: str = "ten_0123456789abcdef",
    batch_id: str = "bat_0123456789abcdef",
    total: int = 3,
    *,
    batch_size: int = 100,
    entity: str = "product",
) -> Batch:
    return Batch(
        batch_id=batch_id,
        tenant_id=tenant_id,
        entity=entity,
        connection_id="con_0123456789abcdef",
        total=total,
        batch_size=batch_size,
        created_at=NOW,
    )


def linked(odoo_id: int, status: LinkStatus = LinkStatus.SYNCED) -> OdooLink:
    return OdooLink(odoo_id=odoo_id, status=status)

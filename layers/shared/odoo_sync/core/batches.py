"""Batches: one bulk push of many records, its progress, and what its workers and routes need.

A batch counts each of its records once, whatever SQS does: a record ends its chunk as done or
failed; a redelivered chunk finds what it counted and changes nothing; a retry moves failed
records back to pending (failed goes down as they are re-queued) into new chunks, so `pending`
is always what is still to come.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.actors import Actor, current_actor
from odoo_sync.core.lanes import chunked
from odoo_sync.errors import StorageError
from odoo_sync.sync.filters import RecordFilters
from odoo_sync.sync.model import (
    BulkSelectMessage,
    EntityDefinition,
    PullOptions,
    PullPageMessage,
    PushChunkMessage,
    RecordOutcome,
    SyncOptions,
    TriggeredBy,
)

BATCH_ID_PATTERN = r"^bat_[0-9a-f]{16}$"
BATCH_ID_PREFIX = "bat"


def new_batch_id(now: Callable[[], float] = time.time) -> str:
    """`bat_` + the second it was made (8 hex digits) + 8 random ones: a tenant's batches sort
    by id in the order they were started, so the newest are read first (`GET /v1/batches`)."""
    return f"{BATCH_ID_PREFIX}_{int(now()) & 0xFFFFFFFF:08x}{secrets.token_hex(4)}"


PULL_KEY_PREFIX = "odoo:"  # a pull batch counts each Odoo record as `odoo:<id>`
# A chunk's number names it in its batch (its progress is counted per chunk). Retries number
# theirs from RETRY_CHUNK_BASE x the retry's number, past every first-run chunk (at most 500,000).
RETRY_CHUNK_BASE = 1_000_000


class BatchStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"


class BatchDirection(StrEnum):
    """Which way a batch's records travel: a push counts local ids, a pull `odoo:<id>` keys."""

    TO_ODOO = "to_odoo"
    FROM_ODOO = "from_odoo"


class Batch(BaseModel):
    """A batch as stored: its counters are kept by the workers, its status is derived from them.

    Batches stored before pulls existed have no direction: they are pushes (the default)."""

    model_config = ConfigDict(extra="ignore")

    batch_id: str
    tenant_id: str
    entity: str
    connection_id: str
    total: int = Field(ge=0)
    succeeded: int = 0
    failed: int = 0
    batch_size: int = Field(ge=1)
    options: SyncOptions = SyncOptions()
    direction: BatchDirection = BatchDirection.TO_ODOO
    pull_options: PullOptions | None = None  # a pull's options, so a retry reads the same way
    triggered_by: TriggeredBy = TriggeredBy.BULK
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    last_progress_at: str | None = None  # when the counters last moved (finished_at, once complete)
    retries: int = 0
    # Lanes of the connection its messages travel in (its max_in_flight when the batch started).
    lanes: int = Field(default=1, ge=1)
    # A large push selects its records a slice at a time in the worker: until the last slice is
    # queued, `total` counts only the slices queued so far and the batch cannot complete.
    selecting: bool = False
    next_slice: int = 0  # the selection slice to be counted next (a redelivered one is not)
    actor: Actor | None = None  # who started it (batches stored before actors existed: none)

    @property
    def pending(self) -> int:
        return max(0, self.total - self.succeeded - self.failed)

    @property
    def status(self) -> BatchStatus:
        done = self.succeeded + self.failed
        if done < self.total or self.selecting:
            return BatchStatus.RUNNING if done or self.started_at else BatchStatus.QUEUED
        return BatchStatus.COMPLETED if self.failed == 0 else BatchStatus.COMPLETED_WITH_ERRORS


class BatchView(BaseModel):
    """`GET /v1/batches/{batch_id}`."""

    batch_id: str
    entity: str
    connection_id: str
    direction: BatchDirection
    status: BatchStatus
    total: int
    succeeded: int
    failed: int
    pending: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    triggered_by: TriggeredBy
    retries: int
    selecting: bool  # still selecting records: `total` is what was selected so far
    actor: Actor | None  # who started it: a key, a schedule, Odoo's webhook

    @classmethod
    def of(cls, batch: Batch) -> BatchView:
        return cls(
            batch_id=batch.batch_id,
            entity=batch.entity,
            connection_id=batch.connection_id,
            direction=batch.direction,
            status=batch.status,
            total=batch.total,
            succeeded=batch.succeeded,
            failed=batch.failed,
            pending=batch.pending,
            created_at=batch.created_at,
            started_at=batch.started_at,
            finished_at=batch.finished_at,
            triggered_by=batch.triggered_by,
            retries=batch.retries,
            selecting=batch.selecting,
            actor=batch.actor,
        )


class BatchStore(Protocol):
    """What the bulk routes need of batch storage; the workers use core.ports.BatchProgress."""

    def create(self, batch: Batch) -> None: ...

    def get(self, tenant_id: str, batch_id: str) -> Batch | None: ...

    def shrink_total(self, tenant_id: str, batch_id: str, by: int) -> None:
        """Records that were never queued leave the batch, so it can still complete."""
        ...

    def record_slice(
        self, tenant_id: str, batch_id: str, slice_number: int, queued: int, *, last: bool
    ) -> bool:
        """Add a selection slice's queued records to the total, once: False if already counted.
        With `last`, selection ends and the batch may complete."""
        ...

    def end_selection(self, tenant_id: str, batch_id: str) -> None:
        """Selection stops where it is (given up): the batch completes with what was queued."""
        ...

    def failed_local_ids(
        self, tenant_id: str, batch_id: str, limit: int, cursor: str | None
    ) -> tuple[list[str], str | None]:
        """Failed records not already re-queued, a page at a time."""
        ...

    def failed_among(self, tenant_id: str, batch_id: str, local_ids: Sequence[str]) -> set[str]:
        """Which of these records are failed in this batch and not already re-queued."""
        ...

    def start_retry(self, tenant_id: str, batch_id: str) -> int:
        """Count one more retry of the batch; its number tells its messages apart from earlier ones."""
        ...

    def mark_retrying(self, tenant_id: str, batch_id: str, local_ids: Sequence[str]) -> None:
        """Failed -> re-queued: the batch's failed counter goes down by len(local_ids)."""
        ...

    def unmark_retrying(self, tenant_id: str, batch_id: str, local_ids: Sequence[str]) -> None:
        """Undo mark_retrying for records whose messages could not be queued."""
        ...


class ChunkQueue(Protocol):
    def send(
        self, messages: Sequence[PushChunkMessage | PullPageMessage | BulkSelectMessage], attempt: int = 0
    ) -> int:
        """Queue the messages in order; answers how many were queued before any failure (raises)."""
        ...


class LocalIdSource(Protocol):
    def iter_local_ids(self, tenant_id: str, entity: str, filters: RecordFilters) -> Iterator[str]: ...

    def page_local_ids(
        self, tenant_id: str, entity: str, filters: RecordFilters, limit: int, cursor: str | None
    ) -> tuple[list[str], str | None]:
        """Up to `limit` selected ids from the cursor on, and the cursor after them (None: no more)."""
        ...


class EntityLookup(Protocol):
    def get(self, tenant_id: str, name: str) -> EntityDefinition:
        """The entity, or NotFoundError."""
        ...


class ResolvedConnection(Protocol):
    @property
    def connection_id(self) -> str: ...

    @property
    def max_in_flight(self) -> int: ...


class ConnectionResolver(Protocol):
    def resolve_id(self, tenant_id: str, connection_id: str | None) -> str: ...


class ConnectionLookup(ConnectionResolver, Protocol):
    def resolve(self, tenant_id: str, connection_id: str | None) -> ResolvedConnection:
        """The connection a request means (as resolve_id), with its max_in_flight."""
        ...


def chunk_messages(
    batch: Batch, local_ids: Sequence[str], *, first_chunk: int = 0, triggered_by: TriggeredBy
) -> list[PushChunkMessage]:
    """A push batch's chunks: `batch_size` records at most, formed within a lane (core.lanes)."""
    return [
        PushChunkMessage(
            tenant_id=batch.tenant_id,
            connection_id=batch.connection_id,
            entity=batch.entity,
            batch_id=batch.batch_id,
            chunk=first_chunk + number,
            local_ids=part,
            options=batch.options,
            triggered_by=triggered_by,
            actor=current_actor(),
            lane=lane,
            slots=slots,
        )
        for number, (lane, slots, part) in enumerate(chunked(local_ids, batch.batch_size, batch.lanes))
    ]


def pull_page_messages(
    batch: Batch, odoo_ids: Sequence[int], *, first_chunk: int = 0, triggered_by: TriggeredBy
) -> list[PullPageMessage]:
    """A pull batch's pages: `batch_size` ids at most, formed within a lane (core.lanes), read
    with the batch's pull options."""
    return [
        PullPageMessage(
            tenant_id=batch.tenant_id,
            connection_id=batch.connection_id,
            entity=batch.entity,
            batch_id=batch.batch_id,
            chunk=first_chunk + number,
            odoo_ids=part,
            options=batch.pull_options or PullOptions(),
            triggered_by=triggered_by,
            actor=current_actor(),
            lane=lane,
            slots=slots,
        )
        for number, (lane, slots, part) in enumerate(chunked(odoo_ids, batch.batch_size, batch.lanes))
    ]


_Queued = TypeVar("_Queued", PushChunkMessage, PullPageMessage)


def send_batch_messages(
    send: Callable[[Sequence[_Queued]], int], batches: BatchStore, batch: Batch, messages: Sequence[_Queued]
) -> None:
    """Queue a batch's messages; if the queue fails part-way, the records never queued leave the
    batch (so it can still complete) and the StorageError says how many were queued."""
    try:
        send(messages)
    except StorageError as exc:
        sent = exc.details.get("messages_sent", 0)
        sent = sent if isinstance(sent, int) else 0
        unsent = sum(_records_in(message) for message in messages[sent:])
        batches.shrink_total(batch.tenant_id, batch.batch_id, unsent)
        raise StorageError(
            "the queue failed part-way; the batch keeps only the records queued before the failure",
            details={"batch_id": batch.batch_id, "records_queued": batch.total - unsent},
        ) from exc


def _records_in(message: PushChunkMessage | PullPageMessage) -> int:
    return len(message.local_ids) if isinstance(message, PushChunkMessage) else len(message.odoo_ids)


def failed_outcomes(
    local_ids: Sequence[str], message: str, details: dict[str, object], at: str
) -> list[RecordOutcome]:
    """The outcome of records whose whole chunk kept failing: each failed, so a retry can re-queue it."""
    return [
        RecordOutcome(
            local_id=local_id,
            action="error",
            error_message=message,
            error_details=dict(details),
            retryable=True,
            started_at=at,
            completed_at=at,
            duration_ms=0,
        )
        for local_id in local_ids
    ]

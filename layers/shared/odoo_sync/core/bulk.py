"""Bulk push: select records, write the batch, fan its chunks out through the queue; retries.

The batch is stored before its first message is queued, so a worker never meets an unknown
batch. If queueing fails part-way, the records that never left are taken out of the batch's
total, so the batch still completes with what was queued, and the error names the batch.

The request selects and queues at most one slice (SELECT_SLICE records), so it answers in bounded
time whatever the batch's size. When more records remain, it queues a BulkSelectMessage with the
cursor: the worker selects the next slice, queues its chunks and the following message, and
counts the slice into the batch's total, once; the batch completes only after its last slice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from odoo_sync.actors import current_actor
from odoo_sync.core.batches import (
    PULL_KEY_PREFIX,
    RETRY_CHUNK_BASE,
    Batch,
    BatchDirection,
    BatchStatus,
    BatchStore,
    ChunkQueue,
    ConnectionLookup,
    EntityLookup,
    LocalIdSource,
    chunk_messages,
    new_batch_id,
    pull_page_messages,
    send_batch_messages,
)
from odoo_sync.core.ids import Moment, iso, utc_now
from odoo_sync.core.lanes import lane_count
from odoo_sync.errors import ConflictError, InvalidInputError, NotFoundError, StorageError
from odoo_sync.sync.filters import FieldValue, RecordFilters
from odoo_sync.sync.finance_presets import ensure_pushable
from odoo_sync.sync.model import (
    ENTITY_NAME_PATTERN,
    LOCAL_FIELD_PATTERN,
    LOCAL_ID_PATTERN,
    BulkSelectMessage,
    LinkStatus,
    PullPageMessage,
    PushChunkMessage,
    SyncOptions,
    TriggeredBy,
)

DEFAULT_BATCH_SIZE = 500  # one Odoo create of 500 products: ~6 s on real Odoo, well inside its limits
MAX_BATCH_SIZE = 500
MAX_RECORDS_PER_BATCH = 500_000
MAX_RETRY_IDS = 1_000
_RETRY_PAGE = 1_000
# Records one selection step reads and queues: a few query pages and SQS calls, well inside the
# API's 29 s and the worker's per-message budget.
SELECT_SLICE = 5_000
# Chunk numbers reserved per slice (batch_size >= 1 at most 5,000 chunks), so every slice's chunks
# are numbered without reading the others: their deduplication ids never collide.
_CHUNKS_PER_SLICE = SELECT_SLICE

_LOCAL_ID = re.compile(LOCAL_ID_PATTERN)
_FIELD_NAME = re.compile(LOCAL_FIELD_PATTERN)


class BulkFilters(BaseModel):
    """Which records a bulk push means; all given filters must hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    modified_since: Moment | None = None
    has_odoo_id: bool | None = None
    status: LinkStatus | None = None
    local_ids: list[str] | None = Field(default=None, min_length=1, max_length=10_000)
    fields: dict[str, FieldValue] = Field(default_factory=dict, max_length=20)

    @field_validator("local_ids")
    @classmethod
    def _local_ids_are_ids(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _checked_local_ids(value)

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: dict[str, FieldValue]) -> dict[str, FieldValue]:
        bad = [name for name in value if not _FIELD_NAME.match(name)]
        if bad:
            raise ValueError(f"not a field name: {bad[0]!r}")
        return value


class BulkSyncRequest(BaseModel):
    """`POST /v1/bulk-sync`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str = Field(pattern=ENTITY_NAME_PATTERN)
    connection_id: str | None = Field(default=None, pattern=r"^con_[0-9a-f]{16}$")
    filters: BulkFilters = BulkFilters()
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    sync_images: bool = False
    force_update: bool = False
    recreate_deleted: bool = False  # records Odoo deleted: match or create them again
    write_archived: bool = False  # records Odoo archived: update them anyway


class RetryRequest(BaseModel):
    """`POST /v1/batches/{batch_id}/retry`: some failed records, or (without local_ids) all of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    local_ids: list[str] | None = Field(default=None, min_length=1, max_length=MAX_RETRY_IDS)

    @field_validator("local_ids")
    @classmethod
    def _local_ids_are_ids(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _checked_local_ids(value)


class BulkSubmission(BaseModel):
    batch_id: str
    records_queued: int
    chunks: int
    status: BatchStatus


class RetrySubmission(BaseModel):
    batch_id: str
    records_queued: int
    chunks: int
    retry: int


class BulkSyncService:
    def __init__(
        self,
        entities: EntityLookup,
        records: LocalIdSource,
        connections: ConnectionLookup,
        batches: BatchStore,
        queue: ChunkQueue,
        *,
        max_records: int = MAX_RECORDS_PER_BATCH,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._entities = entities
        self._records = records
        self._connections = connections
        self._batches = batches
        self._queue = queue
        self._max_records = max_records
        self._clock = clock

    def submit(
        self, tenant_id: str, request: BulkSyncRequest, triggered_by: TriggeredBy = TriggeredBy.BULK
    ) -> BulkSubmission:
        self._entities.get(tenant_id, request.entity)
        ensure_pushable(request.entity)
        connection = self._connections.resolve(tenant_id, request.connection_id)
        connection_id = connection.connection_id
        filters = _record_filters(request.filters, connection_id)
        local_ids, cursor = self._records.page_local_ids(
            tenant_id, request.entity, filters, SELECT_SLICE, None
        )
        if len(local_ids) > self._max_records:
            raise self._too_many()
        now = iso(self._clock())
        batch = Batch(
            batch_id=new_batch_id(),
            tenant_id=tenant_id,
            entity=request.entity,
            connection_id=connection_id,
            total=len(local_ids),
            batch_size=request.batch_size,
            options=SyncOptions(
                force_update=request.force_update,
                sync_images=request.sync_images,
                recreate_deleted=request.recreate_deleted,
                write_archived=request.write_archived,
            ),
            triggered_by=triggered_by,
            created_at=now,
            # Nothing to do: complete from the start.
            finished_at=None if local_ids or cursor is not None else now,
            selecting=cursor is not None,
            next_slice=1,
            actor=current_actor(),
            lanes=lane_count(connection.max_in_flight),
        )
        self._batches.create(batch)
        messages = chunk_messages(batch, local_ids, triggered_by=triggered_by)
        try:
            self._enqueue(batch, messages)
        except StorageError:
            if batch.selecting:
                self._batches.end_selection(tenant_id, batch.batch_id)  # no step follows: it may end
            raise
        if cursor is not None:
            self._continue(batch, request.filters, slice_number=1, cursor=cursor)
        return BulkSubmission(
            batch_id=batch.batch_id, records_queued=len(local_ids), chunks=len(messages), status=batch.status
        )

    def select_slice(self, message: BulkSelectMessage) -> int:
        """One selection step of a large batch (a redelivery is harmless); answers the records queued.

        The slice's chunks go first, then it is counted into the total (once), then the next step
        is queued: a step that fails anywhere is delivered again and SQS drops what it already has
        (deduplication ids from the batch, the slice and the chunk numbers)."""
        batch = self.get(message.tenant_id, message.batch_id)
        bulk_filters = BulkFilters.model_validate(message.filters)
        filters = _record_filters(bulk_filters, batch.connection_id)
        local_ids, cursor = self._records.page_local_ids(
            batch.tenant_id, batch.entity, filters, SELECT_SLICE, message.cursor
        )
        if batch.total + len(local_ids) > self._max_records and batch.next_slice == message.slice:
            # Too many after all (records were added since the request): stop at the cap.
            local_ids, cursor = local_ids[: max(0, self._max_records - batch.total)], None
        first_chunk = message.slice * _CHUNKS_PER_SLICE
        messages = chunk_messages(
            batch, local_ids, first_chunk=first_chunk, triggered_by=message.triggered_by
        )
        self._queue.send(messages)
        self._batches.record_slice(
            batch.tenant_id, batch.batch_id, message.slice, len(local_ids), last=cursor is None
        )
        if cursor is not None:
            self._continue(batch, bulk_filters, slice_number=message.slice + 1, cursor=cursor)
        return len(local_ids)

    def end_selection(self, message: BulkSelectMessage) -> None:
        """A selection step kept failing: the batch completes with the records already queued."""
        self._batches.end_selection(message.tenant_id, message.batch_id)

    def get(self, tenant_id: str, batch_id: str) -> Batch:
        batch = self._batches.get(tenant_id, batch_id)
        if batch is None:
            raise NotFoundError("batch", batch_id, field="batch_id")
        return batch

    def retry(self, tenant_id: str, batch_id: str, local_ids: Sequence[str] | None) -> RetrySubmission:
        """Re-queue failed records of the batch; they count as pending again until they end.

        A push batch's records go out as push chunks again; a pull batch's (`odoo:<id>` keys) as
        pages read from Odoo again with the batch's pull options."""
        batch = self.get(tenant_id, batch_id)
        if batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING):
            raise ConflictError(
                f"the batch is still {batch.status.value}; retry once it has finished", field="batch_id"
            )
        if local_ids is not None:
            wanted = list(dict.fromkeys(local_ids))
            failed = self._batches.failed_among(tenant_id, batch_id, wanted)
            not_failed = [local_id for local_id in wanted if local_id not in failed]
            if not_failed:
                raise ConflictError(f"record {not_failed[0]} has not failed in this batch", field="local_ids")
            pages: list[list[str]] = [wanted]
        else:
            pages = self._all_failed(tenant_id, batch_id)
            if not pages:
                raise ConflictError("no record of this batch has failed; nothing to retry", field="batch_id")
        attempt = self._batches.start_retry(tenant_id, batch_id)
        queued = chunks = 0
        for page in pages:
            self._batches.mark_retrying(tenant_id, batch_id, page)
            messages = _retry_messages(batch, page, first_chunk=RETRY_CHUNK_BASE * attempt + chunks)
            try:
                self._queue.send(messages, attempt)
            except StorageError:
                # The whole page goes back to failed: nothing is lost, the caller retries again.
                self._batches.unmark_retrying(tenant_id, batch_id, page)
                raise
            queued += len(page)
            chunks += len(messages)
        return RetrySubmission(batch_id=batch_id, records_queued=queued, chunks=chunks, retry=attempt)

    def _too_many(self) -> InvalidInputError:
        return InvalidInputError(
            f"the filters select more than {self._max_records:,} records; narrow them "
            "(modified_since, local_ids, fields) and push in several batches",
            field="filters",
        )

    def _continue(self, batch: Batch, filters: BulkFilters, *, slice_number: int, cursor: str) -> None:
        step = BulkSelectMessage(
            tenant_id=batch.tenant_id,
            connection_id=batch.connection_id,
            entity=batch.entity,
            batch_id=batch.batch_id,
            slice=slice_number,
            cursor=cursor,
            filters=filters.model_dump(mode="json", exclude_defaults=True),
            triggered_by=batch.triggered_by,
            actor=current_actor(),
        )
        try:
            self._queue.send([step])
        except StorageError:
            if slice_number == 1:
                # From the request: it reports the failure, the batch keeps what was queued.
                self._batches.end_selection(batch.tenant_id, batch.batch_id)
            raise

    def _enqueue(self, batch: Batch, messages: list[PushChunkMessage]) -> None:
        send_batch_messages(self._queue.send, self._batches, batch, messages)

    def _all_failed(self, tenant_id: str, batch_id: str) -> list[list[str]]:
        pages: list[list[str]] = []
        cursor: str | None = None
        while True:
            page, cursor = self._batches.failed_local_ids(tenant_id, batch_id, _RETRY_PAGE, cursor)
            if page:
                pages.append(page)
            if cursor is None:
                return pages


def _record_filters(filters: BulkFilters, connection_id: str) -> RecordFilters:
    return RecordFilters(
        modified_since=filters.modified_since,
        has_odoo_id=filters.has_odoo_id,
        status=filters.status,
        local_ids=filters.local_ids,
        fields=filters.fields,
        connection_id=connection_id,
    )


def _retry_messages(
    batch: Batch, keys: Sequence[str], *, first_chunk: int
) -> list[PushChunkMessage] | list[PullPageMessage]:
    if batch.direction is BatchDirection.FROM_ODOO:
        odoo_ids = [int(key.removeprefix(PULL_KEY_PREFIX)) for key in keys]
        return pull_page_messages(batch, odoo_ids, first_chunk=first_chunk, triggered_by=TriggeredBy.RETRY)
    return chunk_messages(batch, keys, first_chunk=first_chunk, triggered_by=TriggeredBy.RETRY)


def _checked_local_ids(value: list[str]) -> list[str]:
    bad = [local_id for local_id in value if not _LOCAL_ID.match(local_id)]
    if bad:
        raise ValueError(f"not a local id: {bad[0][:140]!r}")
    return list(dict.fromkeys(value))

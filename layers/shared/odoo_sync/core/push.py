"""Pushing records to Odoo and keeping our books: links, sync log, statistics, batch progress.

The Odoo calls come first (the engine, one chunk at a time), the bookkeeping after them. If
the bookkeeping fails the error is raised and the chunk is pushed again: the records are then
found through their link or our external id in Odoo, so nothing is created twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from odoo_sync.actors import current_actor
from odoo_sync.core.conflicts import ConflictRecorder
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.lanes import SlotBusyError, slot_of
from odoo_sync.core.order_push import CUSTOMER_ENTITY, LinkedCustomers, order_engine
from odoo_sync.core.ports import (
    BatchProgress,
    ClientSource,
    PlanLoader,
    RecordStore,
    SlotLeases,
    StatsRecorder,
    SyncLogWriter,
)
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.finance_presets import ensure_pushable
from odoo_sync.sync.images import HttpImageFetcher, ImageFetcher
from odoo_sync.sync.model import (
    LinkStatus,
    LocalRecord,
    OdooLink,
    RecordOutcome,
    SyncAction,
    SyncLogEntry,
    SyncOptions,
    TriggeredBy,
)
from odoo_sync.sync.orders import OrderPushEngine

# Records per engine run: big enough to keep calls per record low, small enough that one
# create stays well inside Odoo's request time limit (500 records took ~1.3 s: captured).
CHUNK_SIZE = 500
LEASE_SECONDS = 150  # longer than the worker's timeout: a worker that dies frees its slots then
ImageFetcherFactory = Callable[[], ImageFetcher]


class PushService:
    def __init__(  # noqa: PLR0917 - the ports of the push path, as agreed
        self,
        records: RecordStore,
        plans: PlanLoader,
        connections: ClientSource,
        log: SyncLogWriter,
        stats: StatsRecorder,
        batches: BatchProgress,
        *,
        allow_private_image_hosts: bool = False,
        images: ImageFetcherFactory | None = None,
        clock: Callable[[], datetime] = utc_now,
        conflicts: ConflictRecorder | None = None,
        leases: SlotLeases | None = None,
    ) -> None:
        self._records = records
        self._plans = plans
        self._connections = connections
        self._log = log
        self._stats = stats
        self._batches = batches
        self._images = images or (lambda: HttpImageFetcher(allow_private=allow_private_image_hosts))
        self._clock = clock
        self._conflicts = conflicts
        self._leases = leases

    def push(
        self,
        tenant_id: str,
        connection_id: str,
        entity: str,
        local_ids: Sequence[str],
        *,
        options: SyncOptions,
        triggered_by: TriggeredBy,
        batch_id: str | None = None,
        chunk: int = 0,
        holder: str | None = None,
    ) -> list[RecordOutcome]:
        """One outcome per local id, in order. Record-level failures are error outcomes; Odoo being
        unreachable, rate limiting or an outcome it could not reconcile raise (after the records
        that did reach a final state are recorded), so the caller retries the whole call.

        With a batch, `chunk` is the queue message's number in it: the batch counts each record
        once per chunk, however often the message is delivered. With a `holder` (this delivery of
        a queued chunk), the slots of the records it may create are leased first (core.lanes):
        SlotBusyError when another holder has one."""
        ensure_pushable(entity)  # invoice and stock come from Odoo only: 422
        wanted = list(dict.fromkeys(local_ids))
        client = self._connections.client(tenant_id, connection_id)
        plan = self._plans.load(tenant_id, connection_id, entity, client)
        found = {record.local_id: record for record in self._records.get_many(tenant_id, entity, wanted)}
        outcomes: dict[str, RecordOutcome] = {
            local_id: self._missing(local_id) for local_id in wanted if local_id not in found
        }
        # A batch counts every record it was given; an unknown id is one of its failures (booked
        # with the first engine chunk, or alone when no record was found).
        unbooked = list(outcomes.values()) if batch_id is not None else []
        booking = _Booking(tenant_id, connection_id, entity, triggered_by, batch_id, chunk)
        slots = self._lease(tenant_id, connection_id, list(found.values()), holder, options)
        fetcher = self._images() if options.sync_images else None
        try:
            customers = LinkedCustomers(
                self._records,
                tenant_id,
                connection_id,
                lambda ids: self.push(
                    tenant_id,
                    connection_id,
                    CUSTOMER_ENTITY,
                    ids,
                    options=SyncOptions(),
                    triggered_by=triggered_by,
                ),
            )
            engine: PushEngine | OrderPushEngine = order_engine(
                client, plan, connection_id, customers, clock=self._clock
            ) or PushEngine(client, plan, connection_id, images=fetcher, clock=self._clock)
            present = [found[local_id] for local_id in wanted if local_id in found]
            if not present and unbooked:
                self._book(booking, [], {}, unbooked)
            for start in range(0, len(present), CHUNK_SIZE):
                part = present[start : start + CHUNK_SIZE]
                result = engine.push(
                    part,
                    options,
                    open_conflicts=self._open_conflicts(tenant_id, connection_id, entity, part),
                )
                if result.held and self._conflicts is not None:
                    self._conflicts.hold(tenant_id, result.held)
                chunk_outcomes = {outcome.local_id: outcome for outcome in result.outcomes}
                self._book(booking, part, chunk_outcomes, unbooked)
                unbooked = []
                outcomes.update(chunk_outcomes)
                if result.error is not None:
                    raise result.error
        finally:
            close = getattr(fetcher, "close", None)
            if callable(close):
                close()
            if slots and self._leases is not None and holder is not None:
                self._leases.release(tenant_id, connection_id, slots, holder)
        return [outcomes[local_id] for local_id in wanted if local_id in outcomes]

    def _lease(
        self,
        tenant_id: str,
        connection_id: str,
        records: Sequence[LocalRecord],
        holder: str | None,
        options: SyncOptions,
    ) -> list[int]:
        """Lease the slots of the records this push may create; answers them (to give back)."""
        if self._leases is None or holder is None:
            return []
        slots = sorted(
            {slot_of(record.local_id) for record in records if _may_create(record, connection_id, options)}
        )
        if slots and not self._leases.acquire(tenant_id, connection_id, slots, holder, LEASE_SECONDS):
            raise SlotBusyError("another worker is pushing records of this chunk; it comes back shortly")
        return slots

    def _open_conflicts(
        self, tenant_id: str, connection_id: str, entity: str, chunk: Sequence[LocalRecord]
    ) -> dict[str, set[str]]:
        """Fields held by open conflicts, which a push leaves alone; asked only for records that
        have a snapshot to compare with (one query per chunk)."""
        compared = [
            record.local_id
            for record in chunk
            if (link := record.links.get(connection_id)) is not None and link.snapshot is not None
        ]
        if self._conflicts is None or not compared:
            return {}
        return self._conflicts.open_fields_many(tenant_id, connection_id, entity, compared)

    def _missing(self, local_id: str) -> RecordOutcome:
        now = iso(self._clock())
        return RecordOutcome(
            local_id=local_id,
            action=SyncAction.ERROR,
            error_message=f"no such record: {local_id}",
            error_details={"code": "not_found"},
            started_at=now,
            completed_at=now,
            duration_ms=0,
        )

    # bookkeeping -----------------------------------------------------------------------------
    def _book(
        self,
        booking: _Booking,
        records: Sequence[LocalRecord],
        outcomes: dict[str, RecordOutcome],
        unbooked: Sequence[RecordOutcome] = (),
    ) -> None:
        """Links (100 to a request), the log entries, then the batch's and the statistics'
        counters (one request for both in a batch); a failure raises and the chunk runs again."""
        ordered = [*unbooked, *(outcomes[r.local_id] for r in records if r.local_id in outcomes)]
        if not ordered:
            return
        newly_linked = 0
        links: dict[str, OdooLink] = {}
        for record in records:
            outcome = outcomes.get(record.local_id)
            if outcome is None:
                continue
            previous = record.links.get(booking.connection_id) or OdooLink()
            link = _next_link(previous, record, outcome)
            if previous.odoo_id is None and link.odoo_id is not None:
                newly_linked += 1  # even when Odoo refused this write: the record is linked now
            if not _same_agreement(previous, link):
                links[record.local_id] = link
        if links:
            self._records.update_links(booking.tenant_id, booking.entity, booking.connection_id, links)
        entity, connection, triggered_by = booking.entity, booking.connection_id, booking.triggered_by
        log = self._log.prepare(
            booking.tenant_id,
            [log_entry(entity, connection, outcome, triggered_by, booking.batch_id) for outcome in ordered],
        )
        if booking.batch_id is None:
            log.write()
            self._stats.record(booking.tenant_id, entity, ordered, newly_linked)
        else:
            self._batches.record_chunk(
                booking.tenant_id,
                booking.batch_id,
                entity,
                ordered,
                chunk=booking.chunk,
                newly_linked=newly_linked,
                log=log,  # written with the count: one request for both
            )


@dataclass(frozen=True)
class _Booking:
    """Where a push's outcomes are booked: its tenant, connection, entity, trigger, batch chunk."""

    tenant_id: str
    connection_id: str
    entity: str
    triggered_by: TriggeredBy
    batch_id: str | None
    chunk: int


def _may_create(record: LocalRecord, connection_id: str, options: SyncOptions) -> bool:
    """Whether a push could create this record in Odoo: nothing linked yet (or deleted there)."""
    link = record.links.get(connection_id)
    if link is None or link.odoo_id is None:
        return True
    return link.status is LinkStatus.DELETED and options.recreate_deleted


def _next_link(previous: OdooLink, record: LocalRecord, outcome: RecordOutcome) -> OdooLink:
    if outcome.success:
        return OdooLink(
            odoo_id=outcome.odoo_id,
            status=LinkStatus.SYNCED,
            last_synced_at=outcome.completed_at,
            last_error=None,
            synced_version=record.version,
            snapshot=outcome.snapshot,
            # The version last read from Odoo still dates what the tenant heard from Odoo.
            odoo_write_date=previous.odoo_write_date if previous.odoo_id == outcome.odoo_id else None,
        )
    # A failed push keeps what was last agreed on; it only records why this one failed. What a
    # pull learnt (deleted or archived in Odoo) stays: the next push must still see it.
    kept = previous.status in (LinkStatus.DELETED, LinkStatus.ARCHIVED)
    return previous.model_copy(
        update={
            "odoo_id": previous.odoo_id if previous.odoo_id is not None else outcome.odoo_id,
            "status": previous.status if kept else LinkStatus.ERROR,
            "last_error": outcome.error_message,
        }
    )


def _same_agreement(previous: OdooLink, link: OdooLink) -> bool:
    """Nothing new to store: a push that found everything as already agreed (the log has the time)."""
    return previous.model_copy(update={"last_synced_at": None}) == link.model_copy(
        update={"last_synced_at": None}
    )


SyncType = Literal["create", "update", "skip"]
_SYNC_TYPES: dict[SyncAction, SyncType] = {
    SyncAction.CREATED: "create",
    SyncAction.UPDATED: "update",
    SyncAction.UNCHANGED: "skip",
}


def log_entry(
    entity: str,
    connection_id: str,
    outcome: RecordOutcome,
    triggered_by: TriggeredBy,
    batch_id: str | None,
) -> SyncLogEntry:
    """The history entry of one record operation."""
    attempted: SyncType = "update" if outcome.odoo_id is not None else "create"
    sync_type = _SYNC_TYPES.get(outcome.action, attempted)
    return SyncLogEntry(
        id=new_id("log"),
        entity=entity,
        local_id=outcome.local_id,
        connection_id=connection_id,
        odoo_id=outcome.odoo_id,
        sync_direction="to_odoo",
        sync_type=sync_type,
        sync_status="success" if outcome.success else "error",
        fields_synced=outcome.fields_synced,
        duration_ms=outcome.duration_ms,
        started_at=outcome.started_at,
        completed_at=outcome.completed_at,
        triggered_by=triggered_by,
        batch_id=batch_id,
        error_message=outcome.error_message,
        error_details=outcome.error_details,
        actor=current_actor(),
    )

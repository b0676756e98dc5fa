"""A pulled page's working state, and its books: outcomes, log entries, statistics, batch progress.

Kept apart from the page's flow (`odoo_sync.core.pull_apply`) so that how a record's fate is
told (one outcome per page id, one log entry per record, each carrying its share of the page's
time) reads in one place, whatever path (mapped, shaped, re-read) decided it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from odoo_sync.actors import current_actor
from odoo_sync.core.ids import iso, new_id
from odoo_sync.core.ports import BatchProgress, StatsRecorder, SyncLogWriter
from odoo_sync.core.pull import batch_key
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.model import (
    LocalRecord,
    PullOptions,
    RecordOutcome,
    SyncAction,
    SyncLogEntry,
    TriggeredBy,
)
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.pull import PullApply
from odoo_sync.sync.pull_mapping import PulledRecord

SyncType = Literal["create", "update", "skip"]


@dataclass
class PageState:
    """One page's working state."""

    tenant_id: str
    connection_id: str
    entity: str
    plan: SyncPlan
    client: OdooClient
    options: PullOptions
    triggered_by: TriggeredBy
    batch_id: str | None
    started_at: str
    started: float
    chunk: int = 0
    warnings: list[FieldIssue] = field(default_factory=list)
    outcomes: dict[int, RecordOutcome] = field(default_factory=dict)
    log: list[SyncLogEntry] = field(default_factory=list)
    newly_linked: int = 0
    by_external_id: set[int] = field(default_factory=set)  # Odoo ids found through our external id
    # Page id -> the Odoo record its local record is linked to (itself but for pulled shapes);
    # `outcomes` are per subject, `reported` per page id (gone, or left out by a shape).
    subjects: dict[int, int] = field(default_factory=dict)
    reported: dict[int, RecordOutcome] = field(default_factory=dict)
    gone: set[int] = field(default_factory=set)  # page ids Odoo no longer has
    records: dict[str, LocalRecord] = field(default_factory=dict)  # local records read, by id
    looked_up: set[str] = field(default_factory=set)  # local ids read (found or not)


def page_outcome(page: PageState, odoo_id: int) -> RecordOutcome | None:
    """The outcome of one page id: its own, or its subject's under the page id's batch key."""
    if odoo_id in page.reported:
        return page.reported[odoo_id]
    subject = page.subjects.get(odoo_id)
    outcome = page.outcomes.get(subject) if subject is not None else None
    if outcome is None or subject == odoo_id:
        return outcome
    return outcome.model_copy(update={"local_id": batch_key(odoo_id)})


class PageBooks:
    """Records each page id's outcome and log entry as the page goes, and books them at its end."""

    def __init__(
        self,
        log: SyncLogWriter,
        stats: StatsRecorder,
        batches: BatchProgress,
        clock: Callable[[], datetime],
    ) -> None:
        self._log = log
        self._stats = stats
        self._batches = batches
        self._clock = clock

    def done(
        self, page: PageState, odoo_id: int, decision: PullApply, action: SyncAction, pulled: PulledRecord
    ) -> None:
        now = iso(self._clock())
        outcome = RecordOutcome(
            local_id=batch_key(odoo_id),
            action=action,
            odoo_id=odoo_id,
            fields_synced=decision.fields_changed,
            warnings=list(page.warnings),
            started_at=page.started_at,
            completed_at=now,
            duration_ms=0,
        )
        page.outcomes[odoo_id] = outcome
        details: dict[str, Any] | None = None
        if decision.skipped is not None:
            details = {"code": decision.skipped}
        elif decision.held or decision.to_odoo:
            details = {"held": [c.odoo_field for c in decision.held], "to_odoo": decision.to_odoo}
        if decision.action is not None:
            details = {**(details or {}), "change": decision.action.value}
        sync_type: SyncType = (
            "skip" if action is SyncAction.UNCHANGED else ("create" if decision.create else "update")
        )
        page.log.append(
            _entry(
                page,
                decision.local_id,
                odoo_id,
                sync_type,
                "success",
                decision.fields_changed,
                now,
                details=details,
            )
        )

    def failed(
        self, page: PageState, odoo_id: int, local_id: str, message: str, *, retryable: bool = False
    ) -> None:
        now = iso(self._clock())
        page.outcomes[odoo_id] = RecordOutcome(
            local_id=batch_key(odoo_id),
            action=SyncAction.ERROR,
            odoo_id=odoo_id,
            error_message=message[:2000],
            retryable=retryable,
            started_at=page.started_at,
            completed_at=now,
            duration_ms=0,
        )
        page.log.append(_entry(page, local_id, odoo_id, "update", "error", [], now, error=message[:2000]))

    def gone(self, page: PageState, odoo_id: int) -> None:
        page.gone.add(odoo_id)
        now = iso(self._clock())
        page.reported[odoo_id] = RecordOutcome(
            local_id=batch_key(odoo_id),
            action=SyncAction.UNCHANGED,
            odoo_id=odoo_id,
            started_at=page.started_at,
            completed_at=now,
            duration_ms=0,
        )
        page.log.append(
            _entry(
                page, batch_key(odoo_id), odoo_id, "skip", "success", [], now, details={"code": "not_in_odoo"}
            )
        )

    def reported(self, page: PageState, odoo_id: int, code: str, message: str) -> None:
        """A page id a shape could not apply, and why: done (nothing to retry), with a warning."""
        now = iso(self._clock())
        page.reported[odoo_id] = RecordOutcome(
            local_id=batch_key(odoo_id),
            action=SyncAction.UNCHANGED,
            odoo_id=odoo_id,
            warnings=[FieldIssue(field="", code=code, message=message)],
            started_at=page.started_at,
            completed_at=now,
            duration_ms=0,
        )
        page.log.append(
            _entry(
                page,
                batch_key(odoo_id),
                odoo_id,
                "skip",
                "success",
                [],
                now,
                details={"code": code, "message": message},
            )
        )

    def book(self, page: PageState, wanted: Sequence[int]) -> None:
        records = [*page.outcomes.values(), *page.reported.values()]
        # Calls serve the whole page, so each record carries its share of the page's time.
        share = int((time.monotonic() - page.started) * 1000 / max(len(records), 1))
        outcomes = [o.model_copy(update={"duration_ms": share}) for o in records]
        entries = [e.model_copy(update={"duration_ms": share}) for e in page.log]
        log = self._log.prepare(page.tenant_id, entries)
        if page.batch_id is None:
            log.write()
            self._stats.record(page.tenant_id, page.entity, outcomes, page.newly_linked)
            return
        # The batch counts the page's ids (several quants may update one stock record), and the
        # statistics with them, once per page whatever SQS redelivers.
        counted = [
            outcome.model_copy(update={"duration_ms": share})
            for odoo_id in wanted
            if (outcome := page_outcome(page, odoo_id)) is not None
        ]
        self._batches.record_chunk(
            page.tenant_id,
            page.batch_id,
            page.entity,
            counted,
            chunk=page.chunk,
            newly_linked=page.newly_linked,
            log=log,  # written with the count: one request for both
        )


def _entry(  # noqa: PLR0917 - one log line
    page: PageState,
    local_id: str,
    odoo_id: int,
    sync_type: SyncType,
    status: Literal["success", "error"],
    fields: list[str],
    now: str,
    *,
    details: dict[str, Any] | None = None,
    error: str | None = None,
) -> SyncLogEntry:
    return SyncLogEntry(
        id=new_id("log"),
        entity=page.entity,
        local_id=local_id,
        connection_id=page.connection_id,
        odoo_id=odoo_id,
        sync_direction="from_odoo",
        sync_type=sync_type,
        sync_status=status,
        fields_synced=fields,
        duration_ms=0,
        started_at=page.started_at,
        completed_at=now,
        triggered_by=page.triggered_by,
        batch_id=page.batch_id,
        error_message=error,
        error_details=details,
        actor=current_actor(),
    )

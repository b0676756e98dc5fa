"""Starting one run of a schedule: a pull from Odoo, a push to Odoo, or both (pull first).

Each side starts a batch with `triggered_by: schedule`. The pushes and pulls are other services;
this module only needs their start methods (the Protocols below), so tests use fakes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel

from odoo_sync.core.bulk import BulkFilters, BulkSyncRequest
from odoo_sync.core.ids import iso
from odoo_sync.errors import ServiceError
from odoo_sync.odoo.errors import OdooError
from odoo_sync.sync.model import TriggeredBy


class StartedBatch(Protocol):
    @property
    def batch_id(self) -> str: ...


class PushStarter(Protocol):
    """BulkSyncService."""

    def submit(
        self, tenant_id: str, request: BulkSyncRequest, triggered_by: TriggeredBy = TriggeredBy.BULK
    ) -> StartedBatch: ...


class PullStarter(Protocol):
    """PullService: a delta (or full) read of the entity's Odoo records into the tenant's."""

    def start_delta(
        self,
        tenant_id: str,
        connection_id: str | None,
        entity: str,
        *,
        full: bool,
        batch_size: int,
        triggered_by: TriggeredBy,
    ) -> StartedBatch: ...


class RunPlan(BaseModel):
    """What a run does, taken from the schedule."""

    tenant_id: str
    entity: str
    connection_id: str
    pull: bool
    push: bool
    full: bool
    filters: BulkFilters
    batch_size: int
    pushed_since: str | None  # start of the last push that was queued (incremental pushes)


class RunOutcome(BaseModel):
    started_at: str
    batch_ids: list[str]
    error: str | None = None
    pushed: bool = False  # a push was queued: the next incremental push starts from started_at

    @property
    def started(self) -> bool:
        return bool(self.batch_ids)


class RunFailedError(Exception):
    """Nothing of the run could start; carries the first error, for the caller to answer with."""

    def __init__(self, outcome: RunOutcome, cause: Exception) -> None:
        super().__init__(outcome.error)
        self.outcome = outcome
        self.cause = cause


class ScheduleRunner:
    def __init__(self, pushes: PushStarter, pulls: PullStarter) -> None:
        self._pushes = pushes
        self._pulls = pulls

    def start(self, plan: RunPlan, now: datetime) -> RunOutcome:
        """Start the run's batches; a side that fails is recorded in `error`, the other still starts.

        Raises RunFailedError when nothing started at all.
        """
        outcome = RunOutcome(started_at=iso(now), batch_ids=[])
        first_failure: Exception | None = None
        errors: list[str] = []
        for side, start in (("pull", self._pull), ("push", self._push)):
            if not getattr(plan, side):
                continue
            try:
                outcome.batch_ids.append(start(plan))
            except (ServiceError, OdooError) as exc:
                # Connection gone, entity deleted, Odoo down...: the schedule shows it, the tick goes on.
                first_failure = first_failure or exc
                errors.append(f"{side}: {exc.message}")
            else:
                outcome.pushed = outcome.pushed or side == "push"
        outcome.error = "; ".join(errors) or None
        if first_failure is not None and not outcome.started:
            raise RunFailedError(outcome, first_failure)
        return outcome

    def _pull(self, plan: RunPlan) -> str:
        return self._pulls.start_delta(
            plan.tenant_id,
            plan.connection_id,
            plan.entity,
            full=plan.full,
            batch_size=plan.batch_size,
            triggered_by=TriggeredBy.SCHEDULE,
        ).batch_id

    def _push(self, plan: RunPlan) -> str:
        request = BulkSyncRequest(
            entity=plan.entity,
            connection_id=plan.connection_id,
            filters=_push_filters(plan),
            batch_size=plan.batch_size,
        )
        return self._pushes.submit(plan.tenant_id, request, TriggeredBy.SCHEDULE).batch_id


def _push_filters(plan: RunPlan) -> BulkFilters:
    """An incremental push takes the records changed since the last push started (all, the first time)."""
    if plan.full or plan.pushed_since is None:
        return plan.filters
    since = datetime.fromisoformat(plan.pushed_since)
    given = plan.filters.modified_since
    if given is not None and given >= since:
        return plan.filters
    return plan.filters.model_copy(update={"modified_since": since})

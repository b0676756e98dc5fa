"""Schedules: a tenant's recurring syncs of one entity, run by a tick every minute.

The tick finds due schedules with a query, and starts a schedule's run only after it moved the
schedule's next run forward with a write conditional on the next run it read: of two ticks
that read the same schedule, one wins that write and starts the run, the other starts nothing.
The next run is the first slot after now, so slots missed while no tick ran make one run, not
one per slot. A run is at most once per slot: if the tick dies between the write and the
start, that slot is skipped (and the next slot runs as usual).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from odoo_sync.actors import Actor, acting_as, current_actor
from odoo_sync.core.batches import ConnectionResolver, EntityLookup
from odoo_sync.core.bulk import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, BulkFilters
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.schedule_cron import check_cron_expression, check_timezone, next_run_after
from odoo_sync.core.schedule_runs import RunFailedError, RunOutcome, RunPlan, ScheduleRunner
from odoo_sync.errors import ConflictError, NotFoundError
from odoo_sync.sync.finance_presets import ensure_pushable
from odoo_sync.sync.model import ENTITY_NAME_PATTERN

SCHEDULE_ID_PATTERN = r"^sch_[0-9a-f]{16}$"
SCHEDULE_ID_PREFIX = "sch"
CONNECTION_ID_PATTERN = r"^con_[0-9a-f]{16}$"
DEFAULT_TIMEZONE = "UTC"
MAX_RUNS_PER_TICK = 200

CronExpression = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(check_cron_expression)]
TimezoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(check_timezone)]


class SyncDirection(StrEnum):
    TO_ODOO = "to_odoo"
    FROM_ODOO = "from_odoo"
    BIDIRECTIONAL = "bidirectional"


class SyncType(StrEnum):
    INCREMENTAL = "incremental"  # what changed since the last run
    FULL = "full"  # everything (the filters still apply to pushes)


class ScheduleInput(BaseModel):
    """`POST /v1/schedules` and `PUT /v1/schedules/{schedule_id}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    entity: str = Field(pattern=ENTITY_NAME_PATTERN)
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)
    cron_expression: CronExpression
    timezone: TimezoneName = DEFAULT_TIMEZONE
    sync_direction: SyncDirection
    sync_type: SyncType = SyncType.INCREMENTAL
    filters: BulkFilters = BulkFilters()
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1, le=MAX_BATCH_SIZE)
    is_enabled: bool = True

    @field_validator("filters")
    @classmethod
    def _filters_select_records_to_push(cls, value: BulkFilters, info: ValidationInfo) -> BulkFilters:
        pulls_only = info.data.get("sync_direction") is SyncDirection.FROM_ODOO
        if pulls_only and value != BulkFilters():
            raise ValueError("filters select local records to push; a from_odoo schedule pushes nothing")
        return value


class ToggleInput(BaseModel):
    """`PATCH /v1/schedules/{schedule_id}/toggle`: without a body the schedule flips."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    is_enabled: bool | None = None


class Schedule(BaseModel):
    """A schedule as stored. `next_run_at` is None exactly when the schedule is disabled."""

    model_config = ConfigDict(extra="ignore")

    schedule_id: str
    tenant_id: str
    name: str
    description: str = ""
    entity: str
    connection_id: str
    cron_expression: str
    timezone: str
    sync_direction: SyncDirection
    sync_type: SyncType
    filters: BulkFilters = BulkFilters()
    batch_size: int
    is_enabled: bool
    next_run_at: str | None = None
    last_run_at: str | None = None
    last_batch_ids: list[str] = Field(default_factory=list)
    last_error: str | None = None
    pushed_since: str | None = None
    created_at: str
    updated_at: str
    version: int = 1
    created_by: Actor | None = None  # schedules stored before actors existed: none
    updated_by: Actor | None = None


class ScheduleView(BaseModel):
    """A schedule as the API answers it."""

    id: str
    name: str
    description: str
    entity: str
    connection_id: str
    cron_expression: str
    timezone: str
    sync_direction: SyncDirection
    sync_type: SyncType
    filters: BulkFilters
    batch_size: int
    is_enabled: bool
    next_run_at: str | None
    last_run_at: str | None
    last_batch_id: str | None
    last_batch_ids: list[str]
    last_error: str | None
    created_at: str
    updated_at: str
    created_by: Actor | None
    updated_by: Actor | None

    @classmethod
    def of(cls, schedule: Schedule) -> ScheduleView:
        return cls(
            id=schedule.schedule_id,
            last_batch_id=schedule.last_batch_ids[-1] if schedule.last_batch_ids else None,
            **schedule.model_dump(exclude={"schedule_id", "tenant_id", "pushed_since", "version"}),
        )


class RunAnswer(BaseModel):
    """`POST /v1/schedules/{schedule_id}/run`: the first batch started, and all of them."""

    batch_id: str
    batch_ids: list[str]
    error: str | None


class DueSchedule(BaseModel):
    tenant_id: str
    schedule_id: str


class ScheduleStore(Protocol):
    def put_new(self, schedule: Schedule) -> None: ...

    def get(self, tenant_id: str, schedule_id: str) -> Schedule | None:
        """Read consistently: the tick decides on what it reads here."""
        ...

    def list(self, tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Schedule], str | None]: ...

    def update_definition(self, schedule: Schedule, expected_version: int) -> None:
        """Write what the tenant sets (and next_run_at), leaving the run fields to the tick.

        ConflictError when the schedule changed (version) or was deleted meanwhile.
        """
        ...

    def delete(self, tenant_id: str, schedule_id: str) -> bool: ...

    def due(self, now: str, limit: int) -> Iterator[DueSchedule]:
        """Enabled schedules whose next run is at or before `now`, found by a query (never a scan)."""
        ...

    def claim(self, tenant_id: str, schedule_id: str, seen_next_run_at: str, next_run_at: str) -> bool:
        """Move next_run_at on, only if it is still `seen_next_run_at` and the schedule enabled.

        False when another writer got there first (or the schedule was disabled or deleted).
        """
        ...

    def record_run(self, tenant_id: str, schedule_id: str, outcome: RunOutcome) -> None:
        """last_run_at, last_batch_ids, last_error (and pushed_since); nothing if it was deleted."""
        ...


class TickStatus(StrEnum):
    STARTED = "started"
    PARTLY_STARTED = "partly_started"  # a bidirectional run where one side failed to start
    FAILED = "failed"
    SKIPPED = "skipped"  # another tick won the slot, or the schedule changed since the query


class TickResult(BaseModel):
    tenant_id: str
    schedule_id: str
    status: TickStatus
    batch_ids: list[str] = Field(default_factory=list)
    error: str | None = None


class TickReport(BaseModel):
    now: str
    results: list[TickResult] = Field(default_factory=list)

    def count(self, status: TickStatus) -> int:
        return sum(1 for result in self.results if result.status is status)


class ScheduleService:
    def __init__(
        self,
        store: ScheduleStore,
        entities: EntityLookup,
        connections: ConnectionResolver,
        runner: ScheduleRunner,
        *,
        clock: Callable[[], datetime] = utc_now,
        max_runs_per_tick: int = MAX_RUNS_PER_TICK,
    ) -> None:
        self._store = store
        self._entities = entities
        self._connections = connections
        self._runner = runner
        self._clock = clock
        self._max_runs_per_tick = max_runs_per_tick

    # -- the tenant's routes ---------------------------------------------------------------------

    def create(self, tenant_id: str, data: ScheduleInput) -> Schedule:
        connection_id = self._checked_references(tenant_id, data)
        now = self._clock()
        schedule = Schedule(
            schedule_id=new_id(SCHEDULE_ID_PREFIX),
            tenant_id=tenant_id,
            connection_id=connection_id,
            next_run_at=_next_run(data, now),
            created_at=iso(now),
            updated_at=iso(now),
            created_by=current_actor(),
            updated_by=current_actor(),
            **_definition(data),
        )
        self._store.put_new(schedule)
        return schedule

    def get(self, tenant_id: str, schedule_id: str) -> Schedule:
        schedule = self._store.get(tenant_id, schedule_id)
        if schedule is None:
            raise NotFoundError("schedule", schedule_id, field="schedule_id")
        return schedule

    def list(self, tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Schedule], str | None]:
        return self._store.list(tenant_id, limit, cursor)

    def replace(self, tenant_id: str, schedule_id: str, data: ScheduleInput) -> Schedule:
        current = self.get(tenant_id, schedule_id)
        connection_id = self._checked_references(tenant_id, data)
        now = self._clock()
        # The cron or time zone may have changed: the next run counts from now, by the new rules.
        changed = current.model_copy(
            update={
                **_definition(data),
                "connection_id": connection_id,
                "next_run_at": _next_run(data, now),
                "updated_at": iso(now),
                "updated_by": current_actor(),
                "version": current.version + 1,
            }
        )
        self._store.update_definition(changed, current.version)
        return changed

    def toggle(self, tenant_id: str, schedule_id: str, is_enabled: bool | None = None) -> Schedule:
        """Enable or disable (flip without `is_enabled`); enabling counts the next run from now."""
        current = self.get(tenant_id, schedule_id)
        enabled = not current.is_enabled if is_enabled is None else is_enabled
        if enabled == current.is_enabled:
            return current
        now = self._clock()
        changed = current.model_copy(
            update={
                "is_enabled": enabled,
                "next_run_at": (
                    iso(next_run_after(current.cron_expression, current.timezone, now)) if enabled else None
                ),
                "updated_at": iso(now),
                "updated_by": current_actor(),
                "version": current.version + 1,
            }
        )
        self._store.update_definition(changed, current.version)
        return changed

    def delete(self, tenant_id: str, schedule_id: str) -> None:
        if not self._store.delete(tenant_id, schedule_id):
            raise NotFoundError("schedule", schedule_id, field="schedule_id")

    def run_now(self, tenant_id: str, schedule_id: str) -> RunAnswer:
        """Start a run at once; the schedule's next run stays as it was."""
        schedule = self.get(tenant_id, schedule_id)
        if not schedule.is_enabled:
            raise ConflictError("the schedule is disabled; enable it to run it", field="schedule_id")
        # The batches are the key's, started through this schedule.
        actor = current_actor().model_copy(update={"schedule_id": schedule_id})
        try:
            with acting_as(actor):
                outcome = self._runner.start(_plan(schedule), self._clock())
        except RunFailedError as failed:
            self._store.record_run(tenant_id, schedule_id, failed.outcome)
            raise failed.cause from failed
        self._store.record_run(tenant_id, schedule_id, outcome)
        return RunAnswer(batch_id=outcome.batch_ids[0], batch_ids=outcome.batch_ids, error=outcome.error)

    # -- the tick --------------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> TickReport:
        """Start every due schedule's run once; a schedule that fails never stops the others."""
        moment = now or self._clock()
        report = TickReport(now=iso(moment))
        for due in self._store.due(report.now, self._max_runs_per_tick):
            try:
                report.results.append(self._run_due(due, moment))
            except Exception as exc:  # one broken schedule must not stop the others
                report.results.append(
                    TickResult(
                        tenant_id=due.tenant_id,
                        schedule_id=due.schedule_id,
                        status=TickStatus.FAILED,
                        error=f"{type(exc).__name__}: {exc}"[:500],
                    )
                )
        return report

    def _run_due(self, due: DueSchedule, now: datetime) -> TickResult:
        result = TickResult(tenant_id=due.tenant_id, schedule_id=due.schedule_id, status=TickStatus.SKIPPED)
        schedule = self._store.get(due.tenant_id, due.schedule_id)
        # The index may lag the table: decide on the schedule as it is now.
        if schedule is None or not schedule.is_enabled or schedule.next_run_at is None:
            return result
        if schedule.next_run_at > iso(now):
            return result
        following = iso(next_run_after(schedule.cron_expression, schedule.timezone, now))
        if not self._store.claim(due.tenant_id, due.schedule_id, schedule.next_run_at, following):
            return result
        try:
            with acting_as(Actor.schedule(schedule.schedule_id)):
                outcome = self._runner.start(_plan(schedule), now)
        except RunFailedError as failed:
            outcome = failed.outcome
        self._store.record_run(due.tenant_id, due.schedule_id, outcome)
        result.batch_ids = outcome.batch_ids
        result.error = outcome.error
        if not outcome.started:
            result.status = TickStatus.FAILED
        else:
            result.status = TickStatus.PARTLY_STARTED if outcome.error else TickStatus.STARTED
        return result

    def _checked_references(self, tenant_id: str, data: ScheduleInput) -> str:
        """The entity must exist (and, for a schedule that pushes, be pushable); the connection is
        the one named or the tenant's only one."""
        self._entities.get(tenant_id, data.entity)
        if data.sync_direction is not SyncDirection.FROM_ODOO:
            ensure_pushable(data.entity)
        return self._connections.resolve_id(tenant_id, data.connection_id)


def _definition(data: ScheduleInput) -> dict[str, object]:
    """What the tenant sets, as model values (model_copy does not validate what it is given)."""
    return {name: getattr(data, name) for name in ScheduleInput.model_fields if name != "connection_id"}


def _next_run(data: ScheduleInput, now: datetime) -> str | None:
    return iso(next_run_after(data.cron_expression, data.timezone, now)) if data.is_enabled else None


def _plan(schedule: Schedule) -> RunPlan:
    direction = schedule.sync_direction
    return RunPlan(
        tenant_id=schedule.tenant_id,
        entity=schedule.entity,
        connection_id=schedule.connection_id,
        pull=direction in (SyncDirection.FROM_ODOO, SyncDirection.BIDIRECTIONAL),
        push=direction in (SyncDirection.TO_ODOO, SyncDirection.BIDIRECTIONAL),
        full=schedule.sync_type is SyncType.FULL,
        filters=schedule.filters,
        batch_size=schedule.batch_size,
        pushed_since=schedule.pushed_since,
    )

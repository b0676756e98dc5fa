"""Conflicts held for a person to decide: recorded by the sync paths, listed and resolved by the API.

A conflict is one Odoo field of one linked record that changed on both sides, to different
values, under a `manual` rule (or `newest_wins` without both times). While it is open neither
side's value moves (`odoo_sync.sync.conflicts.reconcile` holds the field). Resolving it writes
the winning value to the side that lost, records the value as agreed in the link's snapshot,
logs the operation and closes the conflict; a later change on both sides is a new conflict.

Values are in Odoo-field space (what the to_odoo mapping makes of the local value, and Odoo's
read value normalised like snapshots): the same space the merge compares in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.actors import Actor, current_actor
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.ports import ClientSource, PlanLoader, RecordReadWrite, SyncLogWriter
from odoo_sync.errors import ConflictError, NotFoundError, UnprocessableError
from odoo_sync.sync.issues import InvalidValueError
from odoo_sync.sync.mapping import wire_value
from odoo_sync.sync.model import (
    ENTITY_NAME_PATTERN,
    Direction,
    LocalRecord,
    MappingType,
    OdooLink,
    SyncLogEntry,
    TriggeredBy,
)
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.planner import read_value
from odoo_sync.sync.transform_core import tenant_timezone
from odoo_sync.sync.transforms import TransformContext, TransformSpecError, convert, parse_transform_spec

CONFLICT_ID_PATTERN = r"^cfl_[0-9a-f]{16}$"
ConflictStatus = Literal["open", "resolved"]
Winner = Literal["local", "odoo", "value"]


class DetectedConflict(BaseModel):
    """What a sync path found: one field held by the merge, with the values on each side."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connection_id: str
    entity: str
    local_id: str
    odoo_id: int
    odoo_field: str
    local_fields: list[str] = Field(default_factory=list)  # local field(s) the Odoo field maps from
    base: Any = None  # the last agreed value (None on a first sync)
    local: Any = None  # the local value, mapped to Odoo's representation
    odoo: Any = None  # Odoo's value
    # Odoo's value mapped back to the local field(s), when the detecting path could map it
    # (the pull path can); resolving in Odoo's favour writes these to the local record.
    odoo_as_local: dict[str, Any] | None = None


class Resolution(BaseModel):
    winner: Winner
    value: Any = None  # the agreed value, in Odoo's representation
    resolved_at: str


class Conflict(BaseModel):
    """A conflict as stored and as `GET /v1/conflicts` shows it."""

    conflict_id: str
    entity: str
    local_id: str
    connection_id: str
    odoo_id: int
    odoo_field: str
    local_fields: list[str] = Field(default_factory=list)
    base: Any = None
    local_value: Any = None
    odoo_value: Any = None
    odoo_as_local: dict[str, Any] | None = None
    detected_at: str
    last_detected_at: str
    status: ConflictStatus = "open"
    resolution: Resolution | None = None
    resolved_by: Actor | None = None  # who resolved it (a key, usually)

    @classmethod
    def detected(cls, found: DetectedConflict, conflict_id: str, now: str) -> Conflict:
        return cls(
            conflict_id=conflict_id,
            entity=found.entity,
            local_id=found.local_id,
            connection_id=found.connection_id,
            odoo_id=found.odoo_id,
            odoo_field=found.odoo_field,
            local_fields=list(found.local_fields),
            base=found.base,
            local_value=found.local,
            odoo_value=found.odoo,
            odoo_as_local=found.odoo_as_local,
            detected_at=now,
            last_detected_at=now,
        )


class ResolveRequest(BaseModel):
    """Body of POST /v1/conflicts/{conflict_id}/resolve."""

    model_config = ConfigDict(extra="forbid")

    winner: Winner
    value: Any = None  # only with winner "value": the value both sides take, as Odoo holds it

    def check(self) -> None:
        """A value goes with winner "value" and only with it (422 naming `value` otherwise)."""
        given = "value" in self.model_fields_set
        if self.winner == "value" and not given:
            raise UnprocessableError([("value", 'winner "value" needs the value both sides take')])
        if self.winner != "value" and given:
            raise UnprocessableError([("value", 'a value is only taken with winner "value"')])


class ConflictQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str | None = Field(default=None, pattern=ENTITY_NAME_PATTERN)
    status: ConflictStatus = "open"
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)


class ConflictRecorder(Protocol):
    """What the sync paths call: hold what the merge could not decide, and ask what is held."""

    def hold(self, tenant_id: str, conflicts: Sequence[DetectedConflict]) -> None:
        """Open a conflict per (connection, entity, local id, field), or refresh the open one."""
        ...

    def open_fields(self, tenant_id: str, connection_id: str, entity: str, local_id: str) -> set[str]:
        """Odoo fields of the record with an open conflict (pass them to reconcile)."""
        ...

    def open_fields_many(
        self, tenant_id: str, connection_id: str, entity: str, local_ids: Sequence[str]
    ) -> dict[str, set[str]]:
        """The same for many records; records without open conflicts are absent."""
        ...


class ConflictRepository(ConflictRecorder, Protocol):
    def get(self, tenant_id: str, conflict_id: str) -> Conflict | None: ...

    def page(self, tenant_id: str, query: ConflictQuery) -> tuple[list[Conflict], str | None]: ...

    def mark_resolved(
        self, tenant_id: str, conflict: Conflict, resolution: Resolution, resolved_by: Actor | None = None
    ) -> Conflict:
        """Close an open conflict; ConflictError when it was resolved meanwhile."""
        ...


class LocalRecords(RecordReadWrite, Protocol):
    def update_link(
        self, tenant_id: str, entity: str, local_id: str, connection_id: str, link: OdooLink
    ) -> None: ...


class ConflictService:
    def __init__(
        self,
        store: ConflictRepository,
        records: LocalRecords,
        connections: ClientSource,
        plans: PlanLoader,
        log: SyncLogWriter,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._records = records
        self._connections = connections
        self._plans = plans
        self._log = log
        self._clock = clock

    def query(self, tenant_id: str, query: ConflictQuery) -> tuple[list[Conflict], str | None]:
        return self._store.page(tenant_id, query)

    def get(self, tenant_id: str, conflict_id: str) -> Conflict:
        conflict = self._store.get(tenant_id, conflict_id)
        if conflict is None:
            raise NotFoundError("conflict", conflict_id, field="conflict_id")
        return conflict

    def resolve(self, tenant_id: str, conflict_id: str, request: ResolveRequest) -> Conflict:
        """Write the winning value to the losing side, agree on it in the link, close the conflict.

        The writes come before the close: if closing fails the conflict stays open and resolving
        it again writes the same values again, which changes nothing.
        """
        request.check()
        conflict = self.get(tenant_id, conflict_id)
        if conflict.status != "open":
            raise ConflictError("the conflict is already resolved", field="conflict_id")
        started, started_at = time.monotonic(), iso(self._clock())
        agreed = {"local": conflict.local_value, "odoo": conflict.odoo_value}.get(
            request.winner, request.value
        )
        client = self._connections.client(tenant_id, conflict.connection_id)
        plan = self._plans.load(tenant_id, conflict.connection_id, conflict.entity, client)
        # Everything that can refuse is checked before either side is written.
        local_values: dict[str, Any] | None = None
        if request.winner != "local":
            local_values = self._local_values(plan, conflict, request.winner, agreed)
        record = self._records.get(tenant_id, conflict.entity, conflict.local_id)
        if record is None:
            raise NotFoundError("record", f"{conflict.entity}/{conflict.local_id}", field="local_id")
        if request.winner != "odoo":
            client.write(
                plan.entity.odoo_model, [conflict.odoo_id], {conflict.odoo_field: wire_value(agreed)}
            )
        if local_values:
            # Only over the version read: a local edit meanwhile is not lost (409, resolve again).
            record = self._records.put(
                tenant_id,
                conflict.entity,
                conflict.local_id,
                {**record.data, **local_values},
                expected_version=record.version,
            )
        self._agree(tenant_id, record, conflict, plan, agreed)
        resolution = Resolution(winner=request.winner, value=agreed, resolved_at=iso(self._clock()))
        resolved = self._store.mark_resolved(tenant_id, conflict, resolution, current_actor())
        self._log.append(tenant_id, self._log_entries(resolved, local_values, started, started_at))
        return resolved

    def _local_values(
        self, plan: SyncPlan, conflict: Conflict, winner: Winner, agreed: Any
    ) -> dict[str, Any]:
        if winner == "odoo" and conflict.odoo_as_local:  # empty: the pull could not map it
            return dict(conflict.odoo_as_local)
        return odoo_value_as_local(plan, conflict.odoo_field, agreed)

    def _agree(
        self, tenant_id: str, record: LocalRecord, conflict: Conflict, plan: SyncPlan, agreed: Any
    ) -> None:
        link = record.links.get(conflict.connection_id) or OdooLink(odoo_id=conflict.odoo_id)
        info = plan.odoo_fields.get(plan.entity.odoo_model, {}).get(conflict.odoo_field)
        snapshot = {
            **(link.snapshot or {}),
            conflict.odoo_field: read_value(agreed, info.type if info else None),
        }
        self._records.update_link(
            tenant_id,
            conflict.entity,
            conflict.local_id,
            conflict.connection_id,
            link.model_copy(update={"snapshot": snapshot}),
        )

    def _log_entries(
        self, conflict: Conflict, local_values: Mapping[str, Any] | None, started: float, started_at: str
    ) -> list[SyncLogEntry]:
        assert conflict.resolution is not None
        winner = conflict.resolution.winner
        directions: list[Literal["to_odoo", "from_odoo"]] = []
        if winner != "odoo":
            directions.append("to_odoo")
        if winner != "local":
            directions.append("from_odoo")
        duration = int((time.monotonic() - started) * 1000)
        return [
            SyncLogEntry(
                id=new_id("log"),
                entity=conflict.entity,
                local_id=conflict.local_id,
                connection_id=conflict.connection_id,
                odoo_id=conflict.odoo_id,
                sync_direction=direction,
                sync_type="update",
                sync_status="success",
                fields_synced=(
                    [conflict.odoo_field]
                    if direction == "to_odoo"
                    else sorted(local_values or conflict.local_fields)
                ),
                duration_ms=duration,
                started_at=started_at,
                completed_at=conflict.resolution.resolved_at,
                triggered_by=TriggeredBy.API,
                error_details={"conflict_id": conflict.conflict_id, "winner": winner},
                actor=conflict.resolved_by,
            )
            for direction in directions
        ]


def odoo_value_as_local(plan: SyncPlan, odoo_field: str, value: Any) -> dict[str, Any]:
    """An Odoo value through the entity's from_odoo mappings of that field: {local field: value}.

    Only conversions that need no Odoo lookup are possible here; one that does (a many2one shown
    by name, say) is refused with the reason (422), before anything is written; the local value
    can still win.
    """
    info = plan.odoo_fields.get(plan.entity.odoo_model, {}).get(odoo_field)
    if info is None:
        raise UnprocessableError([("winner", f"this Odoo has no field {odoo_field!r} any more")])
    try:
        zone = tenant_timezone(plan.entity.timezone)
    except InvalidValueError:
        zone = tenant_timezone("UTC")
    local: dict[str, Any] = {}
    for mapping in plan.mappings_for(Direction.FROM_ODOO):
        if mapping.odoo_field != odoo_field or mapping.odoo_model != plan.entity.odoo_model:
            continue
        name = mapping.transform or ("custom" if mapping.mapping_type is MappingType.CUSTOM else "direct")
        try:
            spec = parse_transform_spec(name, mapping.transform_params)
        except TransformSpecError as exc:
            raise UnprocessableError([("winner", str(exc))]) from exc
        context = TransformContext(
            field=mapping.local_field, target=info, tenant_tz=zone, value_maps=plan.value_maps
        )
        converted = convert(spec, "from_odoo", value, context)
        if not converted.ok:
            reason = converted.issue.message if converted.issue else "it needs a record created in Odoo"
            raise UnprocessableError(
                [
                    (
                        "winner",
                        f"Odoo's value of {odoo_field} cannot be mapped to {mapping.local_field}: {reason}",
                    )
                ]
            )
        local[mapping.local_field] = _storable(converted.value)
    if not local:
        # The local record could not take the value, so the next push would see its own value
        # as a change and write it back over Odoo's: refused rather than settled in appearance.
        raise UnprocessableError(
            [("winner", f"no mapping brings {odoo_field} from Odoo into the local record; choose local")]
        )
    return local


def _storable(value: Any) -> Any:
    """A converted value as a record stores it: JSON numbers and text (dates as ISO text)."""
    value = wire_value(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value

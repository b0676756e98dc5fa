"""The push engine's decision for each record of a chunk, before any call changes Odoo.

A new record is created unless another record of the chunk claims the same match key value; a
matched record is written with only the values that changed, less those Odoo changed since the
last sync (unless the entity's conflict rule lets the local side win) and those held in a
conflict; a record whose values Odoo already has is left alone. Kept apart from the calls so that
what the push decides can be read without how it is sent.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from odoo_sync.core.conflicts import DetectedConflict
from odoo_sync.sync.conflicts import FieldComparison, reconcile
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.mapping import MappedRecord, RecordMapper
from odoo_sync.sync.matching import Match, MatchFailure, MatchResult, key_value
from odoo_sync.sync.model import SyncOptions
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.planner import changed_values, create_values, read_value

OpenConflicts = Mapping[str, Collection[str]]  # local id -> Odoo fields with an open conflict
WRITE_DATE = "write_date"
ABSENT = object()  # a field the snapshot had no value for


@dataclass
class PlannedCreate:
    item: MappedRecord
    vals: dict[str, Any]


@dataclass
class PlannedUpdate:
    item: MappedRecord
    match: Match
    vals: dict[str, Any]


@dataclass
class ChunkPlan:
    matching: MatchResult
    creates: list[PlannedCreate] = field(default_factory=list)
    updates: list[PlannedUpdate] = field(default_factory=list)
    unchanged: list[PlannedUpdate] = field(default_factory=list)
    conflicts: dict[str, MatchFailure] = field(default_factory=dict)
    # Fields not written because Odoo changed them or they are held: their old base stays in
    # the link's snapshot (absent when it had none), so the next sync still sees the change.
    kept_bases: dict[str, dict[str, Any]] = field(default_factory=dict)
    held: list[DetectedConflict] = field(default_factory=list)


class ChunkPlanner:
    def __init__(self, plan: SyncPlan, connection_id: str) -> None:
        self.plan = plan
        self.connection_id = connection_id

    def plan_chunk(
        self,
        valid: list[MappedRecord],
        matching: MatchResult,
        mapper: RecordMapper,
        options: SyncOptions,
        open_conflicts: OpenConflicts,
    ) -> ChunkPlan:
        chunk = ChunkPlan(matching)
        claimed: dict[tuple[str, str], str] = {}  # (odoo field, value) -> local id being created
        for item in valid:
            match = matching.matches.get(item.local_id)
            if item.local_id in matching.failures:
                continue
            if match is None:
                twin = self._twin(item, claimed)
                if twin is not None:
                    chunk.conflicts[item.local_id] = twin
                    continue
                chunk.creates.append(PlannedCreate(item, create_values(item.vals, mapper.field_info)))
                continue
            link = item.record.links.get(self.connection_id)
            if options.force_update:
                vals = dict(item.vals)
            else:
                wanted = item.vals
                if link is not None and link.snapshot is not None and match.by == "link":
                    wanted = self._reconciled(item, match, link.snapshot, mapper, open_conflicts, chunk)
                vals = changed_values(
                    wanted,
                    match.current,
                    mapper.field_info,
                    mapper.digits_of,
                    digests=item.digests,
                    previous=link.snapshot if link is not None else None,
                )
            (chunk.updates if vals else chunk.unchanged).append(PlannedUpdate(item, match, vals))
        return chunk

    def _reconciled(  # noqa: PLR0917 - one record's context
        self,
        item: MappedRecord,
        match: Match,
        base: Mapping[str, Any],
        mapper: RecordMapper,
        open_conflicts: OpenConflicts,
        chunk: ChunkPlan,
    ) -> dict[str, Any]:
        """The values Odoo may take: a field Odoo changed since the last sync is not overwritten
        unless the entity's conflict rule lets the local side win; held fields are recorded.

        A mapped field the snapshot lacks (a mapping added since) counts as unchanged in Odoo,
        as before conflicts were tracked: the local value is written.
        """
        compared = {name: value for name, value in item.vals.items() if name not in item.digests}
        odoo = {
            name: read_value(match.current[name], _type_of(mapper, name))
            for name in compared
            if name in match.current
        }
        agreed = {**odoo, **base}
        result = reconcile(
            agreed,
            compared,
            odoo,
            self.plan.entity.conflicts,
            local_changed_at=_moment(item.record.updated_at),
            odoo_changed_at=_moment(match.current.get(WRITE_DATE)),
            open_conflicts=open_conflicts.get(item.local_id, ()),
            comparison=FieldComparison.for_fields(mapper.field_info, mapper.digits_of),
        )
        kept_back = [*result.to_local, *(conflict.odoo_field for conflict in result.held)]
        if not kept_back:
            return dict(item.vals)
        chunk.kept_bases[item.local_id] = {name: base.get(name, ABSENT) for name in kept_back}
        for name in result.to_local:
            item.warnings.append(
                FieldIssue(
                    field=item.sources.get(name, name),
                    code="changed_in_odoo",
                    message=f"Odoo's {name} changed since the last sync and was not overwritten",
                )
            )
        for conflict in result.held:
            item.warnings.append(
                FieldIssue(
                    field=item.sources.get(conflict.odoo_field, conflict.odoo_field),
                    code="conflict_held",
                    message=f"{conflict.odoo_field} changed on both sides; held until the conflict "
                    "is resolved (GET /v1/conflicts)",
                )
            )
            chunk.held.append(
                DetectedConflict(
                    connection_id=self.connection_id,
                    entity=self.plan.entity.name,
                    local_id=item.local_id,
                    odoo_id=match.odoo_id,
                    odoo_field=conflict.odoo_field,
                    local_fields=[item.sources.get(conflict.odoo_field, conflict.odoo_field)],
                    base=base.get(conflict.odoo_field),
                    local=conflict.local,
                    odoo=conflict.odoo,
                )
            )
        return {name: value for name, value in item.vals.items() if name not in kept_back}

    def _twin(self, item: MappedRecord, claimed: dict[tuple[str, str], str]) -> MatchFailure | None:
        """Two new records with the same match key value would become two Odoo records with it."""
        keys = [
            (key.odoo_field, value)
            for key in self.plan.entity.match_keys
            if (value := key_value(item, key.local_field, key.odoo_field)) is not None
        ]
        for odoo_field, value in keys:
            other = claimed.get((odoo_field, value))
            if other is not None:
                return MatchFailure(
                    "duplicate_in_chunk",
                    f"local record {other!r} in this push has the same {odoo_field} {value!r}",
                )
        for odoo_field, value in keys:
            claimed[(odoo_field, value)] = item.local_id
        return None


def _type_of(mapper: RecordMapper, name: str) -> str | None:
    info = mapper.field_info(name)
    return info.type if info is not None else None


def _moment(value: Any) -> datetime | None:
    """A record's updated_at (ISO, with its offset) or Odoo's write_date (naive UTC) as a moment."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

"""The push engine: one chunk of records of one entity into one Odoo, in the fewest calls.

    lookups       one search_read per (model, key) the mappings need         (only if any)
    auto-create   one search_read per (model, field) and one create per model for values the
                  tenant lets us create in Odoo (see `odoo_sync.sync.auto_create`)  (only if any)
    match         read of linked ids; ir.model.data for the others;          (each only if needed)
                  one search_read per match key with `in` over the chunk
    create        one create for every new record
    external ids  one ir.model.data create for new and key-matched records
    write         one write per distinct set of changed values
    translations  per language mapped: one read, one write per distinct set of changed values
                  (only if any; see `odoo_sync.sync.translations`)

Odoo refusing a write or a create for what was sent (validation, constraint, access) is
bisected so that the good records land and only the bad ones fail with Odoo's message. A create
whose answer was lost is reconciled at once through the match keys; what cannot be found then is
left for a later attempt (Odoo may still be running the lost call, so creating again now could
make a twin), and that attempt matches whatever did land. Odoo being unavailable ends the chunk
with the error, after the external ids of what was created are saved.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from odoo_sync.core.conflicts import DetectedConflict
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.odoo import (
    OdooAccessError,
    OdooClient,
    OdooError,
    OdooOutcomeUnknownError,
    OdooProtocolError,
)
from odoo_sync.sync.auto_create import AutoCreator
from odoo_sync.sync.conflicts import FieldComparison, reconcile
from odoo_sync.sync.external_ids import save_external_ids
from odoo_sync.sync.images import ImageFetcher
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.mapping import MappedRecord, RecordMapper, is_record_level, map_records
from odoo_sync.sync.matching import Match, Matcher, MatchFailure, MatchResult, key_value
from odoo_sync.sync.model import Direction, LocalRecord, RecordOutcome, SyncAction, SyncOptions
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.planner import (
    WriteGroup,
    changed_values,
    create_values,
    group_writes,
    read_value,
    snapshot,
)
from odoo_sync.sync.translations import (
    LinkedValues,
    TranslationResult,
    push_translations,
    translated_mappings,
)

OpenConflicts = Mapping[str, Collection[str]]  # local id -> Odoo fields with an open conflict
_WRITE_DATE = "write_date"


@dataclass
class ChunkResult:
    """Outcomes of the records that reached a final state, and the error that stopped the rest.

    When `error` is set the caller records the outcomes it has, then raises it, so the chunk is
    tried again; the records without an outcome are matched again then (nothing is duplicated).
    """

    outcomes: list[RecordOutcome]
    warnings: list[FieldIssue]
    calls: int
    error: OdooError | None = None
    # Fields changed on both sides that their rule holds for a decision (record them).
    held: list[DetectedConflict] = field(default_factory=list)


@dataclass
class _Create:
    item: MappedRecord
    vals: dict[str, Any]


@dataclass
class _Update:
    item: MappedRecord
    match: Match
    vals: dict[str, Any]


@dataclass
class _ChunkPlan:
    matching: MatchResult
    creates: list[_Create] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    unchanged: list[_Update] = field(default_factory=list)
    conflicts: dict[str, MatchFailure] = field(default_factory=dict)
    # Fields not written because Odoo changed them or they are held: their old base stays in
    # the link's snapshot (absent when it had none), so the next sync still sees the change.
    kept_bases: dict[str, dict[str, Any]] = field(default_factory=dict)
    held: list[DetectedConflict] = field(default_factory=list)


@dataclass
class _Execution:
    created: dict[str, int] = field(default_factory=dict)
    reconciled: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    refused: dict[str, OdooError] = field(default_factory=dict)
    unknown: list[_Create] = field(default_factory=list)
    unknown_cause: OdooOutcomeUnknownError | None = None
    auto_create_refused: dict[str, OdooError] = field(default_factory=dict)  # local id -> Odoo's refusal


class PushEngine:
    def __init__(
        self,
        client: OdooClient,
        plan: SyncPlan,
        connection_id: str,
        *,
        images: ImageFetcher | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.client = client
        self.plan = plan
        self.model = plan.entity.odoo_model
        self.connection_id = connection_id
        self.images = images
        self.clock = clock

    def push(
        self,
        records: Sequence[LocalRecord],
        options: SyncOptions,
        *,
        open_conflicts: OpenConflicts | None = None,
    ) -> ChunkResult:
        started_at, started = iso(self.clock()), time.monotonic()
        calls_before = self.client.calls
        mapper = RecordMapper(self.plan, sync_images=options.sync_images, images=self.images)
        chunk_map = map_records(mapper, self.client, records)
        mapped = chunk_map.records
        state = _Execution()
        if any(item.pending for item in mapped):
            auto_created = AutoCreator(self.client, mapper).complete(mapped, chunk_map.resolver)
            state.auto_create_refused = auto_created.refused
        warnings = list(mapper.warnings)
        warnings += [
            FieldIssue(field="", code="lookup_failed", message=text) for text in chunk_map.lookup_failures
        ]
        valid = [item for item in mapped if item.valid]
        matcher = Matcher(self.client, self.plan, self.connection_id, self._read_fields(mapper), options)
        matching = matcher.match(valid) if valid else MatchResult()
        warnings += matching.warnings
        chunk = self._plan(valid, matching, mapper, options, open_conflicts or {})
        error = self._execute(chunk, matcher, state, warnings)
        builder = _Outcomes(self.connection_id, started_at, iso(self.clock()), started, len(records), mapper)
        outcomes = builder.build(mapped, chunk, state)
        if error is None:
            try:
                outcomes = self._translations(outcomes, mapped, builder)
            except OdooError as exc:
                error = exc
        for outcome in outcomes:
            outcome.warnings.extend(warnings)
        return ChunkResult(
            outcomes=outcomes,
            warnings=warnings,
            calls=self.client.calls - calls_before,
            error=error,
            held=chunk.held,
        )

    def _translations(
        self, outcomes: list[RecordOutcome], mapped: list[MappedRecord], builder: _Outcomes
    ) -> list[RecordOutcome]:
        """The per-language values of the records that landed (see `odoo_sync.sync.translations`)."""
        mappings = translated_mappings(self.plan, Direction.TO_ODOO)
        if not mappings:
            return outcomes
        items = {item.local_id: item for item in mapped}
        landed = [
            LinkedValues(outcome.local_id, outcome.odoo_id, items[outcome.local_id].values)
            for outcome in outcomes
            if outcome.success and outcome.odoo_id is not None
        ]
        result = push_translations(self.client, self.model, mappings, landed)
        return [_with_translations(outcome, result, items, builder) for outcome in outcomes]

    def _read_fields(self, mapper: RecordMapper) -> list[str]:
        """The mapped fields, and write_date (in the same read) to tell which side changed last."""
        fields = mapper.written_fields
        if _WRITE_DATE in self.plan.odoo_fields.get(self.model, {}) and _WRITE_DATE not in fields:
            fields = [*fields, _WRITE_DATE]
        return fields

    # planning --------------------------------------------------------------------------------
    def _plan(
        self,
        valid: list[MappedRecord],
        matching: MatchResult,
        mapper: RecordMapper,
        options: SyncOptions,
        open_conflicts: OpenConflicts,
    ) -> _ChunkPlan:
        chunk = _ChunkPlan(matching)
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
                chunk.creates.append(_Create(item, create_values(item.vals, mapper.field_info)))
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
            (chunk.updates if vals else chunk.unchanged).append(_Update(item, match, vals))
        return chunk

    def _reconciled(  # noqa: PLR0917 - one record's context
        self,
        item: MappedRecord,
        match: Match,
        base: Mapping[str, Any],
        mapper: RecordMapper,
        open_conflicts: OpenConflicts,
        chunk: _ChunkPlan,
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
            odoo_changed_at=_moment(match.current.get(_WRITE_DATE)),
            open_conflicts=open_conflicts.get(item.local_id, ()),
            comparison=FieldComparison.for_fields(mapper.field_info, mapper.digits_of),
        )
        kept_back = [*result.to_local, *(conflict.odoo_field for conflict in result.held)]
        if not kept_back:
            return dict(item.vals)
        chunk.kept_bases[item.local_id] = {name: base.get(name, _ABSENT) for name in kept_back}
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

    # execution -------------------------------------------------------------------------------
    def _execute(
        self, chunk: _ChunkPlan, matcher: Matcher, state: _Execution, warnings: list[FieldIssue]
    ) -> OdooError | None:
        error: OdooError | None = None
        matching = chunk.matching
        try:
            if chunk.creates:
                self._create(chunk.creates, matcher, state)
        except OdooError as exc:
            error = exc
        save_external_ids(
            self.client,
            module=self.plan.xmlid_module,
            entity=self.plan.entity.name,
            model=self.model,
            linked=matching.external_ids_to_save(state.created),
            warnings=warnings,
        )
        if error is not None:
            return error
        try:
            groups = group_writes([(u.item.local_id, u.match.odoo_id, u.vals) for u in chunk.updates])
            for group in groups:
                self._write(group, state)
        except OdooError as exc:
            return exc
        return state.unknown_cause if state.unknown else None

    def _create(self, batch: list[_Create], matcher: Matcher, state: _Execution) -> None:
        try:
            ids = self.client.create(self.model, [create.vals for create in batch])
        except OdooOutcomeUnknownError as exc:
            self._reconcile(batch, exc, matcher, state)
            return
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            # An ACL refusal holds for the whole model: no point splitting.
            if len(batch) == 1 or isinstance(exc, OdooAccessError):
                state.refused.update({create.item.local_id: exc for create in batch})
                return
            middle = len(batch) // 2
            self._create(batch[:middle], matcher, state)
            self._create(batch[middle:], matcher, state)
            return
        if len(ids) != len(batch):
            raise OdooProtocolError(f"create of {len(batch)} records returned {len(ids)} ids")
        for create, odoo_id in zip(batch, ids, strict=True):
            state.created[create.item.local_id] = odoo_id

    def _reconcile(
        self, batch: list[_Create], cause: OdooOutcomeUnknownError, matcher: Matcher, state: _Execution
    ) -> None:
        """After a lost create answer: what Odoo has under the records' match keys was created by it
        (nothing had them when matched). A failing search raises: the chunk is tried again."""
        remaining = list(batch)
        for key in self.plan.entity.match_keys:
            wanted = {
                value: create
                for create in remaining
                if (value := key_value(create.item, key.local_field, key.odoo_field)) is not None
            }
            if not wanted:
                continue
            rows = matcher.search_by_key(key.odoo_field, list(wanted))
            for value, create in wanted.items():
                found = rows.get(value, [])
                if len(found) == 1:
                    state.created[create.item.local_id] = int(found[0]["id"])
                    state.reconciled.add(create.item.local_id)
            remaining = [create for create in remaining if create.item.local_id not in state.created]
        if remaining:
            state.unknown.extend(remaining)
            state.unknown_cause = cause

    def _write(self, group: WriteGroup, state: _Execution) -> None:
        try:
            self.client.write(self.model, group.odoo_ids, group.vals)
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            if len(group.odoo_ids) == 1:
                state.refused[group.local_ids[0]] = exc
                return
            middle = len(group.odoo_ids) // 2
            for part in (slice(None, middle), slice(middle, None)):
                self._write(WriteGroup(group.vals, group.odoo_ids[part], group.local_ids[part]), state)
            return
        state.written.update(group.local_ids)


class _Outcomes:
    """Turns the chunk's decisions into one RecordOutcome per record that reached a final state."""

    def __init__(  # noqa: PLR0917 - one value each, all needed
        self,
        connection_id: str,
        started_at: str,
        completed_at: str,
        started: float,
        count: int,
        mapper: RecordMapper,
    ) -> None:
        self.connection_id = connection_id
        self.mapper = mapper
        self.started_at = started_at
        self.completed_at = completed_at
        # Calls serve the whole chunk, so each record carries its share of the chunk's time.
        self.duration_ms = int((time.monotonic() - started) * 1000 / max(count, 1))

    def build(self, mapped: list[MappedRecord], chunk: _ChunkPlan, state: _Execution) -> list[RecordOutcome]:
        by_id: dict[str, RecordOutcome] = {}
        matching, conflicts = chunk.matching, chunk.conflicts
        for item in mapped:
            if not item.valid:
                by_id[item.local_id] = self._rejected(item, state.auto_create_refused.get(item.local_id))
            elif item.local_id in matching.failures:
                by_id[item.local_id] = self._match_failed(item, matching.failures[item.local_id])
            elif item.local_id in conflicts:
                by_id[item.local_id] = self._match_failed(item, conflicts[item.local_id])
        for create in chunk.creates:
            local_id = create.item.local_id
            if local_id in state.created:
                written = create.item.vals
                by_id[local_id] = self._success(
                    create.item, SyncAction.CREATED, state.created[local_id], written
                )
            elif local_id in state.refused:
                by_id[local_id] = self.odoo_refused(create.item, None, state.refused[local_id])
        for update in chunk.unchanged:
            by_id[update.item.local_id] = self._success(
                update.item,
                SyncAction.UNCHANGED,
                update.match.odoo_id,
                {},
                update.match.current,
                kept_bases=chunk.kept_bases.get(update.item.local_id),
            )
        for update in chunk.updates:
            local_id, odoo_id = update.item.local_id, update.match.odoo_id
            if local_id in state.written:
                by_id[local_id] = self._success(
                    update.item,
                    SyncAction.UPDATED,
                    odoo_id,
                    update.vals,
                    update.match.current,
                    kept_bases=chunk.kept_bases.get(local_id),
                )
            elif local_id in state.refused:
                by_id[local_id] = self.odoo_refused(update.item, odoo_id, state.refused[local_id])
        return [by_id[item.local_id] for item in mapped if item.local_id in by_id]

    def _base(self, local_id: str, action: SyncAction, odoo_id: int | None) -> dict[str, Any]:
        return {
            "local_id": local_id,
            "action": action,
            "odoo_id": odoo_id,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "duration_ms": self.duration_ms,
        }

    def _linked_id(self, item: MappedRecord) -> int | None:
        link = item.record.links.get(self.connection_id)
        return link.odoo_id if link is not None else None

    def _success(
        self,
        item: MappedRecord,
        action: SyncAction,
        odoo_id: int,
        written: dict[str, Any],
        current: dict[str, Any] | None = None,
        *,
        kept_bases: Mapping[str, Any] | None = None,
    ) -> RecordOutcome:
        fields_synced = sorted({item.sources.get(name, name) for name in written})
        kept = snapshot(written, current, sorted(item.vals), self.mapper.field_info, item.digests)
        for name, value in (kept_bases or {}).items():
            if value is _ABSENT:
                kept.pop(name, None)
            else:
                kept[name] = value
        return RecordOutcome(
            **self._base(item.local_id, action, odoo_id),
            fields_synced=fields_synced,
            snapshot=kept,
            warnings=list(item.warnings),
        )

    def _rejected(self, item: MappedRecord, refusal: OdooError | None = None) -> RecordOutcome:
        """Every issue of the record; when Odoo refused a record it needed created, Odoo's verdict."""
        issues = list(item.issues)
        listed = "; ".join(f"{issue.field or 'record'}: {issue.message}" for issue in issues)
        if refusal is None:
            details, message = {"code": "validation_failed"}, f"{len(issues)} invalid value(s): {listed}"
        else:
            details, message = odoo_error_details(refusal), listed
        return RecordOutcome(
            **self._base(item.local_id, SyncAction.ERROR, self._linked_id(item)),
            error_message=message[:2000],
            error_details={**details, "issues": [issue.model_dump(mode="json") for issue in issues]},
            issues=issues,
            warnings=list(item.warnings),
        )

    def _match_failed(self, item: MappedRecord, failure: MatchFailure) -> RecordOutcome:
        return RecordOutcome(
            **self._base(item.local_id, SyncAction.ERROR, self._linked_id(item)),
            error_message=failure.message,
            error_details={"code": failure.code, "odoo_ids": failure.odoo_ids},
            warnings=list(item.warnings),
        )

    def odoo_refused(self, item: MappedRecord, odoo_id: int | None, error: OdooError) -> RecordOutcome:
        return RecordOutcome(
            **self._base(item.local_id, SyncAction.ERROR, odoo_id or self._linked_id(item)),
            error_message=error.message[:2000],
            error_details=odoo_error_details(error),
            warnings=list(item.warnings),
        )


_ABSENT = object()  # a field the snapshot had no value for


def _with_translations(
    outcome: RecordOutcome,
    result: TranslationResult,
    items: Mapping[str, MappedRecord],
    builder: _Outcomes,
) -> RecordOutcome:
    """A record's outcome once its per-language values were written, or Odoo refused them."""
    refusal = result.refused.get(outcome.local_id)
    if refusal is not None:
        return builder.odoo_refused(items[outcome.local_id], outcome.odoo_id, refusal)
    written = result.written.get(outcome.local_id)
    if not written:
        return outcome
    action = SyncAction.UPDATED if outcome.action is SyncAction.UNCHANGED else outcome.action
    fields_synced = sorted({*outcome.fields_synced, *written})
    return outcome.model_copy(update={"action": action, "fields_synced": fields_synced})


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


# What Odoo's messages say about the field at fault (captured wording of 17 and 19).
_FIELD_PATTERNS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"Missing required value for the field '[^']*' \((?P<field>[a-z0-9_]+)\)"), None),
    (re.compile(r"Field: [^\n]* \((?P<field>[a-z0-9_]+)\)"), None),
    (re.compile(r"Invalid field '(?P<field>[a-z0-9_]+)'"), None),
    (re.compile(r"Wrong value for [a-z0-9_.]+\.(?P<field>[a-z0-9_]+): '?(?P<value>[^'\n]+)"), None),
    (re.compile(r'Barcode "(?P<value>[^"]+)" already assigned'), "barcode"),
)


def odoo_error_details(error: OdooError) -> dict[str, Any]:
    """Odoo's verdict as stored in the log: its exception, code, message, and field/value when named."""
    details: dict[str, Any] = {"code": "odoo_rejected", **error.to_dict()}
    for pattern, fixed_field in _FIELD_PATTERNS:
        found = pattern.search(error.message)
        if found is None:
            continue
        groups = found.groupdict()
        details["field"] = fixed_field or groups.get("field")
        if groups.get("value"):
            details["value"] = groups["value"].strip()
        break
    return details

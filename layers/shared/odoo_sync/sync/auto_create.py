"""Creating in Odoo the values a tenant lets us create, for a whole chunk at once.

A value map with `auto_create`, or a many2one lookup with `auto_create`, leaves a record whose
value Odoo lacks waiting (`MappedRecord.pending`). For every waiting record of the chunk:

    search   one search_read per (model, field) over the missing values, archived records
             included, so a value created by an earlier chunk, an earlier run or by hand is used
             rather than created twice. A value Odoo has only archived is never created again:
             its records are refused saying it must be activated (a lookup learnt that from the
             chunk's lookups; for a value map's values, the search looks at active records first,
             then, for those still missing, at archived ones: one more call on that path only)
    create   one create per model for what is still missing, with `{field: value}` only
    re-map   the waiting fields again, with the ids overlaid on the chunk's value maps and
             lookup answers; then planning goes on as for any other record

Each record that used a created (or found) record carries a warning naming it, so the sync log
shows what was created. The new ids are not written back into the tenant's value maps: that is
out of scope here, and the search keeps later pushes from creating the value again (at the cost
of that one search in each chunk that meets the value).

Odoo refusing a create (a required field on that model, a constraint) fails only the records
that needed that value, with Odoo's message; a create refused for several values is split to
find the values at fault, as the engine does for its own creates. Odoo being unavailable raises,
so the chunk is tried again; a create whose answer was lost is looked for at once, and what is
not found yet raises too (Odoo may still be running it, and the next attempt's search finds it).
Every missing value of a many2many is requested at once; should re-mapping still find one
missing, another round runs (at most `MAX_ROUNDS`, then the record is rejected as not found).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import PrivateAttr

from odoo_sync.odoo import OdooAccessError, OdooClient, OdooError, OdooOutcomeUnknownError, OdooProtocolError
from odoo_sync.sync.issues import FieldIssue, IssueCode
from odoo_sync.sync.lookups import (
    AutoCreateRequest,
    LookupRequest,
    Resolver,
    ReverseLookup,
    archived_message,
    may_be_archived,
)
from odoo_sync.sync.mapping import MappedRecord, PendingCreate, RecordMapper, is_record_level
from odoo_sync.sync.value_maps import ValueMap, ValueMaps

MAX_ROUNDS = 5
AUTO_CREATED = "auto_created"
AUTO_CREATE_FOUND = "auto_create_found"
AUTO_CREATE_REFUSED = "auto_create_refused"
MAX_IDS_SHOWN = 10

Key = tuple[str, str, str]  # (model, match field, value) as searched and created in Odoo


@dataclass(frozen=True)
class _Found:
    odoo_id: int
    created: bool


@dataclass(frozen=True)
class _Failed:
    code: str
    message: str
    error: OdooError | None = None


@dataclass
class AutoCreateResult:
    """What the chunk's auto-creation did: Odoo's refusal per record that needed a refused value."""

    refused: dict[str, OdooError] = field(default_factory=dict)
    created: dict[Key, int] = field(default_factory=dict)


class AutoCreator:
    """Settles the pending creates of one chunk's mapped records (see the module docstring)."""

    def __init__(self, client: OdooClient, mapper: RecordMapper) -> None:
        self.client = client
        self.mapper = mapper
        self.value_maps = mapper.plan.value_maps
        self._found: dict[Key, _Found] = {}
        self._failed: dict[Key, _Failed] = {}
        self._spellings: dict[tuple[str, str], str] = {}
        self._map_values: dict[str, dict[str, Key]] = defaultdict(dict)  # value map -> value -> key

    def complete(self, items: Sequence[MappedRecord], resolver: Resolver) -> AutoCreateResult:
        result = AutoCreateResult()
        for _round in range(MAX_ROUNDS):
            waiting = [item for item in items if item.pending]
            if not waiting:
                break
            wanted = {
                key: pending.request
                for item in waiting
                for pending in item.pending
                if (key := self._key(pending.request)) not in self._found and key not in self._failed
            }
            if wanted:
                self._settle(wanted)
            overlay_resolver = _CreatedResolver(resolver, self._found)
            overlay_maps = self._overlay_maps()
            for item in waiting:
                self._remap(item, overlay_resolver, overlay_maps, result)
        for item in items:
            if item.pending:  # still waiting after MAX_ROUNDS: rejected with its not-found issues
                item.pending.clear()
                item.settle()
        result.created = {key: found.odoo_id for key, found in self._found.items() if found.created}
        return result

    # requests --------------------------------------------------------------------------------
    def _key(self, request: AutoCreateRequest) -> Key:
        """A case-insensitive map treats "Shoes" and "shoes" as one value: one record for both."""
        value = request.value
        value_map = self.value_maps.get(request.value_map) if request.value_map else None
        if value_map is not None and not value_map.case_sensitive:
            value = self._spellings.setdefault((value_map.key, value.casefold()), value)
        key = (request.model, request.match_field, value)
        if request.value_map is not None:
            self._map_values[request.value_map][request.value] = key
        return key

    def _settle(self, wanted: Mapping[Key, AutoCreateRequest]) -> None:
        groups: dict[tuple[str, str], set[str]] = defaultdict(set)
        by_value_map: set[tuple[str, str]] = set()
        for (model, match_field, value), request in wanted.items():
            groups[(model, match_field)].add(value)
            if request.value_map is not None:
                by_value_map.add((model, match_field))
        missing: dict[str, list[Key]] = defaultdict(list)
        for (model, match_field), values in sorted(groups.items()):
            # A lookup already looked among archived records (relations.single_match); a value
            # map did not, so only its values need telling active from archived here.
            tell_archived = (model, match_field) in by_value_map and may_be_archived(
                model, self.mapper.plan.odoo_fields
            )
            for key in self._search(model, match_field, values, tell_archived):
                missing[model].append(key)
        for model, keys in sorted(missing.items()):
            self._create(model, sorted(keys))

    # calls -----------------------------------------------------------------------------------
    def _search(self, model: str, match_field: str, values: Iterable[str], tell_archived: bool) -> list[Key]:
        """Record what Odoo already has; refuse what it has only archived; answer the keys it lacks.

        Without `tell_archived`, one search with archived records included (as a record found
        archived after the chunk's own lookup is a race, it is used); with it, active records
        first, then archived ones among the values still absent.
        """
        keys = [(model, match_field, value) for value in sorted(values)]
        wanted = [key[2] for key in keys]
        archived: dict[str, list[int]] = {}
        try:
            if tell_archived:
                rows = self._search_read(model, match_field, wanted)
                absent = [value for value in wanted if not rows.get(value)]
                if absent:
                    archived = self._search_read(model, match_field, absent, {"active_test": False})
            else:
                rows = self._search_read(model, match_field, wanted, {"active_test": False})
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            self._refuse(keys, "looked up", exc)
            return []
        missing: list[Key] = []
        for key in keys:
            ids = rows.get(key[2], [])
            if len(ids) == 1:
                self._found[key] = _Found(ids[0], created=False)
            elif ids:
                self._failed[key] = _Failed(
                    IssueCode.AMBIGUOUS_MATCH.value,
                    f"{len(ids)} records match {_describe(key)} (ids {ids[:MAX_IDS_SHOWN]}); "
                    "map the value to one of them",
                )
            elif archived.get(key[2]):
                message = archived_message(_describe(key), model, archived[key[2]]) + " (it was not created)"
                self._failed[key] = _Failed(IssueCode.ARCHIVED_IN_ODOO.value, message)
            else:
                missing.append(key)
        return missing

    def _search_read(
        self, model: str, match_field: str, values: list[str], context: dict[str, bool] | None = None
    ) -> dict[str, list[int]]:
        rows = self.client.search_read(model, [[match_field, "in", values]], [match_field], context=context)
        found: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            if isinstance(row, dict) and "id" in row:
                found[str(row.get(match_field))].append(int(row["id"]))
        return {value: sorted(ids) for value, ids in found.items()}

    def _create(self, model: str, keys: list[Key]) -> None:
        try:
            ids = self.client.create(model, [{match_field: value} for _model, match_field, value in keys])
        except OdooOutcomeUnknownError:
            self._reconcile(model, keys)
            return
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            # An ACL refusal holds for the whole model: no point splitting.
            if len(keys) == 1 or isinstance(exc, OdooAccessError):
                self._refuse(keys, "created", exc)
                return
            middle = len(keys) // 2
            self._create(model, keys[:middle])
            self._create(model, keys[middle:])
            return
        if len(ids) != len(keys):
            raise OdooProtocolError(f"create of {len(keys)} {model} records returned {len(ids)} ids")
        for key, odoo_id in zip(keys, ids, strict=True):
            self._found[key] = _Found(odoo_id, created=True)

    def _refuse(self, keys: Iterable[Key], what: str, error: OdooError) -> None:
        for key in keys:
            message = f"{_describe(key)} could not be {what} in Odoo: {error.message}"
            self._failed[key] = _Failed(AUTO_CREATE_REFUSED, message, error)

    def _reconcile(self, model: str, keys: list[Key]) -> None:
        """After a lost create answer: what Odoo now has under these values was created by it
        (nothing had them when searched). What is not there yet raises: the chunk is tried again."""
        by_field: dict[str, list[str]] = defaultdict(list)
        for _model, match_field, value in keys:
            by_field[match_field].append(value)
        for match_field, values in sorted(by_field.items()):
            rows = self._search_read(model, match_field, values, {"active_test": False})
            for value in values:
                ids = rows.get(value, [])
                if len(ids) == 1:
                    self._found[(model, match_field, value)] = _Found(ids[0], created=True)
        lost = [key for key in keys if key not in self._found]
        if lost:
            raise OdooOutcomeUnknownError(
                f"the create of {len(lost)} {model} record(s) may not have been done: "
                + ", ".join(_describe(key) for key in lost[:MAX_IDS_SHOWN])
            )

    # re-mapping ------------------------------------------------------------------------------
    def _overlay_maps(self) -> ValueMaps:
        overlays: dict[str, ValueMap] = {}
        for map_key, keys in self._map_values.items():
            ids = {value: found.odoo_id for value, key in keys.items() if (found := self._found.get(key))}
            base = self.value_maps.get(map_key)
            if ids and base is not None:
                overlays[map_key] = _ExtendedValueMap.extending(base, ids)
        return _OverlaidValueMaps(self.value_maps, overlays) if overlays else self.value_maps

    def _remap(
        self, item: MappedRecord, resolver: Resolver, value_maps: ValueMaps, result: AutoCreateResult
    ) -> None:
        pending = item.take_pending()
        failures = [(p, failed) for p in pending if (failed := self._failed.get(self._key(p.request)))]
        if failures:
            for p, failed in failures:
                item.issues.append(
                    FieldIssue(
                        field=p.issue.field, code=failed.code, message=failed.message, value=p.request.value
                    )
                )
            refusal = next((failed.error for _p, failed in failures if failed.error is not None), None)
            if refusal is not None:
                result.refused[item.local_id] = refusal
            item.settle()
            return
        self.mapper.reapply(item, pending, resolver, value_maps)
        noted = {(w.field, w.message) for w in item.warnings}
        for p in pending:
            warning = self._warning(p)
            if warning is not None and (warning.field, warning.message) not in noted:
                item.warnings.append(warning)
                noted.add((warning.field, warning.message))

    def _warning(self, pending: PendingCreate) -> FieldIssue | None:
        key = self._key(pending.request)
        found = self._found.get(key)
        if found is None:
            return None
        model, match_field, value = key
        unmapped = (
            f"; it is not added to value map {pending.request.value_map!r}"
            if pending.request.value_map is not None
            else ""
        )
        where = f"{model} {found.odoo_id} with {match_field} = {value!r}"
        code, message = (
            (AUTO_CREATED, f"created {where}") if found.created else (AUTO_CREATE_FOUND, f"used {where}")
        )
        return FieldIssue(
            field=pending.issue.field,
            code=code,
            message=message + unmapped,
            value={"model": model, "field": match_field, "value": value, "odoo_id": found.odoo_id},
        )


def _describe(key: Key) -> str:
    model, match_field, value = key
    return f"{model} with {match_field} = {value!r}"


class _CreatedResolver:
    """The chunk's lookup answers, with the records found or created for lookups by name/code."""

    def __init__(self, base: Resolver, found: Mapping[Key, _Found]) -> None:
        self._base = base
        self._found = found

    def resolve(self, request: LookupRequest) -> Sequence[int]:
        if request.by != "external_id" and not request.scope:
            found = self._found.get((request.model, request.match_field, request.value))
            if found is not None:
                return (found.odoo_id,)
        return self._base.resolve(request)

    def archived(self, request: LookupRequest) -> Sequence[int]:
        return () if self.resolve(request) else self._base.archived(request)

    def describe(self, lookup: ReverseLookup) -> str | None:
        return self._base.describe(lookup)


class _ExtendedValueMap(ValueMap):
    """A tenant's value map plus the ids found or created for this chunk (to Odoo only)."""

    _extra: dict[str, int] = PrivateAttr(default_factory=dict)

    @classmethod
    def extending(cls, base: ValueMap, ids: Mapping[str, int]) -> _ExtendedValueMap:
        extended = cls.model_validate(base.model_dump())
        extended._extra.update({extended._key(local): odoo_id for local, odoo_id in ids.items()})
        return extended

    def to_odoo(self, local: object) -> int | str:
        if isinstance(local, str | int) and not isinstance(local, bool):
            found = self._extra.get(self._key(str(local)))
            if found is not None:
                return found
        return super().to_odoo(local)


class _OverlaidValueMaps(ValueMaps):
    def __init__(self, base: ValueMaps, overlays: Mapping[str, ValueMap]) -> None:
        super().__init__()
        self._base = base
        self._overlays = dict(overlays)

    def get(self, key: str) -> ValueMap | None:
        return self._overlays.get(key) or self._base.get(key)

    def require(self, key: str) -> ValueMap:
        return self._overlays.get(key) or self._base.require(key)

    def __contains__(self, key: object) -> bool:
        return key in self._overlays or key in self._base

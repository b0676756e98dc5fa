"""Odoo records turned back into local values: the entity's from_odoo (and both-way) mappings.

Each mapping runs its transform's `from_odoo`, the inverse of `to_odoo` where one exists:
direct, string, boolean, decimal and unit (as decimal text, "453.07": the one representation of a
decimal both ways), selection, date, datetime; many2one through the value
map reversed, the display name Odoo reads with the id, or the looked-up name/code/external id
(one `read` per related model for the whole page, so archived related records are found too);
country (ISO code) and state (code); custom map/value_map (when one-to-one) and default.

Not reversible, so skipped with a warning (the local field keeps its value):
- images (`image_url` or a binary field): Odoo holds the picture, the tenant a URL;
- custom `concat`, `split` and `constant` mappings that also go to Odoo: joined, split or
  fixed values cannot be taken apart again (a from_odoo-only one is applied as written: its
  fields are then Odoo field names);
- a custom `map` that is not one-to-one;
- fields that are not on the entity's own Odoo model (variant fields are not read);
- mappings whose transform cannot be parsed.

A value that cannot be converted (a value map without the entry, an unknown selection key) is an
issue of the record, which then fails whole, as a push does: nothing is half-applied.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.sync.custom import ConcatFunction, ConstantFunction, SplitFunction
from odoo_sync.sync.decimals import decimal_text
from odoo_sync.sync.issues import FieldIssue, InvalidValueError
from odoo_sync.sync.lookups import ReverseLookup, StaticResolver
from odoo_sync.sync.mapping import is_image_mapping, is_record_level
from odoo_sync.sync.model import Direction, FieldMapping, MappingType
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.planner import read_value
from odoo_sync.sync.scalar_transforms import DecimalSpec, UnitSpec
from odoo_sync.sync.transform_core import is_empty
from odoo_sync.sync.transforms import (
    OdooFieldInfo,
    TransformContext,
    TransformSpec,
    TransformSpecError,
    convert,
    parse_transform_spec,
    tenant_timezone,
)

# Read with every page: the change's version, whether it is new, whether it is archived.
WRITE_DATE = "write_date"
CREATE_DATE = "create_date"
ACTIVE = "active"
_ONE_WAY_ONLY = (ConcatFunction, SplitFunction, ConstantFunction)


@dataclass(frozen=True)
class InboundField:
    """One from_odoo mapping, ready to apply."""

    mapping: FieldMapping
    source: OdooFieldInfo
    spec: TransformSpec


@dataclass
class PulledRecord:
    """One Odoo row as local values, with what the link needs to remember of it."""

    odoo_id: int
    values: dict[str, Any] = field(default_factory=dict)  # local field -> local value
    sources: dict[str, str] = field(default_factory=dict)  # local field -> Odoo field
    odoo_values: dict[str, Any] = field(default_factory=dict)  # Odoo field -> value as snapshots keep it
    match_values: dict[str, str] = field(default_factory=dict)  # local match-key field -> Odoo's value
    write_date: str | None = None
    create_date: str | None = None
    active: bool = True
    issues: list[FieldIssue] = field(default_factory=list)
    # Local fields holding decimal text (at any depth): a stored value told another way (a number,
    # as records kept decimals before, or other places) but equal is no change.
    decimals: set[str] = field(default_factory=set)

    @property
    def valid(self) -> bool:
        return not self.issues


class OdooRecordMapper:
    """Applies a plan's from_odoo mappings to Odoo rows; built once per page."""

    def __init__(self, plan: SyncPlan) -> None:
        self.plan = plan
        self.model = plan.entity.odoo_model
        self.warnings: list[FieldIssue] = []
        self._own = plan.odoo_fields.get(self.model, {})
        self.fields = self._compile()
        self._tz = self._timezone()

    # compile ---------------------------------------------------------------------------------
    def _compile(self) -> list[InboundField]:
        compiled: list[InboundField] = []
        for mapping in sorted(self.plan.mappings_for(Direction.FROM_ODOO), key=lambda m: m.priority):
            if mapping.lang is not None:
                continue  # read per language by `odoo_sync.sync.translations.read_translations`
            source = self._source(mapping)
            if source is None:
                continue
            reason: str | None = None
            spec: TransformSpec | None = None
            if is_image_mapping(mapping, source):
                reason = "images are not read back from Odoo"
            else:
                try:
                    spec = parse_transform_spec(_transform_name(mapping), mapping.transform_params)
                except TransformSpecError as exc:
                    reason = str(exc)
            if spec is not None and reason is None:
                reason = _irreversible(mapping, spec)
            if reason is not None or spec is None:
                self._skip(mapping, reason or "invalid transform")
                continue
            compiled.append(InboundField(mapping=mapping, source=source, spec=spec))
        return compiled

    def _source(self, mapping: FieldMapping) -> OdooFieldInfo | None:
        if mapping.odoo_field in self.plan.skipped_fields:
            return None
        source = self._own.get(mapping.odoo_field)
        if source is None:
            self._skip(mapping, f"{mapping.odoo_model}.{mapping.odoo_field} is not read from {self.model}")
        return source

    def _skip(self, mapping: FieldMapping, reason: str) -> None:
        self.warnings.append(
            FieldIssue(field=mapping.local_field, code="not_pulled", message=f"not pulled: {reason}")
        )

    def _timezone(self) -> ZoneInfo:
        try:
            return tenant_timezone(self.plan.entity.timezone)
        except InvalidValueError:
            return ZoneInfo("UTC")

    @property
    def has_active(self) -> bool:
        return ACTIVE in self._own

    @property
    def read_fields(self) -> list[str]:
        """What one `read` of a page asks for: mapped fields, match keys, fields custom functions
        read, and the record's version, creation date and (where the model has it) active flag."""
        names: set[str] = {inbound.source.name for inbound in self.fields}
        names.update(key.odoo_field for key in self.plan.entity.match_keys if key.odoo_field in self._own)
        for inbound in self.fields:
            if isinstance(inbound.spec, ConcatFunction):
                names.update(name for name in inbound.spec.fields if name in self._own)
        names.update((WRITE_DATE, CREATE_DATE))  # every Odoo model has them
        if self.has_active:
            names.add(ACTIVE)
        return sorted(names)

    @property
    def snapshot_fields(self) -> list[str]:
        """The Odoo fields a link's snapshot keeps for this entity (mapped both ways and keys)."""
        names = {inbound.source.name for inbound in self.fields}
        names.update(key.odoo_field for key in self.plan.entity.match_keys if key.odoo_field in self._own)
        return sorted(names)

    # per page --------------------------------------------------------------------------------
    def reverse_lookups(self, rows: Iterable[Mapping[str, Any]]) -> set[ReverseLookup]:
        lookups: set[ReverseLookup] = set()
        for row in rows:
            for inbound in self.fields:
                value = row.get(inbound.source.name)
                if value is None:
                    continue
                ctx = self._context(inbound, row, None)
                lookups.update(inbound.spec.reverse_lookups(value, ctx))
        return lookups

    def map_row(self, row: Mapping[str, Any], resolver: StaticResolver) -> PulledRecord:
        pulled = PulledRecord(
            odoo_id=int(row["id"]),
            write_date=_text_or_none(row.get(WRITE_DATE)),
            create_date=_text_or_none(row.get(CREATE_DATE)),
            active=bool(row.get(ACTIVE, True)),
        )
        for name in self.snapshot_fields:
            if name in row:
                info = self._own.get(name)
                pulled.odoo_values[name] = read_value(row[name], info.type if info else None)
        for key in self.plan.entity.match_keys:
            value = row.get(key.odoo_field)
            if isinstance(value, str | int) and not isinstance(value, bool) and not is_empty(value):
                pulled.match_values[key.local_field] = str(value).strip()
        for inbound in self.fields:
            name = inbound.source.name
            if name not in row and not type(inbound.spec).handles_empty:
                continue
            conversion = convert(
                inbound.spec, "from_odoo", row.get(name, False), self._context(inbound, row, resolver)
            )
            if conversion.issue is not None:
                pulled.issues.append(conversion.issue)
                continue
            pulled.values[inbound.mapping.local_field] = local_json(conversion.value)
            pulled.sources[inbound.mapping.local_field] = name
            if isinstance(inbound.spec, DecimalSpec | UnitSpec):
                pulled.decimals.add(inbound.mapping.local_field)
        return pulled

    def _context(
        self, inbound: InboundField, row: Mapping[str, Any], resolver: StaticResolver | None
    ) -> TransformContext:
        return TransformContext(
            field=inbound.mapping.local_field,
            target=inbound.source,
            tenant_tz=self._tz,
            record=row,
            value_maps=self.plan.value_maps,
            resolver=resolver,
        )


def _irreversible(mapping: FieldMapping, spec: TransformSpec) -> str | None:
    if isinstance(spec, _ONE_WAY_ONLY) and mapping.direction is Direction.BOTH:
        return f"custom {spec.function} values cannot be taken apart again"
    if not spec.supports("from_odoo"):
        return f"transform {spec.name!r} cannot map Odoo's values back (it is not one-to-one)"
    return None


def _transform_name(mapping: FieldMapping) -> str:
    if mapping.transform:
        return mapping.transform
    return "custom" if mapping.mapping_type is MappingType.CUSTOM else "direct"


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def local_json(value: Any) -> Any:
    """A converted value as a record stores it (JSON): decimals as text (as pushes take them,
    see `decimal_text`), dates as ISO text."""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [local_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): local_json(item) for key, item in value.items()}
    return value


@dataclass
class ReverseAnswers:
    resolver: StaticResolver
    failures: list[str]
    calls: int


def fetch_reverse_lookups(client: OdooClient, lookups: Iterable[ReverseLookup]) -> ReverseAnswers:
    """What each related record is called by its lookup key: one `read` per (model, key) for the
    page (external ids: one search_read of ir.model.data). A lookup Odoo refuses leaves its
    values unknown, so the records needing them fail with the reason; Odoo down raises."""
    groups: dict[tuple[str, str, str], set[ReverseLookup]] = defaultdict(set)
    for lookup in lookups:
        groups[(lookup.model, lookup.by, lookup.match_field)].add(lookup)
    resolver = StaticResolver()
    failures: list[str] = []
    for (model, by, match_field), wanted in sorted(groups.items()):
        ids = sorted({lookup.odoo_id for lookup in wanted})
        try:
            found = (
                _external_ids(client, model, ids)
                if by == "external_id"
                else _read(client, model, match_field, ids)
            )
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            failures.append(f"reading {match_field} of {model} failed: {exc.message}")
            continue
        for lookup in wanted:
            text = found.get(lookup.odoo_id)
            if text is not None:
                resolver.add_description(lookup, text)
    return ReverseAnswers(resolver=resolver, failures=failures, calls=len(groups))


def _read(client: OdooClient, model: str, match_field: str, ids: Sequence[int]) -> dict[int, str]:
    rows = client.read(model, list(ids), [match_field])
    return {
        int(row["id"]): str(row[match_field])
        for row in rows
        if isinstance(row.get(match_field), str | int) and not isinstance(row.get(match_field), bool)
    }


def _external_ids(client: OdooClient, model: str, ids: Sequence[int]) -> dict[int, str]:
    rows = client.search_read(
        "ir.model.data",
        [["model", "=", model], ["res_id", "in", list(ids)]],
        ["module", "name", "res_id"],
        order="id asc",
    )
    found: dict[int, str] = {}
    for row in rows:
        found.setdefault(int(row["res_id"]), f"{row['module']}.{row['name']}")
    return found

"""A local record turned into the Odoo values of its entity: validate, then apply every mapping.

A record is either mapped whole or rejected with every reason (validation issues and each
mapping's conversion issues); nothing half-converted reaches Odoo. Lookups that need Odoo (a
category by name, a country by ISO code, a record by external id) are gathered for the whole
chunk first and answered by `odoo_sync.sync.lookup_search.fetch_lookups` with one search_read per
model and key (and one more, only for values not found, among archived records).

A value the tenant lets us create in Odoo (a value map or lookup with auto-creation) leaves the
record waiting (`MappedRecord.pending`, with a not-found issue until settled); the push engine
creates what is missing for the whole chunk (`odoo_sync.sync.auto_create`), then `reapply`
maps just those fields again with the new ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from odoo_sync.odoo import OdooClient
from odoo_sync.sync.images import ImageFetcher, content_digest
from odoo_sync.sync.issues import FieldIssue, InvalidValueError, IssueCode
from odoo_sync.sync.lookup_search import fetch_lookups
from odoo_sync.sync.lookup_search import is_record_level as is_record_level  # noqa: PLC0414 - re-exported
from odoo_sync.sync.lookups import AutoCreateRequest, LookupRequest, Resolver, StaticResolver
from odoo_sync.sync.model import Direction, FieldMapping, LocalRecord, MappingType
from odoo_sync.sync.plan import SyncPlan
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
from odoo_sync.sync.validation import validate_record
from odoo_sync.sync.value_maps import ValueMaps

BINARY = "binary"
IMAGE_TRANSFORM = "image_url"  # as the presets name it (odoo_sync.sync.presets)


@dataclass(frozen=True)
class FieldPlan:
    """One to_odoo mapping, ready to apply: its transform and the Odoo field it writes."""

    mapping: FieldMapping
    target: OdooFieldInfo
    spec: TransformSpec | None
    spec_error: str | None = None

    @property
    def is_image(self) -> bool:
        return is_image_mapping(self.mapping, self.target)

    @property
    def digits(self) -> int | None:
        digits = getattr(self.spec, "digits", None)
        return digits if isinstance(digits, int) else None


@dataclass(frozen=True)
class PendingCreate:
    """A field waiting for an Odoo record to be created: the request, the not-found issue that
    stands for it meanwhile, and the mapping (index in `RecordMapper.fields`) to apply again."""

    request: AutoCreateRequest
    issue: FieldIssue
    plan_index: int


@dataclass
class MappedRecord:
    """A record's Odoo values (`vals`), where each came from, and everything wrong with it."""

    record: LocalRecord
    values: dict[str, Any]  # the validated, normalised local values
    vals: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # Odoo field -> local field
    digests: dict[str, str] = field(default_factory=dict)  # binary Odoo field -> content digest
    issues: list[FieldIssue] = field(default_factory=list)
    warnings: list[FieldIssue] = field(default_factory=list)
    # Only ever set on a record whose every issue is one of these (a rejected record creates nothing).
    pending: list[PendingCreate] = field(default_factory=list)

    @property
    def local_id(self) -> str:
        return self.record.local_id

    def take_pending(self) -> list[PendingCreate]:
        """The pending creates, removed together with the issues that stood for them."""
        pending, self.pending = self.pending, []
        self.issues = [issue for issue in self.issues if all(issue is not p.issue for p in pending)]
        return pending

    def settle(self) -> None:
        """A record with an issue other than a pending create is rejected whole: no values, and
        nothing created for it."""
        if not self.issues:
            return
        if len(self.issues) > len(self.pending):
            self.pending.clear()
        if not self.pending:
            self.vals.clear()

    @property
    def valid(self) -> bool:
        return not self.issues


class RecordMapper:
    """Applies a plan's to_odoo mappings to records; built once per chunk."""

    def __init__(
        self, plan: SyncPlan, *, sync_images: bool = False, images: ImageFetcher | None = None
    ) -> None:
        self.plan = plan
        self.model = plan.entity.odoo_model
        self.sync_images = sync_images
        self.images = images
        self.warnings: list[FieldIssue] = []
        self.fields = self._compile()
        self._tz = self._timezone()

    # compile ---------------------------------------------------------------------------------
    def _compile(self) -> list[FieldPlan]:
        ordered = sorted(self.plan.mappings_for(Direction.TO_ODOO), key=lambda m: m.priority)
        compiled: list[FieldPlan] = []
        for mapping in ordered:
            # Values per language are written by `odoo_sync.sync.translations`, after these.
            if mapping.odoo_field in self.plan.skipped_fields or mapping.lang is not None:
                continue
            target = self._target(mapping)
            if target is None:
                continue
            if is_image_mapping(mapping, target):
                if self.sync_images:
                    compiled.append(FieldPlan(mapping=mapping, target=target, spec=None))
                continue
            spec: TransformSpec | None = None
            error: str | None = None
            try:
                spec = parse_transform_spec(_transform_name(mapping), mapping.transform_params)
            except TransformSpecError as exc:
                error = str(exc)
            compiled.append(FieldPlan(mapping=mapping, target=target, spec=spec, spec_error=error))
        return compiled

    def _target(self, mapping: FieldMapping) -> OdooFieldInfo | None:
        own = self.plan.odoo_fields.get(self.model, {})
        # Variant fields Odoo also offers on the main model (product.template's default_code,
        # barcode) are written there, in the same call as the others.
        target = own.get(mapping.odoo_field)
        if target is None:
            where = f"{mapping.odoo_model}.{mapping.odoo_field}"
            reason = (
                "is not on the entity's Odoo model and variant fields are not written"
                if mapping.odoo_model != self.model
                else "is not a field of this Odoo"
            )
            self.warnings.append(
                FieldIssue(field=mapping.local_field, code="skipped_field", message=f"{where} {reason}")
            )
        return target

    def _timezone(self) -> ZoneInfo:
        try:
            return tenant_timezone(self.plan.entity.timezone)
        except InvalidValueError:
            return ZoneInfo("UTC")

    @property
    def written_fields(self) -> list[str]:
        """Odoo fields this chunk may write and so must compare (images are compared by digest)."""
        names = {plan.target.name for plan in self.fields if not plan.is_image}
        names.update(key.odoo_field for key in self.plan.entity.match_keys if key.odoo_field in self._own)
        return sorted(names)

    @property
    def _own(self) -> Mapping[str, OdooFieldInfo]:
        return self.plan.odoo_fields.get(self.model, {})

    def field_info(self, name: str) -> OdooFieldInfo | None:
        return self._own.get(name)

    def digits_of(self, odoo_field: str) -> int | None:
        found = [plan.digits for plan in self.fields if plan.target.name == odoo_field]
        return found[-1] if found else None

    # per record ------------------------------------------------------------------------------
    def prepare(self, record: LocalRecord) -> MappedRecord:
        """Validate and normalise; match keys that default to the local id get it when empty."""
        report = validate_record(record.data, self.plan.rules)
        mapped = MappedRecord(record=record, values=report.record)
        mapped.issues.extend(report.issues)
        mapped.warnings.extend(report.warnings)
        for key in self.plan.entity.match_keys:
            if key.default_from_local_id and is_empty(mapped.values.get(key.local_field)):
                mapped.values[key.local_field] = record.local_id
        return mapped

    def lookups(self, mapped: Iterable[MappedRecord]) -> set[LookupRequest]:
        requests: set[LookupRequest] = set()
        for item in mapped:
            if not item.valid:
                continue
            for plan in self.fields:
                if plan.spec is None or plan.mapping.local_field not in item.values:
                    continue
                ctx = self._context(plan, item, None, self.plan.value_maps)
                try:
                    requests.update(plan.spec.lookups(item.values[plan.mapping.local_field], ctx))
                except InvalidValueError:
                    continue  # the conversion reports it
        return requests

    def apply(self, item: MappedRecord, resolver: Resolver) -> None:
        """Fill `item.vals` from every mapping, collecting each issue; never raises for a value."""
        if not item.valid:
            return
        for index, plan in enumerate(self.fields):
            local = plan.mapping.local_field
            if local not in item.values and not (plan.spec is not None and type(plan.spec).handles_empty):
                continue  # a field the record does not carry is left as it is in Odoo
            value = item.values.get(local)
            if plan.mapping.is_required and is_empty(value):
                item.issues.append(
                    FieldIssue(field=local, code=IssueCode.REQUIRED.value, message=f"{local!r} is required")
                )
                continue
            self._apply_one(index, item, value, resolver, self.plan.value_maps)
        self._add_match_keys(item)
        item.settle()

    def reapply(
        self, item: MappedRecord, pending: Iterable[PendingCreate], resolver: Resolver, value_maps: ValueMaps
    ) -> None:
        """Map the fields that waited for a create again, now that `resolver` / `value_maps` know
        the new ids; later mappings onto the same Odoo field are applied again too, so they still
        win. A value still missing (a second value of a many2many) leaves the record pending."""
        indices = {p.plan_index for p in pending}
        if not indices:
            return
        targets = {self.fields[index].target.name for index in indices}
        for index, plan in enumerate(self.fields):
            again = index in indices or (index > min(indices) and plan.target.name in targets)
            if again and not plan.is_image and plan.mapping.local_field in item.values:
                self._apply_one(index, item, item.values[plan.mapping.local_field], resolver, value_maps)
        item.settle()

    def _apply_one(
        self, index: int, item: MappedRecord, value: Any, resolver: Resolver, value_maps: ValueMaps
    ) -> None:
        plan = self.fields[index]
        local, odoo_field = plan.mapping.local_field, plan.target.name
        if plan.is_image:
            self._apply_image(plan, item, value)
            return
        if plan.spec is None:
            message = plan.spec_error or "invalid transform"
            item.issues.append(FieldIssue(field=local, code=IssueCode.CONFIGURATION.value, message=message))
            return
        ctx = self._context(plan, item, resolver, value_maps)
        conversion = convert(plan.spec, "to_odoo", value, ctx)
        if conversion.issue is not None:
            item.issues.append(conversion.issue)
        elif conversion.auto_create is not None:
            for request in self._missing(plan, value, conversion.auto_create, ctx):
                issue = FieldIssue(
                    field=local,
                    code=IssueCode.NOT_FOUND_IN_ODOO.value,
                    message=f"no {request.model} with {request.match_field} = {request.value!r} in Odoo "
                    "(it was not created)",
                    value=request.value,
                )
                item.issues.append(issue)
                item.pending.append(PendingCreate(request=request, issue=issue, plan_index=index))
        else:
            item.vals[odoo_field] = wire_value(conversion.value)
            item.sources[odoo_field] = local

    @staticmethod
    def _missing(
        plan: FieldPlan, value: Any, first: AutoCreateRequest, ctx: TransformContext
    ) -> list[AutoCreateRequest]:
        """Every value of a many2many that must be created (a conversion stops at the first), so
        one round of creates serves the whole list."""
        if plan.spec is None or not isinstance(value, list) or len(value) < 2:
            return [first]
        requests: dict[AutoCreateRequest, None] = {first: None}
        for element in value:
            conversion = convert(plan.spec, "to_odoo", [element], ctx)
            if conversion.auto_create is not None:
                requests[conversion.auto_create] = None
        return list(requests)

    def _apply_image(self, plan: FieldPlan, item: MappedRecord, value: Any) -> None:
        local, odoo_field = plan.mapping.local_field, plan.target.name
        if is_empty(value):
            item.vals[odoo_field] = False
            item.sources[odoo_field] = local
            item.digests[odoo_field] = content_digest("")
            return
        if self.images is None or not isinstance(value, str):
            item.issues.append(
                FieldIssue(
                    field=local,
                    code=IssueCode.CONFIGURATION.value,
                    message="images cannot be downloaded here" if self.images is None else "not a URL",
                )
            )
            return
        try:
            encoded = self.images.fetch_base64(value)
        except InvalidValueError as exc:
            item.issues.append(exc.issue(local))
            return
        item.vals[odoo_field] = encoded
        item.sources[odoo_field] = local
        item.digests[odoo_field] = content_digest(encoded)

    def _add_match_keys(self, item: MappedRecord) -> None:
        """A match key's value is written too, so the record can be found again by it."""
        for key in self.plan.entity.match_keys:
            if key.odoo_field in item.vals or key.odoo_field not in self._own:
                continue
            if key.odoo_field in self.plan.skipped_fields:
                continue
            value = item.values.get(key.local_field)
            if isinstance(value, str | int) and not isinstance(value, bool) and not is_empty(value):
                item.vals[key.odoo_field] = str(value)
                item.sources[key.odoo_field] = key.local_field

    def _context(
        self, plan: FieldPlan, item: MappedRecord, resolver: Resolver | None, value_maps: ValueMaps
    ) -> TransformContext:
        return TransformContext(
            field=plan.mapping.local_field,
            target=plan.target,
            tenant_tz=self._tz,
            record=item.values,
            value_maps=value_maps,
            resolver=resolver,
        )


def is_image_mapping(mapping: FieldMapping, target: OdooFieldInfo) -> bool:
    """A picture by URL: downloaded only when a push asks for images."""
    return mapping.transform == IMAGE_TRANSFORM or (mapping.transform is None and target.type == BINARY)


def _transform_name(mapping: FieldMapping) -> str:
    if mapping.transform:
        return mapping.transform
    return "custom" if mapping.mapping_type is MappingType.CUSTOM else "direct"


def wire_value(value: Any) -> Any:
    """Values JSON and XML-RPC can carry: Decimal (from validation or a direct mapping) as float."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [wire_value(item) for item in value]
    if isinstance(value, tuple):
        return [wire_value(item) for item in value]
    if isinstance(value, dict):
        return {key: wire_value(item) for key, item in value.items()}
    return value


@dataclass
class MappedChunk:
    records: list[MappedRecord]
    lookup_failures: list[str]
    resolver: Resolver  # the chunk's lookup answers, to map pending records again


def map_records(mapper: RecordMapper, client: OdooClient, records: Sequence[LocalRecord]) -> MappedChunk:
    """Every record of a chunk mapped, with the chunk's lookups fetched once."""
    prepared = [mapper.prepare(record) for record in records]
    requests = mapper.lookups(prepared)
    answers = fetch_lookups(client, requests, mapper.plan.odoo_fields) if requests else None
    resolver: Resolver = answers.resolver if answers else StaticResolver()
    for item in prepared:
        mapper.apply(item, resolver)
    return MappedChunk(prepared, answers.failures if answers else [], resolver)

"""Transforms for Odoo relations: many2one/many2many by value map or lookup, country, state.

Odoo reads a many2one as `[id, "display name"]` (a bare id with load='', `False` when empty)
and a many2many as a list of ids; it writes a many2one as an id and a many2many with the
command `[6, 0, ids]` (replace the set).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, model_validator

from odoo_sync.sync.countries import normalise_country_code
from odoo_sync.sync.issues import InvalidValueError, IssueCode, describe_value
from odoo_sync.sync.lookups import (
    AutoCreateNeeded,
    AutoCreateRequest,
    LookupBy,
    LookupRequest,
    Resolver,
    ReverseLookup,
    archived_message,
)
from odoo_sync.sync.transform_core import (
    RELATIONAL_TYPES,
    OdooFieldInfo,
    TransformContext,
    TransformSpec,
    register_transform,
)

MAX_MANY2MANY_VALUES = 1000


def odoo_id_of(value: object) -> int:
    """The id in a many2one as Odoo reads it: `[id, "name"]` or a bare id."""
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[1], str):
        value = value[0]
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise InvalidValueError(
        IssueCode.WRONG_TYPE, f"Odoo sent {describe_value(value)}, expected a record id", value
    )


def odoo_ids_of(value: object) -> list[int]:
    if not isinstance(value, list):
        raise InvalidValueError(
            IssueCode.WRONG_TYPE, f"Odoo sent {describe_value(value)}, expected a list of ids", value
        )
    return [odoo_id_of(item) for item in value]


def local_values_of(value: object) -> list[object]:
    values = value if isinstance(value, list) else [value]
    if len(values) > MAX_MANY2MANY_VALUES:
        raise InvalidValueError(
            IssueCode.OUT_OF_RANGE, f"more than {MAX_MANY2MANY_VALUES} values", len(values)
        )
    return [item for item in values if item is not None and item != ""]


def lookup_key(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidValueError(
            IssueCode.WRONG_TYPE, f"{describe_value(value)} cannot be looked up in Odoo", value
        )
    return str(value).strip()


def points_elsewhere(target: OdooFieldInfo, model: str) -> list[str]:
    """Why a relation to `model` cannot use `target`: it points to another model."""
    if target.relation in (None, model):
        return []
    return [f"Odoo field {target.name!r} points to {target.relation}, not {model}"]


def single_match(resolver: Resolver, request: LookupRequest, auto_create: bool) -> int:
    """The one record a lookup names; an archived match is reported (never auto-created again)."""
    ids = resolver.resolve(request)
    if len(ids) == 1:
        return ids[0]
    where = f"{request.model} with {request.match_field} = {request.value!r}"
    if request.scope:
        where += " (" + ", ".join(f"{k} {v}" for k, v in request.scope) + ")"
    if not ids:
        archived = resolver.archived(request)
        if archived:
            raise InvalidValueError(
                IssueCode.ARCHIVED_IN_ODOO, archived_message(where, request.model, archived), request.value
            )
        if auto_create:
            raise AutoCreateNeeded(
                AutoCreateRequest(model=request.model, match_field=request.match_field, value=request.value)
            )
        raise InvalidValueError(IssueCode.NOT_FOUND_IN_ODOO, f"no {where} in Odoo", request.value)
    raise InvalidValueError(
        IssueCode.AMBIGUOUS_MATCH, f"{len(ids)} records match {where} (ids {list(ids)[:10]})", request.value
    )


class Many2oneSpec(TransformSpec):
    """A relation by the tenant's value map, by lookup (name, code or external id) or by raw id.

    On a many2many field the local value is a list and the Odoo value the set command.
    `auto_create` (lookups by name or code) signals `AutoCreateNeeded` instead of an error.
    """

    name: Literal["many2one"] = "many2one"
    odoo_types: ClassVar[frozenset[str]] = RELATIONAL_TYPES
    model: str = Field(min_length=1, pattern=r"^[a-z0-9_.]+$")
    by: Literal["id", "value_map", "name", "code", "external_id"]
    match_field: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$")
    value_map: str | None = None
    auto_create: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if (self.by == "value_map") != (self.value_map is not None):
            raise ValueError("value_map names the map to use, and only with by='value_map'")
        if self.auto_create and self.by not in ("name", "code"):
            raise ValueError("auto_create works with lookups by name or code only")
        return self

    @property
    def lookup_field(self) -> str:
        if self.match_field is not None:
            return self.match_field
        return {"name": "name", "code": "code"}.get(self.by, "id")

    def field_problems(self, target: OdooFieldInfo) -> list[str]:
        return [*super().field_problems(target), *points_elsewhere(target, self.model)]

    def _request(self, value: object) -> LookupRequest:
        by: LookupBy = (
            "external_id" if self.by == "external_id" else ("code" if self.by == "code" else "name")
        )
        return LookupRequest(model=self.model, by=by, match_field=self.lookup_field, value=lookup_key(value))

    def lookups(self, value: Any, ctx: TransformContext) -> Sequence[LookupRequest]:
        if self.by not in ("name", "code", "external_id") or value is None:
            return ()
        requests: list[LookupRequest] = []
        for item in local_values_of(value):
            try:
                requests.append(self._request(item))
            except InvalidValueError:
                continue  # to_odoo reports it
        return requests

    def reverse_lookups(self, value: Any, ctx: TransformContext) -> Sequence[ReverseLookup]:
        if self.by in ("id", "value_map"):
            return ()
        if self._label_is_enough(value, ctx):
            return ()
        try:
            ids = odoo_ids_of(value) if ctx.field_type == "many2many" else [odoo_id_of(value)]
        except InvalidValueError:
            return ()
        return [self._reverse(odoo_id) for odoo_id in ids]

    def _label_is_enough(self, value: object, ctx: TransformContext) -> bool:
        # A many2one read as [id, display name] answers a lookup by display_name without Odoo;
        # display_name is not `name` for every model (product.category: "All / Saleable").
        return (
            self.lookup_field == "display_name"
            and ctx.field_type != "many2many"
            and isinstance(value, list | tuple)
            and len(value) == 2
            and isinstance(value[1], str)
        )

    def _reverse(self, odoo_id: int) -> ReverseLookup:
        by: LookupBy = (
            "external_id" if self.by == "external_id" else ("code" if self.by == "code" else "name")
        )
        return ReverseLookup(model=self.model, by=by, match_field=self.lookup_field, odoo_id=odoo_id)

    def _one_to_odoo(self, value: object, ctx: TransformContext) -> int:
        if self.by == "id":
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value.strip())
            return odoo_id_of(value)
        if self.by == "value_map":
            assert self.value_map is not None
            mapped = ctx.value_maps.require(self.value_map).to_odoo(value)
            if isinstance(mapped, str):
                raise InvalidValueError(
                    IssueCode.CONFIGURATION, f"value map {self.value_map!r} holds keys, not ids"
                )
            return mapped
        request = self._request(value)
        return single_match(ctx.require_resolver(), request, self.auto_create)

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if ctx.field_type == "many2many":
            ids = [self._one_to_odoo(item, ctx) for item in local_values_of(value)]
            return [[6, 0, list(dict.fromkeys(ids))]]
        if isinstance(value, list):
            raise InvalidValueError(IssueCode.WRONG_TYPE, f"{ctx.field!r} takes one value, not a list", value)
        return self._one_to_odoo(value, ctx)

    def _one_from_odoo(self, value: object, ctx: TransformContext) -> object:
        odoo_id = odoo_id_of(value)
        if self.by == "id":
            return odoo_id
        if self.by == "value_map":
            assert self.value_map is not None
            return ctx.value_maps.require(self.value_map).from_odoo(odoo_id)
        if self._label_is_enough(value, ctx):
            assert isinstance(value, list | tuple)
            return value[1]
        described = ctx.require_resolver().describe(self._reverse(odoo_id))
        if described is None:
            raise InvalidValueError(
                IssueCode.NOT_FOUND_IN_ODOO,
                f"no {self.lookup_field} known for {self.model} {odoo_id}",
                odoo_id,
            )
        return described

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if ctx.field_type == "many2many":
            return [self._one_from_odoo(odoo_id, ctx) for odoo_id in odoo_ids_of(value)]
        return self._one_from_odoo(value, ctx)


class ByCodeSpec(TransformSpec):
    """A many2one to a model whose records are named by their `code` (countries, states): looked
    up by it in Odoo on the way there, read back as it on the way back. Subclasses say which
    model (`code_model`) and how a local value becomes the lookup (`_request`)."""

    odoo_types: ClassVar[frozenset[str]] = frozenset({"many2one"})
    code_model: ClassVar[str]

    def field_problems(self, target: OdooFieldInfo) -> list[str]:
        return [*super().field_problems(target), *points_elsewhere(target, self.code_model)]

    def _request(self, value: object, ctx: TransformContext) -> LookupRequest:
        raise NotImplementedError

    def _code_of(self, odoo_id: int) -> ReverseLookup:
        return ReverseLookup(model=self.code_model, by="code", match_field="code", odoo_id=odoo_id)

    def lookups(self, value: Any, ctx: TransformContext) -> Sequence[LookupRequest]:
        if value is None:
            return ()
        try:
            return [self._request(value, ctx)]
        except InvalidValueError:
            return ()  # to_odoo reports it

    def reverse_lookups(self, value: Any, ctx: TransformContext) -> Sequence[ReverseLookup]:
        try:
            odoo_id = odoo_id_of(value)
        except InvalidValueError:
            return ()
        return [self._code_of(odoo_id)]

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return single_match(ctx.require_resolver(), self._request(value, ctx), auto_create=False)


class CountrySpec(ByCodeSpec):
    """A country by ISO alpha-2 code (res.country.code); the tenant's country value map, when it
    has the value, wins, so local names like "Belgique" can be mapped too. Back: the ISO code."""

    name: Literal["country"] = "country"
    code_model: ClassVar[str] = "res.country"
    value_map: str | None = "country"

    def _mapped(self, value: object, ctx: TransformContext) -> int | None:
        value_map = ctx.value_maps.get(self.value_map) if self.value_map else None
        if value_map is not None and isinstance(value, str) and value_map.knows_local(value):
            mapped = value_map.to_odoo(value)
            return mapped if isinstance(mapped, int) else None
        return None

    def _request(self, value: object, ctx: TransformContext) -> LookupRequest:
        code = normalise_country_code(value)
        return LookupRequest(model=self.code_model, by="code", match_field="code", value=code)

    def lookups(self, value: Any, ctx: TransformContext) -> Sequence[LookupRequest]:
        if self._mapped(value, ctx) is not None:
            return ()
        return super().lookups(value, ctx)

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        mapped = self._mapped(value, ctx)
        if mapped is not None:
            return mapped
        return super()._to_odoo(value, ctx)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        odoo_id = odoo_id_of(value)
        code = ctx.require_resolver().describe(self._code_of(odoo_id))
        if code is None:
            raise InvalidValueError(
                IssueCode.NOT_FOUND_IN_ODOO, f"no ISO code known for res.country {odoo_id}", odoo_id
            )
        return code.upper()


class StateSpec(ByCodeSpec):
    """A state by its code within the record's country (res.country.state code, e.g. "CA" in US);
    ISO 3166-2 "US-CA" is accepted too. The country comes from the record's `country_field`."""

    name: Literal["state"] = "state"
    code_model: ClassVar[str] = "res.country.state"
    country_field: str = "country"

    def _request(self, value: object, ctx: TransformContext) -> LookupRequest:
        code = lookup_key(value).upper()
        country_value = ctx.record.get(self.country_field)
        country = normalise_country_code(country_value) if country_value not in (None, "") else None
        if "-" in code:
            prefix, _, code = code.partition("-")
            prefix = normalise_country_code(prefix)
            if country is not None and prefix != country:
                raise InvalidValueError(
                    IssueCode.INVALID_STATE,
                    f"state {describe_value(value)} is not in country {country}",
                    value,
                )
            country = prefix
        if country is None:
            raise InvalidValueError(
                IssueCode.INVALID_STATE,
                f"state {describe_value(value)} needs a country "
                f"(field {self.country_field!r} or 'CC-{code}')",
                value,
            )
        if not code:
            raise InvalidValueError(
                IssueCode.INVALID_STATE, f"{describe_value(value)} is not a state code", value
            )
        return LookupRequest(
            model=self.code_model,
            by="code",
            match_field="code",
            value=code,
            scope=(("country_code", country),),
        )

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        lookups = self.reverse_lookups(value, ctx)
        if not lookups:
            odoo_id_of(value)  # raises with the reason
        code = ctx.require_resolver().describe(lookups[0])
        if code is None:
            raise InvalidValueError(
                IssueCode.NOT_FOUND_IN_ODOO,
                f"no code known for res.country.state {lookups[0].odoo_id}",
                value,
            )
        return code


for _spec in (Many2oneSpec, CountrySpec, StateSpec):
    register_transform(_spec.model_fields["name"].default, _spec.model_validate)

"""The parts every transform shares: its spec base class, the context it runs in, empty values
and the registry by name.

A transform spec is a frozen pydantic model whose fields are the transform's parameters; it is
validated when a mapping is saved (`parse_transform_spec`) and applied per value with
`to_odoo` / `from_odoo`. Empty values follow Odoo's rules in one place: Odoo has no null, an
empty field is `False`, so None and blank text become `False` on the way in and `False` becomes
None on the way out, except for boolean fields where `False` is a value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, ValidationError

from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.lookups import LookupRequest, Resolver, ReverseLookup
from odoo_sync.sync.value_maps import ValueMaps

Direction = Literal["to_odoo", "from_odoo"]
BOTH_DIRECTIONS: frozenset[Direction] = frozenset({"to_odoo", "from_odoo"})

# Odoo field types as fields_get reports them.
SCALAR_TEXT_TYPES = frozenset({"char", "text", "html"})
NUMBER_TYPES = frozenset({"float", "monetary", "integer"})
RELATIONAL_TYPES = frozenset({"many2one", "many2many"})
ANY_TYPE = frozenset(
    {
        "char",
        "text",
        "html",
        "float",
        "monetary",
        "integer",
        "boolean",
        "date",
        "datetime",
        "selection",
        "many2one",
        "many2many",
        "one2many",
        "binary",
        "json",
        "reference",
        "many2one_reference",
        "properties",
    }
)

UTC = dt.UTC


@dataclass(frozen=True)
class OdooFieldInfo:
    """What the target Odoo field is, from fields_get (type, relation, selection keys)."""

    name: str
    type: str
    relation: str | None = None
    selection: tuple[str, ...] | None = None
    required: bool = False
    readonly: bool = False
    translate: bool = False  # stored per language (context lang)

    @classmethod
    def from_fields_get(cls, name: str, attributes: Mapping[str, Any]) -> OdooFieldInfo:
        selection = attributes.get("selection")
        keys = tuple(str(pair[0]) for pair in selection) if isinstance(selection, list) else None
        relation = attributes.get("relation")
        return cls(
            name=name,
            type=str(attributes.get("type", "")),
            relation=relation if isinstance(relation, str) and relation else None,
            selection=keys,
            required=bool(attributes.get("required", False)),
            readonly=bool(attributes.get("readonly", False)),
            translate=bool(attributes.get("translate", False)),
        )


@dataclass(frozen=True)
class TransformContext:
    """Everything a transform may look at besides the value itself.

    `record` is the whole record on the source side of the direction (the tenant's record going
    to Odoo, the Odoo record coming back), for transforms that combine fields.
    """

    field: str
    target: OdooFieldInfo
    tenant_tz: ZoneInfo = dataclasses.field(default_factory=lambda: ZoneInfo("UTC"))
    record: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    value_maps: ValueMaps = dataclasses.field(default_factory=ValueMaps)
    resolver: Resolver | None = None

    @property
    def field_type(self) -> str:
        return self.target.type

    def require_resolver(self) -> Resolver:
        if self.resolver is None:
            raise InvalidValueError(
                IssueCode.CONFIGURATION, f"no lookup resolver was given for {self.field!r}"
            )
        return self.resolver


def tenant_timezone(name: str) -> ZoneInfo:
    """The tenant's IANA time zone; a clear `InvalidValueError` for an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidValueError(IssueCode.CONFIGURATION, f"unknown time zone {name!r}", name) from exc


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def odoo_empty(field_type: str) -> Any:
    """Odoo's empty value for a field type: `False`, or "set to nothing" for many2many."""
    if field_type == "many2many":
        return [[6, 0, []]]
    return False


def is_odoo_empty(value: object, field_type: str) -> bool:
    return field_type != "boolean" and (value is False or value is None)


class TransformSpec(BaseModel):
    """A transform and its parameters. Subclasses set `name`, `odoo_types` and the `_to_odoo` /
    `_from_odoo` conversions; empty values are handled here unless `handles_empty` is set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    odoo_types: ClassVar[frozenset[str]] = ANY_TYPE
    handles_empty: ClassVar[bool] = False

    def supports(self, direction: Direction) -> bool:
        return True

    def to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if not self.handles_empty and is_empty(value):
            return odoo_empty(ctx.field_type)
        return self._to_odoo(value, ctx)

    def from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if not self.handles_empty and is_odoo_empty(value, ctx.field_type):
            return None
        return self._from_odoo(value, ctx)

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        raise NotImplementedError

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        raise NotImplementedError

    def field_problems(self, target: OdooFieldInfo) -> list[str]:
        """Why this transform cannot write/read `target` (checked when a mapping is saved)."""
        if target.type not in self.odoo_types:
            allowed = ", ".join(sorted(self.odoo_types))
            return [
                f"transform {self.name!r} does not fit Odoo field {target.name!r} of type "
                f"{target.type!r} (fits: {allowed})"
            ]
        return []

    def lookups(self, value: Any, ctx: TransformContext) -> Sequence[LookupRequest]:
        """Odoo lookups `to_odoo` will need for `value`, so a chunk can fetch them in one go."""
        return ()

    def reverse_lookups(self, value: Any, ctx: TransformContext) -> Sequence[ReverseLookup]:
        """Odoo lookups `from_odoo` will need for `value`."""
        return ()


class TransformSpecError(ValueError):
    """A transform name or its parameters are invalid (raised when a mapping is saved)."""


SpecParser = Callable[[dict[str, Any]], TransformSpec]
_REGISTRY: dict[str, SpecParser] = {}


def register_transform(name: str, parser: SpecParser) -> None:
    if name in _REGISTRY:
        raise ValueError(f"transform {name!r} is already registered")
    _REGISTRY[name] = parser


def registered_transforms() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def parse_transform_spec(name: str, params: Mapping[str, Any] | None = None) -> TransformSpec:
    """The validated spec for transform `name` with `params`; `TransformSpecError` says what is wrong."""
    parser = _REGISTRY.get(name)
    if parser is None:
        known = ", ".join(registered_transforms())
        raise TransformSpecError(f"unknown transform {name!r}; known transforms: {known}")
    data = dict(params or {})
    data.pop("name", None)
    try:
        return parser({"name": name, **data})
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or name}: {error['msg']}"
            for error in exc.errors()
        )
        raise TransformSpecError(f"transform {name!r}: {details}") from exc

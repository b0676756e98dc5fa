"""Transforms between a tenant's values and Odoo's, both directions, looked up by name.

A field mapping names its transform and parameters, e.g. `("decimal", {"digits": 2})`;
`parse_transform_spec` validates them when the mapping is saved and returns a spec whose
`to_odoo` / `from_odoo` convert one value in a `TransformContext` (the Odoo field's type, the
tenant's time zone, the whole record, value maps and a lookup resolver). `convert` runs one
conversion and returns the outcome instead of raising, so a caller can collect every issue of a
record before deciding.

Registered: direct, string, boolean, decimal, unit, selection, date, datetime, many2one,
country, state, custom (see each spec's docstring and `odoo_sync.sync.custom`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from odoo_sync.sync import custom, relations, scalar_transforms, temporal
from odoo_sync.sync.issues import FieldIssue, InvalidValueError, IssueCode
from odoo_sync.sync.lookups import AutoCreateNeeded, AutoCreateRequest
from odoo_sync.sync.transform_core import (
    Direction,
    OdooFieldInfo,
    TransformContext,
    TransformSpec,
    TransformSpecError,
    parse_transform_spec,
    registered_transforms,
    tenant_timezone,
)

__all__ = [
    "Conversion",
    "Direction",
    "OdooFieldInfo",
    "TransformContext",
    "TransformSpec",
    "TransformSpecError",
    "convert",
    "custom",
    "parse_transform_spec",
    "registered_transforms",
    "relations",
    "scalar_transforms",
    "temporal",
    "tenant_timezone",
]


@dataclass(frozen=True)
class Conversion:
    """The outcome of one conversion: a value, an issue, or a request to auto-create first."""

    value: Any = None
    issue: FieldIssue | None = None
    auto_create: AutoCreateRequest | None = None

    @property
    def ok(self) -> bool:
        return self.issue is None and self.auto_create is None


def convert(spec: TransformSpec, direction: Direction, value: Any, ctx: TransformContext) -> Conversion:
    """Apply `spec` to `value`; expected failures come back as an issue on `ctx.field`."""
    if not spec.supports(direction):
        issue = InvalidValueError(
            IssueCode.CONFIGURATION, f"transform {spec.name!r} cannot convert {direction}"
        )
        return Conversion(issue=issue.issue(ctx.field))
    try:
        converted = spec.to_odoo(value, ctx) if direction == "to_odoo" else spec.from_odoo(value, ctx)
    except InvalidValueError as exc:
        return Conversion(issue=exc.issue(ctx.field))
    except AutoCreateNeeded as signal:
        return Conversion(auto_create=signal.request)
    return Conversion(value=converted)

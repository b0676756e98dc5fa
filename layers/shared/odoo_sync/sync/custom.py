"""`custom` mappings: a small, closed set of named, parameterised functions.

A tenant's mapping is data typed by another party, so it is never evaluated as code or as a
template language (no eval, no Jinja, no format strings): each function below takes plain
parameters, validated when the mapping is saved, and does one thing:

- concat:    join fields of the source record with a separator (e.g. first + last name)
- split:     take one part of the value split on a separator (e.g. the first word)
- map:       translate through an inline table (with an optional default)
- value_map: translate through one of the tenant's value maps (e.g. "category")
- default:   the value, or a default when the value is empty
- constant:  always the same value

Stored as `{"name": "custom", "function": "concat", "fields": [...], "separator": " "}`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, TypeAdapter

from odoo_sync.sync.issues import InvalidValueError, IssueCode, describe_value
from odoo_sync.sync.transform_core import (
    Direction,
    TransformContext,
    TransformSpec,
    is_empty,
    is_odoo_empty,
    odoo_empty,
    register_transform,
)

Scalar = str | int | float | bool | None


def _text_of(value: object) -> str | None:
    """A record field as text for concat; a many2one read as [id, name] gives its name."""
    if is_empty(value) or value is False:
        return None
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        return value[1]
    if isinstance(value, str | int | float | Decimal) and not isinstance(value, bool):
        return str(value).strip()
    raise InvalidValueError(IssueCode.WRONG_TYPE, f"{describe_value(value)} cannot be joined as text", value)


class ConcatFunction(TransformSpec):
    name: Literal["custom"] = "custom"
    function: Literal["concat"]
    fields: list[str] = Field(min_length=1, max_length=20)
    separator: str = Field(default=" ", max_length=10)
    skip_empty: bool = True
    handles_empty: ClassVar[bool] = True  # its own value is not what it reads

    def _join(self, ctx: TransformContext) -> str | None:
        parts: list[str] = []
        for field_name in self.fields:
            try:
                text = _text_of(ctx.record.get(field_name))
            except InvalidValueError as exc:
                raise InvalidValueError(exc.code, f"field {field_name!r}: {exc.message}", exc.value) from exc
            if text is None and self.skip_empty:
                continue
            parts.append(text or "")
        joined = self.separator.join(parts)
        return joined or None

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        joined = self._join(ctx)
        return joined if joined is not None else odoo_empty(ctx.field_type)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return self._join(ctx)


class SplitFunction(TransformSpec):
    name: Literal["custom"] = "custom"
    function: Literal["split"]
    separator: str = Field(default=" ", min_length=1, max_length=10)
    index: int = Field(default=0, ge=-20, le=20)
    rest: bool = False  # with index >= 0: the part at index and everything after it

    def _part(self, value: object) -> str | None:
        if not isinstance(value, str):
            raise InvalidValueError(
                IssueCode.WRONG_TYPE, f"{describe_value(value)} is not text to split", value
            )
        parts = [part.strip() for part in value.strip().split(self.separator)]
        if not -len(parts) <= self.index < len(parts):
            return None
        if self.rest and self.index >= 0:
            return self.separator.join(parts[self.index :]) or None
        return parts[self.index] or None

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        part = self._part(value)
        return part if part is not None else odoo_empty(ctx.field_type)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return self._part(value)


class MapFunction(TransformSpec):
    name: Literal["custom"] = "custom"
    function: Literal["map"]
    values: dict[str, Scalar] = Field(min_length=1, max_length=1000)
    default: Scalar = None
    use_default: bool = False

    def supports(self, direction: Direction) -> bool:
        # Back from Odoo needs one local value per Odoo value.
        return direction == "to_odoo" or len(set(map(repr, self.values.values()))) == len(self.values)

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        key = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else None
        if key is not None and key in self.values:
            return self.values[key]
        if self.use_default:
            return self.default
        raise InvalidValueError(
            IssueCode.UNMAPPED_VALUE,
            f"{describe_value(value)} is not in the mapping (mapped: {', '.join(list(self.values)[:20])})",
            value,
        )

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if not self.supports("from_odoo"):
            raise InvalidValueError(
                IssueCode.CONFIGURATION, "this mapping is not one-to-one, so it cannot map back"
            )
        for local, odoo in self.values.items():
            if odoo == value and type(odoo) is type(value):
                return local
        raise InvalidValueError(
            IssueCode.UNMAPPED_VALUE, f"Odoo value {describe_value(value)} is not in the mapping", value
        )


class ValueMapFunction(TransformSpec):
    name: Literal["custom"] = "custom"
    function: Literal["value_map"]
    value_map: str = Field(min_length=1)

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return ctx.value_maps.require(self.value_map).to_odoo(value)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[1], str):
            value = value[0]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InvalidValueError(
                IssueCode.WRONG_TYPE, f"Odoo sent {describe_value(value)}, expected an id or key", value
            )
        return ctx.value_maps.require(self.value_map).from_odoo(value)


class DefaultFunction(TransformSpec):
    name: Literal["custom"] = "custom"
    function: Literal["default"]
    value: Scalar
    handles_empty: ClassVar[bool] = True

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return self.value if is_empty(value) else value

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return self.value if is_odoo_empty(value, ctx.field_type) else value


class ConstantFunction(TransformSpec):
    name: Literal["custom"] = "custom"
    function: Literal["constant"]
    value: Scalar
    handles_empty: ClassVar[bool] = True

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return self.value

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return self.value


CustomSpec = Annotated[
    ConcatFunction | SplitFunction | MapFunction | ValueMapFunction | DefaultFunction | ConstantFunction,
    Field(discriminator="function"),
]
_CUSTOM_ADAPTER: TypeAdapter[CustomSpec] = TypeAdapter(CustomSpec)


def parse_custom(data: dict[str, Any]) -> TransformSpec:
    spec: TransformSpec = _CUSTOM_ADAPTER.validate_python(data)
    return spec


register_transform("custom", parse_custom)

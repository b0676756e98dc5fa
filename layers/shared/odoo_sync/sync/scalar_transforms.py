"""Transforms for single values: direct, string, boolean, decimal, unit and selection."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, field_validator, model_validator

from odoo_sync.sync.decimals import (
    decimal_from_odoo,
    decimal_text,
    decimal_text_from_odoo,
    decimal_to_odoo_float,
    finite_float,
    parse_boolean,
    parse_decimal,
    quantize,
)
from odoo_sync.sync.issues import InvalidValueError, IssueCode, describe_value
from odoo_sync.sync.transform_core import (
    NUMBER_TYPES,
    SCALAR_TEXT_TYPES,
    OdooFieldInfo,
    TransformContext,
    TransformSpec,
    register_transform,
)

_WHITESPACE = re.compile(r"\s+")


class DirectSpec(TransformSpec):
    """The value as it is, with Odoo's empty rules; a many2one read as [id, name] comes back as id."""

    name: Literal["direct"] = "direct"

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return value

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if ctx.field_type == "many2one" and isinstance(value, list) and value:
            return value[0]
        return value


class StringSpec(TransformSpec):
    """Trim, collapse inner whitespace, change case and cap the length of text going to Odoo."""

    name: Literal["string"] = "string"
    odoo_types: ClassVar[frozenset[str]] = SCALAR_TEXT_TYPES | {"selection"}
    strip: bool = True
    collapse_whitespace: bool = False
    case: Literal["keep", "lower", "upper", "title"] = "keep"
    max_length: int | None = Field(default=None, ge=1)
    on_too_long: Literal["reject", "truncate"] = "reject"

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise InvalidValueError(IssueCode.WRONG_TYPE, f"{describe_value(value)} is not text", value)
        text = str(value)
        if self.collapse_whitespace:
            text = _WHITESPACE.sub(" ", text)
        if self.strip:
            text = text.strip()
        text = {"keep": text, "lower": text.lower(), "upper": text.upper(), "title": text.title()}[self.case]
        if self.max_length is not None and len(text) > self.max_length:
            if self.on_too_long == "reject":
                raise InvalidValueError(
                    IssueCode.TOO_LONG, f"text of {len(text)} characters exceeds {self.max_length}", value
                )
            text = text[: self.max_length]
        return text

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if not isinstance(value, str):
            raise InvalidValueError(
                IssueCode.WRONG_TYPE, f"Odoo sent {describe_value(value)}, expected text", value
            )
        return value


class BooleanSpec(TransformSpec):
    """Booleans from true/false, yes/no, 1/0 (text case-insensitive); anything else is an error."""

    name: Literal["boolean"] = "boolean"
    odoo_types: ClassVar[frozenset[str]] = frozenset({"boolean"})
    true_values: tuple[str, ...] = ("true", "yes", "1")
    false_values: tuple[str, ...] = ("false", "no", "0")

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        overlap = {v.lower() for v in self.true_values} & {v.lower() for v in self.false_values}
        if overlap:
            raise ValueError(f"values listed as both true and false: {sorted(overlap)}")
        return self

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return parse_boolean(value, self.true_values, self.false_values)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        if not isinstance(value, bool):
            raise InvalidValueError(
                IssueCode.WRONG_TYPE, f"Odoo sent {describe_value(value)}, expected a boolean", value
            )
        return value


class DecimalSpec(TransformSpec):
    """Exact decimals (prices): text or a number in, a float rounded to `digits` out for Odoo, and
    back the decimal text with the same `digits` ("19.99", "453.07"), as a push takes it.

    `output` is kept for mappings saved before decimals came back as text; both values now give
    text, so a decimal has one representation both ways.
    """

    name: Literal["decimal"] = "decimal"
    odoo_types: ClassVar[frozenset[str]] = NUMBER_TYPES
    digits: int = Field(default=2, ge=0, le=10)
    rounding: Literal["half_up", "half_even", "reject"] = "half_up"
    output: Literal["decimal", "string"] = "string"

    def field_problems(self, target: OdooFieldInfo) -> list[str]:
        problems = super().field_problems(target)
        if target.type == "integer" and self.digits != 0:
            problems.append(f"Odoo field {target.name!r} is an integer: use digits 0")
        return problems

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        number = quantize(parse_decimal(value), self.digits, self.rounding)
        if ctx.field_type == "integer":
            return int(number)
        return decimal_to_odoo_float(number)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return decimal_text_from_odoo(value, self.digits)


# Factor of each unit to its dimension's base unit (kg, m, l).
UNITS: dict[str, tuple[str, Decimal]] = {
    "mg": ("mass", Decimal("0.000001")),
    "g": ("mass", Decimal("0.001")),
    "kg": ("mass", Decimal(1)),
    "t": ("mass", Decimal(1000)),
    "oz": ("mass", Decimal("0.028349523125")),
    "lb": ("mass", Decimal("0.45359237")),
    "mm": ("length", Decimal("0.001")),
    "cm": ("length", Decimal("0.01")),
    "m": ("length", Decimal(1)),
    "km": ("length", Decimal(1000)),
    "in": ("length", Decimal("0.0254")),
    "ft": ("length", Decimal("0.3048")),
    "ml": ("volume", Decimal("0.001")),
    "cl": ("volume", Decimal("0.01")),
    "l": ("volume", Decimal(1)),
    "m3": ("volume", Decimal(1000)),
}


class UnitSpec(TransformSpec):
    """Unit conversion: Odoo value = local value x factor, the factor given directly or by units
    (`local_unit="g", odoo_unit="kg"`). Rounding to `digits` makes the way back approximate.
    Back from Odoo the value is decimal text (`local_digits` places, else as exact as it is);
    `output` is kept for saved mappings, as for `DecimalSpec`."""

    name: Literal["unit"] = "unit"
    odoo_types: ClassVar[frozenset[str]] = NUMBER_TYPES
    local_unit: str | None = None
    odoo_unit: str | None = None
    factor: Decimal | None = Field(default=None, gt=0)
    digits: int | None = Field(default=None, ge=0, le=10)
    local_digits: int | None = Field(default=None, ge=0, le=10)
    output: Literal["decimal", "string"] = "string"

    @field_validator("local_unit", "odoo_unit")
    @classmethod
    def _known_unit(cls, unit: str | None) -> str | None:
        if unit is not None and unit not in UNITS:
            raise ValueError(f"unknown unit {unit!r}; known units: {', '.join(UNITS)}")
        return unit

    @model_validator(mode="after")
    def _one_way_to_convert(self) -> Self:
        by_units = self.local_unit is not None or self.odoo_unit is not None
        if by_units == (self.factor is not None):
            raise ValueError("give either factor or both local_unit and odoo_unit")
        if by_units:
            if self.local_unit is None or self.odoo_unit is None:
                raise ValueError("give both local_unit and odoo_unit")
            if UNITS[self.local_unit][0] != UNITS[self.odoo_unit][0]:
                raise ValueError(f"cannot convert {self.local_unit} to {self.odoo_unit}")
        return self

    @property
    def effective_factor(self) -> Decimal:
        if self.factor is not None:
            return self.factor
        assert self.local_unit is not None
        assert self.odoo_unit is not None
        return UNITS[self.local_unit][1] / UNITS[self.odoo_unit][1]

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        number = parse_decimal(value) * self.effective_factor
        if self.digits is not None:
            number = quantize(number, self.digits, "half_up")
        if ctx.field_type == "integer":
            return int(quantize(number, 0, "half_up"))
        return finite_float(number)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        number = decimal_from_odoo(value) / self.effective_factor
        if self.local_digits is not None:
            number = quantize(number, self.local_digits, "half_up")
        elif number == number.to_integral_value():
            number = number.to_integral_value()
        else:
            number = number.normalize()
        return decimal_text(number)


class SelectionSpec(TransformSpec):
    """A local value to an Odoo selection key through `values` (and back through the inverse or
    `reverse`); with `pass_through` a value that already is an Odoo key is accepted."""

    name: Literal["selection"] = "selection"
    odoo_types: ClassVar[frozenset[str]] = frozenset({"selection"})
    values: dict[str, str] = Field(default_factory=dict)
    reverse: dict[str, str] | None = None
    case_sensitive: bool = False
    pass_through: bool = True

    def field_problems(self, target: OdooFieldInfo) -> list[str]:
        problems = super().field_problems(target)
        if target.selection is not None:
            unknown = sorted(set(self.values.values()) - set(target.selection))
            if unknown:
                problems.append(
                    f"Odoo field {target.name!r} has no selection key {', '.join(unknown)} "
                    f"(keys: {', '.join(target.selection)})"
                )
        return problems

    def _fold(self, text: str) -> str:
        return text.strip() if self.case_sensitive else text.strip().casefold()

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        offered = ctx.target.selection
        if isinstance(value, str):
            mapped = {self._fold(k): v for k, v in self.values.items()}.get(self._fold(value))
            if mapped is not None and offered is not None and mapped not in offered:
                raise InvalidValueError(
                    IssueCode.CONFIGURATION,
                    f"{describe_value(value)} maps to {mapped!r}, which Odoo field {ctx.target.name!r} "
                    f"does not offer (keys: {', '.join(offered)})",
                    value,
                )
            if mapped is not None:
                return mapped
            if mapped is None and self.pass_through and offered is not None and value.strip() in offered:
                return value.strip()
        allowed = list(self.values)
        if self.pass_through and offered is not None:
            allowed += [key for key in offered if key not in allowed]
        raise InvalidValueError(
            IssueCode.UNKNOWN_SELECTION_VALUE,
            f"{describe_value(value)} is not an allowed value for {ctx.field!r} "
            f"(allowed: {', '.join(allowed)})",
            value,
        )

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        inverse = self.reverse if self.reverse is not None else self._inverse()
        if isinstance(value, str):
            if value in inverse:
                return inverse[value]
            if self.pass_through:
                return value
        raise InvalidValueError(
            IssueCode.UNKNOWN_SELECTION_VALUE,
            f"Odoo key {describe_value(value)} of {ctx.target.name!r} has no local value "
            f"(known keys: {', '.join(inverse)})",
            value,
        )

    def _inverse(self) -> dict[str, str]:
        inverse: dict[str, str] = {}
        for local, key in self.values.items():
            inverse.setdefault(key, local)  # the first local value listed wins
        return inverse


for _spec in (DirectSpec, StringSpec, BooleanSpec, DecimalSpec, UnitSpec, SelectionSpec):
    register_transform(_spec.model_fields["name"].default, _spec.model_validate)

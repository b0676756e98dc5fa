"""Numbers and booleans as the tenant sends them and as Odoo stores them: exact decimals (never a
binary float on the way), Odoo's 15 significant digits, places and rounding, the words a boolean
may be written as."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from odoo_sync.sync.issues import InvalidValueError, IssueCode, describe_value

# An IEEE double keeps 15 significant decimal digits exactly; more would drift on the way to Odoo.
MAX_SIGNIFICANT_DIGITS = 15
_DECIMAL_TEXT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")


def parse_decimal(value: object) -> Decimal:
    """A finite Decimal from a number or numeric text; floats go through their shortest repr,
    so the float 19.99 is Decimal("19.99"), not its binary expansion."""
    if isinstance(value, bool):
        raise InvalidValueError(IssueCode.INVALID_NUMBER, f"{value} is a boolean, not a number", value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str) and _DECIMAL_TEXT.match(value.strip()):
        number = Decimal(value.strip())
    else:
        raise InvalidValueError(
            IssueCode.INVALID_NUMBER,
            f"{describe_value(value)} is not a number (use digits with '.' as decimal separator)",
            value,
        )
    if not number.is_finite():
        raise InvalidValueError(
            IssueCode.INVALID_NUMBER, f"{describe_value(value)} is not a finite number", value
        )
    return number


def quantize(number: Decimal, digits: int, rounding: Literal["half_up", "half_even", "reject"]) -> Decimal:
    step = Decimal(1).scaleb(-digits)
    if rounding == "reject":
        if number != number.quantize(step, rounding=ROUND_HALF_UP):
            raise InvalidValueError(
                IssueCode.TOO_PRECISE, f"{number} has more than {digits} decimal places", str(number)
            )
        return number.quantize(step)
    try:
        return number.quantize(step, rounding=ROUND_HALF_UP if rounding == "half_up" else ROUND_HALF_EVEN)
    except InvalidOperation as exc:
        raise InvalidValueError(IssueCode.OUT_OF_RANGE, f"{number} is too large", str(number)) from exc


def decimal_to_odoo_float(number: Decimal) -> float:
    """The float Odoo receives; refuses values a float cannot carry exactly to 15 digits."""
    significant = len(number.normalize().as_tuple().digits)
    if significant > MAX_SIGNIFICANT_DIGITS:
        raise InvalidValueError(
            IssueCode.TOO_PRECISE,
            f"{number} has {significant} significant digits; Odoo stores at most {MAX_SIGNIFICANT_DIGITS} "
            "exactly",
            str(number),
        )
    return finite_float(number)


def finite_float(number: Decimal) -> float:
    converted = float(number)
    if not math.isfinite(converted):
        raise InvalidValueError(IssueCode.OUT_OF_RANGE, f"{number} is too large for Odoo", str(number))
    return converted


def decimal_from_odoo(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError(
            IssueCode.WRONG_TYPE, f"Odoo sent {describe_value(value)}, expected a number", value
        )
    return parse_decimal(value)


def decimal_text(number: Decimal) -> str:
    """A decimal as records, the change feed and webhooks carry it: digits and '.', never an
    exponent and never "-0" ("1000.00", "0.5"), the same text a push takes."""
    if number.is_zero():
        number = abs(number)
    return format(number, "f")


def decimal_text_from_odoo(value: object, digits: int | None, *, at_least: bool = False) -> str:
    """Odoo's float as decimal text, the one way pulled decimals become local values.

    The float goes through its shortest repr (453.07 is "453.07", never its binary expansion),
    then to `digits` places; with `at_least`, places Odoo's value carries beyond `digits` are
    kept (an amount in a 3-decimal currency keeps its third place).
    """
    number = decimal_from_odoo(value)
    if digits is None:
        return decimal_text(number)
    return decimal_text(to_places(number, digits, at_least=at_least))


def to_places(number: Decimal, digits: int, *, at_least: bool = False) -> Decimal:
    """`number` with `digits` decimal places (rounded half up); with `at_least`, more when it has more."""
    exponent = number.as_tuple().exponent
    places = max(digits, -exponent) if at_least and isinstance(exponent, int) else digits
    return quantize(number, places, "half_up")


def parse_boolean(
    value: object,
    true_values: tuple[str, ...] = ("true", "yes", "1"),
    false_values: tuple[str, ...] = ("false", "no", "0"),
) -> bool:
    """True/False, the integers 1/0, or one of the listed words (case-insensitive); nothing else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        token = value.strip().lower()
        if token in (v.lower() for v in true_values):
            return True
        if token in (v.lower() for v in false_values):
            return False
    allowed = ", ".join([*true_values, *false_values])
    raise InvalidValueError(
        IssueCode.INVALID_BOOLEAN, f"{describe_value(value)} is not a boolean (allowed: {allowed})", value
    )

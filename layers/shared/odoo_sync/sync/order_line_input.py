"""An order's lines as the tenant sent them: read from the record and checked for shape.

Every problem is an issue with the line's path (`lines[2].quantity`), so an order is rejected with
all its reasons; resolving what the lines name in Odoo is `odoo_sync.sync.order_lines`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from odoo_sync.sync.decimals import parse_decimal
from odoo_sync.sync.issues import FieldIssue, InvalidValueError, IssueCode, describe_value

MAX_LINES = 1000
MAX_TAXES_PER_LINE = 20
_LINE_KEYS = frozenset({"sku", "barcode", "quantity", "uom", "price", "discount", "taxes", "description"})


@dataclass(frozen=True)
class LineInput:
    """One line as the tenant sent it, checked for shape (not yet resolved against Odoo)."""

    index: int
    sku: str | None
    barcode: str | None
    quantity: Decimal
    uom: str | None
    price: Decimal | None
    discount: Decimal | None
    taxes: tuple[str, ...] | None  # None: Odoo takes the product's taxes
    description: str | None

    def path(self, name: str) -> str:
        return f"lines[{self.index}].{name}"


def parse_lines(value: object) -> tuple[list[LineInput], list[FieldIssue]]:
    """The record's `lines`, and every problem of their shape."""
    if not isinstance(value, list):
        return [], [
            FieldIssue(
                field="lines",
                code=IssueCode.WRONG_TYPE.value,
                message="lines must be a list",
                value=describe_value(value),
            )
        ]
    if len(value) > MAX_LINES:
        return [], [line_issue("lines", IssueCode.OUT_OF_RANGE, f"more than {MAX_LINES} lines", len(value))]
    lines: list[LineInput] = []
    issues: list[FieldIssue] = []
    for index, raw in enumerate(value):
        line, problems = _parse_line(index, raw)
        issues.extend(problems)
        if line is not None:
            lines.append(line)
    return lines, issues


def _parse_line(index: int, raw: object) -> tuple[LineInput | None, list[FieldIssue]]:
    where = f"lines[{index}]"
    if not isinstance(raw, Mapping):
        return None, [line_issue(where, IssueCode.NOT_AN_OBJECT, "a line must be a JSON object", raw)]
    issues = [
        line_issue(f"{where}.{key}", IssueCode.CONFIGURATION, f"unknown line field {key!r}", None)
        for key in raw
        if key not in _LINE_KEYS
    ]
    sku = _text(raw, "sku", where, issues)
    barcode = _text(raw, "barcode", where, issues)
    if sku is None and barcode is None:
        issues.append(line_issue(f"{where}.sku", IssueCode.REQUIRED, "a line needs a sku or a barcode", None))
    quantity = _number(raw, "quantity", where, issues, default=Decimal(1))
    price = _number(raw, "price", where, issues)
    discount = _number(raw, "discount", where, issues, maximum=Decimal(100))
    taxes = _taxes(raw, where, issues)
    line = LineInput(
        index=index,
        sku=sku,
        barcode=barcode,
        quantity=quantity if quantity is not None else Decimal(1),
        uom=_text(raw, "uom", where, issues),
        price=price,
        discount=discount,
        taxes=taxes,
        description=_text(raw, "description", where, issues, limit=10_000),
    )
    return line, issues


def line_issue(path: str, code: IssueCode, message: str, value: object) -> FieldIssue:
    return InvalidValueError(code, message, value).issue(path)


def _text(
    raw: Mapping[Any, Any], key: str, where: str, issues: list[FieldIssue], limit: int = 256
) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        issues.append(line_issue(f"{where}.{key}", IssueCode.WRONG_TYPE, "expected text", value))
        return None
    text = str(value).strip()
    if len(text) > limit:
        issues.append(
            line_issue(f"{where}.{key}", IssueCode.TOO_LONG, f"longer than {limit} characters", value)
        )
        return None
    return text or None


def _number(
    raw: Mapping[Any, Any],
    key: str,
    where: str,
    issues: list[FieldIssue],
    *,
    default: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal | None:
    value = raw.get(key)
    if value is None or value == "":
        return default
    try:
        number = parse_decimal(value)
    except InvalidValueError as exc:
        issues.append(exc.issue(f"{where}.{key}"))
        return None
    if number < 0 or (maximum is not None and number > maximum):
        bound = f"between 0 and {maximum}" if maximum is not None else "0 or more"
        issues.append(line_issue(f"{where}.{key}", IssueCode.OUT_OF_RANGE, f"must be {bound}", value))
        return None
    return number


def _taxes(raw: Mapping[Any, Any], where: str, issues: list[FieldIssue]) -> tuple[str, ...] | None:
    if "taxes" not in raw or raw["taxes"] is None:
        return None
    value = raw["taxes"]
    if not isinstance(value, list) or len(value) > MAX_TAXES_PER_LINE:
        issues.append(
            line_issue(
                f"{where}.taxes",
                IssueCode.WRONG_TYPE,
                f"taxes must be a list of at most {MAX_TAXES_PER_LINE} names",
                value,
            )
        )
        return None
    names: list[str] = []
    for position, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            issues.append(
                line_issue(f"{where}.taxes[{position}]", IssueCode.WRONG_TYPE, "expected a tax name", item)
            )
            continue
        names.append(str(item).strip())
    return tuple(names)

"""Validate and normalise a whole record before anything is sent to Odoo.

`validate_record` checks every field rule and returns every issue at once, never only the
first, together with the normalised record; it does not raise on any JSON input. Transforms run
afterwards on the normalised values, so a record is either sent whole or rejected with all its
reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.sync.countries import normalise_country_code
from odoo_sync.sync.decimals import parse_boolean, parse_decimal
from odoo_sync.sync.issues import FieldIssue, InvalidValueError, IssueCode, describe_value
from odoo_sync.sync.normalise import (
    collapse_whitespace,
    normalise_email,
    normalise_phone,
    normalise_vat,
    normalise_zip,
)
from odoo_sync.sync.temporal import parse_local_date, parse_local_datetime

FieldKind = Literal[
    "any",
    "text",
    "single_line",
    "email",
    "phone",
    "vat",
    "zip",
    "country",
    "state",
    "decimal",
    "integer",
    "boolean",
    "date",
    "datetime",
    "barcode",
    "url",
]
MAX_URL_LENGTH = 2048


class FieldRule(BaseModel):
    """How one local field is checked and normalised."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(min_length=1)
    kind: FieldKind = "text"
    required: bool = False
    max_length: int | None = Field(default=None, ge=1)
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    strict_phone: bool = True  # the number must be assigned, not only of a possible length


class RecordRules(BaseModel):
    """The rules of an entity. Phone numbers without a country code, VAT numbers without a
    prefix and zip codes are read in the record's country (`country_field`), else `default_country`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fields: list[FieldRule]
    country_field: str = "country"
    default_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class ValidationReport(BaseModel):
    """Every issue of a record (issues reject it, warnings do not) and its normalised values."""

    valid: bool
    record: dict[str, Any]
    issues: list[FieldIssue] = Field(default_factory=list)
    warnings: list[FieldIssue] = Field(default_factory=list)


def validate_record(record: object, rules: RecordRules) -> ValidationReport:
    if not isinstance(record, Mapping) or not all(isinstance(key, str) for key in record):
        issue = InvalidValueError(IssueCode.NOT_AN_OBJECT, "a record must be a JSON object", record)
        return ValidationReport(valid=False, record={}, issues=[issue.issue("")])
    normalised: dict[str, Any] = dict(record)
    issues: list[FieldIssue] = []
    warnings: list[FieldIssue] = []
    # The country comes first: phone, VAT and zip rules read it.
    ordered = sorted(rules.fields, key=lambda rule: rule.field != rules.country_field)
    for rule in ordered:
        country = _country_of(normalised, rules)
        try:
            _apply(rule, normalised, country, warnings)
        except InvalidValueError as exc:
            issues.append(exc.issue(rule.field))
    position = {rule.field: index for index, rule in enumerate(rules.fields)}
    issues.sort(key=lambda issue: position.get(issue.field, -1))
    return ValidationReport(valid=not issues, record=normalised, issues=issues, warnings=warnings)


def _country_of(record: Mapping[str, Any], rules: RecordRules) -> str | None:
    try:
        return normalise_country_code(record.get(rules.country_field))
    except InvalidValueError:
        return rules.default_country


def _apply(rule: FieldRule, record: dict[str, Any], country: str | None, warnings: list[FieldIssue]) -> None:
    value = record.get(rule.field)
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        if rule.required:
            raise InvalidValueError(IssueCode.REQUIRED, f"{rule.field!r} is required", value)
        if rule.field in record:
            record[rule.field] = None
        return
    if rule.kind == "vat":
        vat = normalise_vat(value, country)
        if not vat.checked:
            warnings.append(
                FieldIssue(
                    field=rule.field,
                    code=IssueCode.VAT_NOT_CHECKED.value,
                    message=f"no VAT check is known for {vat.country}; kept as {vat.value!r}",
                    value=vat.value,
                )
            )
        normalised: Any = vat.value
    elif rule.kind == "phone":
        normalised = normalise_phone(value, country, strict=rule.strict_phone)
    elif rule.kind == "zip":
        normalised = normalise_zip(value, country)
    else:
        normalised = _NORMALISERS[rule.kind](value)
    _check_limits(rule, normalised, value)
    record[rule.field] = normalised


def _check_limits(rule: FieldRule, normalised: Any, original: object) -> None:
    if rule.max_length is not None and isinstance(normalised, str) and len(normalised) > rule.max_length:
        raise InvalidValueError(
            IssueCode.TOO_LONG, f"{len(normalised)} characters, at most {rule.max_length} allowed", original
        )
    if isinstance(normalised, Decimal | int) and not isinstance(normalised, bool):
        if rule.min_value is not None and normalised < rule.min_value:
            raise InvalidValueError(
                IssueCode.OUT_OF_RANGE, f"{normalised} is below {rule.min_value}", original
            )
        if rule.max_value is not None and normalised > rule.max_value:
            raise InvalidValueError(
                IssueCode.OUT_OF_RANGE, f"{normalised} is above {rule.max_value}", original
            )


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    raise InvalidValueError(IssueCode.WRONG_TYPE, f"{describe_value(value)} is not text", value)


def _single_line(value: object) -> str:
    return collapse_whitespace(_text(value))


def _integer(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit() and len(value.strip()) <= 19:
        return int(value.strip())
    raise InvalidValueError(IssueCode.INVALID_NUMBER, f"{describe_value(value)} is not a whole number", value)


def _state(value: object) -> str:
    code = collapse_whitespace(_text(value)).upper()
    if not (1 <= len(code) <= 6 and code.replace("-", "").isalnum()):
        raise InvalidValueError(
            IssueCode.INVALID_STATE, f"{describe_value(value)} is not a state code", value
        )
    return code


def _barcode(value: object) -> str:
    # Imported here: python-stdnum is large, and most functions never check a barcode.
    from stdnum import ean  # noqa: PLC0415
    from stdnum.exceptions import ValidationError as StdnumValidationError  # noqa: PLC0415

    code = _text(value).replace(" ", "")
    try:
        if len(code) not in (8, 12, 13, 14):
            raise InvalidValueError(IssueCode.INVALID_BARCODE, "a barcode has 8, 12, 13 or 14 digits", value)
        return str(ean.validate(code))
    except StdnumValidationError as exc:
        raise InvalidValueError(
            IssueCode.INVALID_BARCODE,
            f"{describe_value(value)} is not a valid EAN/GTIN barcode: {exc}",
            value,
        ) from exc


def _url(value: object) -> str:
    text = _text(value)
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text
    except ValueError:
        valid = False
    if not valid or len(text) > MAX_URL_LENGTH:
        raise InvalidValueError(
            IssueCode.INVALID_URL, f"{describe_value(value)} is not an http(s) URL", value
        )
    return text


_NORMALISERS: dict[str, Callable[[Any], Any]] = {
    "any": lambda value: value,
    "text": _text,
    "single_line": _single_line,
    "email": normalise_email,
    "country": normalise_country_code,
    "state": _state,
    "decimal": parse_decimal,
    "integer": _integer,
    "boolean": parse_boolean,
    "date": lambda value: parse_local_date(value).isoformat(),
    "datetime": lambda value: parse_local_datetime(value).isoformat(),
    "barcode": _barcode,
    "url": _url,
}

CUSTOMER_RULES = RecordRules(
    fields=[
        FieldRule(field="name", kind="single_line", required=True),
        FieldRule(field="email", kind="email"),
        FieldRule(field="phone", kind="phone"),
        FieldRule(field="mobile", kind="phone"),
        FieldRule(field="street", kind="single_line"),
        FieldRule(field="street2", kind="single_line"),
        FieldRule(field="zip", kind="zip"),
        FieldRule(field="city", kind="single_line"),
        FieldRule(field="country", kind="country"),
        FieldRule(field="state", kind="state"),
        FieldRule(field="vat", kind="vat"),
        FieldRule(field="ref", kind="single_line"),
        FieldRule(field="is_company", kind="boolean"),
    ]
)

PRODUCT_RULES = RecordRules(
    fields=[
        FieldRule(field="title", kind="single_line", required=True),
        FieldRule(field="ean", kind="barcode"),
        FieldRule(field="description", kind="text"),
        FieldRule(field="price", kind="decimal", min_value=Decimal(0)),
        FieldRule(field="cost", kind="decimal", min_value=Decimal(0)),
        FieldRule(field="weight", kind="decimal", min_value=Decimal(0)),
        FieldRule(field="sku", kind="single_line"),
        FieldRule(field="category", kind="single_line"),
        FieldRule(field="brand", kind="single_line"),
        FieldRule(field="image_url", kind="url"),
    ]
)

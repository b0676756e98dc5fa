"""What is wrong with a value, in a shape the sync log and the API can store as JSON.

Transforms, value maps and validators raise `InvalidValueError` for one value; whoever processes a
whole record collects them as `FieldIssue`s so that a rejected record lists every reason.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue

# A value echoed back in an issue is for a human to recognise, not a full copy of the input.
_MAX_ECHOED_TEXT = 200
_MAX_ECHOED_ITEMS = 20


class IssueCode(StrEnum):
    REQUIRED = "required"
    WRONG_TYPE = "wrong_type"
    INVALID_NUMBER = "invalid_number"
    TOO_PRECISE = "too_precise"
    OUT_OF_RANGE = "out_of_range"
    INVALID_BOOLEAN = "invalid_boolean"
    INVALID_DATE = "invalid_date"
    INVALID_DATETIME = "invalid_datetime"
    NONEXISTENT_LOCAL_TIME = "nonexistent_local_time"
    AMBIGUOUS_LOCAL_TIME = "ambiguous_local_time"
    UNKNOWN_SELECTION_VALUE = "unknown_selection_value"
    UNMAPPED_VALUE = "unmapped_value"
    NOT_FOUND_IN_ODOO = "not_found_in_odoo"
    ARCHIVED_IN_ODOO = "archived_in_odoo"  # found only among archived (inactive) records
    AMBIGUOUS_MATCH = "ambiguous_match"
    INVALID_COUNTRY = "invalid_country"
    INVALID_STATE = "invalid_state"
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    INVALID_VAT = "invalid_vat"
    VAT_NOT_CHECKED = "vat_not_checked"
    INVALID_ZIP = "invalid_zip"
    INVALID_BARCODE = "invalid_barcode"
    INVALID_URL = "invalid_url"
    TOO_LONG = "too_long"
    NOT_AN_OBJECT = "not_an_object"
    CONFIGURATION = "configuration"  # the mapping or its context cannot handle this value


class FieldIssue(BaseModel):
    """One reason a record was rejected (or, as a warning, flagged)."""

    model_config = ConfigDict(frozen=True)

    field: str
    code: str
    message: str
    value: JsonValue = None


class InvalidValueError(ValueError):
    """One value cannot be used; `issue(field)` turns it into a storable `FieldIssue`."""

    def __init__(self, code: IssueCode, message: str, value: object = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.value = value

    def issue(self, field: str) -> FieldIssue:
        return FieldIssue(field=field, code=self.code.value, message=self.message, value=echo(self.value))


def echo(value: object) -> JsonValue:
    """A JSON-safe, bounded copy of `value` to show in an issue."""
    return _echo(value, depth=0)


def _echo(value: object, depth: int) -> JsonValue:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, Decimal | dt.date | dt.datetime | dt.time):
        value = str(value)
    elif not isinstance(value, str):
        return _echo_container(value, depth)
    return value if len(value) <= _MAX_ECHOED_TEXT else value[:_MAX_ECHOED_TEXT] + "…"


def _echo_container(value: object, depth: int) -> JsonValue:
    if depth < 2 and isinstance(value, Mapping):
        items = list(value.items())[:_MAX_ECHOED_ITEMS]
        return {str(key): _echo(item, depth + 1) for key, item in items}
    if depth < 2 and isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [_echo(item, depth + 1) for item in list(value)[:_MAX_ECHOED_ITEMS]]
    return _echo(repr(value), depth)


def describe_value(value: Any) -> str:
    """The value as it appears in a message: quoted text, bare numbers."""
    shown = echo(value)
    return repr(shown) if isinstance(shown, str) else str(shown)

"""Odoo's value conventions: naive-UTC datetimes, False for empty, many2one as [id, name].

Odoo returns datetimes as naive UTC 'YYYY-MM-DD HH:MM:SS' and accepts on write only that form
or 'YYYY-MM-DD'; 'T', 'Z', offsets and microseconds are rejected (captured on 17 and 19).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"


def format_datetime(value: datetime) -> str:
    """A datetime as Odoo writes it: UTC, naive, whole seconds. Naive input is taken as UTC."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).strftime(DATETIME_FORMAT)


def format_date(value: date) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date() if value.tzinfo is not None else value.date()
    return value.strftime(DATE_FORMAT)


def parse_datetime(value: object) -> datetime | None:
    """An Odoo datetime string (seconds, or microseconds as webhooks send) as an aware UTC datetime."""
    if value is False or value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not an Odoo datetime: {value!r}")
    for fmt in (DATETIME_FORMAT, DATETIME_FORMAT + ".%f", DATE_FORMAT):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"not an Odoo datetime: {value!r}")


def parse_date(value: object) -> date | None:
    if value is False or value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not an Odoo date: {value!r}")
    try:
        return datetime.strptime(value[:10], DATE_FORMAT).date()
    except ValueError as exc:
        raise ValueError(f"not an Odoo date: {value!r}") from exc


def none_if_false(value: Any) -> Any:
    """Odoo's empty value (False) as None. Do not use on boolean fields."""
    return None if value is False else value


def false_if_none(value: Any) -> Any:
    """None as Odoo's empty value for a write."""
    return False if value is None else value


def normalize_record(record: Mapping[str, Any], field_types: Mapping[str, str]) -> dict[str, Any]:
    """A read record with False turned into None except for boolean fields.

    `field_types` maps field name to Odoo type (from fields_get); unknown fields are left as they are.
    """
    normalized: dict[str, Any] = {}
    for name, value in record.items():
        kind = field_types.get(name)
        if kind is not None and kind != "boolean" and value is False:
            normalized[name] = [] if kind in ("one2many", "many2many") else None
        else:
            normalized[name] = value
    return normalized


def many2one_id(value: Any) -> int | None:
    """The id of a many2one value: [id, name], a bare id (load=''), or False."""
    if value is False or value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a many2one value: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple) and value and isinstance(value[0], int):
        return value[0]
    raise ValueError(f"not a many2one value: {value!r}")


def many2one_name(value: Any) -> str | None:
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[1], str):
        return value[1]
    return None


def x2many_ids(value: Any) -> list[int]:
    if value is False or value is None:
        return []
    if isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return list(value)
    raise ValueError(f"not an x2many value: {value!r}")

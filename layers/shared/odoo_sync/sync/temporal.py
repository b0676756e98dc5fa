"""Dates and datetimes between the tenant's time zone and Odoo's naive UTC.

Odoo reads and writes datetimes as naive UTC text 'YYYY-MM-DD HH:MM:SS' whatever the context's
tz, and refuses 'T', 'Z', offsets and microseconds on write; dates are 'YYYY-MM-DD'. The tenant
side may send ISO 8601 with an offset or Z (an instant) or without (a wall-clock time in the
tenant's zone). A wall-clock time that does not exist (spring-forward gap) is rejected; one that
happens twice (fall-back) takes the earlier occurrence unless the spec says otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from odoo_sync.sync.issues import InvalidValueError, IssueCode, describe_value
from odoo_sync.sync.transform_core import UTC, TransformContext, TransformSpec, register_transform

ODOO_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ODOO_DATE_FORMAT = "%Y-%m-%d"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$"
)
# Webhook bodies carry microseconds ("2026-11-22 15:57:01.587528"); reads do not.
_ODOO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$")

Ambiguous = Literal["earlier", "later", "reject"]


def parse_local_datetime(value: object) -> dt.datetime:
    """A datetime from a datetime object or ISO 8601 text; naive if no offset was given."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATETIME.match(text):
            try:
                return dt.datetime.fromisoformat(text)
            except ValueError:
                pass  # a well-shaped but impossible value such as 2026-02-30 falls through
        elif _ISO_DATE.match(text):
            return dt.datetime.combine(parse_local_date(text), dt.time())
    raise InvalidValueError(
        IssueCode.INVALID_DATETIME,
        f"{describe_value(value)} is not an ISO 8601 datetime (e.g. 2026-01-31T10:00:00+01:00)",
        value,
    )


def parse_local_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        raise InvalidValueError(
            IssueCode.INVALID_DATE, f"{value.isoformat()} is a datetime, not a date", str(value)
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidValueError(
        IssueCode.INVALID_DATE, f"{describe_value(value)} is not a date YYYY-MM-DD", value
    )


def attach_zone(naive: dt.datetime, zone: ZoneInfo, ambiguous: Ambiguous = "earlier") -> dt.datetime:
    """`naive` as a wall-clock time in `zone`; refuses times skipped by a DST change."""
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        # Either the hour happens twice (fall back) or not at all (spring forward): a time that
        # exists survives the round trip through UTC unchanged.
        if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
            raise InvalidValueError(
                IssueCode.NONEXISTENT_LOCAL_TIME,
                f"{naive.isoformat()} does not exist in {zone.key} (clocks moved forward)",
                naive.isoformat(),
            )
        if ambiguous == "reject":
            raise InvalidValueError(
                IssueCode.AMBIGUOUS_LOCAL_TIME,
                f"{naive.isoformat()} happens twice in {zone.key}; give an offset",
                naive.isoformat(),
            )
        return later if ambiguous == "later" else earlier
    return earlier


def to_odoo_datetime(value: object, zone: ZoneInfo, ambiguous: Ambiguous = "earlier") -> str:
    moment = parse_local_datetime(value)
    if moment.tzinfo is None:
        moment = attach_zone(moment, zone, ambiguous)
    try:
        utc = moment.astimezone(UTC)
    except OverflowError as exc:
        raise InvalidValueError(
            IssueCode.INVALID_DATETIME, f"{moment.isoformat()} is out of range", str(value)
        ) from exc
    # isoformat keeps a four-digit year where strftime('%Y') may not.
    return utc.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")


def parse_odoo_datetime(value: object) -> dt.datetime:
    """Odoo's naive UTC text as an aware UTC datetime (microseconds dropped)."""
    if isinstance(value, str) and _ODOO_DATETIME.match(value):
        try:
            return dt.datetime.strptime(value[:19], ODOO_DATETIME_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            pass
    raise InvalidValueError(
        IssueCode.INVALID_DATETIME,
        f"Odoo sent {describe_value(value)}, expected 'YYYY-MM-DD HH:MM:SS'",
        value,
    )


def from_odoo_datetime(value: object, zone: ZoneInfo) -> dt.datetime:
    try:
        return parse_odoo_datetime(value).astimezone(zone)
    except OverflowError as exc:
        raise InvalidValueError(
            IssueCode.INVALID_DATETIME, f"{value} is out of range in {zone.key}", value
        ) from exc


def to_odoo_date(value: object, zone: ZoneInfo) -> str:
    """A date, or an instant taken as the calendar day it is in the tenant's zone."""
    if isinstance(value, str) and not _ISO_DATE.match(value.strip()):
        moment = parse_local_datetime(value)
        return _day_in_zone(moment, zone)
    if isinstance(value, dt.datetime):
        return _day_in_zone(value, zone)
    return parse_local_date(value).isoformat()


def _day_in_zone(moment: dt.datetime, zone: ZoneInfo) -> str:
    if moment.tzinfo is None:
        return moment.date().isoformat()
    try:
        return moment.astimezone(zone).date().isoformat()
    except OverflowError as exc:
        raise InvalidValueError(
            IssueCode.INVALID_DATE, f"{moment.isoformat()} is out of range", str(moment)
        ) from exc


def from_odoo_date(value: object) -> dt.date:
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidValueError(
        IssueCode.INVALID_DATE, f"Odoo sent {describe_value(value)}, expected 'YYYY-MM-DD'", value
    )


class DatetimeSpec(TransformSpec):
    """Tenant datetimes (ISO 8601; naive ones in the tenant's zone) to Odoo's naive UTC, second
    precision; back as ISO 8601 with the tenant zone's offset (or a datetime object)."""

    name: Literal["datetime"] = "datetime"
    odoo_types: ClassVar[frozenset[str]] = frozenset({"datetime"})
    ambiguous: Ambiguous = "earlier"
    output: Literal["iso", "datetime"] = "iso"

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return to_odoo_datetime(value, ctx.tenant_tz, self.ambiguous)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        moment = from_odoo_datetime(value, ctx.tenant_tz)
        return moment.isoformat() if self.output == "iso" else moment


class DateSpec(TransformSpec):
    """Dates 'YYYY-MM-DD' both ways; an ISO datetime with an offset becomes its day in the tenant's zone."""

    name: Literal["date"] = "date"
    odoo_types: ClassVar[frozenset[str]] = frozenset({"date"})
    output: Literal["iso", "date"] = "iso"

    def _to_odoo(self, value: Any, ctx: TransformContext) -> Any:
        return to_odoo_date(value, ctx.tenant_tz)

    def _from_odoo(self, value: Any, ctx: TransformContext) -> Any:
        day = from_odoo_date(value)
        return day.isoformat() if self.output == "iso" else day


for _spec in (DatetimeSpec, DateSpec):
    register_transform(_spec.model_fields["name"].default, _spec.model_validate)

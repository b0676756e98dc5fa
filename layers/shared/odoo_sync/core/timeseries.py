"""Sync statistics over time: hourly counters summed into hours or days, gaps filled with zeros.

Pure: the counters come in as plain items (hour start, counter name -> number), the answer goes
out as points a chart can draw without guessing (every bucket present, oldest first).

Days are the days of a time zone (UTC unless asked): a day starts at the zone's midnight, so it
lasts 23 or 25 hours when the clocks change. The counters are kept per UTC hour, so in a zone
whose offset is not whole hours (India's +05:30) an hour counts in the day in which it starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo_sync.errors import InvalidInputError

COUNTERS = ("total_syncs", "successful_syncs", "failed_syncs", "duration_ms_total")
ENTITY_SEPARATOR = "#"


class Granularity(StrEnum):
    HOUR = "hour"
    DAY = "day"


STEP = {Granularity.HOUR: timedelta(hours=1), Granularity.DAY: timedelta(days=1)}
DEFAULT_SPAN = {Granularity.HOUR: timedelta(hours=24), Granularity.DAY: timedelta(days=30)}
MAX_BUCKETS = {Granularity.HOUR: 24 * 31, Granularity.DAY: 366}


def time_zone(name: str | None) -> tzinfo:
    """The IANA time zone named (`Europe/Brussels`); UTC when none is named."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInputError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Brussels", field="tz"
        ) from exc


@dataclass(frozen=True)
class SeriesWindow:
    """The buckets asked for: `first` and `last` are bucket starts, both included."""

    granularity: Granularity
    first: datetime
    last: datetime
    zone: tzinfo = UTC

    @classmethod
    def of(
        cls,
        granularity: Granularity,
        since: datetime | None,
        until: datetime | None,
        now: datetime,
        zone: tzinfo = UTC,
    ) -> SeriesWindow:
        end = until or now
        start = since or end - DEFAULT_SPAN[granularity] + STEP[granularity]
        if start > end:
            raise InvalidInputError("since must not be after until", field="since")
        first, last = bucket_start(start, granularity, zone), bucket_start(end, granularity, zone)
        window = cls(granularity, first, last, zone)
        if len(window.starts()) > MAX_BUCKETS[granularity]:
            raise InvalidInputError(
                f"at most {MAX_BUCKETS[granularity]} {granularity.value}s at a time; narrow since/until",
                field="since",
            )
        return window

    @property
    def last_hour(self) -> datetime:
        """The last hour whose counters belong in the window."""
        return self.after(self.last) - timedelta(hours=1)

    @property
    def end(self) -> datetime:
        """The end of the last bucket."""
        return self.after(self.last)

    def after(self, start: datetime) -> datetime:
        """The start of the bucket after the one starting at `start`."""
        if self.granularity is Granularity.HOUR:
            return start + STEP[Granularity.HOUR]
        local = start.astimezone(self.zone)
        return _midnight(local.date() + timedelta(days=1), self.zone)

    def starts(self) -> list[datetime]:
        starts = [self.first]
        while starts[-1] < self.last and len(starts) <= MAX_BUCKETS[self.granularity]:
            starts.append(self.after(starts[-1]))
        return starts


def bucket_start(moment: datetime, granularity: Granularity, zone: tzinfo = UTC) -> datetime:
    if granularity is Granularity.HOUR:
        return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return _midnight(moment.astimezone(zone).date(), zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The first moment of `day` in `zone`, in UTC (where the clocks skip midnight itself, the
    moment they jump to)."""
    local = datetime(day.year, day.month, day.day, tzinfo=zone)
    return local.astimezone(UTC)


def series(
    window: SeriesWindow, hours: Iterable[tuple[datetime, Mapping[str, int]]], entity: str | None
) -> dict[str, Any]:
    """`hours` are (hour start, counters) pairs; counters hold the overall names and, per entity,
    `<entity>#<name>`. With `entity`, the points are that entity's; without, overall, each with a
    `per_entity` split."""
    sums: dict[datetime, dict[str, int]] = {start: {} for start in window.starts()}
    for hour, counters in hours:
        bucket = sums.get(bucket_start(hour, window.granularity, window.zone))
        if bucket is None:
            continue
        for name, value in counters.items():
            bucket[name] = bucket.get(name, 0) + value
    points = [_point(start, counters, entity) for start, counters in sums.items()]
    return {
        "granularity": window.granularity.value,
        "since": _iso(window.first),
        "until": _iso(window.end),
        "tz": str(window.zone),
        "entity": entity,
        "points": points,
    }


def _point(start: datetime, counters: Mapping[str, int], entity: str | None) -> dict[str, Any]:
    prefix = f"{entity}{ENTITY_SEPARATOR}" if entity else ""
    point = {"start": _iso(start), **_view({name: counters.get(prefix + name, 0) for name in COUNTERS})}
    if entity is None:
        per_entity: dict[str, dict[str, int]] = {}
        for name, value in counters.items():
            owner, separator, counter = name.partition(ENTITY_SEPARATOR)
            if separator and counter in COUNTERS:
                per_entity.setdefault(owner, {})[counter] = value
        point["per_entity"] = {
            owner: _view({name: values.get(name, 0) for name in COUNTERS})
            for owner, values in sorted(per_entity.items())
        }
    return point


def _view(counters: Mapping[str, int]) -> dict[str, Any]:
    total = counters["total_syncs"]
    return {
        "total_syncs": total,
        "successful_syncs": counters["successful_syncs"],
        "failed_syncs": counters["failed_syncs"],
        "success_rate": round(counters["successful_syncs"] / total, 4) if total else None,
        "avg_duration_ms": round(counters["duration_ms_total"] / total, 1) if total else None,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

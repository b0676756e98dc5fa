"""Sync statistics over time: hourly counters summed into hours or days, gaps filled with zeros.

Pure: the counters come in as plain items (hour start, counter name -> number), the answer goes
out as points a chart can draw without guessing (every bucket present, oldest first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from odoo_sync.errors import InvalidInputError

COUNTERS = ("total_syncs", "successful_syncs", "failed_syncs", "duration_ms_total")
ENTITY_SEPARATOR = "#"


class Granularity(StrEnum):
    HOUR = "hour"
    DAY = "day"


STEP = {Granularity.HOUR: timedelta(hours=1), Granularity.DAY: timedelta(days=1)}
DEFAULT_SPAN = {Granularity.HOUR: timedelta(hours=24), Granularity.DAY: timedelta(days=30)}
MAX_BUCKETS = {Granularity.HOUR: 24 * 31, Granularity.DAY: 366}


@dataclass(frozen=True)
class SeriesWindow:
    """The buckets asked for: `first` and `last` are bucket starts, both included."""

    granularity: Granularity
    first: datetime
    last: datetime

    @classmethod
    def of(
        cls, granularity: Granularity, since: datetime | None, until: datetime | None, now: datetime
    ) -> SeriesWindow:
        end = until or now
        start = since or end - DEFAULT_SPAN[granularity] + STEP[granularity]
        if start > end:
            raise InvalidInputError("since must not be after until", field="since")
        first, last = bucket_start(start, granularity), bucket_start(end, granularity)
        buckets = (last - first) // STEP[granularity] + 1
        if buckets > MAX_BUCKETS[granularity]:
            raise InvalidInputError(
                f"at most {MAX_BUCKETS[granularity]} {granularity.value}s at a time; narrow since/until",
                field="since",
            )
        return cls(granularity, first, last)

    @property
    def last_hour(self) -> datetime:
        """The last hour whose counters belong in the window."""
        return self.last + STEP[self.granularity] - timedelta(hours=1)

    def starts(self) -> list[datetime]:
        step = STEP[self.granularity]
        count = (self.last - self.first) // step + 1
        return [self.first + step * n for n in range(count)]


def bucket_start(moment: datetime, granularity: Granularity) -> datetime:
    at = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0) if granularity is Granularity.DAY else at


def series(
    window: SeriesWindow, hours: Iterable[tuple[datetime, Mapping[str, int]]], entity: str | None
) -> dict[str, Any]:
    """`hours` are (hour start, counters) pairs; counters hold the overall names and, per entity,
    `<entity>#<name>`. With `entity`, the points are that entity's; without, overall, each with a
    `per_entity` split."""
    sums: dict[datetime, dict[str, int]] = {start: {} for start in window.starts()}
    for hour, counters in hours:
        bucket = sums.get(bucket_start(hour, window.granularity))
        if bucket is None:
            continue
        for name, value in counters.items():
            bucket[name] = bucket.get(name, 0) + value
    points = [_point(start, counters, entity) for start, counters in sums.items()]
    return {
        "granularity": window.granularity.value,
        "since": _iso(window.first),
        "until": _iso(window.last + STEP[window.granularity]),
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

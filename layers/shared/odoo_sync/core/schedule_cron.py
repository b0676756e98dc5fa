"""Cron expressions and time zones of schedules: validation and the next run, computed with croniter.

A schedule's cron is read in its own time zone (so "0 9 * * *" in Europe/Berlin is 09:00 there,
summer and winter) and its runs are stored in UTC. Wall-clock times that a DST change makes
ambiguous or skips are settled the way `zoneinfo` reads them (fold=0):
- a time repeated when clocks go back runs once, at its first occurrence, unless the schedule
  runs every hour (hour field `*`): then it keeps running through the repeated hour;
- a time skipped when clocks go forward runs at the same instant as the time just after the gap
  (02:30 on a night that jumps from 02:00 to 03:00 runs at 03:30), so a daily run is never lost.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

CRON_FIELDS = 5
# Jenkins-style hashed (H) and random (R) fields pick a different minute each time they are read,
# so the next run could never be computed twice alike.
_UNSTABLE_FIELD = re.compile(r"(?<![A-Za-z])[HhRr](?![A-Za-z])")
_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")
_MAX_ZONE_NAME = 64
_REFERENCE = datetime(2001, 1, 1)  # any moment: a valid expression matches within a few years of it


def check_cron_expression(expression: str) -> str:
    """The expression, normalised (single spaces); ValueError saying what is wrong with it."""
    fields = expression.split()
    if len(fields) != CRON_FIELDS:
        raise ValueError(
            f"a cron expression has exactly {CRON_FIELDS} fields (minute hour day-of-month month "
            f"day-of-week), this one has {len(fields)}"
        )
    normalised = " ".join(fields)
    if _UNSTABLE_FIELD.search(normalised):
        raise ValueError("hashed (H) and random (R) cron fields are not supported")
    if not croniter.is_valid(normalised):
        raise ValueError(f"{normalised!r} is not a valid cron expression")
    try:
        _next_wall_time(normalised, _REFERENCE)
    except CroniterError as exc:
        raise ValueError(f"{normalised!r} never matches a date") from exc
    return normalised


def check_timezone(name: str) -> str:
    """An IANA time zone name (Europe/Berlin, UTC); ValueError when there is no such zone."""
    if len(name) > _MAX_ZONE_NAME or not _ZONE_NAME.match(name):
        raise ValueError(f"{name[:_MAX_ZONE_NAME]!r} is not an IANA time zone name such as Europe/Berlin")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


def next_run_after(expression: str, timezone: str, after: datetime) -> datetime:
    """The first slot of the expression strictly after `after`, in UTC (whole minutes)."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    every_hour = expression.split()[1] == "*"
    wall = _next_wall_time(expression, local.replace(tzinfo=None, fold=0))
    # Already in the repeated hour's second pass: its wall times mean their second occurrence.
    second_pass = every_hour and local.fold == 1 and _is_repeated(wall, zone)
    moment = _instant(wall, zone, fold=1 if second_pass else 0)
    if every_hour and _offset(moment, zone) < _offset(after, zone):
        # Clocks go back before the next slot: an hourly-or-more-often schedule runs through the
        # repeated hour's second pass too, as every instant of it matches the expression.
        repeat_starts = _offset_change(after, moment, zone)
        start_wall = repeat_starts.astimezone(zone).replace(tzinfo=None, fold=0)
        first_repeated = _next_wall_time(expression, start_wall - timedelta(seconds=1))
        if _is_repeated(first_repeated, zone):
            moment = min(moment, _instant(first_repeated, zone, fold=1))
    return moment


def _instant(wall: datetime, zone: ZoneInfo, *, fold: int) -> datetime:
    return wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)


def _is_repeated(wall: datetime, zone: ZoneInfo) -> bool:
    """A wall time that happens twice (clocks went back over it)."""
    return _instant(wall, zone, fold=0) != _instant(wall, zone, fold=1) and all(
        _instant(wall, zone, fold=fold).astimezone(zone).replace(tzinfo=None, fold=0) == wall
        for fold in (0, 1)
    )


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _offset_change(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first second after `before` whose UTC offset is that of `after` (by bisection)."""
    low, high = before, after
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if _offset(middle, zone) == _offset(before, zone):
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def _next_wall_time(expression: str, wall: datetime) -> datetime:
    found = croniter(expression, wall).get_next(datetime)
    if not isinstance(found, datetime):  # croniter is untyped: keep its answer honest
        raise TypeError(f"croniter answered {type(found).__name__}, not a datetime")
    return found

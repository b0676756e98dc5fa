"""EventBridge schedule expressions: rate(...) and the six-field cron(...), to the minute."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_CRON = re.compile(r"cron\((.+)\)")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_MONTHS = {
    name: index
    for index, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199))


class ScheduleError(ValueError):
    """Not a schedule expression EventBridge (or this local player) accepts."""


@dataclass(frozen=True)
class RateSchedule:
    minutes: int

    def is_due(self, moment: datetime, since: datetime) -> bool:
        """Due every `minutes` after `since` (when the rule started), never at `since` itself."""
        elapsed = int((_minute(moment) - _minute(since)).total_seconds() // 60)
        return elapsed > 0 and elapsed % self.minutes == 0


@dataclass(frozen=True)
class CronSchedule:
    expression: str
    minutes: frozenset[int] = field(repr=False)
    hours: frozenset[int] = field(repr=False)
    days_of_month: str = field(repr=False)
    months: frozenset[int] = field(repr=False)
    days_of_week: str = field(repr=False)
    years: frozenset[int] = field(repr=False)

    def is_due(self, moment: datetime, since: datetime) -> bool:
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and moment.year in self.years
            and _day_of_month_matches(self.days_of_month, moment)
            and _day_of_week_matches(self.days_of_week, moment)
        )


Schedule = RateSchedule | CronSchedule


def parse_schedule(expression: str) -> Schedule:
    expression = expression.strip()
    rate = _RATE.fullmatch(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if value < 1:
            raise ScheduleError(f"{expression}: a rate must be at least 1")
        return RateSchedule(value * _UNIT_MINUTES[unit])
    cron = _CRON.fullmatch(expression)
    if not cron:
        raise ScheduleError(f"{expression!r} is neither rate(...) nor cron(...)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(
            f"{expression}: cron needs six fields (minutes hours day-of-month month day-of-week year)"
        )
    minute, hour, dom, month, dow, year = (spec.upper() for spec in fields)
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(f"{expression}: exactly one of day-of-month and day-of-week must be '?'")
    if dom != "?":
        _validate_day_field(dom, 2, expression)
    if dow != "?":
        _validate_day_field(dow, 4, expression)
    return CronSchedule(
        expression=expression,
        minutes=_values(minute, 0, expression),
        hours=_values(hour, 1, expression),
        days_of_month=dom,
        months=_values(month, 3, expression),
        days_of_week=dow,
        years=_values(year, 5, expression),
    )


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _values(spec: str, position: int, expression: str) -> frozenset[int]:
    low, high = _BOUNDS[position]
    names = _MONTHS if position == 3 else _DAYS if position == 4 else {}
    values: set[int] = set()
    for part in spec.split(","):
        span, _, step_text = part.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if span == "*":
                first, last = low, high
            elif "-" in span:
                start, end = span.split("-", 1)
                first, last = _number(start, names), _number(end, names)
            else:
                first = _number(span, names)
                last = high if step_text else first
        except ValueError as exc:
            raise ScheduleError(f"{expression}: cannot read {spec!r}") from exc
        if not low <= first <= high or not low <= last <= high or step < 1:
            raise ScheduleError(f"{expression}: {spec!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _number(text: str, names: dict[str, int]) -> int:
    return names[text] if text in names else int(text)


def _validate_day_field(spec: str, position: int, expression: str) -> None:
    if position == 2:
        if spec == "L":
            return
        if "W" in spec or "L" in spec:
            raise ScheduleError(f"{expression}: {spec!r} is not supported locally")
    elif re.fullmatch(r"[1-7A-Z]{1,3}(L|#[1-5])", spec):
        _values(re.split(r"L$|#", spec)[0], 4, expression)
        return
    _values(spec, position, expression)


def _day_of_month_matches(spec: str, moment: datetime) -> bool:
    if spec == "?":
        return True
    if spec == "L":
        return moment.day == calendar.monthrange(moment.year, moment.month)[1]
    return moment.day in _values(spec, 2, spec)


def _day_of_week_matches(spec: str, moment: datetime) -> bool:
    if spec == "?":
        return True
    weekday = (moment.weekday() + 1) % 7 + 1  # EventBridge counts SUN=1 .. SAT=7
    if spec.endswith("L"):
        return weekday == _number(spec[:-1], _DAYS) and (moment + timedelta(days=7)).month != moment.month
    if "#" in spec:
        day, nth = spec.split("#")
        return weekday == _number(day, _DAYS) and (moment.day - 1) // 7 + 1 == int(nth)
    return weekday in _values(spec, 4, spec)

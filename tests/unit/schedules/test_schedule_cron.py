"""Cron expressions and time zones of schedules: validation, and next runs across DST changes."""

from datetime import UTC, datetime

import pytest

from odoo_sync.core.schedule_cron import check_cron_expression, check_timezone, next_run_after


def runs(expression, timezone, start, count):
    moments, moment = [], start
    for _ in range(count):
        moment = next_run_after(expression, timezone, moment)
        moments.append(moment)
    return moments


def at(*parts):
    return datetime(*parts).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "expression", ["* * * * *", "*/15 8-18 * * MON-FRI", "0 0 L * *", "30 2 1,15 JAN,JUL *", "0 9 * * 1#2"]
)
def test_five_field_expressions_are_accepted(expression):
    assert check_cron_expression(expression) == expression


def test_extra_spaces_are_normalised():
    assert check_cron_expression("  0   9 * *  * ") == "0 9 * * *"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 9 * * * *", "exactly 5 fields"),
        ("0 9 * *", "exactly 5 fields"),
        ("@daily", "exactly 5 fields"),
        ("61 9 * * *", "not a valid cron expression"),
        ("0 25 * * *", "not a valid cron expression"),
        ("0 9 * FOO *", "not a valid cron expression"),
        ("H 9 * * *", "not supported"),
        ("R 9 * * *", "not supported"),
        ("0 0 30 2 *", "never matches"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expression, message):
    with pytest.raises(ValueError, match=message):
        check_cron_expression(expression)


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_iana_time_zones_are_accepted(name):
    assert check_timezone(name) == name


@pytest.mark.parametrize(
    "name", ["Mars/Olympus", "Europe/Berlin ", "../../etc/passwd", "", "x" * 80, "+02:00"]
)
def test_unknown_time_zones_are_refused(name):
    with pytest.raises(ValueError, match="time zone"):
        check_timezone(name)


def test_next_run_is_strictly_after_and_on_the_minute():
    assert next_run_after("*/5 * * * *", "UTC", at(2026, 1, 1, 10, 5)) == at(2026, 1, 1, 10, 10)
    assert next_run_after("*/5 * * * *", "UTC", at(2026, 1, 1, 10, 4, 59)) == at(2026, 1, 1, 10, 5)


def test_wall_time_is_kept_in_the_schedules_zone_across_dst():
    # 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC from the last Sunday of March.
    assert runs("0 9 * * *", "Europe/Berlin", at(2026, 3, 27, 12), 3) == [
        at(2026, 3, 28, 8),
        at(2026, 3, 29, 7),
        at(2026, 3, 30, 7),
    ]
    # 09:00 in New York: 14:00 UTC once clocks went back on 1 November.
    assert runs("0 9 * * *", "America/New_York", at(2026, 10, 31, 0), 2) == [
        at(2026, 10, 31, 13),
        at(2026, 11, 1, 14),
    ]


def test_a_time_skipped_by_spring_forward_still_runs_that_day():
    # 02:30 does not exist in Berlin on 29 March 2026: it runs at 03:30 CEST (01:30 UTC).
    assert runs("30 2 * * *", "Europe/Berlin", at(2026, 3, 28, 0), 3) == [
        at(2026, 3, 28, 1, 30),
        at(2026, 3, 29, 1, 30),
        at(2026, 3, 30, 0, 30),
    ]


def test_a_daily_time_repeated_by_fall_back_runs_once():
    # 02:30 happens twice in Berlin on 25 October 2026: the first (CEST, 00:30 UTC) runs only.
    assert runs("30 2 * * *", "Europe/Berlin", at(2026, 10, 24, 0), 3) == [
        at(2026, 10, 24, 0, 30),
        at(2026, 10, 25, 0, 30),
        at(2026, 10, 26, 1, 30),
    ]


def test_an_every_few_minutes_schedule_keeps_its_pace_through_the_repeated_hour():
    moments = runs("*/20 * * * *", "Europe/Berlin", at(2026, 10, 24, 23, 50), 9)

    assert moments == [at(2026, 10, 25, hour, minute) for hour in (0, 1, 2) for minute in (0, 20, 40)]


def test_an_every_few_minutes_schedule_has_no_hole_at_spring_forward():
    moments = runs("*/30 * * * *", "Europe/Berlin", at(2026, 3, 29, 0), 4)

    assert moments == [at(2026, 3, 29, 0, 30), at(2026, 3, 29, 1), at(2026, 3, 29, 1, 30), at(2026, 3, 29, 2)]

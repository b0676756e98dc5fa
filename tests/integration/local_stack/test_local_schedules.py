"""EventBridge schedule expressions as the ticker reads them."""

from datetime import UTC, datetime, timedelta

import pytest

from local_stack.schedules import CronSchedule, RateSchedule, ScheduleError, parse_schedule

SINCE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


def due_minutes(expression, start, minutes):
    schedule = parse_schedule(expression)
    moments = [start + timedelta(minutes=n) for n in range(minutes)]
    return [m for m in moments if schedule.is_due(m, SINCE)]


@pytest.mark.parametrize(
    ("expression", "minutes"),
    [("rate(1 minute)", 1), ("rate(15 minutes)", 15), ("rate(2 hours)", 120), ("rate(1 day)", 1440)],
)
def test_rate_is_read_in_minutes(expression, minutes):
    assert parse_schedule(expression) == RateSchedule(minutes)


def test_rate_fires_every_period_after_the_start_not_at_it():
    due = due_minutes("rate(5 minutes)", SINCE, 16)

    assert [m.minute for m in due] == [5, 10, 15]


def test_cron_with_lists_ranges_and_steps():
    due = due_minutes("cron(0/20 8-9 ? * MON-FRI *)", SINCE, 180)

    assert [(m.hour, m.minute) for m in due] == [(8, 0), (8, 20), (8, 40), (9, 0), (9, 20), (9, 40)]


def test_cron_day_of_week_counts_sunday_as_one():
    sunday = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    schedule = parse_schedule("cron(0 12 ? * 1 *)")

    assert schedule.is_due(sunday, SINCE)
    assert not schedule.is_due(sunday + timedelta(days=1), SINCE)


def test_cron_last_day_of_month_and_nth_weekday():
    last_day = parse_schedule("cron(0 0 L * ? *)")
    second_tuesday = parse_schedule("cron(0 0 ? * TUE#2 *)")
    last_friday = parse_schedule("cron(0 0 ? * 6L *)")

    assert last_day.is_due(datetime(2026, 2, 28, tzinfo=UTC), SINCE)
    assert not last_day.is_due(datetime(2026, 3, 28, tzinfo=UTC), SINCE)
    assert second_tuesday.is_due(datetime(2026, 3, 10, tzinfo=UTC), SINCE)
    assert not second_tuesday.is_due(datetime(2026, 3, 3, tzinfo=UTC), SINCE)
    assert last_friday.is_due(datetime(2026, 3, 27, tzinfo=UTC), SINCE)
    assert not last_friday.is_due(datetime(2026, 3, 20, tzinfo=UTC), SINCE)


def test_cron_year_field_limits_the_years():
    schedule = parse_schedule("cron(0 0 1 JAN ? 2027)")

    assert isinstance(schedule, CronSchedule)
    assert schedule.is_due(datetime(2027, 1, 1, tzinfo=UTC), SINCE)
    assert not schedule.is_due(datetime(2026, 1, 1, tzinfo=UTC), SINCE)


@pytest.mark.parametrize(
    "expression",
    [
        "every 5 minutes",
        "rate(0 minutes)",
        "rate(5 weeks)",
        "cron(0 12 * * *)",  # five fields: EventBridge needs the year
        "cron(0 12 * * * *)",  # neither day field is '?'
        "cron(0 12 ? * ? *)",  # both are
        "cron(61 12 * * ? *)",
        "cron(0 12 15W * ? *)",  # nearest weekday: not played locally
        "cron(0 12 * FOO ? *)",
    ],
)
def test_bad_expressions_are_refused(expression):
    with pytest.raises(ScheduleError):
        parse_schedule(expression)

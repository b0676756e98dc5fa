"""Dates and datetimes: tenant time zone <-> Odoo's naive UTC, DST edges, bad values."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.transform_core import OdooFieldInfo, TransformContext, tenant_timezone
from odoo_sync.sync.transforms import convert, parse_transform_spec


def datetime_ctx(tz: str) -> TransformContext:
    return TransformContext(
        field="when", target=OdooFieldInfo(name="date_order", type="datetime"), tenant_tz=ZoneInfo(tz)
    )


@pytest.mark.parametrize(
    ("given_value", "sent"),
    [
        ("2026-01-31T10:00:00+02:00", "2026-01-31 08:00:00"),
        ("2026-01-31T10:00:00Z", "2026-01-31 10:00:00"),
        ("2026-01-31 10:00:00.987654Z", "2026-01-31 10:00:00"),
        ("2026-01-31T10:00:00", "2026-01-31 09:00:00"),  # naive: Brussels winter time, UTC+1
        ("2026-07-01T10:00", "2026-07-01 08:00:00"),  # summer time, UTC+2
        ("2026-01-31", "2026-01-30 23:00:00"),  # a date alone is local midnight
        (dt.datetime(2026, 1, 31, 10, tzinfo=dt.UTC), "2026-01-31 10:00:00"),
    ],
)
def test_tenant_datetimes_become_odoo_naive_utc(given_value, sent):
    spec = parse_transform_spec("datetime")
    assert spec.to_odoo(given_value, datetime_ctx("Europe/Brussels")) == sent


def test_odoo_datetimes_come_back_in_the_tenant_zone():
    spec = parse_transform_spec("datetime")
    assert (
        spec.from_odoo("2026-01-31 08:00:00", datetime_ctx("Europe/Brussels")) == "2026-01-31T09:00:00+01:00"
    )
    assert (
        spec.from_odoo("2026-07-01 08:00:00", datetime_ctx("America/New_York")) == "2026-07-01T04:00:00-04:00"
    )


def test_webhook_microseconds_are_dropped():
    spec = parse_transform_spec("datetime", {"output": "datetime"})
    back = spec.from_odoo("2026-11-22 15:57:01.587528", datetime_ctx("UTC"))
    assert back == dt.datetime(2026, 11, 22, 15, 57, 1, tzinfo=ZoneInfo("UTC"))


def test_a_time_skipped_by_spring_forward_is_refused():
    spec = parse_transform_spec("datetime")
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo("2026-03-29T02:30:00", datetime_ctx("Europe/Brussels"))
    assert caught.value.code is IssueCode.NONEXISTENT_LOCAL_TIME
    assert "Europe/Brussels" in caught.value.message


def test_a_time_repeated_by_fall_back_takes_the_earlier_one_by_default():
    ctx = datetime_ctx("Europe/Brussels")
    assert parse_transform_spec("datetime").to_odoo("2026-10-25T02:30:00", ctx) == "2026-10-25 00:30:00"
    later = parse_transform_spec("datetime", {"ambiguous": "later"})
    assert later.to_odoo("2026-10-25T02:30:00", ctx) == "2026-10-25 01:30:00"
    strict = parse_transform_spec("datetime", {"ambiguous": "reject"})
    with pytest.raises(InvalidValueError) as caught:
        strict.to_odoo("2026-10-25T02:30:00", ctx)
    assert caught.value.code is IssueCode.AMBIGUOUS_LOCAL_TIME
    # An offset removes the ambiguity even in strict mode.
    assert strict.to_odoo("2026-10-25T02:30:00+01:00", ctx) == "2026-10-25 01:30:00"


def test_times_on_either_side_of_a_dst_change_are_an_hour_apart_in_utc():
    ctx = datetime_ctx("America/New_York")
    spec = parse_transform_spec("datetime")
    assert spec.to_odoo("2026-03-08T01:59:59", ctx) == "2026-03-08 06:59:59"
    assert spec.to_odoo("2026-03-08T03:00:00", ctx) == "2026-03-08 07:00:00"


@pytest.mark.parametrize(
    "bad",
    [
        "31/01/2026",
        "2026-02-30T10:00:00",
        "2026-01-31T25:00:00",
        "yesterday",
        1769853600,
        True,
        "2026-W05-1",
        "",
    ],
)
def test_bad_datetimes_are_named(bad):
    spec = parse_transform_spec("datetime")
    if bad == "":
        assert spec.to_odoo(bad, datetime_ctx("UTC")) is False
        return
    with pytest.raises(InvalidValueError) as caught:
        spec.to_odoo(bad, datetime_ctx("UTC"))
    assert caught.value.code is IssueCode.INVALID_DATETIME
    assert caught.value.value is bad


@pytest.mark.parametrize("bad", ["2026-01-31T10:00:00", "2026-01-31 10:00", "2026-1-31 10:00:00", 5, ["x"]])
def test_odoo_datetimes_in_another_shape_are_reported(bad):
    with pytest.raises(InvalidValueError) as caught:
        parse_transform_spec("datetime").from_odoo(bad, datetime_ctx("UTC"))
    assert caught.value.code is IssueCode.INVALID_DATETIME


def test_empty_datetime_is_false_and_false_is_none():
    spec = parse_transform_spec("datetime")
    assert spec.to_odoo(None, datetime_ctx("UTC")) is False
    assert spec.from_odoo(False, datetime_ctx("UTC")) is None


def date_ctx(tz: str = "UTC") -> TransformContext:
    return TransformContext(
        field="day", target=OdooFieldInfo(name="validity_date", type="date"), tenant_tz=ZoneInfo(tz)
    )


@pytest.mark.parametrize(
    ("given_value", "sent"),
    [
        ("2026-02-28", "2026-02-28"),
        (dt.date(2026, 2, 28), "2026-02-28"),
        ("2026-02-28T23:30:00Z", "2026-03-01"),  # already the next day in Brussels
        ("2026-02-28T10:00:00", "2026-02-28"),
    ],
)
def test_dates_to_odoo(given_value, sent):
    assert parse_transform_spec("date").to_odoo(given_value, date_ctx("Europe/Brussels")) == sent


def test_dates_from_odoo():
    assert parse_transform_spec("date").from_odoo("2026-12-22", date_ctx()) == "2026-12-22"
    assert parse_transform_spec("date", {"output": "date"}).from_odoo("2026-12-22", date_ctx()) == dt.date(
        2026, 12, 22
    )
    assert parse_transform_spec("date").from_odoo(False, date_ctx()) is None


@pytest.mark.parametrize("bad", ["31/01/2026", "2026-02-30", "2026-13-01", 20260131])
def test_bad_dates_are_named(bad):
    with pytest.raises(InvalidValueError) as caught:
        parse_transform_spec("date").to_odoo(bad, date_ctx())
    assert caught.value.value is bad


def test_unknown_tenant_time_zone_is_a_clear_error():
    with pytest.raises(InvalidValueError) as caught:
        tenant_timezone("Mars/Olympus")
    assert "Mars/Olympus" in caught.value.message
    assert tenant_timezone("Europe/Brussels").key == "Europe/Brussels"


ZONES = [
    "UTC",
    "Europe/Brussels",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]


@given(
    st.datetimes(
        min_value=dt.datetime(1971, 1, 1),
        max_value=dt.datetime(2099, 12, 31),
        timezones=st.sampled_from([ZoneInfo(zone) for zone in ZONES]),
    ),
    st.sampled_from(ZONES),
)
def test_an_instant_round_trips_through_odoo_in_any_zone(moment, tenant_zone):
    # Through its ISO text with offset, as a tenant sends it (this also pins the instant of
    # generated wall-clock times that fall in a DST gap).
    sent_text = moment.replace(microsecond=0).isoformat()
    ctx = datetime_ctx(tenant_zone)
    spec = parse_transform_spec("datetime", {"output": "datetime"})
    back = spec.from_odoo(spec.to_odoo(sent_text, ctx), ctx)
    # Compared in UTC: Python never equates a repeated (fold) wall time across zones.
    assert back.astimezone(dt.UTC) == dt.datetime.fromisoformat(sent_text).astimezone(dt.UTC)
    assert back.tzinfo == ZoneInfo(tenant_zone)


@given(
    st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 12, 31)),
    st.sampled_from(ZONES),
)
def test_a_wall_clock_time_comes_back_as_the_same_wall_clock_time(naive, tenant_zone):
    naive = naive.replace(microsecond=0)
    ctx = datetime_ctx(tenant_zone)
    spec = parse_transform_spec("datetime", {"output": "datetime"})
    sent = convert(spec, "to_odoo", naive.isoformat(), ctx)
    if sent.issue is not None:  # only a wall time skipped by a DST change may be refused
        assert sent.issue.code == IssueCode.NONEXISTENT_LOCAL_TIME.value
        return
    assert spec.from_odoo(sent.value, ctx).replace(tzinfo=None) == naive

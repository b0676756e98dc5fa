"""Odoo value helpers and connection settings validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from odoo_sync.odoo import OdooConnectionSettings
from odoo_sync.odoo.values import (
    false_if_none,
    format_date,
    format_datetime,
    many2one_id,
    many2one_name,
    none_if_false,
    normalize_record,
    parse_date,
    parse_datetime,
    x2many_ids,
)


def test_datetimes_are_written_as_naive_utc_whole_seconds() -> None:
    brussels = timezone(timedelta(hours=2))
    assert format_datetime(datetime(2026, 1, 31, 12, 0, 0, 123456, tzinfo=brussels)) == "2026-01-31 10:00:00"
    assert format_datetime(datetime(2026, 1, 31, 10, 0, 0)) == "2026-01-31 10:00:00"
    assert format_date(date(2026, 2, 28)) == "2026-02-28"
    assert format_date(datetime(2026, 2, 28, 23, 30, tzinfo=timezone(timedelta(hours=-2)))) == "2026-03-01"


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)))
def test_datetime_round_trip_drops_only_microseconds(moment: datetime) -> None:
    assert parse_datetime(format_datetime(moment)) == moment.replace(microsecond=0)


def test_parse_accepts_what_odoo_sends() -> None:
    assert parse_datetime("2026-11-22 15:44:29") == datetime(2026, 11, 22, 15, 44, 29, tzinfo=UTC)
    assert parse_datetime("2026-11-22 15:57:01.587528") == datetime(
        2026, 11, 22, 15, 57, 1, 587528, tzinfo=UTC
    )
    assert parse_datetime(False) is None
    assert parse_date("2026-12-22") == date(2026, 12, 22)
    assert parse_date(False) is None


@pytest.mark.parametrize("bad", ["31/01/2026", "2026-01-31T10:00:00Z", 12, True])
def test_parse_refuses_other_forms(bad: object) -> None:
    with pytest.raises(ValueError, match="not an Odoo"):
        parse_datetime(bad)


def test_empty_values_and_relations() -> None:
    assert none_if_false(False) is None
    assert none_if_false(0) == 0
    assert false_if_none(None) is False
    assert many2one_id([233, "United States"]) == 233
    assert many2one_id(20) == 20
    assert many2one_id(False) is None
    assert many2one_name([233, "United States"]) == "United States"
    assert x2many_ids([1, 2]) == [1, 2]
    assert x2many_ids(False) == []
    with pytest.raises(ValueError, match="many2one"):
        many2one_id("x")
    with pytest.raises(ValueError, match="x2many"):
        x2many_ids([[6, 0, [1]]])


def test_normalize_record_keeps_boolean_false() -> None:
    record = {"id": 1, "email": False, "active": False, "category_id": False, "parent_id": False}
    types = {"email": "char", "active": "boolean", "category_id": "many2many", "parent_id": "many2one"}
    assert normalize_record(record, types) == {
        "id": 1,
        "email": None,
        "active": False,
        "category_id": [],
        "parent_id": None,
    }


def test_settings_normalise_the_url_and_hide_the_secret() -> None:
    settings = OdooConnectionSettings(
        base_url="https://acme.odoo.com/", database="acme", secret="s3cr3t-value", port=443
    )
    assert settings.root_url == "https://acme.odoo.com"  # the default port is implied
    assert "s3cr3t-value" not in repr(settings)
    assert "s3cr3t-value" not in settings.model_dump_json()
    prefixed = OdooConnectionSettings(base_url="http://h:8069/odoo/", database="d", secret="k")
    assert prefixed.root_url == "http://h:8069/odoo"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"base_url": "ftp://acme.odoo.com"}, "http"),
        ({"base_url": "https://user:pw@acme.odoo.com"}, "credentials"),
        ({"base_url": "https://acme.odoo.com/?db=x"}, "query"),
        ({"base_url": "https://acme.odoo.com:8069", "port": 443}, "contradicts"),
        ({"port": 70000}, "65535"),
        ({"database": ""}, "at least 1"),
        ({"secret": ""}, "empty"),
        ({"read_timeout_s": 0}, "greater than 0"),
        ({"protocol": "soap"}, "json2"),
        ({"unknown": 1}, "Extra inputs"),
    ],
)
def test_settings_refuse_bad_input(overrides: dict[str, object], fragment: str) -> None:
    values: dict[str, object] = {"base_url": "https://acme.odoo.com", "database": "acme", "secret": "k"}
    values.update(overrides)
    with pytest.raises(ValidationError, match=fragment):
        OdooConnectionSettings(**values)


def test_settings_are_frozen() -> None:
    settings = OdooConnectionSettings(base_url="https://acme.odoo.com", database="acme", secret="k")
    with pytest.raises(ValidationError):
        settings.database = "other"  # type: ignore[misc]

"""Statistics over time: hourly counters written with the others, read as hours or days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from local_stack.meter import AwsMeter
from odoo_sync.api.dependencies import stats
from odoo_sync.core.timeseries import Granularity, SeriesWindow, series, time_zone
from odoo_sync.errors import InvalidInputError
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.stats import DynamoStats
from reports_api.handler import lambda_handler as reports_handler
from tests.support.api import call
from tests.support.fakes import outcome

TENANT = "ten_0123456789abcdef"
OTHER = "ten_fedcba9876543210"
NOW = datetime(2024, 5, 2, 12, 30, tzinfo=UTC)


def timeseries(query: str = "", tenant_id: str = TENANT):
    return call(reports_handler, "GET", "/v1/stats/timeseries", query=query, tenant_id=tenant_id)


@pytest.fixture
def recorded(aws) -> None:
    stats().record(TENANT, "product", [outcome("p1", at="2024-05-01T10:05:00Z", duration_ms=30)], 1)
    stats().record(
        TENANT,
        "product",
        [
            outcome("p2", "error", at="2024-05-01T10:50:00Z", duration_ms=10),
            outcome("p3", at="2024-05-01T10:51:00Z"),
        ],
        1,
    )
    stats().record(TENANT, "customer", [outcome("c1", at="2024-05-01T12:00:00Z", duration_ms=20)], 1)
    stats().record(OTHER, "product", [outcome("x", at="2024-05-01T10:00:00Z")], 1)


# -- writing -----------------------------------------------------------------------------------------


def test_a_count_outside_a_batch_costs_one_more_request_whatever_its_size(aws):
    store = DynamoStats(table(aws.tables["OperationsTable"]))

    with AwsMeter() as meter:
        store.record(
            TENANT, "product", [outcome(f"p{n}", at="2024-05-01T10:00:00Z") for n in range(100)], 100
        )

    # the entity's counters and the hour's: the tenant's totals are summed when read
    assert meter.reading().by_operation("dynamodb") == {"UpdateItem": 2}


def test_a_batch_chunks_count_carries_the_hour_in_its_own_transaction(aws):
    store = DynamoStats(table(aws.tables["OperationsTable"]))

    items = store.updates(TENANT, "product", [outcome("p1", at="2024-05-01T10:59:59Z")], 1)

    keys = [item["Update"]["Key"]["sk"] for item in items]
    assert keys == ["STATS#ENTITY#product", "SERIES#2024-05-01T10"]
    assert len(items) <= store.items_per_update


def test_nothing_recorded_writes_no_hour(aws):
    with AwsMeter() as meter:
        DynamoStats(table(aws.tables["OperationsTable"])).record(TENANT, "product", [], 0)

    assert meter.reading().by_operation("dynamodb") == {}


# -- GET /v1/stats/timeseries ------------------------------------------------------------------------


def test_hours_hold_counts_success_rate_and_mean_duration(recorded):
    answer = timeseries("since=2024-05-01T10:00:00Z&until=2024-05-01T12:59:00Z")

    assert answer.status == 200, answer.body
    points = answer.body["points"]
    assert [p["start"] for p in points] == [
        "2024-05-01T10:00:00Z",
        "2024-05-01T11:00:00Z",
        "2024-05-01T12:00:00Z",
    ]
    ten, eleven, noon = points
    assert (ten["total_syncs"], ten["successful_syncs"], ten["failed_syncs"]) == (3, 2, 1)
    assert ten["success_rate"] == 0.6667
    assert ten["avg_duration_ms"] == round((30 + 10 + 10) / 3, 1)
    assert ten["per_entity"]["product"]["total_syncs"] == 3
    assert (eleven["total_syncs"], eleven["success_rate"], eleven["avg_duration_ms"]) == (0, None, None)
    assert noon["per_entity"] == {
        "customer": {
            "total_syncs": 1,
            "successful_syncs": 1,
            "failed_syncs": 0,
            "success_rate": 1.0,
            "avg_duration_ms": 20.0,
        }
    }


def test_days_sum_their_hours(recorded):
    answer = timeseries("granularity=day&since=2024-04-30T00:00:00Z&until=2024-05-01T23:00:00Z")

    assert [(p["start"], p["total_syncs"]) for p in answer.body["points"]] == [
        ("2024-04-30T00:00:00Z", 0),
        ("2024-05-01T00:00:00Z", 4),
    ]
    assert answer.body["until"] == "2024-05-02T00:00:00Z"


def test_days_of_a_time_zone_start_at_its_midnight(recorded):
    # Auckland is 12 hours ahead in May: 12:00 UTC on May 1 is midnight of May 2 there.
    answer = timeseries(
        "granularity=day&tz=Pacific/Auckland&since=2024-04-30T12:00:00Z&until=2024-05-01T12:00:00Z"
    )

    assert [(p["start"], p["total_syncs"]) for p in answer.body["points"]] == [
        ("2024-04-30T12:00:00Z", 3),
        ("2024-05-01T12:00:00Z", 1),
    ]
    assert (answer.body["tz"], answer.body["until"]) == ("Pacific/Auckland", "2024-05-02T12:00:00Z")


def test_utc_days_unless_a_zone_is_named(recorded):
    answer = timeseries("granularity=day&since=2024-05-01T00:00:00Z&until=2024-05-01T00:00:00Z")

    assert answer.body["tz"] == "UTC"
    assert [p["total_syncs"] for p in answer.body["points"]] == [4]


def test_one_entity_alone(recorded):
    answer = timeseries(
        "granularity=day&since=2024-05-01T00:00:00Z&until=2024-05-01T23:00:00Z&entity=customer"
    )

    (point,) = answer.body["points"]
    assert (point["total_syncs"], point["avg_duration_ms"]) == (1, 20.0)
    assert "per_entity" not in point
    assert answer.body["entity"] == "customer"


def test_timeseries_never_mix_tenants(recorded):
    answer = timeseries("since=2024-05-01T10:00:00Z&until=2024-05-01T10:00:00Z", tenant_id=OTHER)

    assert answer.body["points"][0]["total_syncs"] == 1


def test_defaults_to_the_last_24_hours(aws):
    answer = timeseries()

    assert answer.status == 200
    assert len(answer.body["points"]) == 24
    assert all(p["total_syncs"] == 0 for p in answer.body["points"])


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("granularity=week", 422, "granularity"),
        ("entity=BAD", 422, "entity"),
        ("since=yesterday", 422, "since"),
        ("until=2024-05-01T10:00:00", 422, "until"),
        ("since=2024-05-02T00:00:00Z&until=2024-05-01T00:00:00Z", 400, "since"),
        ("since=2024-01-01T00:00:00Z&until=2024-03-01T00:00:00Z", 400, "since"),
        ("granularity=day&since=2020-01-01T00:00:00Z&until=2024-01-01T00:00:00Z", 400, "since"),
        ("granularity=day&tz=Mars/Olympus_Mons", 400, "tz"),
        ("granularity=day&tz=../../etc/passwd", 400, "tz"),
        ("granularity=day&tz=" + "A" * 65, 422, "tz"),
    ],
)
def test_timeseries_bad_input(aws, query, status, field):
    answer = timeseries(query)

    assert (answer.status, answer.body["field"]) == (status, field), answer.body


# -- the pure core -----------------------------------------------------------------------------------


def test_window_defaults_end_now_and_fill_every_bucket():
    window = SeriesWindow.of(Granularity.DAY, None, None, NOW)

    starts = window.starts()
    assert len(starts) == 30
    assert starts[-1] == datetime(2024, 5, 2, tzinfo=UTC)
    assert window.last_hour == datetime(2024, 5, 2, 23, tzinfo=UTC)


def test_the_day_the_clocks_go_back_lasts_25_hours():
    brussels = time_zone("Europe/Brussels")
    window = SeriesWindow.of(
        Granularity.DAY,
        datetime(2024, 10, 26, 12, tzinfo=UTC),
        datetime(2024, 10, 28, 12, tzinfo=UTC),
        NOW,
        brussels,
    )
    late_on_the_27th = datetime(2024, 10, 27, 22, tzinfo=UTC)  # 23:00 in Brussels, winter time

    answer = series(window, [(late_on_the_27th, {"total_syncs": 2})], None)

    assert [(p["start"], p["total_syncs"]) for p in answer["points"]] == [
        ("2024-10-25T22:00:00Z", 0),
        ("2024-10-26T22:00:00Z", 2),
        ("2024-10-27T23:00:00Z", 0),
    ]
    assert window.after(window.starts()[1]) - window.starts()[1] == timedelta(hours=25)
    assert answer["until"] == "2024-10-28T23:00:00Z"


def test_an_unknown_time_zone_names_tz():
    with pytest.raises(InvalidInputError) as raised:
        time_zone("Europe/Atlantis")

    assert raised.value.field == "tz"


def test_hours_outside_the_window_are_ignored():
    window = SeriesWindow.of(Granularity.HOUR, NOW, NOW, NOW)

    answer = series(window, [(datetime(2024, 5, 1, 1, tzinfo=UTC), {"total_syncs": 5})], None)

    assert [p["total_syncs"] for p in answer["points"]] == [0]


def test_a_window_too_long_names_since():
    with pytest.raises(InvalidInputError) as raised:
        SeriesWindow.of(Granularity.HOUR, datetime(2024, 1, 1, tzinfo=UTC), NOW, NOW)

    assert raised.value.field == "since"

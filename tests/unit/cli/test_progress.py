"""Counts, rate and time left from a batch's status, and following a batch to its end."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_sync_cli.progress import RateEstimator, failed_records, follow_batch, format_eta, format_rate


def test_no_rate_and_no_eta_before_any_progress() -> None:
    estimator = RateEstimator()

    first = estimator.add(0.0, 0, 1000)
    second = estimator.add(5.0, 0, 1000)

    assert (first.rate, first.eta_s) == (None, None)
    assert (second.rate, second.eta_s) == (None, None)


def test_rate_from_the_counts_seen_and_eta_for_what_is_left() -> None:
    estimator = RateEstimator()
    estimator.add(0.0, 0, 1000)
    estimator.add(2.0, 100, 1000)

    estimate = estimator.add(4.0, 200, 1000)

    assert estimate.rate == pytest.approx(50.0)
    assert estimate.eta_s == pytest.approx(16.0)  # 800 left at 50 a second


def test_the_rate_follows_the_last_minute_not_the_whole_run() -> None:
    estimator = RateEstimator(window_s=60)
    estimator.add(0.0, 0, 10_000)
    estimator.add(60.0, 60, 10_000)  # 1 a second for a minute
    estimator.add(120.0, 660, 10_000)  # then 10 a second

    estimate = estimator.add(180.0, 1260, 10_000)

    assert estimate.rate == pytest.approx(10.0)


def test_nothing_left_is_no_time_left_and_a_growing_total_is_followed() -> None:
    estimator = RateEstimator()
    estimator.add(0.0, 0, 100)
    assert estimator.add(10.0, 100, 100).eta_s == 0.0
    assert estimator.add(20.0, 150, 300).eta_s == pytest.approx(150 / 7.5)


@pytest.mark.parametrize(
    ("seconds", "shown"), [(None, "--"), (0, "0s"), (59.4, "59s"), (65, "1m 05s"), (3 * 3600 + 120, "3h 02m")]
)
def test_eta_is_shown_for_people(seconds, shown) -> None:
    assert format_eta(seconds) == shown


def test_rate_is_shown_for_people() -> None:
    assert (format_rate(None), format_rate(1234.56)) == ("-- rec/s", "1,234.6 rec/s")


class FakeApi:
    """Answers a batch's status from a script, one step per poll, and its failed records."""

    def __init__(self, steps: list[dict[str, Any]], failures: list[dict[str, Any]] | None = None) -> None:
        self.steps = steps
        self.failures = failures or []
        self.polls = 0

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        assert path == "/v1/batches/bat_1"
        step = self.steps[min(self.polls, len(self.steps) - 1)]
        self.polls += 1
        base = {"batch_id": "bat_1", "entity": "customer", "status": "running", "selecting": False}
        return {**base, "pending": step["total"] - step["succeeded"] - step["failed"], **step}

    def pages(self, path: str, params: dict[str, Any] | None = None, limit: int | None = None) -> Any:
        assert (path, params and params["status"]) == ("/v1/logs", "error")
        yield from self.failures


def test_following_a_batch_polls_until_it_is_finished_and_never_after() -> None:
    api = FakeApi(
        [
            {"total": 10, "succeeded": 0, "failed": 0, "status": "queued"},
            {"total": 10, "succeeded": 4, "failed": 1},
            {"total": 10, "succeeded": 9, "failed": 1, "status": "completed_with_errors"},
        ]
    )
    sleeps: list[float] = []
    clock = iter(range(100))

    batch = follow_batch(
        api,  # type: ignore[arg-type]
        "bat_1",
        interval_s=0.5,
        console=None,
        clock=lambda: float(next(clock)),
        sleep=sleeps.append,
    )

    assert (batch.status, batch.succeeded, batch.failed) == ("completed_with_errors", 9, 1)
    assert (api.polls, sleeps) == (3, [0.5, 0.5])


def test_a_batch_still_selecting_is_not_finished() -> None:
    api = FakeApi(
        [
            {"total": 5, "succeeded": 5, "failed": 0, "status": "completed", "selecting": True},
            {"total": 8, "succeeded": 8, "failed": 0, "status": "completed"},
        ]
    )

    batch = follow_batch(api, "bat_1", interval_s=0.1, console=None, sleep=lambda _: None)  # type: ignore[arg-type]

    assert (api.polls, batch.total) == (2, 8)


def test_failed_records_are_each_records_latest_attempt() -> None:
    entry = {"entity": "customer", "sync_status": "error", "started_at": "t", "batch_id": "bat_1"}
    api = FakeApi(
        [],
        failures=[
            {**entry, "id": "3", "local_id": "C-2", "error_message": "email: not an e-mail address"},
            {**entry, "id": "2", "local_id": "C-1", "error_message": "latest"},
            {**entry, "id": "1", "local_id": "C-1", "error_message": "older attempt"},
        ],
    )

    failures = failed_records(api, "bat_1")  # type: ignore[arg-type]

    assert [(f.local_id, f.error_message) for f in failures] == [
        ("C-2", "email: not an e-mail address"),
        ("C-1", "latest"),
    ]

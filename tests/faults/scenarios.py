"""The fault scenarios, shared by the fault tests and benchmarks/faults.py.

Each one sets the simulator's knobs (or patches a step of the worker) and drains the queue; the
caller then checks that N records in made exactly N Odoo records, none twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from odoo_sync.api import dependencies
from sync_worker import handler as worker
from tests.faults.rig import FaultRig

Scenario = Callable[[FaultRig, list[str], pytest.MonkeyPatch], None]


def baseline(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    rig.drain()


def latency_spikes(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    rig.sim.knobs.latency_ms = 5
    rig.sim.knobs.hang(3, 0.3)  # slow answers, inside the 1 s read timeout
    rig.drain()


def five_percent_errors(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    rig.sim.knobs.error_rate = 0.05  # seeded: the same calls fail on every run
    rig.drain()


def rate_limit_storm(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    rig.sim.knobs.rate_limit(12, retry_after_s=2)
    rig.drain()


def hang_past_the_timeout(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    rig.sim.knobs.hang(1, 1.5)  # the connection's read timeout is 1 s
    rig.drain()


def commit_then_drop(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    rig.sim.knobs.drop_after_commit(2)
    rig.drain()


def delivered_twice(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    rig.drain(twice=True)


def killed_mid_chunk(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    """The worker dies after Odoo committed part of a chunk and before its bookkeeping finished."""
    store = dependencies.record_store()
    original = type(store).update_links
    kills = [2]

    def dying(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kills[0] > 0:
            kills[0] -= 1
            raise RuntimeError("Lambda runtime killed (simulated)")
        return original(self, *args, **kwargs)

    patch.setattr(type(store), "update_links", dying)
    rig.drain()


def failing_until_retried(rig: FaultRig, ids: list[str], patch: pytest.MonkeyPatch) -> None:
    """Odoo refuses every call for an hour; the chunks are given up, the batch ends failed, and
    then it is retried."""
    rig.sim.knobs.fail_next(10_000, "server")

    def an_hour_on_after_the_first_failures(record: dict[str, Any]) -> None:
        if int(record["attributes"]["ApproximateReceiveCount"]) >= 2:  # failed once already
            rig.an_hour_later(patch)

    rig.drain(before_delivery=an_hour_on_after_the_first_failures)
    rig.sim.knobs.reset()
    patch.setattr(worker, "clock", time.time)
    rig.retry(rig.last_batch)
    rig.drain()


SCENARIOS: dict[str, Scenario] = {
    "baseline": baseline,
    "latency spikes": latency_spikes,
    "5 % errors": five_percent_errors,
    "429 storm (Retry-After)": rate_limit_storm,
    "hang past the timeout": hang_past_the_timeout,
    "commit, then drop": commit_then_drop,
    "message delivered twice": delivered_twice,
    "worker killed mid-chunk": killed_mid_chunk,
    "failing until retried": failing_until_retried,
}

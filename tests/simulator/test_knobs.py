"""Fault injection: latency, transient errors, 429, hangs, answers lost after commit, counters."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from odoo_simulator import OdooSimulator

from .conftest import Rpc


@pytest.fixture
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", seed_partners=3, seed_products=1) as simulator:
        yield simulator


def test_rate_limit_answers_429_with_retry_after_then_recovers(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    sim.knobs.rate_limit(2, retry_after_s=3)
    first = rpc.json2("res.partner", "search_count", {"domain": []})
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "3"
    assert rpc.json2("res.partner", "search_count", {"domain": []}).status_code == 429
    assert rpc.json2("res.partner", "search_count", {"domain": []}).status_code == 200
    assert sim.calls[("res.partner", "search_count")] == 1


def test_fail_next_and_error_rate_answer_503_before_executing(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    sim.knobs.fail_next(1)
    assert rpc.json2("res.partner", "create", {"vals_list": {"name": "never"}}).status_code == 503
    assert sim.records("res.partner", [("name", "=", "never")]) == []
    sim.knobs.fail_next(1, "server")
    assert rpc.json2("res.partner", "search_count", {"domain": []}).status_code == 500
    sim.knobs.error_rate = 1.0
    assert rpc.json2("res.partner", "search_count", {"domain": []}).status_code == 503
    sim.knobs.reset()
    assert rpc.json2("res.partner", "search_count", {"domain": []}).status_code == 200


def test_hang_trips_a_client_timeout_and_does_not_block_stop(sim: OdooSimulator) -> None:
    sim.knobs.hang(1, seconds=30)
    with pytest.raises(httpx.ReadTimeout):
        Rpc(sim).json2("res.partner", "search_count", {"domain": []}, timeout=0.3)
    stopped = threading.Event()

    def stop() -> None:
        sim.stop()
        stopped.set()

    threading.Thread(target=stop, daemon=True).start()
    assert stopped.wait(10)


def test_drop_after_commit_loses_the_answer_but_keeps_the_write(sim: OdooSimulator) -> None:
    sim.knobs.drop_after_commit(1)
    with pytest.raises(httpx.TransportError):
        Rpc(sim).json2("res.partner", "create", {"vals_list": {"name": "Committed"}})
    assert len(sim.records("res.partner", [("name", "=", "Committed")])) == 1
    # Reads are not dropped: the knob waits for the next mutating call.
    sim.knobs.drop_after_commit(1)
    assert Rpc(sim).json2("res.partner", "search_count", {"domain": []}).status_code == 200


def test_call_counter_counts_executed_calls(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    sim.reset_calls()
    rpc.xml("res.partner", "search", [[]])
    rpc.json2("res.partner", "search", {"domain": []})
    assert sim.calls[("res.partner", "search")] == 2
    assert sim.total_calls == 2
    sim.reset_calls()
    assert sim.total_calls == 0


def test_latency_is_applied_per_call(sim: OdooSimulator) -> None:
    sim.knobs.latency_ms = 50
    response = Rpc(sim).json2("res.partner", "search_count", {"domain": []})
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.05

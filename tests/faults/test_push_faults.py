"""The push path end to end under each fault: N records in, exactly N Odoo records out, none twice,
the batch complete, every failure that reached a record logged (and retryable).

Engine-level failures (bisection, lost answers, reconciliation) are in
tests/integration/push/test_push_engine_failures.py and the worker's delivery bookkeeping with a
scripted push in tests/unit/bulk/test_sync_worker.py; here the real pieces run together.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from tests.faults.rig import open_rig
from tests.faults.scenarios import SCENARIOS

RECORDS = 30
_tenants = itertools.count(1)


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=5, seed_products=5) as simulator:
        yield simulator


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_n_records_in_make_exactly_n_odoo_records(
    aws: Any, sim: OdooSimulator, monkeypatch, caplog, name: str
) -> None:
    caplog.set_level(logging.WARNING)
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    sim.knobs.reset()
    rig = open_rig(monkeypatch, sim, aws.queues["SyncQueue"], f"ten_{next(_tenants):016x}")
    ids = rig.seed(RECORDS, f"f{list(SCENARIOS).index(name):02d}")
    calls_before = sum(sim.calls.values())
    batch_id = rig.push(ids)

    try:
        SCENARIOS[name](rig, ids, monkeypatch)
    finally:
        sim.knobs.reset()

    figures = rig.figures(ids, batch_id, calls_before)
    assert figures.duplicates == 0, figures
    assert figures.missing == 0, figures
    assert figures.odoo_records_out == RECORDS, figures
    assert figures.batch_status == "completed", figures
    # Every failed delivery was logged as one the queue brings back, and was brought back.
    will_return = [r for r in caplog.records if "SQS will deliver it again" in r.getMessage()]
    assert len(will_return) == len(rig.failed_attempts), (rig.failed_attempts, figures)
    assert figures.redeliveries >= len(rig.failed_attempts) or name == "message delivered twice"
    # Every record that failed was logged as an error, and a later delivery or retry made it.
    failed = {entry.local_id for entry in rig.errors_logged(batch_id)}
    made = {entry.local_id for entry in rig.successes_logged(batch_id)}
    assert failed <= made, failed - made
    assert made == set(ids)


def test_records_that_ended_failed_are_each_logged_and_all_retried(
    aws: Any, sim: OdooSimulator, monkeypatch
) -> None:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    sim.knobs.reset()
    rig = open_rig(monkeypatch, sim, aws.queues["SyncQueue"], f"ten_{next(_tenants):016x}")
    ids = rig.seed(RECORDS, "fretry")
    batch_id = rig.push(ids)

    try:
        SCENARIOS["failing until retried"](rig, ids, monkeypatch)
    finally:
        sim.knobs.reset()

    # Before the retry: every record counted failed and each one logged with its reason.
    assert rig.failed_at_retry == set(ids)
    assert rig.logged_at_retry == set(ids)
    assert all(entry.error_message for entry in rig.errors_logged(batch_id))
    # After it: none failed, all made once.
    figures = rig.figures(ids, batch_id, 0)
    assert figures.batch_status == "completed", figures
    assert (figures.odoo_records_out, figures.duplicates) == (RECORDS, 0)

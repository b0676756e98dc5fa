"""DynamoDB requests per 1,000 records: the budgets of issue 11, counted (local_stack.meter).

Request counts do not depend on the machine's speed, so these are tests, not benchmarks: each
fails if a path goes back to a request (or a few) per record. The real API handlers, the queue and
the worker run in process against moto and the simulator, as in the fault tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from local_stack.meter import AwsMeter, MeterReading
from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.core.pull import DEFAULT_OVERLAP, ImportRequest
from odoo_sync.settings import service_settings
from odoo_sync.sync.model import TriggeredBy
from tests.faults.rig import FaultRig, open_rig
from tests.security.world import expect

RECORDS = 1000
PUSH_BUDGET = 60  # new or changed records, an import, a delta, the records batch upsert
UNCHANGED_BUDGET = 20
_tenants = itertools.count(0xB0)


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=0, seed_products=0) as simulator:
        yield simulator


@pytest.fixture
def rig(aws: Any, sim: OdooSimulator, monkeypatch: pytest.MonkeyPatch) -> FaultRig:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    sim.knobs.reset()
    return open_rig(monkeypatch, sim, aws.queues["SyncQueue"], f"ten_{next(_tenants):016x}", timeout_s=30)


def counted(work: Any) -> MeterReading:
    with AwsMeter() as meter:
        work()
        return meter.reading()


def per_1k(reading: MeterReading) -> float:
    return reading.dynamodb_requests * 1000 / RECORDS


def test_a_records_batch_upsert_of_1000_costs_at_most_60_requests(rig: FaultRig) -> None:
    reading = counted(lambda: rig.seed(RECORDS, "up"))

    assert per_1k(reading) <= PUSH_BUDGET, reading.by_operation("dynamodb")
    assert reading.count("dynamodb", "UpdateItem") == 0  # no write of a record on its own


def test_pushing_1000_new_then_changed_then_unchanged_records_stays_within_budget(rig: FaultRig) -> None:
    ids = rig.seed(RECORDS, "push")

    def push() -> None:  # the tenant's every customer, in chunks of 500 (the default)
        expect(rig.tenant.at("POST", "/v1/bulk-sync", body={"entity": "customer"}), 202)
        rig.drain()

    created = counted(push)
    store = dependencies.record_store()
    changed = [(local_id, {"name": f"Renamed {local_id}"}) for local_id in ids[::10]]
    store.put_many(rig.tenant.tenant_id, "customer", changed)
    updated = counted(push)
    unchanged = counted(push)

    assert per_1k(created) <= PUSH_BUDGET, created.by_operation("dynamodb")
    assert per_1k(updated) <= PUSH_BUDGET, updated.by_operation("dynamodb")
    assert per_1k(unchanged) <= UNCHANGED_BUDGET, unchanged.by_operation("dynamodb")
    assert created.count("dynamodb", "UpdateItem") < 10  # links go 100 to a transaction
    assert len(rig.sim.records("res.partner", [["ref", "like", "push-"]])) == RECORDS


def test_importing_1000_records_stays_within_budget(rig: FaultRig) -> None:
    with rig.sim.open_transaction() as tx:
        partners = [{"name": f"Imported {n}", "ref": f"imp-{n:04d}"} for n in range(RECORDS)]
        tx.create("res.partner", partners)
    request = ImportRequest(entity="customer", odoo_filters=[["ref", "like", "imp-"]])

    def pull() -> None:
        dependencies.pull_service().start_import(rig.tenant.tenant_id, request)
        rig.drain()

    reading = counted(pull)

    assert per_1k(reading) <= PUSH_BUDGET, reading.by_operation("dynamodb")
    assert reading.count("dynamodb", "UpdateItem") < 10


@pytest.fixture
def lone_rig(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultRig]:
    """A rig on a simulator of its own: a delta reads every partner Odoo has."""
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    with OdooSimulator(version="19", port=0, seed_partners=0, seed_products=0) as own:
        yield open_rig(monkeypatch, own, aws.queues["SyncQueue"], f"ten_{next(_tenants):016x}", timeout_s=30)


def test_a_delta_in_which_1000_records_changed_stays_within_budget(lone_rig: FaultRig) -> None:
    rig = lone_rig
    with rig.sim.open_transaction() as tx:
        ids = tx.create(
            "res.partner", [{"name": f"Delta {n}", "ref": f"dlt-{n:04d}"} for n in range(RECORDS)]
        )
    pulls = dependencies.pull_service()

    def delta() -> None:
        pulls.start_delta(
            rig.tenant.tenant_id, None, "customer", full=False, triggered_by=TriggeredBy.SCHEDULE
        )
        rig.drain()

    delta()  # the first delta reads everything and moves the cursor
    rig.sim.clock.advance(2 * DEFAULT_OVERLAP.total_seconds())  # past the window read again
    with rig.sim.open_transaction() as tx:  # one write of all: each call re-applies the open changes
        tx.write("res.partner", ids, {"name": "Changed"})
    reading = counted(delta)

    assert per_1k(reading) <= PUSH_BUDGET, reading.by_operation("dynamodb")
    assert reading.count("dynamodb", "UpdateItem") < 10


def test_a_page_of_50_records_costs_at_most_2_requests_whatever_the_table_holds(rig: FaultRig) -> None:
    rig.seed(2000, "list")

    def page(limit: int) -> MeterReading:
        path = {"entity": "customer"}
        return counted(
            lambda: expect(rig.tenant.at("GET", "/v1/records/{entity}", path, query=f"limit={limit}"), 200)
        )

    fifty, one = page(50), page(1)

    records = service_settings().records_table
    assert fifty.count("dynamodb", "Query") <= 2, fifty.by_operation("dynamodb")
    assert one.read_units.get(records, 0) <= 1  # one item's read, not a megabyte's

"""The simulator's cost model: what each call would cost a real Odoo, and its workers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from odoo_simulator import OdooSimulator
from odoo_simulator.costs import CallFacts, CostModel, Workers, record_count
from tests.simulator.conftest import CAPTURES


class RecordedWaits:
    """Stands in for the simulator's stop event: records the waits a call asks for, sleeps none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return False

    def set(self) -> None:
        return None

    def clear(self) -> None:
        return None


@pytest.fixture(scope="module")
def costly() -> Iterator[OdooSimulator]:
    with OdooSimulator("19", seed_partners=0, seed_products=0, cost_model=CostModel.real("19")) as sim:
        yield sim


def json2(sim: OdooSimulator, model: str, method: str, body: dict[str, object]) -> object:
    answer = httpx.post(
        f"{sim.url}/json/2/{model}/{method}",
        json=body,
        headers={"Authorization": f"bearer {sim.admin_api_key}", "X-Odoo-Database": sim.database},
    )
    answer.raise_for_status()
    return answer.json()


def test_a_product_create_costs_400_ms_and_12_ms_a_record_on_19(costly):
    waits = RecordedWaits()
    costly.stopping = waits
    try:
        json2(costly, "product.template", "create", {"vals_list": [{"name": f"p{n}"} for n in range(100)]})
        json2(costly, "product.template", "search_read", {"domain": [], "fields": ["name"]})
    finally:
        costly.stopping = threading.Event()
    assert waits.waits == [pytest.approx(0.4 + 100 * 0.012), pytest.approx(0.020 + 100 * 0.00005)]


@pytest.mark.parametrize(("version", "per_record_ms"), [("17", 9.0), ("19", 12.0)])
def test_the_model_stays_near_what_real_odoo_took_for_500_products(version, per_record_ms):
    capture = CAPTURES / f"v{version}-product-throughput.json"
    if not capture.exists():  # the captures sit beside the repository, not in it
        pytest.skip(f"captures of real Odoo not found at {CAPTURES}")
    captured = json.loads(capture.read_text())
    row = next(r for r in captured["rows"] if r["operation"] == "product.template create, one call of 500")
    modelled = CostModel.real(version).cost_ms(CallFacts("product.template", "create", 500), "xmlrpc")

    assert modelled == 400 + 500 * per_record_ms
    assert abs(modelled - row["ms_per_call"]) < 0.05 * row["ms_per_call"]


@pytest.mark.parametrize(
    ("transport", "per_record_ms"), [("json2", 0.05), ("jsonrpc", 0.09), ("xmlrpc", 0.18)]
)
def test_reads_cost_by_transport(transport, per_record_ms):
    cost = CostModel.real().cost_ms(CallFacts("res.partner", "search_read", 5000), transport)

    assert cost == pytest.approx(20 + 5000 * per_record_ms)


@pytest.mark.parametrize(
    ("method", "args", "ids", "value", "expected"),
    [
        ("create", [[{}, {}, {}]], None, [1, 2, 3], 3),
        ("create", [{}], None, 7, 1),
        ("write", [[1, 2], {"name": "x"}], None, True, 2),
        ("write", [{"name": "x"}], [1, 2, 3], True, 3),
        ("search_read", [[]], None, [{"id": 1}, {"id": 2}], 2),
        ("fields_get", [], None, {"name": {}}, 0),
    ],
)
def test_a_calls_records_are_its_vals_its_ids_or_its_answer(method, args, ids, value, expected):
    assert record_count(method, args, ids, value) == expected


def test_at_most_the_workers_run_at_once_and_the_others_wait():
    workers = Workers(2)
    inside, most = 0, 0
    lock = threading.Lock()
    release = threading.Event()
    entered = threading.Semaphore(0)

    def call() -> None:
        nonlocal inside, most
        with workers.slot():
            with lock:
                inside += 1
                most = max(most, inside)
            entered.release()
            release.wait(5)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    for _ in range(2):
        assert entered.acquire(timeout=5)
    assert not entered.acquire(timeout=0.2)  # the third waits for a worker
    release.set()
    for thread in threads:
        thread.join(5)
    assert most == 2

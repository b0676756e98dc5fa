"""External id lookups in the simulator on a large ir.model.data: what a sync's match step asks
(search_read by module and a few names), check_object_reference, get_external_id, and the create
of one more external id (its unique (module, name) check), each timed in-process, no HTTP.

    python -m benchmarks.simulator_xmlids --rows 100000 --names 10

The simulator's index on (module, name) and (model, res_id) makes these read only the rows they
name, like PostgreSQL's indexes on ir_model_data; the cost model (costs.py) is not involved.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, cast

from odoo_simulator import OdooSimulator
from odoo_simulator.models.ir import IrModelData

MODULE = "odoo_sync_bench"


def _timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median milliseconds of `repeat` runs, and the last answer."""
    durations: list[float] = []
    answer: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = work()
        durations.append((time.perf_counter() - started) * 1000)
    return sorted(durations)[len(durations) // 2], answer


def run(rows: int, names: int, repeat: int) -> dict[str, float]:
    sim = OdooSimulator(version="19", seed_partners=50, seed_products=5)
    with sim.store.lock:
        env = sim.env()
        partners = sorted(env.store.table("res.partner"))
        # One external id a record, as a sync gives them: the seeded partners' first, then ids of
        # records that are not loaded (ir.model.data does not check res_id).
        res_ids = [*partners, *range(partners[-1] + 1, partners[-1] + 1 + rows)][:rows]
        vals = [
            {"module": MODULE, "name": f"partner-{n}", "model": "res.partner", "res_id": res_id}
            for n, res_id in enumerate(res_ids)
        ]
        sim.store.begin()
        env["ir.model.data"].create(vals)
        sim.store.commit()
        wanted = [f"partner-{n}" for n in range(0, rows, max(1, rows // names))][:names]
        domain = [["module", "=", MODULE], ["model", "=", "res.partner"], ["name", "in", wanted]]
        data = cast(IrModelData, env["ir.model.data"])
        figures: dict[str, float] = {"rows": float(len(env.store.table("ir.model.data")))}
        figures["search_read_ms"], found = _timed(
            lambda: data.search_read(domain, ["name", "res_id"]), repeat
        )
        figures["found"] = float(len(found))
        figures["rows_considered"] = float(len(list(data._candidates(domain))))
        figures["check_object_reference_ms"], _ = _timed(
            lambda: data.check_object_reference(MODULE, wanted[-1]), repeat
        )
        some_partners = env["res.partner"].browse(partners[:names])
        figures["get_external_id_ms"], _ = _timed(some_partners.get_external_id, repeat)

        counter = iter(range(repeat))

        def create_one() -> Any:
            sim.store.begin()
            created = data.create(
                {"module": MODULE, "name": f"extra-{next(counter)}", "model": "res.partner", "res_id": 1}
            )
            sim.store.commit()
            return created

        figures["create_one_ms"], _ = _timed(create_one, repeat)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="external ids in ir.model.data")
    parser.add_argument("--names", type=int, default=10, help="names one lookup asks for")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (the median is shown)")
    args = parser.parse_args()
    figures = run(args.rows, args.names, args.repeat)
    for name, value in figures.items():
        print(f"{name:28} {value:12,.2f}")


if __name__ == "__main__":
    main()

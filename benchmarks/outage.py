"""Recovery at Odoo's speed: Odoo goes away in the middle of a push and comes back; how long until
the batch is done once it answers again.

    python -m benchmarks.outage --records 1500 --down-after-s 6 --outage-s 42

As measured against real Odoo 17 (killed 6 s into a push of 1,500 products, back 42 s later):
the local stack pushes N products into the simulator (real Odoo's costs, odoo_simulator/costs.py);
`down_after_s` into the push the simulator is stopped (its port refuses connections, calls in
flight lose their answers), `outage_s` later it listens again on the same port with everything it
had. The queue's own poller runs as Lambda's would (concurrently, honouring the visibility each
failed chunk was given back with). Printed: Odoo back → batch done, and exactly one Odoo product
per record.
"""

from __future__ import annotations

import argparse
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass

from benchmarks.harness import demo_tenant, local_stack
from benchmarks.push import Bench, products
from odoo_simulator import OdooSimulator
from odoo_simulator.costs import CostModel

WAIT_LIMIT_S = 3600.0


@dataclass
class OutageFigures:
    records: int
    down_after_s: float
    outage_s: float
    back_to_done_s: float  # Odoo answering again -> the batch completed
    total_s: float
    odoo_products: int
    duplicates: int
    batch_status: str

    def summary(self) -> str:
        return (
            f"Odoo back → batch done: {self.back_to_done_s:.1f} s (outage of {self.outage_s:.0f} s, "
            f"{self.records} records, {self.odoo_products} Odoo products, {self.duplicates} duplicates)"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(records: int = 1500, down_after_s: float = 6.0, outage_s: float = 42.0) -> OutageFigures:
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    port, costs = _free_port(), CostModel.real("19")
    sim = OdooSimulator("19", port=port, seed_partners=0, seed_products=0, cost_model=costs)
    sim.start()
    try:
        with local_stack(log_level="ERROR") as stack:
            bench = Bench(stack, sim, demo_tenant(stack, sim))
            catalogue = products("OUTAGE", records)
            bench.upsert(catalogue)
            answer = bench.api.post("/v1/bulk-sync", json={"entity": "product"})
            answer.raise_for_status()
            batch_id = answer.json()["batch_id"]
            started = time.perf_counter()
            stack.poller.start()
            time.sleep(down_after_s)
            sim.stop()  # killed: connections refused, calls in flight lose their answers
            time.sleep(outage_s)
            sim.start()
            back = time.perf_counter()
            status = _wait_for(bench, batch_id)
            done = time.perf_counter()
            stack.poller.stop()
            refs = Counter(  # each record's name is its own (a product's code lives on its variant)
                str(row["name"])
                for row in sim.records("product.template", [["name", "like", "OUTAGE product "]])
            )
    finally:
        sim.stop()
    return OutageFigures(
        records=records,
        down_after_s=down_after_s,
        outage_s=outage_s,
        back_to_done_s=round(done - back, 1),
        total_s=round(done - started, 1),
        odoo_products=sum(refs.values()),
        duplicates=sum(n - 1 for n in refs.values() if n > 1),
        batch_status=status,
    )


def _wait_for(bench: Bench, batch_id: str) -> str:
    deadline = time.perf_counter() + WAIT_LIMIT_S
    finished = threading.Event()
    while not finished.wait(0.5):
        batch = bench.api.get(f"/v1/batches/{batch_id}").json()
        if batch["status"] in ("completed", "completed_with_errors") or time.perf_counter() > deadline:
            return str(batch["status"])
    return "unknown"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.outage", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1500)
    parser.add_argument("--down-after-s", type=float, default=6.0)
    parser.add_argument("--outage-s", type=float, default=42.0)
    args = parser.parse_args(argv)
    figures = run(args.records, args.down_after_s, args.outage_s)
    for name, value in asdict(figures).items():
        print(f"{name:<16}  {value}")
    print(figures.summary(), flush=True)


if __name__ == "__main__":
    main()

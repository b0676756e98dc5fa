"""Import and delta benchmark: N partners from Odoo into the tenant's records through the local stack.

    python -m benchmarks.pull --partners 10000 --latency-ms 20

N partners are written in the simulator (Odoo 19), then the whole pull path runs: `POST /v1/import`
(searches ids, queues pages), the FIFO queue, the worker (one read per page, mapping, records,
links, logs, batch progress in moto). A schedule's first delta run then sets the cursor (no cursor
yet: it reads everything and finds nothing new); the simulator's clock moves past the overlap
window, 1 % of the partners change in Odoo, and a second delta run is timed. Last, the worker's
peak memory is measured in a process of its own on one 5,000-record import page.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks import memory
from local_stack import LocalStack
from local_stack.demo import Demo, OdooTarget, seed
from odoo_simulator import OdooSimulator
from odoo_sync.core.pull import DEFAULT_OVERLAP, MAX_PAGE_SIZE

ROOT = Path(__file__).resolve().parents[1]
ENTITY = "customer"
CREATE_CHUNK = 1_000
CHANGED_SHARE = 100  # one in a hundred: 1 %


@dataclass
class PullFigures:
    partners: int
    latency_ms: float
    page_size: int
    import_s: float
    import_records_per_s: float
    import_calls_per_1k: float
    first_delta_s: float
    first_delta_calls: int
    delta_changed: int
    delta_s: float
    delta_changed_per_s: float
    delta_calls: int
    worker_page_records: int  # 0: not measured in this run
    worker_page_peak_rss_mib: float | None
    worker_rss_before_page_mib: float | None

    def summary(self) -> str:
        return (
            f"import: {self.import_records_per_s:.0f} rec/s, {self.import_calls_per_1k:.1f} calls/1k; "
            f"delta 1 %: {self.delta_s:.1f} s, {self.delta_calls} calls"
        )


class PullBench:
    def __init__(self, stack: LocalStack, sim: OdooSimulator, demo: Demo) -> None:
        self.stack, self.sim, self.demo = stack, sim, demo
        self.api = httpx.Client(
            base_url=demo.api_url, headers={"Authorization": f"Bearer {demo.api_key}"}, timeout=300
        )

    def create_partners(self, prefix: str, count: int) -> list[int]:
        ids: list[int] = []
        for start in range(0, count, CREATE_CHUNK):
            with self.sim.open_transaction() as tx:
                ids += tx.create(
                    "res.partner",
                    [
                        {
                            "name": f"{prefix} partner {n}",
                            "ref": f"{prefix}-{n:06d}",
                            "email": f"{prefix}{n}@example.com",
                        }
                        for n in range(start, min(count, start + CREATE_CHUNK))
                    ],
                )
        return ids

    def start_import(self, prefix: str, page_size: int) -> str:
        answer = self.api.post(
            "/v1/import",
            json={"entity": ENTITY, "odoo_filters": [["ref", "like", f"{prefix}-"]], "batch_size": page_size},
        )
        answer.raise_for_status()
        batch_id: str = answer.json()["batch_id"]
        return batch_id

    def finish(self, batch_id: str, expected: int | None) -> dict[str, Any]:
        self.stack.poller.drain(max_rounds=100_000)
        batch: dict[str, Any] = self.api.get(f"/v1/batches/{batch_id}").json()
        if batch["status"] != "completed" or (expected is not None and batch["succeeded"] != expected):
            raise RuntimeError(f"batch did not complete as expected ({expected} records): {batch}")
        return batch

    def schedule(self, page_size: int) -> str:
        answer = self.api.post(
            "/v1/schedules",
            json={
                "name": "benchmark delta",
                "entity": ENTITY,
                "cron_expression": "0 3 * * *",
                "sync_direction": "from_odoo",
                "sync_type": "incremental",
                "batch_size": page_size,
                "is_enabled": True,  # a disabled schedule cannot be run; 03:00 daily never falls due here
            },
        )
        answer.raise_for_status()
        schedule_id: str = answer.json()["id"]
        return schedule_id

    def run_delta(self, schedule_id: str) -> tuple[float, dict[str, Any] | None]:
        started = time.perf_counter()
        answer = self.api.post(f"/v1/schedules/{schedule_id}/run")
        answer.raise_for_status()
        batch_ids: list[str] = answer.json()["batch_ids"]
        batch = self.finish(batch_ids[0], None) if batch_ids else None
        return time.perf_counter() - started, batch

    def change(self, odoo_ids: list[int]) -> None:
        with self.sim.open_transaction() as tx:
            for odoo_id in odoo_ids:
                tx.write("res.partner", [odoo_id], {"name": f"changed partner {odoo_id}"})

    def worker_memory(self, prefix: str, count: int) -> memory.WorkerMemory:
        """Peak RSS of a fresh worker on one import page of `count` new partners."""
        self.start_import(prefix, count)
        taken = memory.take_queued_messages(self.stack, 1)
        return memory.measure(self.stack, taken[0]["Body"], taken)


def run(partners: int, latency_ms: float, page_size: int, memory_page: int = MAX_PAGE_SIZE) -> PullFigures:
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    with (
        OdooSimulator("19", port=0, seed_partners=0, seed_products=0) as sim,
        LocalStack(
            ROOT / "template.yaml",
            port=0,
            parameter_overrides={"AllowPrivateOdooHosts": "true", "Stage": "local", "LogLevel": "WARNING"},
        ) as stack,
    ):
        demo = seed(stack, OdooTarget(sim.url, sim.database, sim.admin_login, sim.admin_api_key)).demo
        bench = PullBench(stack, sim, demo)
        odoo_ids = bench.create_partners("BENCH", partners)

        sim.knobs.latency_ms = latency_ms
        sim.reset_calls()
        started = time.perf_counter()
        bench.finish(bench.start_import("BENCH", page_size), partners)
        import_s = time.perf_counter() - started
        import_calls = sim.total_calls

        schedule_id = bench.schedule(min(page_size, 500))
        sim.reset_calls()
        first_delta_s, _ = bench.run_delta(schedule_id)
        first_delta_calls = sim.total_calls

        # Later: the import's writes are outside the overlap window the delta re-reads.
        sim.clock.advance(2 * DEFAULT_OVERLAP.total_seconds())
        changed = odoo_ids[::CHANGED_SHARE]
        bench.change(changed)
        sim.reset_calls()
        delta_s, delta_batch = bench.run_delta(schedule_id)
        delta_calls = sim.total_calls
        if delta_batch is None or delta_batch["succeeded"] < len(changed):
            raise RuntimeError(f"the delta did not apply the {len(changed)} changes: {delta_batch}")

        worker = None
        if memory_page:
            sim.knobs.latency_ms = 0
            bench.create_partners("MEM", memory_page)
            sim.knobs.latency_ms = latency_ms
            worker = bench.worker_memory("MEM", memory_page)

    return PullFigures(
        partners=partners,
        latency_ms=latency_ms,
        page_size=page_size,
        import_s=round(import_s, 2),
        import_records_per_s=round(partners / import_s, 1),
        import_calls_per_1k=round(import_calls * 1000 / partners, 1),
        first_delta_s=round(first_delta_s, 2),
        first_delta_calls=first_delta_calls,
        delta_changed=len(changed),
        delta_s=round(delta_s, 2),
        delta_changed_per_s=round(len(changed) / delta_s, 1),
        delta_calls=delta_calls,
        worker_page_records=memory_page,
        worker_page_peak_rss_mib=worker.peak_rss_mib if worker else None,
        worker_rss_before_page_mib=worker.rss_before_mib if worker else None,
    )


def print_figures(figures: PullFigures) -> None:
    width = max(len(name) for name in asdict(figures))
    for name, value in asdict(figures).items():
        print(f"{name:<{width}}  {value}")
    print(figures.summary(), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.pull", description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument(
        "--memory-page", type=int, default=MAX_PAGE_SIZE, help="records in the measured page (0: skip)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = run(args.partners, args.latency_ms, args.page_size, args.memory_page)
    if args.json:
        print(json.dumps(asdict(figures), indent=2))
    print_figures(figures)


if __name__ == "__main__":
    main()

"""Import and delta benchmark: N partners from Odoo into the tenant's records through the local stack.

    python -m benchmarks.pull --partners 10000

N partners are written in the simulator (Odoo 19, its real-Odoo cost model: odoo_simulator/
costs.py), then the whole pull path runs: `POST /v1/import` (searches ids, queues pages), the
FIFO queue, the worker in the connection's lanes (a read per page, mapping, records, links, the
change feed, logs, batch progress in moto). In the same run, on the same simulator: Odoo's own
answer to one search_read of the same domain and fields (the fastest Odoo itself can hand them
over). A schedule's first delta run then sets the cursor; 1 % of the partners change and a delta
moves the cursor past the import (a schedule's steady state); another 1 % change, and the next
delta is timed (it also re-reads the previous 1 %, in its overlap window); then one in which every
partner changed (what a delta costs per record). Every AWS
request of each phase is counted (local_stack.meter) and priced (benchmarks.prices). Last, the
worker's peak memory on one 5,000-record import page, in a process of its own.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks import memory
from benchmarks.harness import StackBench, add_run_options, admin_client, print_figures, simulator_and_stack
from benchmarks.measure import Measure
from odoo_sync.api import dependencies
from odoo_sync.core.pull import DEFAULT_OVERLAP, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from odoo_sync.sync.pull_mapping import OdooRecordMapper

ENTITY = "customer"
CREATE_CHUNK = 1_000
CHANGED_SHARE = 100  # one in a hundred: 1 %


@dataclass
class PullFigures:
    partners: int
    latency_ms: float
    costs: str
    max_in_flight: int
    page_size: int
    import_s: float
    import_records_per_s: float
    import_calls_per_1k: float
    odoo_read_records_per_s: float
    ratio_to_odoo_read: float
    ddb_per_1k_import: float
    first_delta_s: float
    first_delta_calls: int
    delta_changed: int
    delta_s: float
    delta_changed_per_s: float
    delta_calls: int
    ddb_per_1k_delta: float  # per 1,000 records the 1 % delta changed (its fixed cost dominates)
    full_delta_records_per_s: float  # a delta in which every partner changed
    ddb_per_1k_full_delta: float
    worker_page_records: int  # 0: not measured in this run
    worker_page_peak_rss_mib: float | None
    worker_rss_before_page_mib: float | None
    phases: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"import: {self.import_records_per_s:.0f} rec/s, {self.import_calls_per_1k:.1f} calls/1k, "
            f"{self.ddb_per_1k_import:.0f} ddb/1k, {self.ratio_to_odoo_read:.3f}x odoo read"
        )


CHANGE_CHUNK = 20


class PullBench(StackBench):
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

    def domain(self, prefix: str) -> list[Any]:
        return [["ref", "like", f"{prefix}-"]]

    def start_import(self, prefix: str, page_size: int) -> str:
        answer = self.api.post(
            "/v1/import",
            json={"entity": ENTITY, "odoo_filters": self.domain(prefix), "batch_size": page_size},
        )
        answer.raise_for_status()
        batch_id: str = answer.json()["batch_id"]
        return batch_id

    def finish(self, batch_id: str, expected: int | None) -> dict[str, Any]:
        batch = self.drained_batch(batch_id)
        if batch["status"] != "completed" or (expected is not None and batch["succeeded"] != expected):
            raise RuntimeError(f"batch did not complete as expected ({expected} records): {batch}")
        return batch

    def read_fields(self) -> list[str]:
        """The fields the import reads of each record (the entity's from_odoo mappings and more)."""
        tenant, connection = self.demo.tenant_id, self.demo.connection_id
        client = dependencies.connection_service().client(tenant, connection)
        plan = dependencies.plan_loader().load(tenant, connection, ENTITY, client)
        return list(OdooRecordMapper(plan).read_fields)

    def odoo_read(self, prefix: str) -> tuple[int, float]:
        """Odoo's own best: one search_read of the import's domain and fields (JSON-2, as the
        connection detected)."""
        fields = self.read_fields()
        with admin_client(self.sim, read_timeout_s=600) as client:
            started = time.perf_counter()
            rows = client.search_read("res.partner", self.domain(prefix), fields)
            return len(rows), time.perf_counter() - started

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
        # A transaction of the simulator copies its changes at each call: a few a time.
        for start in range(0, len(odoo_ids), CHANGE_CHUNK):
            with self.sim.open_transaction() as tx:
                for odoo_id in odoo_ids[start : start + CHANGE_CHUNK]:
                    tx.write("res.partner", [odoo_id], {"name": f"changed partner {odoo_id}"})

    def worker_memory(self, prefix: str, count: int) -> memory.WorkerMemory:
        """Peak RSS of a fresh worker on one import page of `count` new partners (one lane)."""
        self.set_max_in_flight(1)
        self.start_import(prefix, count)
        taken = memory.take_queued_messages(self.stack, 1)
        return memory.measure(self.stack, taken[0]["Body"], taken)


def run(  # noqa: PLR0917 - the benchmark's knobs
    partners: int,
    latency_ms: float = 0.0,
    page_size: int = DEFAULT_PAGE_SIZE,
    costs: str = "real",
    max_in_flight: int = 2,
    memory_page: int = MAX_PAGE_SIZE,
) -> PullFigures:
    with simulator_and_stack(costs) as (sim, stack, demo):
        bench = PullBench(stack, sim, demo)
        bench.set_max_in_flight(max_in_flight)
        measure = Measure(stack)
        odoo_ids = bench.create_partners("BENCH", partners)

        sim.knobs.latency_ms = latency_ms
        sim.reset_calls()
        with measure.phase(partners) as imported:
            bench.finish(bench.start_import("BENCH", page_size), partners)
        import_calls = sim.total_calls
        read_count, read_s = bench.odoo_read("BENCH")

        schedule_id = bench.schedule(page_size)
        sim.reset_calls()
        first_delta_s, _ = bench.run_delta(schedule_id)
        first_delta_calls = sim.total_calls

        # The cursor is the newest write_date seen, and a delta re-reads the overlap window before
        # it: here every partner, written at the import. A first 1 % change moves the cursor past
        # them (not measured), as deltas that run on a schedule do; the measured delta then reads
        # its own 1 % and re-reads the previous one's (in the window: skipped).
        sim.clock.advance(2 * DEFAULT_OVERLAP.total_seconds())
        bench.change(odoo_ids[1::CHANGED_SHARE])
        bench.run_delta(schedule_id)
        sim.clock.advance(2 * DEFAULT_OVERLAP.total_seconds())
        changed = odoo_ids[::CHANGED_SHARE]
        bench.change(changed)
        sim.reset_calls()
        with measure.phase(len(changed)) as delta:
            delta_s, delta_batch = bench.run_delta(schedule_id)
        delta_calls = sim.total_calls
        if delta_batch is None or delta_batch["succeeded"] < len(changed):
            raise RuntimeError(f"the delta did not apply the {len(changed)} changes: {delta_batch}")

        # A delta in which every partner changed: per record, what a delta costs.
        sim.clock.advance(2 * DEFAULT_OVERLAP.total_seconds())
        bench.change(odoo_ids)
        with measure.phase(partners) as full_delta:
            _, full_batch = bench.run_delta(schedule_id)
        if full_batch is None or full_batch["succeeded"] < partners:
            raise RuntimeError(f"the delta did not apply the {partners} changes: {full_batch}")

        worker = None
        if memory_page:
            sim.knobs.cost_model = None  # the memory is the measure here, not the time
            bench.create_partners("MEM", memory_page)
            worker = bench.worker_memory("MEM", memory_page)
        measure.close()

    rate = imported.result.records_per_s
    read_rate = read_count / read_s
    return PullFigures(
        partners=partners,
        latency_ms=latency_ms,
        costs=costs,
        max_in_flight=max_in_flight,
        page_size=page_size,
        import_s=round(imported.result.seconds, 2),
        import_records_per_s=round(rate, 1),
        import_calls_per_1k=round(import_calls * 1000 / partners, 1),
        odoo_read_records_per_s=round(read_rate, 1),
        ratio_to_odoo_read=round(rate / read_rate, 4),
        ddb_per_1k_import=round(imported.result.ddb_per_1k, 1),
        first_delta_s=round(first_delta_s, 2),
        first_delta_calls=first_delta_calls,
        delta_changed=len(changed),
        delta_s=round(delta_s, 2),
        delta_changed_per_s=round(len(changed) / delta_s, 1),
        delta_calls=delta_calls,
        ddb_per_1k_delta=round(delta.result.ddb_per_1k, 1),
        full_delta_records_per_s=round(full_delta.result.records_per_s, 1),
        ddb_per_1k_full_delta=round(full_delta.result.ddb_per_1k, 1),
        worker_page_records=memory_page,
        worker_page_peak_rss_mib=worker.peak_rss_mib if worker else None,
        worker_rss_before_page_mib=worker.rss_before_mib if worker else None,
        phases={
            **imported.result.as_dict("import"),
            **delta.result.as_dict("delta"),
            **full_delta.result.as_dict("full_delta"),
        },
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.pull", description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE)
    parser.add_argument(
        "--memory-page", type=int, default=MAX_PAGE_SIZE, help="records in the measured page (0: skip)"
    )
    add_run_options(parser)
    args = parser.parse_args(argv)
    figures = run(
        args.partners, args.latency_ms, args.page_size, args.costs, args.max_in_flight, args.memory_page
    )
    print_figures(figures, as_json=args.json)


if __name__ == "__main__":
    main()

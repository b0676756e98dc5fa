"""Push benchmark: N products through the local stack into the simulator, against Odoo's own batch.

    python -m benchmarks.push --records 10000

The whole path runs: records API (batch upsert), POST /v1/bulk-sync, the SQS FIFO queue, the
worker (in the connection's lanes, max_in_flight at a time), the Odoo 19 simulator over HTTP
with the cost model of real Odoo (odoo_simulator/costs.py: per call and per record, 2 workers),
bookkeeping in DynamoDB (moto). Then 10 % of the records change and every record is pushed again,
then once more with nothing changed. In the same run, on the same simulator: Odoo's own one-call
create of as many products (the fastest Odoo itself can take them), and a naive loop of one
create call per record on a sample. Every AWS request of each phase is counted (local_stack.meter)
and priced (benchmarks.prices).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks import memory
from benchmarks.harness import StackBench, add_run_options, admin_client, print_figures, simulator_and_stack
from benchmarks.measure import Measure
from odoo_sync.core.bulk import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE
from odoo_sync.sync.model import PushChunkMessage

UPSERT_BATCH = 1000
WORKER = memory.WORKER
NAIVE_SAMPLE = 20  # a product create alone costs ~0.4 s: 20 say what a thousand would
ODOO_BATCH_MAX = 10_000  # one create of more would outlast any Odoo request limit; the rate holds


@dataclass
class PushFigures:
    records: int
    latency_ms: float
    costs: str
    max_in_flight: int
    batch_size: int
    push_s: float
    records_per_s: float
    calls_per_1k_create: float
    update_records_per_s: float
    calls_per_1k_update_10pct: float
    unchanged_records_per_s: float
    calls_per_1k_unchanged: float
    chunk_p50_ms: float
    chunk_p95_ms: float
    odoo_batch_records: int
    odoo_batch_records_per_s: float
    ratio_to_odoo_batch: float
    naive_records: int
    naive_records_per_s: float
    ratio_to_naive: float
    ddb_per_1k_create: float
    ddb_per_1k_update_10pct: float
    ddb_per_1k_unchanged: float
    ddb_per_1k_upsert: float
    list_one_ms: float | None = None  # GET /v1/records/product?limit=1 with every record stored
    list_one_read_units: float | None = None
    list_fifty_ddb_requests: int | None = None  # a page of 50
    worker_peak_rss_mib: float | None = None
    worker_rss_before_chunk_mib: float | None = None
    phases: dict[str, Any] = field(default_factory=dict)  # every phase's requests, units and costs

    def summary(self) -> str:
        return (
            f"push: {self.records_per_s:.0f} rec/s, {self.calls_per_1k_create:.1f} calls/1k, "
            f"{self.ratio_to_naive:.1f}x naive, {self.ratio_to_odoo_batch:.2f}x odoo batch, "
            f"{self.ddb_per_1k_create:.0f} ddb/1k"
        )


def products(prefix: str, count: int, price: str = "9.99") -> list[dict[str, Any]]:
    return [
        {
            "local_id": f"{prefix}-{n:06d}",
            "data": {"title": f"{prefix} product {n}", "sku": f"{prefix}-{n:06d}", "price": price},
        }
        for n in range(count)
    ]


def odoo_vals(record: dict[str, Any]) -> dict[str, Any]:
    data = record["data"]
    return {"name": data["title"], "default_code": data["sku"], "list_price": float(data["price"])}


class Bench(StackBench):
    def upsert(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), UPSERT_BATCH):
            answer = self.api.post(
                "/v1/records/product/batch", json={"records": records[start : start + UPSERT_BATCH]}
            )
            answer.raise_for_status()
            if answer.json()["failed"]:
                raise RuntimeError(f"records were refused: {answer.text[:500]}")

    def push_all(self, batch_size: int) -> dict[str, Any]:
        answer = self.api.post("/v1/bulk-sync", json={"entity": "product", "batch_size": batch_size})
        answer.raise_for_status()
        batch = self.drained_batch(answer.json()["batch_id"])
        if batch["status"] != "completed":
            raise RuntimeError(f"batch did not complete cleanly: {batch}")
        return batch

    def list_records(self, measure: Measure, limit: int) -> tuple[float, float, int]:
        """A page of `limit` records: its time, read units and DynamoDB requests."""
        with measure.phase(limit) as page:
            self.api.get("/v1/records/product", params={"limit": limit}).raise_for_status()
        return page.result.seconds * 1000, page.result.read_units, page.result.ddb_requests

    def chunk_times_ms(self, since: int) -> list[float]:
        times = []
        for invocation in self.stack.invocations[since:]:
            if invocation.function == WORKER:
                messages = len(invocation.event["Records"])
                times.extend([invocation.duration_ms / messages] * messages)
        return times

    def worker_memory(self, local_ids: list[str]) -> memory.WorkerMemory:
        """Peak RSS of a fresh worker on the largest chunk it can be handed (1,000 records): the
        chunks of one bulk push (at most 500 each) joined into one message of the same batch."""
        answer = self.api.post(
            "/v1/bulk-sync",
            json={"entity": "product", "batch_size": MAX_BATCH_SIZE, "filters": {"local_ids": local_ids}},
        )
        answer.raise_for_status()
        count = answer.json()["chunks"]
        taken = memory.take_queued_messages(self.stack, count)
        chunks = [PushChunkMessage.model_validate_json(message["Body"]) for message in taken]
        joined = chunks[0].model_copy(
            update={
                "local_ids": [i for c in chunks for i in c.local_ids],
                "slots": sorted({s for c in chunks for s in c.slots}),
            }
        )
        return memory.measure(self.stack, joined.model_dump_json(), taken)

    def odoo_batch(self, count: int) -> tuple[int, float]:
        """Odoo's own best: one create call of `count` products (at most ODOO_BATCH_MAX)."""
        count = min(count, ODOO_BATCH_MAX)
        with admin_client(self.sim, read_timeout_s=900) as client:
            started = time.perf_counter()
            client.create("product.template", [odoo_vals(r) for r in products("ODOO", count)])
            return count, time.perf_counter() - started

    def naive(self, count: int) -> tuple[int, float, int]:
        with admin_client(self.sim, read_timeout_s=900) as client:
            before, started = client.calls, time.perf_counter()
            for record in products("NAIVE", count):
                client.create("product.template", [odoo_vals(record)])
            return count, time.perf_counter() - started, client.calls - before


def run(
    records: int,
    latency_ms: float = 0.0,
    batch_size: int = DEFAULT_BATCH_SIZE,
    costs: str = "real",
    max_in_flight: int = 2,
    *,
    naive_sample: int = NAIVE_SAMPLE,
    worker_memory: bool = True,
) -> PushFigures:
    with simulator_and_stack(costs) as (sim, stack, demo):
        bench = Bench(stack, sim, demo)
        bench.set_max_in_flight(max_in_flight)
        measure = Measure(stack)
        catalogue = products("BENCH", records)
        with measure.phase(records) as upsert:
            bench.upsert(catalogue)
        list_one_ms, list_one_units, _ = bench.list_records(measure, 1)
        _, _, list_fifty_requests = bench.list_records(measure, 50)

        sim.knobs.latency_ms = latency_ms
        sim.reset_calls()
        first_invocation = len(stack.invocations)
        with measure.phase(records) as created:
            bench.push_all(batch_size)
        create_calls = sim.total_calls
        chunks = bench.chunk_times_ms(first_invocation)

        odoo_count, odoo_s = bench.odoo_batch(records)
        naive_count, naive_s, _ = bench.naive(min(records, naive_sample))

        changed = [
            {**r, "data": {**r["data"], "price": "12.50"}} for n, r in enumerate(catalogue) if n % 10 == 0
        ]
        bench.upsert(changed)
        sim.reset_calls()
        with measure.phase(records) as updated:
            bench.push_all(batch_size)
        update_calls = sim.total_calls

        sim.reset_calls()
        with measure.phase(records) as unchanged:
            bench.push_all(batch_size)
        unchanged_calls = sim.total_calls

        worker = None
        if worker_memory:
            sim.knobs.cost_model = None  # the memory is the measure here, not the time
            memory_records = products("MEM", 1000)
            bench.upsert(memory_records)
            worker = bench.worker_memory([r["local_id"] for r in memory_records])
        measure.close()

    quantiles = statistics.quantiles(chunks, n=20, method="inclusive") if len(chunks) >= 2 else chunks * 19
    rate = created.result.records_per_s
    odoo_rate = odoo_count / odoo_s
    naive_rate = naive_count / naive_s
    return PushFigures(
        records=records,
        latency_ms=latency_ms,
        costs=costs,
        max_in_flight=max_in_flight,
        batch_size=batch_size,
        push_s=round(created.result.seconds, 2),
        records_per_s=round(rate, 1),
        calls_per_1k_create=round(create_calls * 1000 / records, 1),
        update_records_per_s=round(updated.result.records_per_s, 1),
        calls_per_1k_update_10pct=round(update_calls * 1000 / records, 1),
        unchanged_records_per_s=round(unchanged.result.records_per_s, 1),
        calls_per_1k_unchanged=round(unchanged_calls * 1000 / records, 1),
        chunk_p50_ms=round(statistics.median(chunks), 1),
        chunk_p95_ms=round(quantiles[18], 1),
        odoo_batch_records=odoo_count,
        odoo_batch_records_per_s=round(odoo_rate, 1),
        ratio_to_odoo_batch=round(rate / odoo_rate, 2),
        naive_records=naive_count,
        naive_records_per_s=round(naive_rate, 1),
        ratio_to_naive=round(rate / naive_rate, 1),
        ddb_per_1k_create=round(created.result.ddb_per_1k, 1),
        ddb_per_1k_update_10pct=round(updated.result.ddb_per_1k, 1),
        ddb_per_1k_unchanged=round(unchanged.result.ddb_per_1k, 1),
        ddb_per_1k_upsert=round(upsert.result.ddb_per_1k, 1),
        list_one_ms=round(list_one_ms, 1),
        list_one_read_units=list_one_units,
        list_fifty_ddb_requests=list_fifty_requests,
        worker_peak_rss_mib=worker.peak_rss_mib if worker else None,
        worker_rss_before_chunk_mib=worker.rss_before_mib if worker else None,
        phases={
            **upsert.result.as_dict("upsert"),
            **created.result.as_dict("create"),
            **updated.result.as_dict("update"),
            **unchanged.result.as_dict("unchanged"),
        },
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.push", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    add_run_options(parser)
    args = parser.parse_args(argv)
    figures = run(args.records, args.latency_ms, args.batch_size, args.costs, args.max_in_flight)
    print_figures(figures, as_json=args.json)


if __name__ == "__main__":
    main()

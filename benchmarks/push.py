"""Push benchmark: N products through the local stack into the simulator, against a naive loop.

    python -m benchmarks.push --records 10000 --latency-ms 20

The whole path runs: records API (batch upsert), POST /v1/bulk-sync, the SQS FIFO queue, the
worker, the Odoo simulator over HTTP with the given latency per call, bookkeeping in DynamoDB
(moto). Then 10 % of the records change and every record is pushed again (updates and unchanged
ones), then once more with nothing changed. The engine alone is then timed on fresh records
(Odoo calls only, no queue or DynamoDB), and a naive baseline creates records one call each, on a
sample, through the same client, so the three rates share one simulator, one latency and one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from benchmarks import memory
from local_stack import LocalStack
from local_stack.demo import Demo, OdooTarget, seed
from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.core.bulk import MAX_BATCH_SIZE
from odoo_sync.odoo import OdooClient, OdooConnectionSettings
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.model import PushChunkMessage, SyncOptions

ROOT = Path(__file__).resolve().parents[1]
UPSERT_BATCH = 250  # requests of 1,000 records can outlast the 29 s API limit on moto
WORKER = memory.WORKER


@dataclass
class PushFigures:
    records: int
    latency_ms: float
    batch_size: int
    upsert_s: float
    push_s: float
    records_per_s: float
    calls_per_1k_create: float
    update_pass_s: float
    update_records_per_s: float
    calls_per_1k_update_10pct: float
    unchanged_pass_s: float
    unchanged_records_per_s: float
    calls_per_1k_unchanged: float
    chunk_p50_ms: float
    chunk_p95_ms: float
    worker_peak_rss_mib: float
    worker_rss_before_chunk_mib: float
    engine_records_per_s: float
    engine_calls_per_1k: float
    naive_records: int
    naive_records_per_s: float
    naive_calls_per_1k: float
    ratio_to_naive: float
    engine_ratio_to_naive: float

    def summary(self) -> str:
        return (
            f"push: {self.records_per_s:.0f} rec/s, {self.calls_per_1k_create:.1f} calls/1k, "
            f"{self.ratio_to_naive:.1f}x naive"
        )


def products(prefix: str, count: int, price: str = "9.99") -> list[dict[str, Any]]:
    return [
        {
            "local_id": f"{prefix}-{n:06d}",
            "data": {"title": f"{prefix} product {n}", "sku": f"{prefix}-{n:06d}", "price": price},
        }
        for n in range(count)
    ]


class Bench:
    def __init__(self, stack: LocalStack, sim: OdooSimulator, demo: Demo) -> None:
        self.stack, self.sim, self.demo = stack, sim, demo
        self.api = httpx.Client(
            base_url=demo.api_url, headers={"Authorization": f"Bearer {demo.api_key}"}, timeout=300
        )

    def upsert(self, records: list[dict[str, Any]]) -> float:
        started = time.perf_counter()
        for start in range(0, len(records), UPSERT_BATCH):
            answer = self.api.post(
                "/v1/records/product/batch", json={"records": records[start : start + UPSERT_BATCH]}
            )
            answer.raise_for_status()
            if answer.json()["failed"]:
                raise RuntimeError(f"records were refused: {answer.text[:500]}")
        return time.perf_counter() - started

    def push_all(self, batch_size: int) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        answer = self.api.post("/v1/bulk-sync", json={"entity": "product", "batch_size": batch_size})
        answer.raise_for_status()
        batch_id = answer.json()["batch_id"]
        self.stack.poller.drain(max_rounds=100_000)
        elapsed = time.perf_counter() - started
        batch = self.api.get(f"/v1/batches/{batch_id}").json()
        if batch["status"] != "completed":
            raise RuntimeError(f"batch did not complete cleanly: {batch}")
        return elapsed, batch

    def chunk_times_ms(self, since: int) -> list[float]:
        times = []
        for invocation in self.stack.invocations[since:]:
            if invocation.function == WORKER:
                messages = len(invocation.event["Records"])
                times.extend([invocation.duration_ms / messages] * messages)
        return times

    def worker_memory(self, local_ids: list[str]) -> memory.WorkerMemory:
        """Peak RSS of a fresh worker on one chunk of these records, queued by a real bulk push.

        The API queues chunks of at most MAX_BATCH_SIZE (500) records while a chunk message may
        hold 1,000: the chunks of one bulk push are joined into one message of the same batch, so
        this measures the largest chunk the worker can be handed.
        """
        answer = self.api.post(
            "/v1/bulk-sync",
            json={"entity": "product", "batch_size": MAX_BATCH_SIZE, "filters": {"local_ids": local_ids}},
        )
        answer.raise_for_status()
        taken = memory.take_queued_messages(self.stack, -(-len(local_ids) // MAX_BATCH_SIZE))
        chunks = [PushChunkMessage.model_validate_json(message["Body"]) for message in taken]
        joined = chunks[0].model_copy(update={"local_ids": [i for c in chunks for i in c.local_ids]})
        return memory.measure(self.stack, joined.model_dump_json(), taken)

    def engine_only(self, local_ids: list[str], batch_size: int) -> tuple[float, int]:
        """The Odoo side alone: the push engine on chunks, without queue or bookkeeping."""
        tenant, connection = self.demo.tenant_id, self.demo.connection_id
        client = dependencies.connection_service().client(tenant, connection)
        plan = dependencies.plan_loader().load(tenant, connection, "product", client)
        records = dependencies.record_store().get_many(tenant, "product", local_ids)
        engine = PushEngine(client, plan, connection)
        before, started = client.calls, time.perf_counter()
        for start in range(0, len(records), batch_size):
            engine.push(records[start : start + batch_size], SyncOptions())
        return time.perf_counter() - started, client.calls - before

    def naive(self, count: int) -> tuple[float, int]:
        settings = OdooConnectionSettings(
            base_url=self.sim.url,
            database=self.sim.database,
            secret=SecretStr(self.sim.admin_api_key),
            allow_private_network=True,
        )
        with OdooClient(settings) as client:
            client.server_info()
            before = client.calls
            started = time.perf_counter()
            for record in products("NAIVE", count):
                data = record["data"]
                client.create(
                    "product.template",
                    [
                        {
                            "name": data["title"],
                            "default_code": data["sku"],
                            "list_price": float(data["price"]),
                        }
                    ],
                )
            return time.perf_counter() - started, client.calls - before


def run(records: int, latency_ms: float, batch_size: int, naive_sample: int) -> PushFigures:
    # The worker's metrics go to stdout as EMF lines (CloudWatch reads them in AWS); here they
    # would bury the figures.
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
        bench = Bench(stack, sim, demo)
        catalogue = products("BENCH", records)
        upsert_s = bench.upsert(catalogue)

        sim.knobs.latency_ms = latency_ms
        sim.reset_calls()
        first_invocation = len(stack.invocations)
        push_s, _ = bench.push_all(batch_size)
        create_calls = sim.total_calls
        chunks = bench.chunk_times_ms(first_invocation)

        changed = [
            {**r, "data": {**r["data"], "price": "12.50"}} for n, r in enumerate(catalogue) if n % 10 == 0
        ]
        bench.upsert(changed)
        sim.reset_calls()
        update_s, _ = bench.push_all(batch_size)
        update_calls = sim.total_calls

        sim.reset_calls()
        unchanged_s, _ = bench.push_all(batch_size)
        unchanged_calls = sim.total_calls

        sim.knobs.latency_ms = 0
        memory_records = products("MEM", 1000)
        bench.upsert(memory_records)
        sim.knobs.latency_ms = latency_ms
        worker = bench.worker_memory([r["local_id"] for r in memory_records])

        sim.knobs.latency_ms = 0
        engine_records = products("ENGINE", records)
        bench.upsert(engine_records)
        sim.knobs.latency_ms = latency_ms
        engine_s, engine_calls = bench.engine_only([r["local_id"] for r in engine_records], batch_size)

        naive_count = min(records, naive_sample)
        naive_s, naive_calls = bench.naive(naive_count)

    quantiles = statistics.quantiles(chunks, n=20, method="inclusive") if len(chunks) >= 2 else chunks * 19
    naive_rate = naive_count / naive_s
    rate = records / push_s
    return PushFigures(
        records=records,
        latency_ms=latency_ms,
        batch_size=batch_size,
        upsert_s=round(upsert_s, 2),
        push_s=round(push_s, 2),
        records_per_s=round(rate, 1),
        calls_per_1k_create=round(create_calls * 1000 / records, 1),
        update_pass_s=round(update_s, 2),
        update_records_per_s=round(records / update_s, 1),
        calls_per_1k_update_10pct=round(update_calls * 1000 / records, 1),
        unchanged_pass_s=round(unchanged_s, 2),
        unchanged_records_per_s=round(records / unchanged_s, 1),
        calls_per_1k_unchanged=round(unchanged_calls * 1000 / records, 1),
        chunk_p50_ms=round(statistics.median(chunks), 1),
        chunk_p95_ms=round(quantiles[18], 1),
        worker_peak_rss_mib=worker.peak_rss_mib,
        worker_rss_before_chunk_mib=worker.rss_before_mib,
        engine_records_per_s=round(records / engine_s, 1),
        engine_calls_per_1k=round(engine_calls * 1000 / records, 1),
        naive_records=naive_count,
        naive_records_per_s=round(naive_rate, 1),
        naive_calls_per_1k=round(naive_calls * 1000 / naive_count, 1),
        ratio_to_naive=round(rate / naive_rate, 1),
        engine_ratio_to_naive=round(records / engine_s / naive_rate, 1),
    )


def print_figures(figures: PushFigures) -> None:
    """Every figure, one a line; the last line is `make bench-quick`'s summary."""
    width = max(len(name) for name in asdict(figures))
    for name, value in asdict(figures).items():
        print(f"{name:<{width}}  {value}")
    print(
        f"engine alone: {figures.engine_records_per_s:.0f} rec/s, {figures.engine_ratio_to_naive:.1f}x naive"
    )
    print(figures.summary(), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.push", description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--naive-sample", type=int, default=1000, help="records the naive loop pushes")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = run(args.records, args.latency_ms, args.batch_size, args.naive_sample)
    if args.json:
        print(json.dumps(asdict(figures), indent=2))
    print_figures(figures)


if __name__ == "__main__":
    main()

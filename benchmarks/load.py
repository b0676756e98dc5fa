"""Load figures: many tenants at once on the local stack, one of them flooding the sync queue.

    python -m benchmarks.load --tenants 5 --flood 1000 --flood-batch-size 10 --others 20 --concurrency 1,2,4

Each concurrency runs on a fresh local stack with one Odoo simulator per tenant (the harness of
tests/load). The first tenant pushes `--flood` records in chunks of `--flood-batch-size` (one
message group); the others then push `--others` records each. `--concurrency` is how many worker
invocations take batches off the queue at once (Lambda runs one per active message group; the
local stack's own poller is one). For each: how far the flood had got when the last small tenant
finished, the invocations that took, records/s over the whole run, and whether every tenant's
Odoo holds exactly its records.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from dataclasses import dataclass

from tests.load.harness import LoadRun, load_world, run_flood


@dataclass(frozen=True)
class LoadFigures:
    concurrency: int
    tenants: int
    flood_chunks: int
    invocations: int
    small_done_after: int  # invocations when the last small tenant finished
    flood_done_then: int  # flood records done at that moment
    flood_records: int
    records: int
    seconds: float
    exact: bool

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def measure(tenants: int, flood: int, flood_batch_size: int, others: int, concurrency: int) -> LoadFigures:
    with load_world(tenants) as (stack, made):
        run = run_flood(
            stack,
            made,
            flood_records=flood,
            flood_batch_size=flood_batch_size,
            other_records=others,
            concurrency=concurrency,
        )
        return _figures(run, concurrency)


def _figures(run: LoadRun, concurrency: int) -> LoadFigures:
    last_small = max(run.others, key=lambda tenant: tenant.finished_after or 10**9)
    exact = True
    for tenant in run.tenants:
        batch = tenant.batch()
        made = Counter(tenant.in_odoo())
        exact &= batch["status"] == "completed" and batch["succeeded"] == tenant.records
        exact &= len(made) == tenant.records and set(made.values()) <= {1}
    return LoadFigures(
        concurrency=concurrency,
        tenants=len(run.tenants),
        flood_chunks=run.flood_chunks,
        invocations=run.invocations,
        small_done_after=last_small.finished_after or -1,
        flood_done_then=last_small.flood_done_when_finished or -1,
        flood_records=run.flood.records,
        records=sum(tenant.records for tenant in run.tenants),
        seconds=run.seconds,
        exact=exact,
    )


def table(rows: list[LoadFigures]) -> str:
    lines = [
        "| concurrency | tenants | flood chunks | invocations | small tenants done after | "
        "flood done by then | records | rec/s | exact |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        share = row.flood_done_then / row.flood_records if row.flood_records else 0
        lines.append(
            f"| {row.concurrency} | {row.tenants} | {row.flood_chunks} | {row.invocations} | "
            f"{row.small_done_after} invocations | {row.flood_done_then}/{row.flood_records} ({share:.0%}) | "
            f"{row.records} | {row.records_per_s:.0f} | {'yes' if row.exact else 'NO'} |"
        )
    return "\n".join(lines)


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tenants", type=int, default=5)
    parser.add_argument("--flood", type=int, default=1000, help="records the flooding tenant pushes")
    parser.add_argument("--flood-batch-size", type=int, default=10)
    parser.add_argument("--others", type=int, default=20, help="records each other tenant pushes")
    parser.add_argument("--concurrency", type=_numbers, default=[1, 2, 4])
    arguments = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the functions log every chunk; the table is the output
    rows = [
        measure(arguments.tenants, arguments.flood, arguments.flood_batch_size, arguments.others, concurrency)
        for concurrency in arguments.concurrency
    ]
    logging.disable(logging.NOTSET)
    print(table(rows))
    exact = all(row.exact for row in rows)
    print(f"load: {len(rows)} runs, {'all exact' if exact else 'NOT EXACT'}")
    if not exact:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Fault figures: each fault scenario of tests/faults on the push path, as a table.

    python -m benchmarks.faults --records 100

Runs in-process: moto for AWS, the simulator over HTTP, the real API handlers, queue and worker
(the same rig as the fault tests). For each scenario: records in, Odoo records out, duplicates,
missing, failed record operations logged, deliveries (and redeliveries) of chunks, the client's
retries, Odoo calls. Then an outage on the local stack (benchmarks/outage.py): Odoo stopped
mid-push and started again; printed: Odoo back → batch done.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

import pytest
from moto import mock_aws

from benchmarks import outage
from local_stack import moto_fixes
from odoo_simulator import OdooSimulator
from tests.conftest import TABLE_VARIABLES, _clear_caches
from tests.faults.rig import Figures, open_rig
from tests.faults.scenarios import SCENARIOS
from tests.support.aws import create_kms_key, create_queues, create_tables

COLUMNS = (
    ("scenario", "{:<26}"),
    ("records_in", "{:>7}"),
    ("odoo_records_out", "{:>8}"),
    ("duplicates", "{:>5}"),
    ("missing", "{:>7}"),
    ("failures_logged", "{:>7}"),
    ("deliveries", "{:>6}"),
    ("redeliveries", "{:>6}"),
    ("retries", "{:>7}"),
    ("odoo_calls", "{:>6}"),
    ("batch_status", "{:<10}"),
    ("seconds", "{:>6}"),
)
HEADERS = (
    "scenario",
    "in",
    "out",
    "dups",
    "missing",
    "logged",
    "deliv",
    "redeliv",
    "retries",
    "calls",
    "batch",
    "s",
)


@contextmanager
def local_aws(patch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "odoo-sync-faults",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "CRITICAL"),
        "ALLOW_PRIVATE_ODOO_HOSTS": "true",
    }.items():
        patch.setenv(name, value)
    patch.delenv("AWS_ENDPOINT_URL", raising=False)
    moto_fixes.apply()
    with mock_aws():
        tables = create_tables()
        queues = create_queues()
        for logical_id, variable in TABLE_VARIABLES.items():
            patch.setenv(variable, tables[logical_id])
        patch.setenv("SYNC_QUEUE_URL", queues["SyncQueue"])
        patch.setenv("SYNC_DEAD_LETTER_QUEUE_URL", queues["SyncDeadLetterQueue"])
        if "DeliveryQueue" in queues:
            patch.setenv("DELIVERY_QUEUE_URL", queues["DeliveryQueue"])
        patch.setenv("SECRETS_KEY_ID", create_kms_key())
        _clear_caches()
        yield queues


def run(records: int, batch_size: int) -> list[tuple[str, Figures, float]]:
    rows: list[tuple[str, Figures, float]] = []
    with OdooSimulator(version="19", port=0, seed_partners=5, seed_products=5) as sim:
        for number, (name, scenario) in enumerate(SCENARIOS.items(), start=1):
            with pytest.MonkeyPatch.context() as patch, local_aws(patch) as queues:
                sim.knobs.reset()
                rig = open_rig(patch, sim, queues["SyncQueue"], f"ten_{number:016x}")
                ids = rig.seed(records, f"bf{number:02d}")
                calls_before = sum(sim.calls.values())
                started = time.perf_counter()
                batch_id = rig.push(ids, batch_size=batch_size)
                try:
                    scenario(rig, ids, patch)
                finally:
                    sim.knobs.reset()
                elapsed = time.perf_counter() - started
                rows.append((name, rig.figures(ids, batch_id, calls_before), elapsed))
                _clear_caches()
    return rows


def table(rows: list[tuple[str, Figures, float]]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for name, figures, seconds in rows:
        values = {"scenario": name, **asdict(figures), "seconds": f"{seconds:.1f}"}
        lines.append("| " + " | ".join(str(values[column]) for column, _ in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument(
        "--outage-s",
        type=float,
        default=42.0,
        help="Odoo stopped this long mid-push on the local stack (0: skip)",
    )
    arguments = parser.parse_args()
    rows = run(arguments.records, arguments.batch_size)
    print(table(rows))
    exact = all(figures.exact and figures.batch_status == "completed" for _, figures, _ in rows)
    print(f"faults: {len(rows)} scenarios, {'all exact' if exact else 'NOT EXACT'}")
    if arguments.outage_s > 0:
        down = outage.run(outage_s=arguments.outage_s)
        print(down.summary(), flush=True)
        exact = exact and down.duplicates == 0 and down.odoo_products == down.records
    if not exact:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""The benchmark harness's own logic: reading -X importtime output and writing the table."""

from __future__ import annotations

from typing import Any

from benchmarks.cold_start import handler_entries, parse_importtime
from benchmarks.report import PUSH_ROWS, render

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 | encodings
import time:       200 |        300 | site
import time:        50 |         50 |   authorizer
import time:        70 |         70 |       httpx._models
import time:        30 |        100 |     httpx
import time:        20 |        120 |   odoo_sync.api.dependencies
import time:        10 |        180 | authorizer.handler
"""


def test_importtime_lines_keep_their_nesting_and_the_handler_subtree_excludes_start_up() -> None:
    lines = parse_importtime(IMPORTTIME)

    entries = handler_entries(lines, "authorizer")

    assert [(line.name, line.depth) for line in entries] == [
        ("authorizer", 1),
        ("httpx._models", 3),
        ("httpx", 2),
        ("odoo_sync.api.dependencies", 1),
        ("authorizer.handler", 0),
    ]
    assert entries[-1].cumulative_us == 180


def _entry(figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "command": "python -m benchmarks",
        "date": "2026-01-01 00:00 UTC",
        "load_before": [1.0, 1.0, 1.0],
        "load_after": [2.0, 1.0, 1.0],
        "wall_s": 600.0,
        "figures": figures,
    }


def _cost(total: float) -> dict[str, float]:
    return {
        "dynamodb": total,
        "sqs": 0.0,
        "lambda_compute": 0.0,
        "lambda_requests": 0.0,
        "kms": 0.0,
        "total": total,
    }


def _push_figures(records: int, rate: float, cost: float) -> dict[str, Any]:
    figures: dict[str, Any] = dict.fromkeys((key for _, key, _ in PUSH_ROWS), 1.0)
    phases = {
        f"{phase}_cost_per_million": _cost(cost) for phase in ("create", "update", "unchanged", "upsert")
    }
    return figures | {
        "records_per_s": rate,
        "push_s": records / rate,
        "ratio_to_odoo_batch": 1.25,
        "phases": phases,
    }


def test_the_table_shows_sizes_side_by_side_and_says_what_was_not_run() -> None:
    results = {
        "machine": {"cores": 2, "python": "3.11.7", "platform": "Linux"},
        "entries": {
            "push/real/1000": _entry(_push_figures(1_000, 50.0, 1.0)),
            "push/real/10000": _entry(_push_figures(10_000, 25.0, 1.5)),
            "push/none/1000": {key: value for key, value in _entry({}).items() if key != "figures"}
            | {"error": "RuntimeError: boom"},
        },
    }

    table = render(results)

    assert "| push end to end, all new (bulk-sync → batch completed) | 50.0 rec/s | 25.0 rec/s |" in table
    assert "| **push against Odoo's own one-call create** | 1.25x | 1.25x |" in table
    assert "not run (opt-in: `make bench SIZES=...,100000`)" in table
    assert "| push, all new: time per record | 20.0 ms (1.00x) | 40.0 ms (2.00x) | — |" in table
    assert "| push, all new: AWS cost per million | US$1.00 (1.00x) | US$1.50 (1.50x) | — |" in table
    assert "| push, all new | US$1.00 | US$1.50 | — |" in table
    assert "failed after 600 s: `RuntimeError: boom`" in table
    assert "load average 1.0 → 2.0" in table
    assert "2 cores, Python 3.11.7" in table


def test_the_goals_table_sets_each_size_beside_the_goal_and_what_real_odoo_showed_before() -> None:
    results = {
        "machine": {"cores": 2, "python": "3.11.7", "platform": "Linux"},
        "entries": {"push/real/1000": _entry(_push_figures(1_000, 50.0, 1.0) | {"ddb_per_1k_create": 48.0})},
    }

    table = render(results)

    assert "| **push against Odoo's own one-call create** | ≥ 0.9x | 1.25x | — | — | 0.39 to 0.52x |" in table
    assert "| DynamoDB requests / 1k: push, all new | ≤ 60 | 48.0 | — | — | 1,187 |" in table
    assert "| import: rec/s | ≥ 2,000 | — | — | — |" in table


def test_the_memory_table_lists_the_run_that_measured_it_and_skips_the_others() -> None:
    measured = {"worker_peak_rss_mib": 91.6, "worker_rss_before_chunk_mib": 58.2}
    unmeasured = {"worker_peak_rss_mib": None, "worker_rss_before_chunk_mib": None}  # a larger size
    results = {
        "machine": {"cores": 2, "python": "3.11.7", "platform": "Linux"},
        "entries": {
            "push/real/1000": _entry(_push_figures(1_000, 50.0, 1.0) | measured),
            "push/real/10000": _entry(_push_figures(10_000, 25.0, 1.5) | unmeasured),
        },
    }

    table = render(results)

    assert "| push chunk, 1,000 products | 91.6 MiB | 58.2 MiB | `push/real/1000`" in table
    assert "`push/real/10000`" not in table.split("## Worker memory")[1].split("\n## ")[0]

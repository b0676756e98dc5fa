"""`make bench`: every benchmark; each prints its figures, and docs/benchmarks.md gets the table.

    python -m benchmarks --sizes 1000,10000

Figures are kept in .local/benchmarks.json (one entry per benchmark and size, each with the
command, date and load average it was measured with); `--merge` keeps the entries of earlier
runs that this run does not measure again, so a long size can be measured on its own and land
in the same table. docs/benchmarks.md is written from that file after every benchmark, so an
interrupted run still leaves what it measured.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shlex
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import cold_start, outage, pull, push, report, webhook
from benchmarks.harness import print_figures
from odoo_sync.core.pull import MAX_PAGE_SIZE

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / ".local" / "benchmarks.json"
DEFAULT_SIZES = (1_000, 10_000)
BENCHMARKS = ("cold-start", "webhook", "pull", "push", "outage")
WEBHOOK_SAMPLES = 100  # a burst of 100 fills one batch of the notices function


def _numbers(text: str) -> list[float]:
    return [float(part.replace("_", "")) for part in text.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_numbers,
        default=list(DEFAULT_SIZES),
        help="records per push and import run, comma separated (100000 is opt-in: hours on moto)",
    )
    parser.add_argument(
        "--costs",
        choices=("real", "none"),
        default="real",
        help="the simulator's cost model: real Odoo's per call and per record, or none",
    )
    parser.add_argument("--max-in-flight", type=int, default=2, help="the connection's lanes")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help=f"some of {','.join(BENCHMARKS)}")
    parser.add_argument("--merge", action="store_true", help="keep earlier entries this run does not redo")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--render", action="store_true", help="only write the table from the kept figures")
    return parser


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def measured(command: str, run: Callable[[], Any]) -> dict[str, Any]:
    """Run one benchmark; its figures (or its error) with when, under what load and how."""
    load_before, started = os.getloadavg(), time.time()
    entry: dict[str, Any] = {
        "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started)),
        "load_before": [round(x, 2) for x in load_before],
    }
    try:
        # Each benchmark in a process of its own: a local stack's moto keeps what it stored, and
        # one process running them all grew past 12 GiB (killed for memory) by the 10,000 runs.
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as child:
            entry["figures"] = child.submit(run).result()
    except Exception as error:  # one broken benchmark must not cost the others their figures
        traceback.print_exc()
        entry["error"] = f"{type(error).__name__}: {error}"[:500]
    entry["wall_s"] = round(time.time() - started, 1)
    entry["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return entry


def _push(size: int, costs: str, max_in_flight: int, worker_memory: bool) -> dict[str, Any]:
    figures = push.run(size, costs=costs, max_in_flight=max_in_flight, worker_memory=worker_memory)
    print_figures(figures)
    return asdict(figures)


def _pull(size: int, costs: str, max_in_flight: int, memory_page: int) -> dict[str, Any]:
    figures = pull.run(size, costs=costs, max_in_flight=max_in_flight, memory_page=memory_page)
    print_figures(figures)
    return asdict(figures)


def _outage() -> dict[str, Any]:
    figures = outage.run()
    print(figures.summary(), flush=True)
    return asdict(figures)


def _webhook(samples: int) -> dict[str, Any]:
    figures = webhook.run(samples, latency_ms=0.0)
    print_figures(figures)
    return asdict(figures)


def _cold_start() -> dict[str, Any]:
    return asdict(cold_start.run(verbose=True))


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    output: Path = args.output
    if args.render:
        output.write_text(report.render(json.loads(RESULTS.read_text())))
        print(f"wrote {output}")
        return
    only = {name.strip() for name in args.only.split(",")}
    unknown = only - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    command = shlex.join(["python", "-m", "benchmarks", *(sys.argv[1:] if argv is None else argv)])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if not args.merge or not RESULTS.exists():
        RESULTS.write_text(json.dumps({"machine": machine(), "entries": {}}, indent=2))

    def save(key: str, entry: dict[str, Any]) -> None:
        # Read again before writing: another `--merge` run may have saved meanwhile.
        results = json.loads(RESULTS.read_text())
        results["machine"] = machine()
        results["entries"][key] = entry
        RESULTS.write_text(json.dumps(results, indent=2))
        output.write_text(report.render(results))

    if "cold-start" in only:
        print("== cold start: handler import times and the layer's size", flush=True)
        save("cold-start", measured(command, _cold_start))
    if "webhook" in only:
        print(f"== webhook latency, {WEBHOOK_SAMPLES} changes", flush=True)
        save("webhook", measured(command, partial(_webhook, WEBHOOK_SAMPLES)))
    if "outage" in only:
        print("== Odoo stopped for 42 s in the middle of a push of 1,500 products", flush=True)
        save("outage", measured(command, _outage))
    sizes = sorted(int(s) for s in args.sizes)
    for size in sizes:
        first = size == sizes[0]  # the worker's memory once, in the smallest run
        if "pull" in only:
            print(f"== import {size} partners and deltas, {args.costs} Odoo costs", flush=True)
            run = partial(_pull, size, args.costs, args.max_in_flight, MAX_PAGE_SIZE if first else 0)
            save(f"pull/{args.costs}/{size}", measured(command, run))
        if "push" in only:
            print(f"== push {size} products, {args.costs} Odoo costs", flush=True)
            run = partial(_push, size, args.costs, args.max_in_flight, first)
            save(f"push/{args.costs}/{size}", measured(command, run))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()

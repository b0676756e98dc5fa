"""Webhook latency: a change saved in Odoo until it is in the tenant's change feed, p50/p95.

    python -m benchmarks.webhook --samples 50

Odoo real-time sync is set up through the API (`POST /v1/connections/{id}/automation`), the
partners are imported once so they are linked, then each sample renames one partner in the
simulator (Odoo 19), whose automation rule POSTs to `/v1/webhooks/odoo/{token}` inside the save
as Odoo does; the receiver queues the change, the notices function (run by the local poller as
Lambda's would be, its batching window included) re-reads the partner and applies it, and the
sample ends when `GET /v1/changes` shows it. The save's own time (Odoo waiting for our receiver)
is given apart.

Then what a change costs on AWS, twice: each rename alone (applied before the next save: sparse
traffic, nothing shared), and a burst (every partner renamed, one save and one POST each, within
one batching window, as a mass edit in Odoo sends them: the notices are applied together).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from benchmarks.harness import api_client, print_figures, simulator_and_stack
from benchmarks.measure import Measure
from local_stack import LocalStack
from odoo_sync.odoo import OdooClient, OdooConnectionSettings

ENTITY = "customer"
FEED_WAIT_S = 30.0
FEED_POLL_S = 0.02
NOTICES = "OdooChangesFunction"


@dataclass
class WebhookFigures:
    samples: int
    latency_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    save_p50_ms: float  # Odoo's save, including its synchronous POST to the receiver
    save_p95_ms: float
    cost_changes: int = 0  # changes in the cost phase (each its own notice, page and feed entry)
    ddb_per_change: float = 0.0
    cost_per_million: dict[str, float] = field(default_factory=dict)  # US$ per million changes
    batching_window_s: float = 0.0  # the notice queue's, waited out in the latency samples
    burst_ddb_per_change: float = 0.0  # the same changes in one burst, gathered
    burst_cost_per_million: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        return f"webhook: p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms (Odoo change → tenant feed)"


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) >= 2 else values[0]


class Feed:
    def __init__(self, api: httpx.Client) -> None:
        self.api = api
        self.cursor: str | None = None
        self.read_to_end()

    def read_to_end(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            params: dict[str, str | int] = {"entity": ENTITY, "limit": 500}
            if self.cursor:
                params["cursor"] = self.cursor
            answer = self.api.get("/v1/changes", params=params)
            answer.raise_for_status()
            page = answer.json()
            items += page["items"]
            self.cursor = page["next"]
            if not page["has_more"]:
                return items

    def wait_for(self, odoo_id: int, name: str, poll: Any) -> None:
        deadline = time.monotonic() + FEED_WAIT_S
        while time.monotonic() < deadline:
            poll()
            for item in self.read_to_end():
                change = item["data"]
                if change["odoo_id"] == odoo_id and change["data"].get("name") == name:
                    return
        raise RuntimeError(f"partner {odoo_id} renamed {name!r} did not reach the feed in {FEED_WAIT_S} s")


def run(samples: int, latency_ms: float) -> WebhookFigures:
    with (
        simulator_and_stack() as (sim, stack, demo),
        OdooClient(
            OdooConnectionSettings(
                base_url=sim.url,
                database=sim.database,
                login=sim.admin_login,
                secret=SecretStr(sim.admin_api_key),
                allow_private_network=True,
            )
        ) as odoo,
    ):
        api = api_client(demo, timeout=60)
        partners = odoo.create(
            "res.partner", [{"name": f"HOOK {n}", "ref": f"HOOK-{n:04d}"} for n in range(samples)]
        )
        imported = api.post("/v1/import", json={"entity": ENTITY, "odoo_filters": [["ref", "like", "HOOK-"]]})
        imported.raise_for_status()
        stack.poller.drain(max_rounds=10_000)
        setup = api.post(f"/v1/connections/{demo.connection_id}/automation", json={"entities": [ENTITY]})
        setup.raise_for_status()
        feed = Feed(api)

        sim.knobs.latency_ms = latency_ms
        window_s = _notice_window(stack)
        totals, saves = [], []
        stack.poller.start()  # as Lambda's pollers run: the batching window is part of the latency
        try:
            for n, odoo_id in enumerate(partners):
                name = f"HOOK renamed {n}"
                started = time.perf_counter()
                odoo.write("res.partner", [odoo_id], {"name": name})
                saves.append((time.perf_counter() - started) * 1000)
                feed.wait_for(odoo_id, name, poll=lambda: time.sleep(FEED_POLL_S))
                totals.append((time.perf_counter() - started) * 1000)
        finally:
            stack.poller.stop()

        # What a change costs on AWS: each rename one at a time, as Odoo sends them (its notice,
        # the worker's page, the feed); the tenant reading the feed is not part of it.
        measure = Measure(stack)
        with measure.phase(len(partners)) as changes:
            for n, odoo_id in enumerate(partners):
                odoo.write("res.partner", [odoo_id], {"name": f"HOOK costed {n}"})
                stack.poller.drain(max_rounds=100)
        with measure.phase(len(partners)) as burst:
            for n, odoo_id in enumerate(partners):
                odoo.write("res.partner", [odoo_id], {"name": f"HOOK burst {n}"})
            stack.poller.drain(max_rounds=100)  # all arrived within one window: gathered
        measure.close()

    return WebhookFigures(
        samples=samples,
        latency_ms=latency_ms,
        p50_ms=round(statistics.median(totals), 1),
        p95_ms=round(_p95(totals), 1),
        max_ms=round(max(totals), 1),
        save_p50_ms=round(statistics.median(saves), 1),
        save_p95_ms=round(_p95(saves), 1),
        cost_changes=len(partners),
        ddb_per_change=round(changes.result.ddb_requests / max(len(partners), 1), 1),
        cost_per_million=changes.result.cost_per_million,
        batching_window_s=window_s,
        burst_ddb_per_change=round(burst.result.ddb_requests / max(len(partners), 1), 1),
        burst_cost_per_million=burst.result.cost_per_million,
    )


def _notice_window(stack: LocalStack) -> float:
    return max(source.batching_window_s for source in stack.poller.sources if source.function == NOTICES)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.webhook", description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="ms per Odoo call")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = run(args.samples, args.latency_ms)
    print_figures(figures, as_json=args.json)


if __name__ == "__main__":
    main()

"""What the benchmarks on the local stack share: the simulator and the stack of template.yaml with
a demo tenant connected, the tenant's API client, an admin client of the simulator, the options
every push and pull run takes, and printing the figures."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any, ClassVar, Protocol

import httpx
from pydantic import SecretStr

from local_stack import LocalStack
from local_stack.demo import Demo, OdooTarget, seed
from odoo_simulator import OdooSimulator
from odoo_simulator.costs import CostModel
from odoo_sync.odoo import OdooClient, OdooConnectionSettings

ROOT = Path(__file__).resolve().parents[1]
DRAIN_WAIT_S = 600.0
# What a connection shows and takes back on PUT, besides max_in_flight.
CONNECTION_FIELDS = ("name", "base_url", "port", "database", "protocol", "timeout_s", "company_id", "lang")


class Figures(Protocol):
    """A benchmark's figures: a dataclass, optionally with `phases`, and its one-line summary."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def summary(self) -> str: ...


def local_stack(log_level: str = "WARNING") -> LocalStack:
    """The service's template on a local stack, allowed to reach the simulator on loopback."""
    return LocalStack(
        ROOT / "template.yaml",
        port=0,
        parameter_overrides={"AllowPrivateOdooHosts": "true", "Stage": "local", "LogLevel": log_level},
    )


def demo_tenant(stack: LocalStack, sim: OdooSimulator) -> Demo:
    return seed(stack, OdooTarget(sim.url, sim.database, sim.admin_login, sim.admin_api_key)).demo


@contextmanager
def simulator_and_stack(costs: str = "none") -> Iterator[tuple[OdooSimulator, LocalStack, Demo]]:
    """An empty Odoo 19 simulator ("real": with real Odoo's costs) and the local stack, with a demo
    tenant connected to it."""
    # The worker's metrics go to stdout as EMF lines (CloudWatch reads them in AWS); here they
    # would bury the figures.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    cost_model = CostModel.real("19") if costs == "real" else None
    with (
        OdooSimulator("19", port=0, seed_partners=0, seed_products=0, cost_model=cost_model) as sim,
        local_stack() as stack,
    ):
        yield sim, stack, demo_tenant(stack, sim)


def api_client(demo: Demo, timeout: float = 600) -> httpx.Client:
    return httpx.Client(
        base_url=demo.api_url, headers={"Authorization": f"Bearer {demo.api_key}"}, timeout=timeout
    )


def admin_client(sim: OdooSimulator, read_timeout_s: float) -> OdooClient:
    """The simulator's admin over the connection's protocol (detected by a first call)."""
    settings = OdooConnectionSettings(
        base_url=sim.url,
        database=sim.database,
        secret=SecretStr(sim.admin_api_key),
        allow_private_network=True,
        read_timeout_s=read_timeout_s,
    )
    client = OdooClient(settings)
    client.server_info()
    return client


class StackBench:
    """The tenant's side of a benchmark: its API on the local stack, its connection to `sim`."""

    def __init__(self, stack: LocalStack, sim: OdooSimulator, demo: Demo) -> None:
        self.stack, self.sim, self.demo = stack, sim, demo
        self.api = api_client(demo)

    def set_max_in_flight(self, value: int) -> None:
        path = f"/v1/connections/{self.demo.connection_id}"
        shown = self.api.get(path).raise_for_status().json()
        body = {name: shown[name] for name in CONNECTION_FIELDS}
        self.api.put(path, json={**body, "max_in_flight": value}).raise_for_status()

    def drained_batch(self, batch_id: str) -> dict[str, Any]:
        """The batch once every queued message was handled (the worker in the connection's lanes)."""
        self.stack.poller.drain(max_rounds=1_000_000, parallel=True, wait_for_held_s=DRAIN_WAIT_S)
        batch: dict[str, Any] = self.api.get(f"/v1/batches/{batch_id}").json()
        return batch


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options of a push or pull run besides its size and pages."""
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every Odoo call")
    parser.add_argument(
        "--costs", choices=("real", "none"), default="real", help="the simulator's cost model"
    )
    parser.add_argument("--max-in-flight", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


def print_figures(figures: Figures, *, as_json: bool = False) -> None:
    """Every figure, one a line (as JSON first if asked); the last line is the summary."""
    values = asdict(figures)
    if as_json:
        print(json.dumps(values, indent=2))
    width = max(len(name) for name in values)
    phases = values.pop("phases", {})
    for name, value in values.items():
        print(f"{name:<{width}}  {value}")
    for name, value in phases.items():
        print(f"{name:<{width}}  {json.dumps(value) if isinstance(value, dict) else value}")
    print(figures.summary(), flush=True)

"""The service's own template on a local stack, and a demo tenant connected to a simulator: what
the end-to-end tests of several areas start, each module its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local_stack import LocalStack
from local_stack.demo import Demo, OdooTarget, seed
from odoo_simulator import OdooSimulator

ROOT = Path(__file__).resolve().parents[2]
# The simulator listens on loopback, which a deployed stack refuses as an Odoo host.
PARAMETERS = {"AllowPrivateOdooHosts": "true", "Stage": "local"}


@contextmanager
def service_stack() -> Iterator[LocalStack]:
    with LocalStack(ROOT / "template.yaml", port=0, parameter_overrides=PARAMETERS) as running:
        yield running


def demo_tenant(stack: LocalStack, sim: OdooSimulator) -> Demo:
    """A tenant, its key and a connection to `sim`, made through the API as `make run` does."""
    return seed(stack, OdooTarget(sim.url, sim.database, sim.admin_login, sim.admin_api_key)).demo

"""The service's own template on a local stack, and a demo tenant connected to a simulator: what
the end-to-end tests of several areas start, each module its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

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


def api_client(demo: Demo, key: str | None = None, timeout: float = 120) -> httpx.Client:
    """The local API with `key` (the demo tenant's admin key by default)."""
    headers = {"Authorization": f"Bearer {demo.api_key if key is None else key}"}
    return httpx.Client(base_url=demo.api_url, headers=headers, timeout=timeout)


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The answer's JSON body (None when it has none), once its status is `status`."""
    assert response.status_code == status, response.text
    return response.json() if response.content else None


class ServiceFixtures(NamedTuple):
    # Each a pytest fixture function (pytest exports no type to name them by).
    sim: Any
    stack: Any
    demo: Any
    api: Any


def service_fixtures(*, seed_partners: int, seed_products: int, api_timeout: float = 120) -> ServiceFixtures:
    """Module-scoped fixtures for a test module to take by assigning them to their names:

        sim, stack, demo, api = service_fixtures(seed_partners=5, seed_products=5)

    `sim`: an Odoo 19 simulator with that many seeded partners and products; `stack`: the service's
    template on a local stack; `demo`: a demo tenant connected to `sim`; `api`: the local API with
    the demo tenant's admin key."""

    @pytest.fixture(scope="module")
    def sim() -> Iterator[OdooSimulator]:
        with OdooSimulator(
            version="19", port=0, seed_partners=seed_partners, seed_products=seed_products
        ) as simulator:
            yield simulator

    @pytest.fixture(scope="module")
    def stack() -> Iterator[LocalStack]:
        with service_stack() as running:
            yield running

    @pytest.fixture(scope="module")
    def demo(stack: LocalStack, sim: OdooSimulator) -> Demo:
        return demo_tenant(stack, sim)

    @pytest.fixture(scope="module")
    def api(demo: Demo) -> Iterator[httpx.Client]:
        with api_client(demo, timeout=api_timeout) as client:
            yield client

    return ServiceFixtures(sim, stack, demo, api)

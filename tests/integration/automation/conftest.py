from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from automation_api.handler import lambda_handler
from odoo_simulator import OdooSimulator
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import ApiAnswer, call

# Odoo never reaches this in these tests (no record changes); the end-to-end test uses a real one.
PUBLIC_API_URL = "http://127.0.0.1:9/prod"
AUTOMATION = "/v1/connections/{connection_id}/automation"


@pytest.fixture(scope="module", params=["17", "19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, port=0, seed_partners=5, seed_products=5) as simulator:
        yield simulator


@pytest.fixture
def linked(allow_loopback, aws, sim, monkeypatch) -> Iterator[TenantConnection]:
    monkeypatch.setenv("PUBLIC_API_URL", PUBLIC_API_URL)
    sim.knobs.reset()
    sim.set_module_state("base_automation", "installed")
    connection = connect(sim)
    yield connection
    # Each test starts from an Odoo without automations of ours (the simulator lives per module).
    automation(connection, "DELETE")


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")


def automation(
    linked: TenantConnection, method: str = "POST", body: Any = None, suffix: str = ""
) -> ApiAnswer:
    return call(
        lambda_handler,
        method,
        AUTOMATION + suffix,
        {"connection_id": linked.connection_id},
        body=body,
        tenant_id=linked.tenant_id,
    )

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import connection_service, tenant_service
from odoo_sync.core.connections import ApiKeyAuth, ConnectionInput, PasswordAuth


@dataclass
class TenantConnection:
    tenant_id: str
    connection_id: str
    sim: OdooSimulator


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")


@pytest.fixture(scope="module", params=["19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, port=0, seed_partners=30, seed_products=30) as simulator:
        yield simulator


def connect(sim: OdooSimulator, *, use_password: bool = False, login: str | None = None) -> TenantConnection:
    tenant, _ = tenant_service().create_tenant("Acme")
    auth: ApiKeyAuth | PasswordAuth
    if use_password:
        auth = PasswordAuth(type="password", login=login or sim.admin_login, password=sim.admin_password)
    else:
        auth = ApiKeyAuth(type="api_key", login=login or sim.admin_login, api_key=sim.admin_api_key)
    data = ConnectionInput(name="sim", base_url=sim.url, database=sim.database, auth=auth)
    view = connection_service().create(tenant.tenant_id, data)
    return TenantConnection(tenant.tenant_id, view.connection_id, sim)


@pytest.fixture
def linked(allow_loopback, aws, sim) -> TenantConnection:
    sim.knobs.reset()
    return connect(sim)

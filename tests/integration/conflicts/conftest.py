from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import record_store
from odoo_sync.sync.model import LocalRecord
from records_api import handler as records_api
from sync_api import handler as sync_api
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import call


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=5, seed_products=5) as simulator:
        yield simulator


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch, aws: Any, sim: OdooSimulator) -> TenantConnection:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    sim.knobs.reset()
    return connect(sim)


def put_record(account: TenantConnection, local_id: str, data: dict[str, Any]) -> None:
    answer = call(
        records_api.lambda_handler,
        "PUT",
        "/v1/records/{entity}/{local_id}",
        {"entity": "customer", "local_id": local_id},
        body=data,
        tenant_id=account.tenant_id,
    )
    assert answer.status in (200, 201), answer.body


def push(account: TenantConnection, local_id: str) -> dict[str, Any]:
    answer = call(
        sync_api.lambda_handler,
        "POST",
        "/v1/sync/{entity}/{local_id}",
        {"entity": "customer", "local_id": local_id},
        tenant_id=account.tenant_id,
    )
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    return body


def stored(account: TenantConnection, local_id: str) -> LocalRecord:
    record = record_store().get(account.tenant_id, "customer", local_id)
    assert record is not None
    return record

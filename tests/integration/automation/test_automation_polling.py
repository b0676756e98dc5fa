"""Before Odoo 17 there is no webhook action: the answer offers polling and nothing is created."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import webhook_tokens
from tests.integration.automation.conftest import automation
from tests.integration.service.conftest import TenantConnection, connect


@pytest.fixture(scope="module")
def sim16() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="16", port=0, seed_partners=3, seed_products=3) as simulator:
        yield simulator


@pytest.fixture
def linked16(allow_loopback, aws, sim16, monkeypatch) -> TenantConnection:
    monkeypatch.setenv("PUBLIC_API_URL", "http://127.0.0.1:9")
    return connect(sim16)


def test_odoo_16_gets_polling_with_a_schedule_per_entity_and_nothing_in_odoo(linked16):
    sim = linked16.sim
    before = {model: len(sim.records(model)) for model in ("base.automation", "ir.actions.server")}
    sim.reset_calls()

    answer = automation(linked16)

    assert answer.status == 200
    assert answer.body["mode"] == "polling"
    assert answer.body["odoo_version"].startswith("16.0")
    assert "polling" in answer.body["reason"]
    assert answer.body["webhook_url"] is None
    schedules = {item["entity"]: item for item in answer.body["suggested_schedules"]}
    assert set(schedules) == {"customer", "product"}
    assert schedules["customer"]["cron_expression"] == "*/5 * * * *"
    assert schedules["customer"]["sync_direction"] == "from_odoo"
    assert schedules["customer"]["sync_type"] == "incremental"
    assert {model: len(sim.records(model)) for model in before} == before
    assert not [call for call in sim.calls if call[1] in ("create", "write", "unlink")]
    assert webhook_tokens().get_for_connection(linked16.tenant_id, linked16.connection_id) is None


def test_odoo_16_status_and_rotation_answer_polling_too(linked16):
    for method, suffix in (("GET", ""), ("POST", "/token")):
        answer = automation(linked16, method, suffix=suffix)

        assert answer.status == 200
        assert answer.body["mode"] == "polling"
        assert answer.body["webhook_url"] is None
    assert webhook_tokens().get_for_connection(linked16.tenant_id, linked16.connection_id) is None

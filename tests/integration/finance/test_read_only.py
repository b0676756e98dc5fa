"""invoice and stock come from Odoo only: pushes are refused; automations are set up for them only
when named, and skipped (not failed) on an Odoo without their module."""

from __future__ import annotations

import pytest

from automation_api.handler import lambda_handler as automation_api
from bulk_api.handler import lambda_handler as bulk_api
from odoo_sync.api import dependencies
from schedules_api.handler import lambda_handler as schedules_api
from sync_api.handler import lambda_handler as sync_api
from tests.support.api import call

AUTOMATION = "/v1/connections/{connection_id}/automation"


@pytest.fixture
def public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_API_URL", "https://sync.example.com")


@pytest.mark.parametrize("entity", ["invoice", "stock"])
def test_pushing_a_read_only_entity_is_refused_with_422(shop, entity):
    dependencies.record_service().put(shop.tenant_id, entity, "x-1", {"number": "x"})

    one = call(
        sync_api,
        "POST",
        "/v1/sync/{entity}/{local_id}",
        {"entity": entity, "local_id": "x-1"},
        body={},
        tenant_id=shop.tenant_id,
    )
    bulk = call(bulk_api, "POST", "/v1/bulk-sync", body={"entity": entity}, tenant_id=shop.tenant_id)

    for answer in (one, bulk):
        assert (answer.status, answer.body["field"]) == (422, "entity"), answer.body
        assert "read from Odoo only" in answer.body["message"]


def test_a_schedule_may_pull_invoices_but_not_push_them(shop):
    body = {"name": "invoices", "entity": "invoice", "cron_expression": "*/5 * * * *"}

    pushing = call(schedules_api, "POST", "/v1/schedules", body={**body, "sync_direction": "to_odoo"},
                   tenant_id=shop.tenant_id)  # fmt: skip
    pulling = call(schedules_api, "POST", "/v1/schedules", body={**body, "sync_direction": "from_odoo"},
                   tenant_id=shop.tenant_id)  # fmt: skip

    assert (pushing.status, pushing.body["field"]) == (422, "entity")
    assert pulling.status == 201, pulling.body


def _automation(shop, body=None):
    return call(
        automation_api, "POST", AUTOMATION, {"connection_id": shop.connection_id}, body=body,
        tenant_id=shop.tenant_id,
    )  # fmt: skip


def test_automations_cover_invoices_and_stock_only_when_named(shop, sim, public_url):
    default = _automation(shop)
    named = _automation(shop, {"entities": ["invoice", "stock"]})
    call(
        automation_api, "DELETE", AUTOMATION, {"connection_id": shop.connection_id}, tenant_id=shop.tenant_id
    )

    assert default.status == 200, default.body
    assert {e["entity"] for e in default.body["entities"]} == {"customer", "product"}
    by_entity = {e["entity"]: e for e in named.body["entities"]}
    assert by_entity["invoice"]["status"] == "created"
    assert by_entity["invoice"]["trigger_fields"] == ["amount_residual", "name", "payment_state", "state"]
    assert by_entity["stock"]["trigger_fields"] == ["location_id", "quantity", "reserved_quantity"]


def test_an_odoo_without_the_account_module_skips_invoices_with_a_reason(shop, sim, public_url):
    models = sim.store.table("ir.model")
    with sim.store.lock:  # an Odoo without `account`: no account.move model
        removed = {rid: row for rid, row in models.items() if row.get("model") == "account.move"}
        for rid in removed:
            del models[rid]
        sim.registry.hidden.add("account.move")
    try:
        answer = _automation(shop, {"entities": ["customer", "invoice"]})
    finally:
        with sim.store.lock:
            models.update(removed)
            sim.registry.hidden.discard("account.move")
        call(
            automation_api,
            "DELETE",
            AUTOMATION,
            {"connection_id": shop.connection_id},
            tenant_id=shop.tenant_id,
        )

    assert answer.status == 200, answer.body
    by_entity = {e["entity"]: e for e in answer.body["entities"]}
    assert by_entity["customer"]["status"] == "created"
    assert by_entity["invoice"]["status"] == "skipped"
    assert "account.move" in by_entity["invoice"]["reason"]

"""POST /v1/sync/{entity}/{local_id} end to end: records store, plans, Odoo simulator, links, log."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import record_store
from records_api import handler as records_api
from sync_api import handler as sync_api
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import ApiAnswer, call

SYNC = "/v1/sync/{entity}/{local_id}"
RECORD = "/v1/records/{entity}/{local_id}"


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")


@pytest.fixture
def account(loopback: None, aws: Any, sim: OdooSimulator) -> TenantConnection:
    sim.knobs.reset()
    return connect(sim)


def put(
    account: TenantConnection, local_id: str, body: dict[str, Any], entity: str = "customer"
) -> ApiAnswer:
    answer = call(
        records_api.lambda_handler,
        "PUT",
        RECORD,
        {"entity": entity, "local_id": local_id},
        body=body,
        tenant_id=account.tenant_id,
    )
    assert answer.status in (200, 201), answer.body
    return answer


def sync(
    account: TenantConnection,
    local_id: str,
    body: Any = None,
    entity: str = "customer",
    headers: dict[str, str] | None = None,
) -> ApiAnswer:
    return call(
        sync_api.lambda_handler,
        "POST",
        SYNC,
        {"entity": entity, "local_id": local_id},
        body=body,
        tenant_id=account.tenant_id,
        headers=headers,
    )


def test_a_record_is_created_then_unchanged_without_a_write(
    sim: OdooSimulator, account: TenantConnection
) -> None:
    put(account, "c-1", {"name": "Ada Lovelace", "email": "ada@example.com", "country": "GB"})

    first = sync(account, "c-1")

    assert first.status == 200, first.body
    assert first.body["success"] is True
    assert first.body["action"] == "created"
    assert set(first.body["fields_synced"]) >= {"name", "email", "country", "ref"}
    odoo_id = first.body["odoo_id"]
    partner = sim.records("res.partner", [["id", "=", odoo_id]])[0]
    assert (partner["name"], partner["email"], partner["ref"]) == ("Ada Lovelace", "ada@example.com", "c-1")
    stored = record_store().get(account.tenant_id, "customer", "c-1")
    assert stored is not None
    link = stored.links[account.connection_id]
    assert (link.odoo_id, link.status.value, link.synced_version) == (odoo_id, "synced", 1)

    sim.reset_calls()
    second = sync(account, "c-1", {"connection_id": account.connection_id})

    assert second.status == 200
    assert (second.body["action"], second.body["odoo_id"], second.body["fields_synced"]) == (
        "unchanged",
        odoo_id,
        [],
    )
    assert sim.calls[("res.partner", "write")] == 0
    assert sim.calls[("res.partner", "create")] == 0


def test_a_change_is_written_and_force_update_writes_again(
    sim: OdooSimulator, account: TenantConnection
) -> None:
    put(account, "c-2", {"name": "Grace"})
    created = sync(account, "c-2").body
    put(account, "c-2", {"name": "Grace Hopper"})

    updated = sync(account, "c-2")
    forced = sync(account, "c-2", {"force_update": True})

    assert (updated.body["action"], updated.body["fields_synced"]) == ("updated", ["name"])
    assert forced.body["action"] == "updated"
    assert sim.records("res.partner", [["id", "=", created["odoo_id"]]])[0]["name"] == "Grace Hopper"


def test_a_rejected_record_answers_422_with_every_issue(account: TenantConnection) -> None:
    put(account, "c-3", {"name": "", "email": "nope"})

    answer = sync(account, "c-3")

    assert answer.status == 422
    assert answer.body["success"] is False
    assert answer.body["code"] == "validation_failed"
    assert {(i["field"], i["code"]) for i in answer.body["issues"]} == {
        ("name", "required"),
        ("email", "invalid_email"),
    }
    stored = record_store().get(account.tenant_id, "customer", "c-3")
    assert stored is not None
    assert stored.links[account.connection_id].status.value == "error"


def test_an_ambiguous_match_answers_422_naming_the_odoo_records(
    sim: OdooSimulator, account: TenantConnection
) -> None:
    email = "twin@example.com"
    with sim.lock:
        twins = sim.env()["res.partner"].create(
            [{"name": "A", "email": email}, {"name": "B", "email": email}]
        )
    put(account, "c-4", {"name": "C", "email": email})

    answer = sync(account, "c-4")

    assert answer.status == 422
    assert answer.body["code"] == "ambiguous_match"
    assert answer.body["odoo_ids"] == sorted(twins.ids)


@pytest.mark.parametrize(
    ("entity", "local_id", "body", "status"),
    [
        ("Customer!", "c-1", None, 422),
        ("customer", "-bad", None, 422),
        ("customer", "c-1", {"force_update": "maybe"}, 422),
        ("customer", "c-1", {"unknown": True}, 422),
        ("customer", "c-1", {"connection_id": "not-a-connection"}, 422),
        ("customer", "c-1", "not json", 400),
        ("customer", "c-1", {"connection_id": "con_0000000000000000"}, 404),
        ("customer", "nobody", None, 404),
        ("no_such_entity", "c-1", None, 404),
    ],
)
def test_bad_requests_are_refused(
    account: TenantConnection, entity: str, local_id: str, body: Any, status: int
) -> None:
    put(account, "c-1", {"name": "Someone"})

    answer = sync(account, local_id, body, entity=entity)

    assert answer.status == status, answer.body
    assert answer.body.get("success") in (None, False)


def test_an_idempotency_key_replays_the_first_answer(sim: OdooSimulator, account: TenantConnection) -> None:
    put(account, "c-5", {"name": "Once"})
    headers = {"Idempotency-Key": "sync-c-5"}

    first = sync(account, "c-5", headers=headers)
    sim.reset_calls()
    replay = sync(account, "c-5", headers=headers)

    assert replay.status == first.status == 200
    assert replay.body == first.body
    assert replay.body["action"] == "created"
    assert sim.total_calls == 0

"""PUT /v1/entities/{name}/conflicts: a conflict policy for presets and tenant entities alike."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import connection_service
from settings_api.handler import lambda_handler
from tests.integration.conflicts.conftest import push, put_record, stored
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import ApiAnswer, call

TAG_ENTITY: dict[str, Any] = {
    "name": "tag",
    "odoo_model": "res.partner.category",
    "match_keys": [{"local_field": "label", "odoo_field": "name"}],
}


def set_policy(account: TenantConnection, entity: str, body: Any, tenant: str | None = None) -> ApiAnswer:
    return call(
        lambda_handler,
        "PUT",
        "/v1/entities/{entity}/conflicts",
        {"entity": entity},
        body=body,
        tenant_id=tenant or account.tenant_id,
    )


def shown(account: TenantConnection, entity: str, tenant: str | None = None) -> dict[str, Any]:
    answer = call(
        lambda_handler,
        "GET",
        "/v1/entities/{entity}",
        {"entity": entity},
        tenant_id=tenant or account.tenant_id,
    )
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    return body


def test_a_preset_gets_a_conflict_policy_of_its_own_per_tenant(account: TenantConnection, sim: OdooSimulator):
    policy = {"default": "odoo", "fields": {"email": "local", "name": "newest_wins"}}

    answer = set_policy(account, "customer", policy)

    assert answer.status == 200, answer.body
    assert (answer.body["name"], answer.body["preset"], answer.body["conflicts"]) == (
        "customer",
        True,
        policy,
    )
    assert answer.body["updated_at"] is not None
    assert shown(account, "customer")["conflicts"] == policy
    listed = call(lambda_handler, "GET", "/v1/entities", tenant_id=account.tenant_id).body["items"]
    assert {item["name"]: item["conflicts"] for item in listed}["customer"] == policy
    other = connect(sim)
    assert shown(other, "customer", other.tenant_id)["conflicts"] == {"default": "manual", "fields": {}}


def test_a_push_follows_the_presets_policy(account: TenantConnection):
    assert set_policy(account, "customer", {"default": "local"}).status == 200
    put_record(account, "cp-1", {"name": "Ada", "email": "cp-1@example.com"})
    odoo_id = push(account, "cp-1")["odoo_id"]
    client = connection_service().client(account.tenant_id, account.connection_id)
    client.write("res.partner", [odoo_id], {"name": "Ada Odoo"})
    put_record(account, "cp-1", {"name": "Ada Local", "email": "cp-1@example.com"})

    answer = push(account, "cp-1")

    # Changed on both sides: the local side is the system of record now, nothing is held.
    assert answer["action"] == "updated"
    assert client.read("res.partner", [odoo_id], ["name"])[0]["name"] == "Ada Local"
    assert stored(account, "cp-1").links[account.connection_id].status.value == "synced"


def test_a_tenant_entitys_policy_is_replaced(account: TenantConnection):
    created = call(lambda_handler, "POST", "/v1/entities", body=TAG_ENTITY, tenant_id=account.tenant_id)
    assert created.status == 201, created.body

    answer = set_policy(account, "tag", {"default": "newest_wins", "fields": {"color": "odoo"}})

    assert answer.status == 200, answer.body
    assert shown(account, "tag")["conflicts"] == {"default": "newest_wins", "fields": {"color": "odoo"}}
    assert shown(account, "tag")["match_keys"] == created.body["match_keys"]  # the rest is kept


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"default": "coin_toss"}, 422, "default"),
        ({"fields": {"name": "sometimes"}}, 422, "fields.name"),
        ({"fields": {"no_such_field": "odoo"}}, 422, "fields.no_such_field"),
        ({"winner": "odoo"}, 422, "winner"),
        ({"connection_id": "con_ffffffffffffffff"}, 404, "connection_id"),
        ("not json", 400, None),
    ],
)
def test_a_bad_policy_is_refused_with_its_field(account: TenantConnection, body, status, field):
    answer = set_policy(account, "customer", body)

    assert answer.status == status, answer.body
    if field is not None:
        assert field in (answer.body["field"] or ""), answer.body
    assert shown(account, "customer")["conflicts"] == {"default": "manual", "fields": {}}


def test_an_unknown_entity_is_not_found(account: TenantConnection):
    answer = set_policy(account, "no_such_entity", {"default": "odoo"})

    assert answer.status == 404, answer.body
    assert answer.body["field"] == "entity"


def test_a_malformed_entity_name_is_refused(account: TenantConnection):
    answer = set_policy(account, "Not An Entity!", {"default": "odoo"})

    assert answer.status in (400, 422), answer.body
    assert answer.body["field"] == "entity"

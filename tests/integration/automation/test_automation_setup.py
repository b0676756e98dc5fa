"""Webhook automations set up in a simulated Odoo 17 and 19: created once, compared, repaired, removed."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import webhook_tokens
from odoo_sync.core.webhook_tokens import hash_token, token_in_url
from tests.integration.automation.conftest import PUBLIC_API_URL, automation
from tests.integration.service.conftest import TenantConnection

OURS = [["module", "=", "odoo_sync"]]


def count(sim: OdooSimulator) -> dict[str, int]:
    return {
        model: len(sim.records(model)) for model in ("base.automation", "ir.actions.server", "ir.model.data")
    }


def field_names(sim: OdooSimulator, ids: list[int]) -> set[str]:
    return {row["name"] for row in sim.records("ir.model.fields", [["id", "in", ids]])}


def by_entity(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["entity"]: item for item in answer["entities"]}


def test_setup_creates_one_rule_and_one_webhook_action_per_entity(linked):
    sim = linked.sim

    answer = automation(linked)

    assert answer.status == 200, answer.body
    assert answer.body["mode"] == "webhook"
    assert answer.body["token"] == "created"
    url = answer.body["webhook_url"]
    assert url.startswith(f"{PUBLIC_API_URL}/v1/webhooks/odoo/")
    entities = by_entity(answer.body)
    assert set(entities) == {"customer", "product"}
    assert {item["status"] for item in entities.values()} == {"created"}
    partner = entities["customer"]
    [rule] = sim.records("base.automation", [["id", "=", partner["automation_id"]]])
    assert rule["trigger"] == "on_create_or_write"
    assert rule["trigger_field_ids"], "empty trigger fields make Odoo POST 13-14 times per create"
    assert field_names(sim, rule["trigger_field_ids"]) == set(partner["trigger_fields"])
    [action] = sim.records("ir.actions.server", [["id", "=", partner["action_id"]]])
    assert (action["state"], action["usage"], action["base_automation_id"]) == (
        "webhook",
        "base_automation",
        rule["id"],
    )
    assert action["webhook_url"] == url
    # The payload is what the receiver needs; the worker reads the record again anyway.
    assert field_names(sim, action["webhook_field_ids"]) == {"id", "write_date"}
    # Trigger fields may watch a group-restricted field; only the payload may not carry one.
    assert "standard_price" in entities["product"]["trigger_fields"]
    names = {row["name"] for row in sim.records("ir.model.data", OURS)}
    assert f"automation_customer_{linked.connection_id}" in names
    assert f"webhook_customer_{linked.connection_id}" in names
    # The token is stored only as its hash, with the models it may notify about.
    stored = webhook_tokens().get_for_connection(linked.tenant_id, linked.connection_id)
    assert stored is not None
    assert stored.token_hash == hash_token(str(token_in_url(url)))
    assert stored.models == ["product.template", "res.partner"]


def test_a_second_setup_finds_everything_and_creates_nothing(linked):
    sim = linked.sim
    first = automation(linked).body
    before = count(sim)
    sim.reset_calls()

    again = automation(linked)

    assert again.status == 200
    assert {item["status"] for item in again.body["entities"]} == {"up_to_date"}
    assert again.body["token"] == "kept"
    assert again.body["webhook_url"] is None  # shown only when created or rotated
    assert count(sim) == before
    assert not [call for call in sim.calls if call[1] in ("create", "write", "unlink")]
    assert by_entity(again.body)["customer"]["automation_id"] == by_entity(first)["customer"]["automation_id"]


def test_status_reports_drift_and_setup_repairs_only_what_differs(linked):
    sim = linked.sim
    created = by_entity(automation(linked).body)
    rule_id = created["customer"]["automation_id"]
    email = [
        row["id"]
        for row in sim.records("ir.model.fields", [["model", "=", "res.partner"], ["name", "=", "email"]])
    ]
    with sim.lock:
        sim.env()["base.automation"].browse([rule_id]).write({"trigger_field_ids": [(6, 0, email)]})

    status = automation(linked, "GET")

    assert status.status == 200
    states = by_entity(status.body)
    assert states["customer"]["status"] == "drifted"
    assert states["customer"]["differences"] == ["trigger_field_ids"]
    assert states["product"]["status"] == "up_to_date"

    repaired = by_entity(automation(linked).body)
    assert repaired["customer"]["status"] == "updated"
    assert repaired["customer"]["differences"] == ["trigger_field_ids"]
    assert repaired["product"]["status"] == "up_to_date"
    assert {item["status"] for item in automation(linked, "GET").body["entities"]} == {"up_to_date"}


def test_a_rule_deleted_in_odoo_is_missing_then_recreated_with_the_same_token(linked):
    sim = linked.sim
    first = automation(linked).body
    created = by_entity(first)
    with sim.lock:
        sim.env()["ir.actions.server"].browse([created["product"]["action_id"]]).unlink()
        sim.env()["base.automation"].browse([created["product"]["automation_id"]]).unlink()

    assert by_entity(automation(linked, "GET").body)["product"]["status"] == "missing"
    again = automation(linked).body

    assert by_entity(again)["product"]["status"] == "created"
    assert again["token"] == "kept"
    [action] = sim.records("ir.actions.server", [["id", "=", by_entity(again)["product"]["action_id"]]])
    assert action["webhook_url"] == first["webhook_url"]


def test_teardown_removes_ours_and_only_ours(linked):
    sim = linked.sim
    before = count(sim)
    foreign_rule = None
    with sim.lock:
        partner_model = sim.env()["ir.model"].search([("model", "=", "res.partner")]).ids[0]
        foreign_rule = (
            sim.env()["base.automation"]
            .create(
                {"name": "Someone else's rule", "model_id": partner_model, "trigger": "on_create_or_write"}
            )
            .ids[0]
        )
    automation(linked)

    removed = automation(linked, "DELETE")

    assert removed.status == 200
    assert {item["status"] for item in removed.body["entities"]} == {"removed"}
    assert {item["entity"] for item in removed.body["entities"]} == {"customer", "product"}
    assert sim.records("base.automation", [["id", "=", foreign_rule]])
    assert count(sim) == {**before, "base.automation": before["base.automation"] + 1}
    assert not [row for row in sim.records("ir.model.data", OURS) if linked.connection_id in row["name"]]
    assert webhook_tokens().get_for_connection(linked.tenant_id, linked.connection_id) is None
    assert {item["status"] for item in automation(linked, "GET").body["entities"]} == {"missing"}
    with sim.lock:
        sim.env()["base.automation"].browse([foreign_rule]).unlink()


def test_rotation_gives_a_new_url_and_re_points_every_action(linked):
    sim = linked.sim
    first = automation(linked).body
    old = token_in_url(first["webhook_url"])

    rotated = automation(linked, "POST", suffix="/token")

    assert rotated.status == 200
    assert rotated.body["token"] == "rotated"
    new_url = rotated.body["webhook_url"]
    assert new_url != first["webhook_url"]
    assert {item["status"] for item in rotated.body["entities"]} == {"updated"}
    for item in rotated.body["entities"]:
        [action] = sim.records("ir.actions.server", [["id", "=", item["action_id"]]])
        assert action["webhook_url"] == new_url
    assert webhook_tokens().find(hash_token(str(old))) is None
    assert {item["status"] for item in automation(linked, "GET").body["entities"]} == {"up_to_date"}


def test_setup_of_named_entities_leaves_the_others_alone(linked):
    answer = automation(linked, body={"entities": ["customer"]})

    assert [item["entity"] for item in answer.body["entities"]] == ["customer"]
    assert len(linked.sim.records("ir.actions.server", [["webhook_url", "=like", f"{PUBLIC_API_URL}%"]])) >= 1
    assert by_entity(automation(linked, "GET").body)["product"]["status"] == "missing"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entities": ["nobody"]}, "entities.0"),
        ({"entities": []}, "entities"),
        ({"entities": ["Not An Entity"]}, "entities.0"),
        ({"entities": ["customer"], "extra": 1}, "extra"),
    ],
)
def test_bad_entity_lists_are_refused_with_the_field_at_fault(linked, body, field):
    before = count(linked.sim)

    answer = automation(linked, body=body)

    assert answer.status == 422
    assert answer.body["field"] == field
    assert count(linked.sim) == before


def test_without_base_automation_installed_the_answer_says_how_to_install_it(linked):
    sim = linked.sim
    sim.set_module_state("base_automation", "uninstalled")
    try:
        answer = automation(linked)
        status = automation(linked, "GET")
    finally:
        sim.set_module_state("base_automation", "installed")

    assert answer.status == 409
    assert answer.body["code"] == "odoo_module_missing"
    assert "Automation Rules" in answer.body["message"]
    assert answer.body["module_state"] == "uninstalled"
    assert status.status == 409
    assert webhook_tokens().get_for_connection(linked.tenant_id, linked.connection_id) is None


def test_an_unknown_connection_is_not_found(linked):
    answer = automation(TenantConnection(linked.tenant_id, "con_0000000000000000", linked.sim), "POST")

    assert answer.status == 404
    assert answer.body["field"] == "connection_id"

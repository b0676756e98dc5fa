"""Group-restricted fields in webhook payloads, and when the webhook is POSTed against the commit.

As captured (v17/v19-webhook-restricted-fields.json) and as Odoo's source has it: 17 refuses a
webhook action whose payload lists a field declared with `groups=` (a constraint, at create and
at write); 19 saves it with a `warning` and then refuses to run it, so that every create or write
that fires its rule fails. 17 POSTs inside the transaction, before the commit; 19 after.
"""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator

from .conftest import Rpc
from .receiver import Received, Receiver, receiver

REFUSED = "Group-restricted fields cannot be included in webhook payloads"
BLOCKED = "has one or more warnings, address them first."


@pytest.fixture(scope="module")
def hooks() -> Iterator[Receiver]:
    with receiver() as listening:
        yield listening


@pytest.fixture(scope="module", params=["17", "19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, seed_partners=3, seed_products=3) as simulator:
        yield simulator


@pytest.fixture
def rpc(sim: OdooSimulator, hooks: Receiver) -> Iterator[Rpc]:
    hooks.clear()
    yield Rpc(sim)
    hooks.clear()
    for automation in Rpc(sim).xml("base.automation", "search", [[]], {"context": {"active_test": False}}):
        Rpc(sim).xml("base.automation", "unlink", [[automation]])


def field_ids(rpc: Rpc, model: str, names: list[str]) -> list[int]:
    ids: list[int] = rpc.xml("ir.model.fields", "search", [[["model", "=", model], ["name", "in", names]]])
    return ids


def rule(rpc: Rpc, model: str, trigger_fields: list[str] | None = None) -> tuple[int, int]:
    """(model id, rule id) of a rule on create or write of `model`."""
    model_id = rpc.xml("ir.model", "search", [[["model", "=", model]]])[0]
    values: dict[str, Any] = {"name": "restricted", "model_id": model_id, "trigger": "on_create_or_write"}
    if trigger_fields:
        values["trigger_field_ids"] = [(6, 0, field_ids(rpc, model, trigger_fields))]
    return model_id, rpc.xml("base.automation", "create", [values])


def webhook_action(
    rpc: Rpc, model: str, url: str, payload: list[str], trigger: list[str] | None = None
) -> int:
    model_id, automation = rule(rpc, model, trigger)
    action: int = rpc.xml(
        "ir.actions.server",
        "create",
        [
            {
                "name": "WIRE restricted webhook",
                "model_id": model_id,
                "state": "webhook",
                "usage": "base_automation",
                "base_automation_id": automation,
                "webhook_url": url,
                "webhook_field_ids": [(6, 0, field_ids(rpc, model, payload))],
            }
        ],
    )
    return action


@pytest.mark.parametrize("model", ["product.template", "product.product"])
def test_17_refuses_a_restricted_payload_field_at_create_and_at_write(
    sim: OdooSimulator, rpc: Rpc, hooks: Receiver, model: str
) -> None:
    if sim.version != "17":
        pytest.skip("19 accepts it with a warning")
    with pytest.raises(xmlrpc.client.Fault) as refused:
        webhook_action(rpc, model, f"{hooks.url}/ok", ["name", "standard_price"])
    assert refused.value.faultCode == 2
    assert refused.value.faultString.startswith(REFUSED)
    assert refused.value.faultString.endswith("\n WIRE restricted webhook: Cost")

    action = webhook_action(rpc, model, f"{hooks.url}/ok", ["name", "write_date"])
    with pytest.raises(xmlrpc.client.Fault, match=REFUSED):
        rpc.xml(
            "ir.actions.server",
            "write",
            [[action], {"webhook_field_ids": [(6, 0, field_ids(rpc, model, ["standard_price"]))]}],
        )
    # Trigger fields may watch it: only the payload is checked.
    watching = rule(rpc, model, ["standard_price"])[1]
    assert rpc.xml("base.automation", "read", [[watching], ["trigger_field_ids"]])[0]["trigger_field_ids"]


def test_19_keeps_the_action_with_a_warning_and_refuses_every_save_it_would_run_on(
    sim: OdooSimulator, rpc: Rpc, hooks: Receiver
) -> None:
    if sim.version != "19":
        pytest.skip("17 refuses the action itself")
    product = rpc.xml("product.template", "search", [[]], {"limit": 1})[0]
    action = webhook_action(rpc, "product.template", f"{hooks.url}/ok", ["name", "standard_price"])
    [row] = rpc.xml("ir.actions.server", "read", [[action], ["warning"]])
    assert row["warning"].startswith(REFUSED)
    assert row["warning"].endswith("webhook payload:\n- Cost")

    for call in (("write", [[product], {"list_price": 42.0}]), ("create", [{"name": "blocked?"}])):
        with pytest.raises(xmlrpc.client.Fault) as refused:
            rpc.xml("product.template", *call)
        assert refused.value.faultCode == 2
        assert refused.value.faultString == f"Server action WIRE restricted webhook {BLOCKED}"
    error = rpc.jsonrpc(
        "object",
        "execute_kw",
        [sim.database, sim.admin_uid, sim.admin_password, "product.template", "create", [{"name": "x"}], {}],
    )["error"]
    assert error["data"]["name"] == "odoo.addons.base.models.ir_actions.ServerActionWithWarningsError"
    assert error["data"]["context"]["exception_class"] == "base_automation"
    answer = rpc.json2("product.template", "write", {"ids": [product], "vals": {"list_price": 43.0}})
    assert answer.status_code == 422
    assert hooks.bodies() == []  # refused before anything was sent

    assert rpc.xml("res.partner", "create", [{"name": "other models are not concerned"}])
    fine = field_ids(rpc, "product.template", ["name", "list_price"])
    rpc.xml("ir.actions.server", "write", [[action], {"webhook_field_ids": [(6, 0, fine)]}])
    assert rpc.xml("ir.actions.server", "read", [[action], ["warning"]])[0]["warning"] is False
    assert rpc.xml("product.template", "write", [[product], {"list_price": 44.0}]) is True
    assert len(hooks.bodies()) == 2  # no trigger fields: Odoo sends a write twice


def test_19_a_rule_that_does_not_fire_does_not_block(sim: OdooSimulator, rpc: Rpc, hooks: Receiver) -> None:
    if sim.version != "19":
        pytest.skip("19 only")
    product = rpc.xml("product.template", "search", [[]], {"limit": 1})[0]
    webhook_action(rpc, "product.template", f"{hooks.url}/ok", ["standard_price"], trigger=["name"])

    assert rpc.xml("product.template", "write", [[product], {"list_price": 45.0}]) is True
    with pytest.raises(xmlrpc.client.Fault, match=BLOCKED):
        rpc.xml("product.template", "write", [[product], {"name": "renamed"}])


def test_ir_model_fields_groups_is_readable_and_empty_as_in_odoo(rpc: Rpc) -> None:
    ids = field_ids(rpc, "product.template", ["standard_price", "name"])
    rows = rpc.xml("ir.model.fields", "read", [ids, ["name", "groups"]])

    # Odoo keeps `groups=` on the Python field only; ir.model.fields.groups stays empty.
    assert sorted((row["name"], row["groups"]) for row in rows) == [("name", []), ("standard_price", [])]
    described = rpc.xml("ir.model.fields", "fields_get", [["groups"]], {"attributes": ["type", "relation"]})
    assert described["groups"] == {"type": "many2many", "relation": "res.groups"}


def test_a_field_restricted_later_is_refused_or_warned_like_standard_price(
    sim: OdooSimulator, rpc: Rpc, hooks: Receiver
) -> None:
    sim.registry.set_field_groups("res.partner", "email", "base.group_system")
    try:
        if sim.version == "17":
            with pytest.raises(xmlrpc.client.Fault, match=REFUSED):
                webhook_action(rpc, "res.partner", f"{hooks.url}/ok", ["email"])
        else:
            action = webhook_action(rpc, "res.partner", f"{hooks.url}/ok", ["email"])
            warning = rpc.xml("ir.actions.server", "read", [[action], ["warning"]])[0]["warning"]
            assert warning.endswith("- Email")
    finally:
        sim.registry.set_field_groups("res.partner", "email", None)


def test_17_posts_before_its_commit_and_19_after(
    sim: OdooSimulator, rpc: Rpc, hooks: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("odoo_simulator.webhooks.TIMEOUT_S", 30.0)  # the receiver reads back first
    partner = rpc.xml("res.partner", "create", [{"name": "before"}])
    webhook_action(rpc, "res.partner", f"{hooks.url}/ok", ["name", "write_date"], trigger=["name"])
    seen: list[str] = []

    def read_back(received: Received) -> None:
        record_id = json.loads(received.body)["_id"]
        seen.append(Rpc(sim).xml("res.partner", "read", [[record_id], ["name"]])[0]["name"])

    hooks.on_post = read_back
    rpc.xml("res.partner", "write", [[partner], {"name": "after"}])

    payload = json.loads(hooks.bodies()[0])
    assert payload["name"] == "after"  # the payload always has the new values
    # What another connection reads while Odoo POSTs: 17 has not committed yet.
    assert seen == (["before"] if sim.version == "17" else ["after"])
    assert rpc.xml("res.partner", "read", [[partner], ["name"]])[0]["name"] == "after"

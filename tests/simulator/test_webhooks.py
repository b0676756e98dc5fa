"""base.automation webhook actions really POST, in the shape and numbers real Odoo 17/19 send."""

from __future__ import annotations

import json
import time
import xmlrpc.client
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from odoo_simulator import OdooSimulator

from .conftest import Rpc
from .receiver import Receiver, closed_port_url, receiver

PAYLOAD_FIELDS = [
    "name",
    "email",
    "ref",
    "country_id",
    "category_id",
    "active",
    "write_date",
    "customer_rank",
]


@pytest.fixture(scope="module")
def hooks() -> Iterator[Receiver]:
    with receiver() as listening:
        yield listening


@pytest.fixture(scope="module", params=["17", "19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, seed_partners=3, seed_products=2) as simulator:
        yield simulator


@pytest.fixture
def rpc(sim: OdooSimulator, hooks: Receiver) -> Iterator[Rpc]:
    hooks.clear()
    sim.webhook_log.clear()
    yield Rpc(sim)
    sim.clock.unfreeze()
    for automation in Rpc(sim).xml("base.automation", "search", [[]], {"context": {"active_test": False}}):
        Rpc(sim).xml("base.automation", "unlink", [[automation]])


def field_ids(rpc: Rpc, model: str, names: list[str]) -> list[int]:
    ids: list[int] = rpc.xml("ir.model.fields", "search", [[["model", "=", model], ["name", "in", names]]])
    return ids


def install_hook(rpc: Rpc, url: str, *, trigger_fields: bool, trigger: str = "on_create_or_write") -> int:
    """The rule and action exactly as captured; returns the webhook action's id."""
    model_id = rpc.xml("ir.model", "search", [[["model", "=", "res.partner"]]])[0]
    payload = field_ids(rpc, "res.partner", PAYLOAD_FIELDS)
    automation = rpc.xml(
        "base.automation",
        "create",
        [
            {
                "name": "hook",
                "model_id": model_id,
                "trigger": trigger,
                "filter_domain": "[('ref', '=like', 'HOOK-%')]",
                **(
                    {"trigger_field_ids": [(6, 0, [f for f in payload if f != payload[-1]])]}
                    if trigger_fields
                    else {}
                ),
            }
        ],
    )
    action: int = rpc.xml(
        "ir.actions.server",
        "create",
        [
            {
                "name": "hook action",
                "model_id": model_id,
                "state": "webhook",
                "usage": "base_automation",
                "base_automation_id": automation,
                "sequence": 1,
                "webhook_url": url,
                "webhook_field_ids": [(6, 0, payload)],
            }
        ],
    )
    return action


def test_ir_model_fields_resolve_by_model_and_name(rpc: Rpc) -> None:
    for model in ("res.partner", "product.template", "product.product"):
        ids = field_ids(rpc, model, ["name", "write_date"])
        rows = rpc.xml("ir.model.fields", "read", [ids, ["model", "name", "model_id"]])
        assert sorted((row["model"], row["name"]) for row in rows) == [(model, "name"), (model, "write_date")]
        model_row = rpc.xml("ir.model", "read", [[rows[0]["model_id"][0]], ["model"]])[0]
        assert model_row["model"] == model
    trigger_field = rpc.xml(
        "ir.model.fields", "search", [[["model", "=", "base.automation"], ["name", "=", "trigger_field_ids"]]]
    )
    assert len(trigger_field) == 1


def test_without_trigger_fields_a_create_posts_many_identical_copies(
    sim: OdooSimulator, rpc: Rpc, hooks: Receiver
) -> None:
    action = install_hook(rpc, f"{hooks.url}/ok", trigger_fields=False)
    partner = rpc.xml("res.partner", "create", [{"name": "P0", "ref": "HOOK-0", "email": "p0@hook.example"}])

    bodies = hooks.bodies()
    assert len(bodies) == (14 if sim.version == "17" else 13)
    assert len(set(bodies)) == 1
    payload = json.loads(bodies[0])
    name = "Send Webhook Notification" if sim.version == "17" else "hook action"
    assert payload == {
        "_action": f"{name}(#{action})",
        "_id": partner,
        "_model": "res.partner",
        "active": True,
        "category_id": [],
        "country_id": False,
        "customer_rank": 0,
        "email": "p0@hook.example",
        "id": partner,
        "name": "P0",
        "ref": "HOOK-0",
        "write_date": payload["write_date"],
    }
    assert list(payload) == sorted(payload)
    headers = dict(hooks.requests[0].headers)
    assert headers["User-Agent"] == (
        "python-requests/2.25.1" if sim.version == "17" else "python-requests/2.31.0"
    )
    assert headers["Content-Type"] == "application/json"
    assert not any(h.lower().startswith("x-") or h.lower() == "authorization" for h in headers)

    hooks.clear()
    rpc.xml("res.partner", "write", [[partner], {"phone": "+32 111"}])  # not even a payload field
    assert len(hooks.bodies()) == 2


def test_with_trigger_fields_one_post_per_record_and_real_change(
    sim: OdooSimulator, rpc: Rpc, hooks: Receiver
) -> None:
    install_hook(rpc, f"{hooks.url}/ok", trigger_fields=True)
    partner = rpc.xml("res.partner", "create", [{"name": "P1", "ref": "HOOK-1", "email": "p1@hook.example"}])
    assert [json.loads(b)["_id"] for b in hooks.bodies()] == [partner]

    def posts_after(*call: Any) -> list[int]:
        hooks.clear()
        rpc.xml("res.partner", *call)
        return [json.loads(b)["_id"] for b in hooks.bodies()]

    assert posts_after("write", [[partner], {"email": "p1.changed@hook.example"}]) == [partner]
    assert posts_after("write", [[partner], {"phone": "+32 222"}]) == []
    assert posts_after("write", [[partner], {"email": "p1.changed@hook.example"}]) == []
    assert posts_after("create", [[{"name": "no ref"}]]) == []
    hooks.clear()
    three = rpc.xml("res.partner", "create", [[{"name": f"T{i}", "ref": f"HOOK-T{i}"} for i in range(3)]])
    assert [json.loads(b)["_id"] for b in hooks.bodies()] == three
    assert posts_after("write", [three, {"email": "same@hook.example"}]) == three
    hooks.clear()
    with pytest.raises(xmlrpc.client.Fault, match="cannot marshal None"):  # as real Odoo: after commit
        rpc.xml("res.partner", "action_archive", [[three[0]]])
    assert [json.loads(b)["active"] for b in hooks.bodies()] == [False]
    assert posts_after("unlink", [[three[1]]]) == []


def test_payload_values_as_read_with_load_none(sim: OdooSimulator, rpc: Rpc, hooks: Receiver) -> None:
    install_hook(rpc, f"{hooks.url}/ok", trigger_fields=True)
    sim.clock.freeze(datetime(2026, 11, 22, 15, 58, 49, 231656))
    country = rpc.xml("res.country", "search", [[["code", "=", "BE"]]])[0]
    category = rpc.xml("res.partner.category", "create", [{"name": "hooked"}])
    partner = rpc.xml(
        "res.partner",
        "create",
        [{"name": "Vals", "ref": "HOOK-V", "country_id": country, "category_id": [(6, 0, [category])]}],
    )
    payload = json.loads(hooks.bodies()[0])
    assert payload["country_id"] == country
    assert payload["category_id"] == [category]
    assert payload["write_date"] == "2026-11-22 15:58:49.231656"
    read = rpc.xml("res.partner", "read", [[partner], ["write_date"]])[0]
    assert read["write_date"] == "2026-11-22 15:58:49"


def test_receiver_error_is_logged_not_retried(sim: OdooSimulator, rpc: Rpc, hooks: Receiver) -> None:
    partner = rpc.xml("res.partner", "create", [{"name": "E", "ref": "HOOK-E"}])
    install_hook(rpc, f"{hooks.url}/500", trigger_fields=True)
    assert rpc.xml("res.partner", "write", [[partner], {"email": "e@hook.example"}]) is True
    rpc.xml("res.partner", "read", [[partner], ["email"]])
    assert len(hooks.bodies()) == 1
    assert sim.webhook_log[-1]["status"] == 500
    assert rpc.xml("res.partner", "read", [[partner], ["email"]])[0]["email"] == "e@hook.example"


def test_receiver_down_is_logged_and_the_write_succeeds(sim: OdooSimulator, rpc: Rpc) -> None:
    partner = rpc.xml("res.partner", "create", [{"name": "D", "ref": "HOOK-D"}])
    install_hook(rpc, closed_port_url(), trigger_fields=True)
    assert rpc.xml("res.partner", "write", [[partner], {"email": "d@hook.example"}]) is True
    assert sim.webhook_log[-1]["error"].startswith("Webhook call failed")


def test_slow_receiver_holds_the_call_one_second(sim: OdooSimulator, rpc: Rpc, hooks: Receiver) -> None:
    partner = rpc.xml("res.partner", "create", [{"name": "S", "ref": "HOOK-S"}])
    install_hook(rpc, f"{hooks.url}/slow", trigger_fields=True)
    started = time.monotonic()
    assert rpc.xml("res.partner", "write", [[partner], {"email": "s@hook.example"}]) is True
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 1.4
    assert sim.webhook_log[-1]["error"] == "Webhook call timed out after 1s"
    assert len(hooks.bodies()) == 1


def test_rollback_after_the_webhook_17_sends_19_does_not(
    sim: OdooSimulator, rpc: Rpc, hooks: Receiver
) -> None:
    partner = rpc.xml("res.partner", "create", [{"name": "R", "ref": "HOOK-R", "email": "r@hook.example"}])
    install_hook(rpc, f"{hooks.url}/ok", trigger_fields=True)
    sim.fail_after_webhooks(message="forced failure after the webhook action")
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc.xml("res.partner", "write", [[partner], {"email": "rollback@hook.example"}])
    assert fault.value.faultCode == 2
    assert fault.value.faultString == "forced failure after the webhook action"
    assert rpc.xml("res.partner", "read", [[partner], ["email"]])[0]["email"] == "r@hook.example"
    if sim.version == "17":
        assert json.loads(hooks.bodies()[0])["email"] == "rollback@hook.example"
    else:
        assert hooks.bodies() == []
        assert sim.webhook_log[-1]["error"] == "cancelled due to a rollback"


def test_only_loopback_receivers_are_posted_to(sim: OdooSimulator, rpc: Rpc) -> None:
    partner = rpc.xml("res.partner", "create", [{"name": "X", "ref": "HOOK-X"}])
    install_hook(rpc, "http://203.0.113.7/hook", trigger_fields=True)
    assert rpc.xml("res.partner", "write", [[partner], {"email": "x@hook.example"}]) is True
    assert sim.webhook_log[-1]["error"].startswith("refused")


def test_json2_writes_fire_the_rule_too(sim: OdooSimulator, rpc: Rpc, hooks: Receiver) -> None:
    if sim.version != "19":
        pytest.skip("JSON-2 is 19+")
    partner = rpc.xml("res.partner", "create", [{"name": "J", "ref": "HOOK-J"}])
    install_hook(rpc, f"{hooks.url}/ok", trigger_fields=True)
    answer = rpc.json2("res.partner", "write", {"ids": [partner], "vals": {"email": "j@hook.example"}})
    assert answer.json() is True
    assert [json.loads(b)["email"] for b in hooks.bodies()] == ["j@hook.example"]


def test_on_create_and_on_write_triggers(sim: OdooSimulator, rpc: Rpc, hooks: Receiver) -> None:
    install_hook(rpc, f"{hooks.url}/ok", trigger_fields=True, trigger="on_write")
    partner = rpc.xml("res.partner", "create", [{"name": "W", "ref": "HOOK-W"}])
    assert hooks.bodies() == []
    rpc.xml("res.partner", "write", [[partner], {"name": "W2"}])
    assert len(hooks.bodies()) == 1


def test_open_transaction_webhooks_17_at_once_19_at_commit(
    sim: OdooSimulator, rpc: Rpc, hooks: Receiver
) -> None:
    install_hook(rpc, f"{hooks.url}/ok", trigger_fields=True)
    tx = sim.open_transaction()
    created = tx.create("res.partner", {"name": "TX", "ref": "HOOK-TX"})
    assert len(hooks.bodies()) == (1 if sim.version == "17" else 0)
    tx.commit()
    assert [json.loads(b)["_id"] for b in hooks.bodies()] == [created]
    rolled = sim.open_transaction()
    rolled.create("res.partner", {"name": "TX2", "ref": "HOOK-TX2"})
    rolled.rollback()
    assert len(hooks.bodies()) == (2 if sim.version == "17" else 1)


def test_before_17_there_is_no_webhook_action() -> None:
    with OdooSimulator(version="16", seed_partners=1, seed_products=1) as sim16:
        rpc = Rpc(sim16)
        model_id = rpc.xml("ir.model", "search", [[["model", "=", "res.partner"]]])[0]
        with pytest.raises(xmlrpc.client.Fault) as fault:
            rpc.xml(
                "ir.actions.server",
                "create",
                [{"name": "hook", "model_id": model_id, "state": "webhook"}],
            )
        assert fault.value.faultCode == 1
        assert "Wrong value for ir.actions.server.state: 'webhook'" in fault.value.faultString
        states = rpc.xml("ir.actions.server", "fields_get", [["state"]], {"attributes": ["selection"]})
        assert "webhook" not in [key for key, _label in states["state"]["selection"]]


def test_uninstalled_base_automation_is_an_unknown_model(hooks: Receiver) -> None:
    with OdooSimulator(version="17", seed_partners=1, seed_products=1) as sim17:
        rpc = Rpc(sim17)
        install_hook(rpc, f"{hooks.url}/ok", trigger_fields=True)
        sim17.set_module_state("base_automation", "uninstalled")
        hooks.clear()
        with pytest.raises(xmlrpc.client.Fault) as fault:
            rpc.xml("base.automation", "search", [[]])
        assert fault.value.faultString == "Object base.automation doesn't exist"
        state = rpc.xml("ir.module.module", "search_read", [[["name", "=", "base_automation"]], ["state"]])
        assert state[0]["state"] == "uninstalled"
        rpc.xml("res.partner", "create", [{"name": "U", "ref": "HOOK-U"}])
        assert hooks.bodies() == []
        sim17.set_module_state("base_automation", "installed")
        assert rpc.xml("base.automation", "search_count", [[]]) == 1
        with pytest.raises(ValueError, match="unknown module state"):
            sim17.set_module_state("base_automation", "gone")


def test_sample_payload_shows_what_would_be_sent(sim: OdooSimulator, rpc: Rpc, hooks: Receiver) -> None:
    action = install_hook(rpc, f"{hooks.url}/ok", trigger_fields=True)
    [row] = rpc.xml("ir.actions.server", "read", [[action], ["webhook_sample_payload"]])
    sample = json.loads(row["webhook_sample_payload"])
    assert sample["_model"] == "res.partner"
    assert ("_name" in sample) == (sim.version == "17")
    assert ("_action" in sample) == (sim.version == "19")
    assert set(PAYLOAD_FIELDS) <= set(sample)

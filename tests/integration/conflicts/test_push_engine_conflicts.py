"""The push engine and conflicts: what Odoo changed since the last sync is not overwritten blindly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.model import ConflictPolicy, ConflictRule, LocalRecord, SyncAction, SyncOptions
from odoo_sync.sync.outcome_base import ChunkResult
from odoo_sync.sync.plan import SyncPlan
from tests.integration.push.builders import CONNECTION, customer_plan, open_client, prefix, record, relinked


@pytest.fixture
def client(sim: OdooSimulator) -> Iterator[OdooClient]:
    sim.knobs.reset()
    with open_client(sim) as opened:
        yield opened


def plan_with(client: OdooClient, default: ConflictRule, **fields: ConflictRule) -> SyncPlan:
    plan = customer_plan(client)
    policy = ConflictPolicy(default=default, fields=fields)
    return replace(plan, entity=plan.entity.model_copy(update={"conflicts": policy}))


def pushed(client: OdooClient, plan: SyncPlan, data: dict[str, Any]) -> LocalRecord:
    """A customer pushed once, as the store holds it afterwards (linked, with its snapshot)."""
    new = record("customer", prefix(), data)
    result = PushEngine(client, plan, CONNECTION).push([new], SyncOptions())
    assert result.outcomes[0].action is SyncAction.CREATED
    return relinked([new], result.outcomes)[0]


def edit(linked: LocalRecord, *, updated_at: str = "2026-01-01T00:00:00Z", **data: Any) -> LocalRecord:
    return linked.model_copy(
        update={"data": {**linked.data, **data}, "version": linked.version + 1, "updated_at": updated_at}
    )


def odoo_row(sim: OdooSimulator, linked: LocalRecord) -> dict[str, Any]:
    odoo_id = linked.links[CONNECTION].odoo_id
    row: dict[str, Any] = sim.records("res.partner", [["id", "=", odoo_id]])[0]
    return row


def push(client: OdooClient, plan: SyncPlan, linked: LocalRecord, **kwargs: Any) -> ChunkResult:
    return PushEngine(client, plan, CONNECTION).push([linked], SyncOptions(), **kwargs)


def codes(result: ChunkResult) -> set[str]:
    return {warning.code for warning in result.outcomes[0].warnings}


def test_a_field_changed_only_in_odoo_is_not_overwritten_and_keeps_its_base(sim, client):
    plan = plan_with(client, ConflictRule.MANUAL)
    linked = pushed(client, plan, {"name": "Ada", "city": "London"})
    client.write("res.partner", [linked.links[CONNECTION].odoo_id], {"name": "Ada (Odoo)"})

    result = push(client, plan, edit(linked, city="Paris"))

    outcome = result.outcomes[0]
    assert (outcome.action, outcome.fields_synced) == (SyncAction.UPDATED, ["city"])
    assert (odoo_row(sim, linked)["name"], odoo_row(sim, linked)["city"]) == ("Ada (Odoo)", "Paris")
    assert outcome.snapshot is not None
    assert (outcome.snapshot["name"], outcome.snapshot["city"]) == ("Ada", "Paris")
    assert "changed_in_odoo" in codes(result)
    assert result.held == []


@pytest.mark.parametrize(
    ("rule", "updated_at", "winner"),
    [
        (ConflictRule.ODOO, "2099-01-01T00:00:00Z", "odoo"),
        (ConflictRule.LOCAL, "2000-01-01T00:00:00Z", "local"),
        (ConflictRule.NEWEST_WINS, "2099-01-01T00:00:00Z", "local"),
        (ConflictRule.NEWEST_WINS, "2000-01-01T00:00:00Z", "odoo"),
    ],
)
def test_a_field_changed_on_both_sides_follows_its_rule(sim, client, rule, updated_at, winner):
    plan = plan_with(client, ConflictRule.MANUAL, name=rule)
    linked = pushed(client, plan, {"name": "Ada"})
    client.write("res.partner", [linked.links[CONNECTION].odoo_id], {"name": "Ada (Odoo)"})

    result = push(client, plan, edit(linked, name="Ada (local)", updated_at=updated_at))

    expected = "Ada (local)" if winner == "local" else "Ada (Odoo)"
    assert odoo_row(sim, linked)["name"] == expected
    assert result.held == []
    snapshot = result.outcomes[0].snapshot or {}
    # Odoo's win reaches the local record through a pull; until then the base stays as it was.
    assert snapshot["name"] == ("Ada (local)" if winner == "local" else "Ada")


def test_newest_wins_gives_a_tie_to_odoo(sim, client):
    plan = plan_with(client, ConflictRule.NEWEST_WINS)
    linked = pushed(client, plan, {"name": "Ada"})
    client.write("res.partner", [linked.links[CONNECTION].odoo_id], {"name": "Ada (Odoo)"})
    written_at = str(odoo_row(sim, linked)["write_date"])[:19].replace(" ", "T") + "Z"

    result = push(client, plan, edit(linked, name="Ada (local)", updated_at=written_at))

    assert odoo_row(sim, linked)["name"] == "Ada (Odoo)"
    assert result.held == []


def test_a_manual_conflict_is_held_and_reported(sim, client):
    plan = plan_with(client, ConflictRule.MANUAL)
    linked = pushed(client, plan, {"name": "Ada", "city": "London"})
    odoo_id = linked.links[CONNECTION].odoo_id
    client.write("res.partner", [odoo_id], {"name": "Ada (Odoo)"})

    result = push(client, plan, edit(linked, name="Ada (local)", city="Paris"))

    assert (odoo_row(sim, linked)["name"], odoo_row(sim, linked)["city"]) == ("Ada (Odoo)", "Paris")
    [held] = result.held
    assert (held.local_id, held.odoo_id, held.odoo_field, held.local_fields) == (
        linked.local_id,
        odoo_id,
        "name",
        ["name"],
    )
    assert (held.base, held.local, held.odoo) == ("Ada", "Ada (local)", "Ada (Odoo)")
    assert "conflict_held" in codes(result)
    assert (result.outcomes[0].snapshot or {})["name"] == "Ada"


def test_a_field_with_an_open_conflict_is_left_alone_even_when_only_local_changed(sim, client):
    plan = plan_with(client, ConflictRule.LOCAL)
    linked = pushed(client, plan, {"name": "Ada"})

    result = push(client, plan, edit(linked, name="Ada (local)"), open_conflicts={linked.local_id: {"name"}})

    assert odoo_row(sim, linked)["name"] == "Ada"
    assert [held.odoo_field for held in result.held] == ["name"]
    assert result.outcomes[0].action is SyncAction.UNCHANGED


def test_force_update_writes_the_local_values_whatever_changed_in_odoo(sim, client):
    plan = plan_with(client, ConflictRule.MANUAL)
    linked = pushed(client, plan, {"name": "Ada"})
    client.write("res.partner", [linked.links[CONNECTION].odoo_id], {"name": "Ada (Odoo)"})

    result = PushEngine(client, plan, CONNECTION).push([linked], SyncOptions(force_update=True))

    assert odoo_row(sim, linked)["name"] == "Ada"
    assert result.held == []

"""Lookups, value maps with auto-creation and countries against values Odoo has only archived, on 17
and 19: the record says the value is archived and must be activated, nothing is created twice, and
a chunk whose values are all found active costs no extra call."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.issues import IssueCode
from odoo_sync.sync.model import RecordOutcome, SyncAction, SyncOptions
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.validation import FieldRule
from odoo_sync.sync.value_maps import ValueMap, ValueMapKind, ValueMaps
from tests.integration.orders.conftest import open_client
from tests.integration.push.builders import CONNECTION, customer_plan, mapping, prefix, record

OPTIONS = SyncOptions()
TAGS = "res.partner.category"
SEARCHES = (TAGS, "search_read")
CREATES = (TAGS, "create")


@pytest.fixture(scope="module", params=["17", "19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, port=0, seed_partners=3, seed_products=3) as simulator:
        yield simulator


@pytest.fixture
def client(sim: OdooSimulator) -> Iterator[OdooClient]:
    sim.knobs.reset()
    with open_client(sim) as opened:  # 17 over XML-RPC, 19 over JSON-2
        yield opened


def tag_plan(client: OdooClient, *, auto_create: bool = False, by_value_map: bool = False) -> SyncPlan:
    """Customers with one tag (res.partner.category, which can be archived), by name or value map."""
    params = {"by": "value_map", "value_map": "category"} if by_value_map else {"by": "name"}
    tag = mapping(
        "customer",
        "res.partner",
        "tag",
        "category_id",
        "many2one",
        model=TAGS,
        auto_create=auto_create and not by_value_map,
        **params,
    )
    plan = customer_plan(client, extra=(tag,))
    rules = plan.rules.model_copy(update={"fields": [*plan.rules.fields, FieldRule(field="tag", kind="any")]})
    maps = [ValueMap(kind=ValueMapKind.CATEGORY, odoo_model=TAGS, auto_create=True)] if by_value_map else []
    return replace(plan, rules=rules, value_maps=ValueMaps(maps))


def archived_tag(client: OdooClient, name: str) -> int:
    [tag_id] = client.create(TAGS, [{"name": name}])
    client.write(TAGS, [tag_id], {"active": False})
    return tag_id


def tags_named(sim: OdooSimulator, name: str) -> list[int]:
    return [row["id"] for row in sim.records(TAGS, [["name", "=", name]], active_test=False)]


def push_one(client: OdooClient, plan: SyncPlan, data: dict[str, object]) -> RecordOutcome:
    result = PushEngine(client, plan, CONNECTION).push([record("customer", prefix(), data)], OPTIONS)
    [outcome] = result.outcomes
    return outcome


def assert_archived(outcome: RecordOutcome, field: str, name: str, tag_id: int) -> None:
    assert outcome.action is SyncAction.ERROR
    [issue] = outcome.issues
    assert (issue.field, issue.code, issue.value) == (field, IssueCode.ARCHIVED_IN_ODOO.value, name)
    said = f"{TAGS} with name = {name!r} exists in Odoo but is archived (inactive, id {tag_id})"
    assert said in issue.message
    assert "activate it in Odoo (Contacts > Configuration > Tags" in issue.message


def test_a_lookup_that_finds_only_an_archived_record_says_so(sim: OdooSimulator, client: OdooClient) -> None:
    name = f"Retired {prefix()}"
    tag_id = archived_tag(client, name)
    plan = tag_plan(client)
    sim.reset_calls()

    outcome = push_one(client, plan, {"name": "Ann", "tag": name})

    assert_archived(outcome, "tag", name, tag_id)
    assert sim.calls[SEARCHES] == 2  # the chunk's lookup, then the same among archived tags


def test_a_lookup_found_active_costs_one_search(sim: OdooSimulator, client: OdooClient) -> None:
    name = f"Live {prefix()}"
    [tag_id] = client.create(TAGS, [{"name": name}])
    plan = tag_plan(client)
    sim.reset_calls()

    outcome = push_one(client, plan, {"name": "Ann", "tag": name})

    assert outcome.action is SyncAction.CREATED, outcome.error_message
    assert sim.records("res.partner", [["id", "=", outcome.odoo_id]])[0]["category_id"] == [tag_id]
    assert sim.calls[SEARCHES] == 1


def test_a_lookup_with_auto_create_refuses_to_create_a_twin_of_an_archived_record(
    sim: OdooSimulator, client: OdooClient
) -> None:
    name = f"Retired {prefix()}"
    tag_id = archived_tag(client, name)
    plan = tag_plan(client, auto_create=True)
    sim.reset_calls()

    outcome = push_one(client, plan, {"name": "Ann", "tag": name})

    assert_archived(outcome, "tag", name, tag_id)
    assert tags_named(sim, name) == [tag_id]
    assert sim.calls[CREATES] == 0


def test_a_value_map_with_auto_create_refuses_to_create_a_twin_of_an_archived_record(
    sim: OdooSimulator, client: OdooClient
) -> None:
    name = f"Retired {prefix()}"
    tag_id = archived_tag(client, name)
    plan = tag_plan(client, by_value_map=True)
    sim.reset_calls()

    outcome = push_one(client, plan, {"name": "Ann", "tag": name})

    assert_archived(outcome, "tag", name, tag_id)
    assert "(it was not created)" in outcome.issues[0].message
    assert tags_named(sim, name) == [tag_id]
    # Active tags first, then archived ones for the value still absent; no create.
    assert sim.calls[SEARCHES] == 2
    assert sim.calls[CREATES] == 0


def test_a_value_map_with_auto_create_still_creates_a_value_odoo_lacks(
    sim: OdooSimulator, client: OdooClient
) -> None:
    name = f"Brand new {prefix()}"
    plan = tag_plan(client, by_value_map=True)
    sim.reset_calls()

    outcome = push_one(client, plan, {"name": "Ann", "tag": name})

    assert outcome.action is SyncAction.CREATED, outcome.error_message
    [created] = tags_named(sim, name)
    assert sim.records("res.partner", [["id", "=", outcome.odoo_id]])[0]["category_id"] == [created]
    assert (sim.calls[SEARCHES], sim.calls[CREATES]) == (2, 1)


def test_a_country_odoo_lacks_is_not_looked_for_among_archived_ones(
    sim: OdooSimulator, client: OdooClient
) -> None:
    # res.country has no `active` field in Odoo 17 or 19: a country is never archived.
    plan = customer_plan(client)
    code = next(c for c in ("ZW", "ZM", "YE", "VU") if not sim.records("res.country", [["code", "=", c]]))
    sim.reset_calls()

    outcome = push_one(client, plan, {"name": "Ann", "country": code})

    assert outcome.action is SyncAction.ERROR
    [issue] = outcome.issues
    assert (issue.field, issue.code) == ("country", IssueCode.NOT_FOUND_IN_ODOO.value)
    assert sim.calls == Counter({("res.country", "search_read"): 1})

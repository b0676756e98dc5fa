"""The chunk planner's calls: unchanged records cost nothing, equal changes share one write."""

from __future__ import annotations

from collections import Counter

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.model import LocalRecord, SyncAction, SyncOptions
from tests.integration.push.builders import (
    CONNECTION,
    customer_plan,
    customers,
    prefix,
    product_plan,
    record,
    relinked,
)


def created(client: OdooClient, records: list[LocalRecord]) -> list[LocalRecord]:
    result = PushEngine(client, customer_plan(client), CONNECTION).push(records, SyncOptions())
    assert {o.action for o in result.outcomes} == {SyncAction.CREATED}
    return relinked(records, result.outcomes)


def changed(
    records: list[LocalRecord], make: dict[str, object] | None = None, **data: object
) -> list[LocalRecord]:
    return [
        r.model_copy(update={"data": {**r.data, **(make or {}), **data}, "version": r.version + 1})
        for r in records
    ]


@pytest.mark.parametrize("size", [100, 500])
def test_a_new_chunk_costs_four_calls_whatever_its_size(
    sim: OdooSimulator, client: OdooClient, size: int
) -> None:
    plan = customer_plan(client)
    sim.reset_calls()

    result = PushEngine(client, plan, CONNECTION).push(customers(prefix(), size), SyncOptions())

    assert len(result.outcomes) == size
    assert sim.total_calls == 4


def test_equal_changes_share_one_write(sim: OdooSimulator, client: OdooClient) -> None:
    linked = created(client, customers(prefix(), 200))
    edited = changed(linked[:120], city="Ghent") + linked[120:]
    plan = customer_plan(client)
    sim.reset_calls()

    result = PushEngine(client, plan, CONNECTION).push(edited, SyncOptions())

    assert sim.calls == Counter({("res.partner", "search_read"): 1, ("res.partner", "write"): 1})
    actions = Counter(o.action for o in result.outcomes)
    assert actions == Counter({SyncAction.UPDATED: 120, SyncAction.UNCHANGED: 80})
    assert result.outcomes[0].fields_synced == ["city"]
    assert {
        p["city"]
        for p in sim.records("res.partner", [["id", "in", [o.odoo_id for o in result.outcomes[:120]]]])
    } == {"Ghent"}


def test_different_changes_need_one_write_per_distinct_values(sim: OdooSimulator, client: OdooClient) -> None:
    linked = created(client, customers(prefix(), 12))
    edited = [
        r.model_copy(update={"data": {**r.data, "city": f"City {i % 3}"}}) for i, r in enumerate(linked)
    ]
    plan = customer_plan(client)
    sim.reset_calls()

    PushEngine(client, plan, CONNECTION).push(edited, SyncOptions())

    assert sim.calls == Counter({("res.partner", "search_read"): 1, ("res.partner", "write"): 3})


def test_force_update_writes_values_odoo_already_has(sim: OdooSimulator, client: OdooClient) -> None:
    linked = created(client, customers(prefix(), 10))
    plan = customer_plan(client)
    sim.reset_calls()

    result = PushEngine(client, plan, CONNECTION).push(linked, SyncOptions(force_update=True))

    assert {o.action for o in result.outcomes} == {SyncAction.UPDATED}
    assert result.outcomes[0].fields_synced == ["name", "ref"]
    # Each record's name differs, so each needs its own write.
    assert sim.calls == Counter({("res.partner", "search_read"): 1, ("res.partner", "write"): 10})


def test_lookups_are_fetched_once_per_model_and_key_for_the_chunk(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    places = [("BE", None), ("US", "CA"), ("US", "NY"), ("DE", "BY"), ("be", None)]
    records = [
        record("customer", f"{tag}-{i}", {"name": f"P{i}", "country": country, "state": state})
        for i, (country, state) in enumerate(places)
    ]
    plan = customer_plan(client)
    sim.reset_calls()

    result = PushEngine(client, plan, CONNECTION).push(records, SyncOptions())

    assert {o.action for o in result.outcomes} == {SyncAction.CREATED}
    # One search for every country, one per country for its states (state codes repeat across countries).
    assert sim.calls[("res.country", "search_read")] == 1
    assert sim.calls[("res.country.state", "search_read")] == 2
    stored = {p["ref"]: p for p in sim.records("res.partner", [["ref", "like", tag]])}
    us = sim.records("res.country", [["code", "=", "US"]])[0]["id"]
    ca = sim.records("res.country.state", [["code", "=", "CA"], ["country_id", "=", us]])[0]["id"]
    assert (stored[f"{tag}-1"]["country_id"], stored[f"{tag}-1"]["state_id"]) == (us, ca)


def test_many2one_and_float_values_read_back_from_odoo_compare_as_unchanged(
    sim: OdooSimulator, client: OdooClient
) -> None:
    tag = prefix()
    plan = product_plan(client)
    products = [
        record(
            "product",
            f"{tag}-{i}",
            {"title": f"Lamp {i}", "price": "19.99", "weight": 1250, "category": "Saleable"},
        )
        for i in range(5)
    ]
    first = PushEngine(client, plan, CONNECTION).push(products, SyncOptions())
    assert {o.action for o in first.outcomes} == {SyncAction.CREATED}
    sim.reset_calls()

    again = PushEngine(client, plan, CONNECTION).push(relinked(products, first.outcomes), SyncOptions())

    assert {o.action for o in again.outcomes} == {SyncAction.UNCHANGED}
    assert sim.calls == Counter(
        {("product.category", "search_read"): 1, ("product.template", "search_read"): 1}
    )
    fields = ["list_price", "weight", "default_code", "categ_id"]
    odoo_id = first.outcomes[0].odoo_id
    assert odoo_id is not None
    stored = client.read("product.template", [odoo_id], fields)[0]
    assert (stored["list_price"], stored["weight"], stored["default_code"]) == (19.99, 1.25, f"{tag}-0")
    assert stored["categ_id"][1] == "All / Saleable"

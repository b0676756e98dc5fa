"""Values the tenant lets us create in Odoo: created once per chunk, found again later, refusals
failing only the records that needed them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient, OdooTransientError
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.model import LocalRecord, RecordOutcome, SyncAction, SyncOptions
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.validation import FieldRule
from odoo_sync.sync.value_maps import ValueMap, ValueMapEntry, ValueMapKind, ValueMaps
from tests.integration.push.builders import (
    CONNECTION,
    HookedClient,
    customer_plan,
    mapping,
    open_hooked,
    prefix,
    product_plan,
    record,
)

OPTIONS = SyncOptions()
# A chunk of new products without lookups: match by external id and by sku, create, external ids.
PRODUCT_CALLS = Counter(
    {
        ("ir.model.data", "search_read"): 1,
        ("product.template", "search_read"): 1,
        ("product.template", "create"): 1,
        ("ir.model.data", "create"): 1,
    }
)


@pytest.fixture
def hooked(sim: OdooSimulator) -> Iterator[HookedClient]:
    sim.knobs.reset()
    client = open_hooked(sim)
    with client:
        yield client
    sim.knobs.reset()


def category_plan(
    client: OdooClient, *, auto_create: bool = True, entries: list[ValueMapEntry] | None = None
) -> SyncPlan:
    """Products whose category goes through the tenant's category value map."""
    plan = product_plan(client)
    by_map = mapping(
        "product",
        "product.template",
        "category",
        "categ_id",
        "many2one",
        model="product.category",
        by="value_map",
        value_map="category",
    )
    categories = ValueMap(kind=ValueMapKind.CATEGORY, auto_create=auto_create, entries=entries or [])
    others = tuple(m for m in plan.mappings if m.local_field != "category")
    return replace(plan, mappings=(*others, by_map), value_maps=ValueMaps([categories]))


def products(tag: str, categories: list[str]) -> list[LocalRecord]:
    return [
        record("product", f"{tag}-{i}", {"title": f"Glove {i}", "category": category})
        for i, category in enumerate(categories)
    ]


def categories_named(sim: OdooSimulator, name: str) -> list[int]:
    return [row["id"] for row in sim.records("product.category", [["name", "=", name]])]


def category_of(sim: OdooSimulator, outcome: RecordOutcome) -> int:
    [row] = sim.records("product.template", [["id", "=", outcome.odoo_id]])
    return int(row["categ_id"])


def warnings_coded(outcome: RecordOutcome, code: str) -> list[dict[str, object]]:
    return [w.model_dump(mode="json") for w in outcome.warnings if w.code == code]


def test_an_unknown_category_is_created_once_and_used(sim: OdooSimulator, hooked: HookedClient) -> None:
    tag = prefix()
    plan = category_plan(hooked)
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(products(tag, [f"Gloves {tag}"]), OPTIONS)

    [outcome] = result.outcomes
    assert outcome.action is SyncAction.CREATED
    [category_id] = categories_named(sim, f"Gloves {tag}")
    assert category_of(sim, outcome) == category_id
    assert "category" in outcome.fields_synced
    [warning] = warnings_coded(outcome, "auto_created")
    assert warning["field"] == "category"
    assert warning["value"] == {
        "model": "product.category",
        "field": "name",
        "value": f"Gloves {tag}",
        "odoo_id": category_id,
    }
    assert f"created product.category {category_id}" in str(warning["message"])
    assert "value map 'category'" in str(warning["message"])
    assert sim.calls == PRODUCT_CALLS + Counter(
        {("product.category", "search_read"): 1, ("product.category", "create"): 1}
    )


def test_records_sharing_a_new_category_need_one_create(sim: OdooSimulator, hooked: HookedClient) -> None:
    tag = prefix()
    plan = category_plan(hooked)
    # The map is case-insensitive: "gloves x" is the same category as "Gloves X".
    chunk = [
        *products(tag, [f"Gloves {tag}", f"Gloves {tag}", f"gloves {tag}", f"Hats {tag}"]),
        record("product", f"{tag}-plain", {"title": "No category"}),
    ]
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(chunk, OPTIONS)

    assert [o.action for o in result.outcomes] == [SyncAction.CREATED] * 5
    [gloves] = categories_named(sim, f"Gloves {tag}")
    [hats] = categories_named(sim, f"Hats {tag}")
    assert categories_named(sim, f"gloves {tag}") == []
    assert [category_of(sim, o) for o in result.outcomes[:4]] == [gloves, gloves, gloves, hats]
    assert [len(warnings_coded(o, "auto_created")) for o in result.outcomes] == [1, 1, 1, 1, 0]
    assert sim.calls == PRODUCT_CALLS + Counter(
        {("product.category", "search_read"): 1, ("product.category", "create"): 1}
    )


def test_a_later_push_finds_the_created_category_instead_of_creating_it_again(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    plan = category_plan(hooked)
    first = PushEngine(hooked, plan, CONNECTION).push(products(tag, [f"Gloves {tag}"]), OPTIONS)
    [created_id] = categories_named(sim, f"Gloves {tag}")
    sim.reset_calls()

    later = [record("product", f"{tag}-later", {"title": "Mitten", "category": f"Gloves {tag}"})]
    result = PushEngine(hooked, plan, CONNECTION).push(later, OPTIONS)

    assert first.outcomes[0].success
    [outcome] = result.outcomes
    assert outcome.action is SyncAction.CREATED
    assert category_of(sim, outcome) == created_id
    assert categories_named(sim, f"Gloves {tag}") == [created_id]
    assert warnings_coded(outcome, "auto_created") == []
    [found] = warnings_coded(outcome, "auto_create_found")
    assert found["value"] == {
        "model": "product.category",
        "field": "name",
        "value": f"Gloves {tag}",
        "odoo_id": created_id,
    }
    assert sim.calls == PRODUCT_CALLS + Counter({("product.category", "search_read"): 1})


def test_a_mapped_category_needs_no_auto_create_calls(sim: OdooSimulator, hooked: HookedClient) -> None:
    tag = prefix()
    plan = category_plan(hooked, entries=[ValueMapEntry(local="Furniture", odoo=3)])
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(products(tag, ["furniture"]), OPTIONS)

    [outcome] = result.outcomes
    assert outcome.action is SyncAction.CREATED
    assert category_of(sim, outcome) == 3
    assert outcome.warnings == []
    assert sim.calls == PRODUCT_CALLS


def test_without_auto_create_an_unknown_category_fails_naming_the_value_and_the_map(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    plan = category_plan(hooked, auto_create=False)
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(products(tag, [f"Gloves {tag}"]), OPTIONS)

    [outcome] = result.outcomes
    assert outcome.action is SyncAction.ERROR
    [issue] = outcome.issues
    assert (issue.field, issue.code, issue.value) == ("category", "unmapped_value", f"Gloves {tag}")
    assert f"'Gloves {tag}'" in issue.message
    assert "value map 'category'" in issue.message
    assert categories_named(sim, f"Gloves {tag}") == []
    assert sim.calls == Counter()


def country_name_plan(client: OdooClient) -> SyncPlan:
    """Customers whose country comes by name through the country map; res.country needs a code,
    so Odoo refuses to create one from a name alone."""
    plan = customer_plan(client)
    by_map = mapping(
        "customer",
        "res.partner",
        "country_name",
        "country_id",
        "many2one",
        model="res.country",
        by="value_map",
        value_map="country",
    )
    countries = ValueMap(kind=ValueMapKind.COUNTRY, auto_create=True)
    rules = plan.rules.model_copy(
        update={"fields": [*plan.rules.fields, FieldRule(field="country_name", kind="single_line")]}
    )
    return replace(plan, mappings=(*plan.mappings, by_map), value_maps=ValueMaps([countries]), rules=rules)


def test_a_create_odoo_refuses_fails_only_the_records_that_needed_it(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    plan = country_name_plan(hooked)
    chunk = [
        record("customer", f"{tag}-0", {"name": "Ann", "country_name": f"Atlantis {tag}"}),
        record("customer", f"{tag}-1", {"name": "Bob"}),
        record("customer", f"{tag}-2", {"name": "Cy", "country_name": f"Atlantis {tag}"}),
    ]
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(chunk, OPTIONS)

    assert result.error is None
    assert [o.action for o in result.outcomes] == [SyncAction.ERROR, SyncAction.CREATED, SyncAction.ERROR]
    for failed in (result.outcomes[0], result.outcomes[2]):
        assert failed.error_details is not None
        assert failed.error_details["code"] == "odoo_rejected"
        assert failed.error_details["category"] == "constraint"
        assert "Missing required value for the field 'Country Code' (code)" in (failed.error_message or "")
        [issue] = failed.issues
        assert (issue.field, issue.code, issue.value) == (
            "country_name",
            "auto_create_refused",
            f"Atlantis {tag}",
        )
        assert f"res.country with name = 'Atlantis {tag}' could not be created" in issue.message
    assert sim.records("res.partner", [["ref", "in", [f"{tag}-0", f"{tag}-2"]]]) == []
    assert sim.records("res.country", [["name", "=", f"Atlantis {tag}"]]) == []
    assert sim.calls == Counter(
        {
            ("res.country", "search_read"): 1,
            ("res.country", "create"): 1,
            ("ir.model.data", "search_read"): 1,
            ("res.partner", "search_read"): 1,
            ("res.partner", "create"): 1,
            ("ir.model.data", "create"): 1,
        }
    )


def tags_plan(client: OdooClient) -> SyncPlan:
    """Customers with tags (a many2many) looked up by name, created when missing."""
    tags = mapping(
        "customer",
        "res.partner",
        "tags",
        "category_id",
        "many2one",
        model="res.partner.category",
        by="name",
        auto_create=True,
    )
    plan = customer_plan(client, extra=(tags,))
    rules = plan.rules.model_copy(
        update={"fields": [*plan.rules.fields, FieldRule(field="tags", kind="any")]}
    )
    return replace(plan, rules=rules)


def test_every_missing_tag_of_a_many2many_is_created_in_one_call(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    plan = tags_plan(hooked)
    [existing] = hooked.create("res.partner.category", [{"name": f"Known {tag}"}])
    chunk = [
        record(
            "customer", f"{tag}-0", {"name": "Ann", "tags": [f"Known {tag}", f"New A {tag}", f"New B {tag}"]}
        ),
        record("customer", f"{tag}-1", {"name": "Bob", "tags": [f"New B {tag}"]}),
    ]
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(chunk, OPTIONS)

    assert [o.action for o in result.outcomes] == [SyncAction.CREATED, SyncAction.CREATED]
    new_a = [r["id"] for r in sim.records("res.partner.category", [["name", "=", f"New A {tag}"]])]
    new_b = [r["id"] for r in sim.records("res.partner.category", [["name", "=", f"New B {tag}"]])]
    assert len(new_a) == len(new_b) == 1
    ann, bob = (sim.records("res.partner", [["id", "=", o.odoo_id]])[0] for o in result.outcomes)
    assert sorted(ann["category_id"]) == sorted([existing, *new_a, *new_b])
    assert bob["category_id"] == new_b
    assert len(warnings_coded(result.outcomes[0], "auto_created")) == 2
    assert sim.calls == Counter(
        {
            # The chunk's lookup, the same among archived tags for the two not found, the auto-create search.
            ("res.partner.category", "search_read"): 3,
            ("res.partner.category", "create"): 1,
            ("ir.model.data", "search_read"): 1,
            ("res.partner", "search_read"): 1,
            ("res.partner", "create"): 1,
            ("ir.model.data", "create"): 1,
        }
    )


def test_a_record_rejected_for_another_value_creates_nothing(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    base = tags_plan(hooked)
    flag = mapping("customer", "res.partner", "company_flag", "is_company", "boolean")
    rules = base.rules.model_copy(
        update={"fields": [*base.rules.fields, FieldRule(field="company_flag", kind="any")]}
    )
    plan = replace(base, mappings=(*base.mappings, flag), rules=rules)
    bad = record("customer", f"{tag}-0", {"name": "Ann", "company_flag": "perhaps", "tags": [f"New {tag}"]})
    sim.reset_calls()

    [outcome] = PushEngine(hooked, plan, CONNECTION).push([bad], OPTIONS).outcomes

    assert outcome.action is SyncAction.ERROR
    assert outcome.error_details is not None
    assert outcome.error_details["code"] == "validation_failed"
    assert {(i.field, i.code, i.value) for i in outcome.issues} == {
        ("company_flag", "invalid_boolean", "perhaps"),
        ("tags", "not_found_in_odoo", f"New {tag}"),
    }
    assert sim.records("res.partner.category", [["name", "=", f"New {tag}"]]) == []
    # The lookup only, and the same among archived tags for the one not found.
    assert sim.calls == Counter({("res.partner.category", "search_read"): 2})


def test_a_transient_failure_of_the_auto_create_is_raised_and_a_redelivery_creates_once(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    plan = category_plan(hooked)
    chunk = products(tag, [f"Gloves {tag}"])
    hooked.before_create = lambda: sim.knobs.fail_next(1)

    with pytest.raises(OdooTransientError):
        PushEngine(hooked, plan, CONNECTION).push(chunk, OPTIONS)

    assert categories_named(sim, f"Gloves {tag}") == []
    again = PushEngine(hooked, plan, CONNECTION).push(chunk, OPTIONS)
    assert [o.action for o in again.outcomes] == [SyncAction.CREATED]
    assert len(categories_named(sim, f"Gloves {tag}")) == 1


def test_a_lost_create_answer_is_reconciled_by_searching_again(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    plan = category_plan(hooked)
    chunk = products(tag, [f"Gloves {tag}", f"Hats {tag}"])
    hooked.before_create = lambda: sim.knobs.drop_after_commit(1)
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(chunk, OPTIONS)

    assert [o.action for o in result.outcomes] == [SyncAction.CREATED, SyncAction.CREATED]
    [gloves] = categories_named(sim, f"Gloves {tag}")
    [hats] = categories_named(sim, f"Hats {tag}")
    assert [category_of(sim, o) for o in result.outcomes] == [gloves, hats]
    assert sim.calls == PRODUCT_CALLS + Counter(
        {("product.category", "search_read"): 2, ("product.category", "create"): 1}
    )

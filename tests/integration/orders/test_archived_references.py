"""References Odoo has only archived (EUR inactive, as on US demo data): the order says which record
is archived and that it must be activated, on 17 and 19; the common path costs no extra call."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.sync.issues import IssueCode
from odoo_sync.sync.model import RecordOutcome, SyncAction

from .conftest import Shop, make_shop

EUR = 2


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _create(sim: OdooSimulator, model: str, values: dict[str, Any]) -> int:
    with sim.store.lock:
        [odoo_id] = sim.env()[model].create([values]).ids
    return int(odoo_id)


def _set_active(sim: OdooSimulator, model: str, odoo_id: int, active: bool) -> None:
    with sim.store.lock:
        sim.env(context={"active_test": False})[model].browse([odoo_id]).write({"active": active})


def _push_order(shop: Shop, lines: list[dict[str, Any]], **header: Any) -> RecordOutcome:
    tag = _tag()
    shop.records.put("customer", f"cust-{tag}", {"name": f"Customer {tag}", "email": f"{tag}@example.com"})
    shop.records.put("order", f"o-{tag}", {"customer": f"cust-{tag}", "lines": lines, **header})
    [outcome] = shop.push(f"o-{tag}")
    return outcome


def _issue(outcome: RecordOutcome, field: str) -> Any:
    return next(issue for issue in outcome.issues if issue.field == field)


@pytest.fixture
def eur_archived(sim: OdooSimulator) -> Iterator[None]:
    _set_active(sim, "res.currency", EUR, False)
    try:
        yield
    finally:
        _set_active(sim, "res.currency", EUR, True)


def test_an_order_in_an_archived_currency_says_it_must_be_activated(sim: OdooSimulator, eur_archived) -> None:
    shop = make_shop(sim)
    orders_before = len(sim.records("sale.order"))

    outcome = _push_order(shop, [{"sku": "SIM-00001"}], currency="EUR")

    assert outcome.action is SyncAction.ERROR
    issue = _issue(outcome, "currency")
    assert issue.code == IssueCode.ARCHIVED_IN_ODOO.value
    assert "res.currency with name = 'EUR' exists in Odoo but is archived" in issue.message
    assert f"id {EUR}" in issue.message
    assert "activate it in Odoo" in issue.message
    assert "Configuration > Currencies" in issue.message
    assert "no res.currency" not in (outcome.error_message or "")
    assert len(sim.records("sale.order")) == orders_before


def test_the_common_path_costs_no_extra_search_and_an_archived_value_one(sim: OdooSimulator) -> None:
    shop = make_shop(sim)
    searches = ("res.currency", "search_read")

    before = sim.calls[searches]
    active = _push_order(shop, [{"sku": "SIM-00001"}], currency="EUR")
    found_active = sim.calls[searches] - before

    before = sim.calls[searches]
    archived = _push_order(shop, [{"sku": "SIM-00001"}], currency="GBP")  # archived in the seed
    found_archived = sim.calls[searches] - before

    assert active.action is SyncAction.CREATED, active.error_message
    assert archived.action is SyncAction.ERROR
    assert _issue(archived, "currency").code == IssueCode.ARCHIVED_IN_ODOO.value
    assert (found_active, found_archived) == (1, 2)


def test_a_value_odoo_has_not_at_all_is_still_not_found(sim: OdooSimulator) -> None:
    outcome = _push_order(make_shop(sim), [{"sku": "SIM-00001"}], currency="XXX")

    issue = _issue(outcome, "currency")
    assert issue.code == IssueCode.NOT_FOUND_IN_ODOO.value
    assert issue.message == "no res.currency with name = 'XXX' in Odoo"


def test_an_archived_pricelist_says_it_must_be_activated(sim: OdooSimulator) -> None:
    name = f"Old pricelist {_tag()}"
    pricelist = _create(sim, "product.pricelist", {"name": name, "active": False})

    outcome = _push_order(make_shop(sim), [{"sku": "SIM-00001"}], pricelist=name)

    issue = _issue(outcome, "pricelist")
    assert issue.code == IssueCode.ARCHIVED_IN_ODOO.value
    assert f"product.pricelist with name = {name!r} exists in Odoo but is archived" in issue.message
    assert f"id {pricelist}" in issue.message
    assert "Pricelists" in issue.message


def test_archived_units_taxes_and_products_of_lines_say_so_each(sim: OdooSimulator) -> None:
    tag = _tag()
    unit = _create(sim, "uom.uom", {"name": f"Crate {tag}", "active": False})
    tax = _create(sim, "account.tax", {"name": f"7% old {tag}", "amount": 7.0, "active": False})
    product = _create(sim, "product.product", {"name": f"Retired {tag}", "default_code": f"OLD-{tag}"})
    _set_active(sim, "product.product", product, False)
    shop = make_shop(sim)
    calls = {key: sim.calls[key] for key in [("uom.uom", "search_read"), ("account.tax", "search_read")]}

    outcome = _push_order(
        shop,
        [
            {"sku": "SIM-00001", "uom": f"Crate {tag}", "taxes": ["15%", f"7% old {tag}"]},
            {"sku": f"OLD-{tag}", "quantity": 1},
        ],
    )

    assert outcome.action is SyncAction.ERROR
    by_field = {issue.field: issue for issue in outcome.issues}
    assert sorted(by_field) == ["lines[0].taxes[1]", "lines[0].uom", "lines[1].sku"]
    assert {issue.code for issue in by_field.values()} == {IssueCode.ARCHIVED_IN_ODOO.value}
    assert f"Odoo unit named 'Crate {tag}' exists in Odoo but is archived (inactive, id {unit})" in (
        by_field["lines[0].uom"].message
    )
    assert f"Odoo sale tax named '7% old {tag}' exists in Odoo but is archived (inactive, id {tax})" in (
        by_field["lines[0].taxes[1]"].message
    )
    assert f"default_code 'OLD-{tag}' exists in Odoo but is archived (inactive, id {product})" in (
        by_field["lines[1].sku"].message
    )
    # One more search per kind with names not found, none for the kinds all found.
    assert sim.calls[("uom.uom", "search_read")] - calls[("uom.uom", "search_read")] == 2
    assert sim.calls[("account.tax", "search_read")] - calls[("account.tax", "search_read")] == 2


def test_lines_all_found_cost_one_search_per_kind(sim: OdooSimulator) -> None:
    shop = make_shop(sim)
    kinds = [("product.product", "search_read"), ("uom.uom", "search_read"), ("account.tax", "search_read")]
    before = {key: sim.calls[key] for key in kinds}

    outcome = _push_order(shop, [{"sku": "SIM-00001", "uom": "Dozens", "taxes": ["15%"]}])

    assert outcome.action is SyncAction.CREATED, outcome.error_message
    assert {key: sim.calls[key] - before[key] for key in kinds} == dict.fromkeys(kinds, 1)

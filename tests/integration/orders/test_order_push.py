"""Orders pushed to Odoo with their lines: round trip, second sync, locked orders, unresolved
references, confirmation - on 17 (product_uom/tax_id, XML-RPC) and 19 (product_uom_id/tax_ids, JSON-2)."""

from __future__ import annotations

import uuid
from typing import Any

from odoo_simulator import OdooSimulator
from odoo_sync.sync.model import LinkStatus, SyncAction
from odoo_sync.sync.value_maps import ValueMap, ValueMapEntry, ValueMapKind

from .conftest import Shop, make_shop

TAX_15, TAX_21_INCLUDED, TAX_10 = 1, 4, 5
UNITS, DOZENS = 1, 2
EUR = 2


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _names(sim: OdooSimulator) -> tuple[str, str]:
    return ("product_uom", "tax_id") if sim.version == "17" else ("product_uom_id", "tax_ids")


def _customer(shop: Shop, tag: str) -> str:
    local_id = f"cust-{tag}"
    shop.records.put("customer", local_id, {"name": f"Customer {tag}", "email": f"{tag}@example.com"})
    return local_id


def _order(shop: Shop, local_id: str, customer: str, lines: list[dict[str, Any]], **header: Any) -> None:
    shop.records.put("order", local_id, {"customer": customer, "lines": lines, **header})


def test_an_order_arrives_with_its_lines_taxes_units_currency_and_date(sim: OdooSimulator) -> None:
    shop, tag = make_shop(sim), _tag()
    customer = _customer(shop, tag)
    _order(
        shop,
        f"o-{tag}",
        customer,
        [
            {
                "sku": "SIM-00001",
                "quantity": 2,
                "uom": "Dozens",
                "price": "10.50",
                "discount": 5,
                "taxes": ["15%"],
            },
            {
                "barcode": sim.records("product.product", [("id", "=", 4)])[0]["barcode"],
                "quantity": "3",
                "taxes": ["10%", "21% incl."],
            },
        ],
        currency="EUR",
        pricelist="EUR Pricelist",
        date="2024-05-01T12:30:00+02:00",
        client_order_ref=f"PO-{tag}",
        note="Leave at the door",
    )

    [outcome] = shop.push(f"o-{tag}")

    assert outcome.action is SyncAction.CREATED, outcome.error_message
    [order] = sim.records("sale.order", [("id", "=", outcome.odoo_id)])
    partner_link = shop.records.link("customer", customer)
    assert partner_link is not None
    assert partner_link.status is LinkStatus.SYNCED
    assert order["partner_id"] == partner_link.odoo_id
    assert order["currency_id"] == EUR
    assert order["date_order"] == "2024-05-01 10:30:00"  # naive UTC
    assert order["client_order_ref"] == f"PO-{tag}"
    assert order["origin"] == f"o-{tag}"
    uom, taxes = _names(sim)
    first, second = shop.order_lines(order["id"])
    assert (first["product_id"], first["product_uom_qty"], first[uom]) == (1, 2.0, DOZENS)
    assert (first["price_unit"], first["discount"], first[taxes]) == (10.5, 5.0, [TAX_15])
    assert (second["product_id"], second["product_uom_qty"], second[uom]) == (4, 3.0, UNITS)
    assert sorted(second[taxes]) == [TAX_21_INCLUDED, TAX_10]
    assert set(outcome.fields_synced) >= {"customer", "lines", "currency", "date"}


def test_a_second_sync_updates_adds_and_removes_lines_without_duplicates(sim: OdooSimulator) -> None:
    shop, tag = make_shop(sim), _tag()
    customer = _customer(shop, tag)
    lines = [
        {"sku": "SIM-00001", "quantity": 1},
        {"sku": "SIM-00004", "quantity": 2},
        {"sku": "SIM-00005", "quantity": 1},
    ]
    _order(shop, f"o-{tag}", customer, lines)
    [created] = shop.push(f"o-{tag}")
    before = {row["product_id"]: row["id"] for row in shop.order_lines(created.odoo_id or 0)}

    [again] = shop.push(f"o-{tag}")
    assert again.action is SyncAction.UNCHANGED
    assert len(shop.order_lines(created.odoo_id or 0)) == 3

    _order(
        shop,
        f"o-{tag}",
        customer,
        [
            {"sku": "SIM-00001", "quantity": 5},
            {"sku": "SIM-00004", "quantity": 2},
            {"sku": "SIM-00006", "quantity": 1},
        ],
    )
    [updated] = shop.push(f"o-{tag}")

    assert updated.action is SyncAction.UPDATED, updated.error_message
    assert updated.odoo_id == created.odoo_id
    after = shop.order_lines(created.odoo_id or 0)
    assert sorted((row["product_id"], row["product_uom_qty"]) for row in after) == [
        (1, 5.0),
        (4, 2.0),
        (6, 1.0),
    ]
    kept = {row["product_id"]: row["id"] for row in after}
    assert kept[1] == before[1]
    assert kept[4] == before[4]
    assert before[5] not in {row["id"] for row in sim.records("sale.order.line")}
    assert len(sim.records("sale.order", [("origin", "=", f"o-{tag}")])) == 1


def test_unresolved_references_reject_the_order_with_every_reason_and_create_nothing(
    sim: OdooSimulator,
) -> None:
    shop, tag = make_shop(sim), _tag()
    customer = _customer(shop, tag)
    _order(
        shop,
        f"o-{tag}",
        customer,
        [
            {"sku": "SIM-00001", "quantity": 1, "uom": "kg"},
            {"sku": "NOPE-1", "quantity": 1},
            {"sku": "SIM-00004", "quantity": -1, "uom": "Barrels", "taxes": ["99%", "15% (purchase)"]},
        ],
        currency="XXX",
    )
    orders_before, partners_before = len(sim.records("sale.order")), len(sim.records("res.partner"))

    [outcome] = shop.push(f"o-{tag}")

    assert outcome.action is SyncAction.ERROR
    fields = sorted(issue.field for issue in outcome.issues)
    assert fields == sorted(
        [
            "currency",
            "lines[0].uom",
            "lines[1].sku",
            "lines[2].quantity",
            "lines[2].uom",
            "lines[2].taxes[0]",
            "lines[2].taxes[1]",
        ]
    )
    assert "NOPE-1" in (outcome.error_message or "")
    assert len(sim.records("sale.order")) == orders_before
    assert len(sim.records("res.partner")) == partners_before  # not even the customer
    assert shop.records.link("customer", customer) is None


def test_an_order_of_an_unknown_customer_is_rejected(sim: OdooSimulator) -> None:
    shop, tag = make_shop(sim), _tag()
    _order(shop, f"o-{tag}", "nobody", [{"sku": "SIM-00001"}])

    [outcome] = shop.push(f"o-{tag}")

    assert outcome.action is SyncAction.ERROR
    assert [(i.field, i.message) for i in outcome.issues] == [("customer", "no customer record 'nobody'")]


def test_confirm_then_changes_odoo_refuses_come_back_with_its_message(sim: OdooSimulator) -> None:
    shop, tag = make_shop(sim), _tag()
    customer = _customer(shop, tag)
    _order(shop, f"o-{tag}", customer, [{"sku": "SIM-00001"}, {"sku": "SIM-00004"}], confirm=True)
    [created] = shop.push(f"o-{tag}")
    assert created.action is SyncAction.CREATED, created.error_message
    assert sim.records("sale.order", [("id", "=", created.odoo_id)])[0]["state"] == "sale"

    _order(shop, f"o-{tag}", customer, [{"sku": "SIM-00001"}], confirm=True)  # removes a confirmed line
    [refused] = shop.push(f"o-{tag}")

    assert refused.action is SyncAction.ERROR
    assert "you can't remove one of its lines" in (refused.error_message or "")
    assert (refused.error_details or {}).get("code") == "odoo_rejected"
    assert len(shop.order_lines(created.odoo_id or 0)) == 2


def test_a_locked_order_is_refused_before_anything_is_sent(sim: OdooSimulator) -> None:
    shop, tag = make_shop(sim), _tag()
    customer = _customer(shop, tag)
    _order(shop, f"o-{tag}", customer, [{"sku": "SIM-00001", "quantity": 1}], confirm=True)
    [created] = shop.push(f"o-{tag}")
    shop.client.execute("sale.order", "action_lock", [[created.odoo_id]])
    _order(shop, f"o-{tag}", customer, [{"sku": "SIM-00001", "quantity": 4}])
    writes_before = sim.calls[("sale.order", "write")]

    [refused] = shop.push(f"o-{tag}")

    assert refused.action is SyncAction.ERROR
    assert (refused.error_details or {}).get("code") == "order_locked"
    assert "locked" in (refused.error_message or "")
    assert sim.calls[("sale.order", "write")] == writes_before
    assert shop.order_lines(created.odoo_id or 0)[0]["product_uom_qty"] == 1.0


def test_units_and_taxes_from_value_maps(sim: OdooSimulator) -> None:
    maps = [
        ValueMap(kind=ValueMapKind.UOM, entries=[ValueMapEntry(local="dz", odoo=DOZENS)]),
        ValueMap(kind=ValueMapKind.TAX, entries=[ValueMapEntry(local="VAT-REDUCED", odoo=TAX_10)]),
    ]
    shop, tag = make_shop(sim, maps), _tag()
    customer = _customer(shop, tag)
    _order(shop, f"o-{tag}", customer, [{"sku": "SIM-00001", "uom": "dz", "taxes": ["VAT-REDUCED"]}])

    [outcome] = shop.push(f"o-{tag}")

    assert outcome.action is SyncAction.CREATED, outcome.error_message
    uom, taxes = _names(sim)
    [line] = shop.order_lines(outcome.odoo_id or 0)
    assert (line[uom], line[taxes]) == (DOZENS, [TAX_10])


def test_a_linked_customer_is_not_pushed_again(sim: OdooSimulator) -> None:
    shop, tag = make_shop(sim), _tag()
    customer = _customer(shop, tag)
    [pushed] = shop.push(customer, entity="customer")
    _order(shop, f"o-{tag}", customer, [{"sku": "SIM-00001"}])
    log_before = len(shop.books.entries)

    [outcome] = shop.push(f"o-{tag}")

    assert outcome.action is SyncAction.CREATED
    assert sim.records("sale.order", [("id", "=", outcome.odoo_id)])[0]["partner_id"] == pushed.odoo_id
    assert [entry.entity for entry in shop.books.entries[log_before:]] == ["order"]

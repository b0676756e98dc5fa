"""Sales orders in the simulator: x2many commands on order lines, amounts with taxes, confirmation,
locking and the faults Odoo raises (over XML-RPC on 17, JSON-2 on 19)."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator

from .conftest import Rpc

TAX_15, TAX_21_INCLUDED, TAX_10 = 1, 4, 5
UNITS, DOZENS, KG = 1, 2, 3


@pytest.fixture(scope="module")
def sim17() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="17", seed_partners=6, seed_products=6) as sim:
        yield sim


@pytest.fixture(scope="module")
def sim19() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", seed_partners=6, seed_products=6) as sim:
        yield sim


@pytest.fixture(scope="module")
def sim16() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="16", seed_partners=2, seed_products=2) as sim:
        yield sim


def _fault(rpc: Rpc, *call: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as caught:
        rpc.xml(*call)
    return caught.value


def _new_order(rpc: Rpc, lines: list[Any], **vals: Any) -> int:
    order_id: int = rpc.xml("sale.order", "create", [{"partner_id": 10, "order_line": lines, **vals}])
    return order_id


def _lines(rpc: Rpc, order_id: int, *fields: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = rpc.xml(
        "sale.order.line", "search_read", [[("order_id", "=", order_id)], list(fields or ["product_uom_qty"])]
    )
    return rows


def test_a_created_order_takes_prices_taxes_and_names_from_its_products(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    order_id = _new_order(rpc, [(0, 0, {"product_id": 1, "product_uom_qty": 3})])
    [line] = _lines(
        rpc, order_id, "name", "price_unit", "tax_id", "product_uom", "price_subtotal", "price_total"
    )
    [product] = rpc.xml("product.product", "read", [[1], ["display_name", "lst_price"]])
    [order] = rpc.xml(
        "sale.order", "read", [[order_id], ["name", "state", "amount_untaxed", "amount_tax", "amount_total"]]
    )

    assert line["name"] == product["display_name"]
    assert line["price_unit"] == product["lst_price"]
    assert line["tax_id"] == [TAX_15]
    assert line["product_uom"][0] == UNITS
    assert line["price_subtotal"] == round(3 * product["lst_price"], 2)
    assert order["name"] == f"S{order_id:05d}"
    assert order["state"] == "draft"
    assert order["amount_untaxed"] == line["price_subtotal"]
    assert order["amount_tax"] == round(line["price_subtotal"] * 0.15, 2)
    assert (
        order["amount_total"]
        == line["price_total"]
        == round(order["amount_untaxed"] + order["amount_tax"], 2)
    )


def test_discounts_and_price_included_taxes_are_computed_like_odoo(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    order_id = _new_order(
        rpc,
        [
            (0, 0, {"product_id": 1, "product_uom_qty": 2, "price_unit": 121.0, "discount": 10,
                    "tax_id": [(6, 0, [TAX_21_INCLUDED])]}),
            (0, 0, {"product_id": 2, "product_uom_qty": 1, "price_unit": 50.0,
                    "tax_id": [(6, 0, [TAX_15, TAX_10])]}),
        ],
    )  # fmt: skip
    [order] = rpc.xml("sale.order", "read", [[order_id], ["amount_untaxed", "amount_tax", "amount_total"]])

    # 2 x 121 x 0.9 = 217.80 tax included at 21% -> 180.00 + 37.80; 50 + 15% + 10% -> 50 + 12.50.
    assert order == {"id": order_id, "amount_untaxed": 230.0, "amount_tax": 50.3, "amount_total": 280.3}


def test_order_line_commands_update_delete_unlink_link_clear_and_set(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    order_id = _new_order(
        rpc, [(0, 0, {"product_id": 1}), (0, 0, {"product_id": 2}), (0, 0, {"product_id": 3})]
    )
    first, second, third = (row["id"] for row in _lines(rpc, order_id))

    rpc.xml(
        "sale.order",
        "write",
        [[order_id], {"order_line": [(1, first, {"product_uom_qty": 5}), (2, second, 0)]}],
    )
    assert [(r["id"], r["product_uom_qty"]) for r in _lines(rpc, order_id)] == [(first, 5.0), (third, 1.0)]

    rpc.xml("sale.order", "write", [[order_id], {"order_line": [(3, third, 0)]}])
    # An order line cannot exist without its order: unlinking it deletes it, as in Odoo.
    assert rpc.xml("sale.order.line", "search_count", [[("id", "=", third)]]) == 0

    rpc.xml("sale.order", "write", [[order_id], {"order_line": [(6, 0, [first]), (0, 0, {"product_id": 4})]}])
    assert len(_lines(rpc, order_id)) == 2

    rpc.xml(
        "sale.order",
        "write",
        [[order_id], {"order_line": [(5, 0, 0), (0, 0, {"product_id": 5, "product_uom_qty": 2})]}],
    )
    [only] = _lines(rpc, order_id, "product_id", "product_uom_qty")
    assert (only["product_id"][0], only["product_uom_qty"]) == (5, 2.0)

    other = _new_order(rpc, [(0, 0, {"product_id": 1})])
    [moved] = _lines(rpc, other)
    rpc.xml("sale.order", "write", [[order_id], {"order_line": [(4, moved["id"], 0)]}])
    assert {r["id"] for r in _lines(rpc, order_id)} == {only["id"], moved["id"]}


def test_replacing_all_lines_twice_leaves_no_duplicates(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    lines = [(0, 0, {"product_id": 1, "product_uom_qty": 1}), (0, 0, {"product_id": 2, "product_uom_qty": 4})]
    order_id = _new_order(rpc, lines)
    for _ in range(2):
        rpc.xml("sale.order", "write", [[order_id], {"order_line": [(5, 0, 0), *lines]}])
    assert sorted(r["product_uom_qty"] for r in _lines(rpc, order_id)) == [1.0, 4.0]


def test_confirming_makes_a_sales_order_and_twice_is_refused(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    order_id = _new_order(rpc, [(0, 0, {"product_id": 1})])
    assert rpc.xml("sale.order", "action_confirm", [[order_id]]) is True
    [order] = rpc.xml("sale.order", "read", [[order_id], ["state", "invoice_status", "name"]])
    assert (order["state"], order["invoice_status"]) == ("sale", "to invoice")

    fault = _fault(rpc, "sale.order", "action_confirm", [[order_id]])
    assert fault.faultCode == 2
    assert fault.faultString == (
        f"The following orders are not in a state requiring confirmation: {order['name']}"
    )


def test_a_confirmed_order_keeps_its_lines_and_cannot_be_deleted(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    order_id = _new_order(rpc, [(0, 0, {"product_id": 1})])
    rpc.xml("sale.order", "action_confirm", [[order_id]])
    [line] = _lines(rpc, order_id)

    removals: list[list[Any]] = [[(2, line["id"], 0)], [(5, 0, 0)], [(6, 0, [])]]
    for commands in removals:
        fault = _fault(rpc, "sale.order", "write", [[order_id], {"order_line": commands}])
        assert fault.faultCode == 2
        assert fault.faultString.startswith(
            "Once a sales order is confirmed, you can't remove one of its lines"
        )
    # Changing a quantity and adding a line stay allowed on a confirmed (unlocked) order.
    rpc.xml("sale.order", "write", [[order_id], {"order_line": [(1, line["id"], {"product_uom_qty": 7}),
                                                                (0, 0, {"product_id": 2})]}])  # fmt: skip
    assert sorted(r["product_uom_qty"] for r in _lines(rpc, order_id)) == [1.0, 7.0]

    fault = _fault(rpc, "sale.order", "unlink", [[order_id]])
    assert fault.faultString == (
        "You can not delete a sent quotation or a confirmed sales order. You must first cancel it."
    )


def test_a_locked_order_refuses_changes_to_protected_line_fields(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    order_id = _new_order(rpc, [(0, 0, {"product_id": 1})])
    rpc.xml("sale.order", "action_confirm", [[order_id]])
    rpc.xml("sale.order", "action_lock", [[order_id]])
    [line] = _lines(rpc, order_id)

    fault = _fault(
        rpc, "sale.order", "write",
        [[order_id], {"order_line": [(1, line["id"], {"product_uom_qty": 9, "price_unit": 1.0})]}],
    )  # fmt: skip
    assert fault.faultCode == 2
    assert (
        fault.faultString
        == "It is forbidden to modify the following fields in a locked order:\nUnit Price\nQuantity"
    )
    fault = _fault(rpc, "sale.order", "action_cancel", [[order_id]])
    assert fault.faultString == "You cannot cancel a locked order. Please unlock it first."

    rpc.xml("sale.order", "action_unlock", [[order_id]])
    rpc.xml("sale.order.line", "write", [[line["id"]], {"product_uom_qty": 9}])
    assert rpc.xml("sale.order", "read", [[order_id], ["locked"]])[0]["locked"] is False


def test_a_unit_of_another_category_than_the_products_is_refused(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    kilos = [(0, 0, {"product_id": 1, "product_uom": KG})]
    fault = _fault(rpc, "sale.order", "create", [{"partner_id": 10, "order_line": kilos}])
    assert fault.faultCode == 2
    assert (
        "The unit of measure kg defined on the order line doesn't belong to the same category"
        in fault.faultString
    )
    # Dozens are units: accepted.
    order_id = _new_order(rpc, [(0, 0, {"product_id": 1, "product_uom": DOZENS})])
    assert _lines(rpc, order_id, "product_uom")[0]["product_uom"][0] == DOZENS


def test_a_line_without_product_or_an_order_without_customer_is_refused(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    fault = _fault(
        rpc, "sale.order", "create", [{"partner_id": 10, "order_line": [(0, 0, {"name": "free text"})]}]
    )
    assert fault.faultString == (
        "The operation cannot be completed: Missing required fields on accountable sale order line."
    )
    fault = _fault(rpc, "sale.order", "create", [{"order_line": [(0, 0, {"product_id": 1})]}])
    assert "a mandatory field is not set" in fault.faultString
    assert "Model: Sales Order (sale.order)" in fault.faultString
    # A section line needs no product.
    order_id = _new_order(rpc, [(0, 0, {"display_type": "line_section", "name": "Chairs"})])
    assert _lines(rpc, order_id, "display_type")[0]["display_type"] == "line_section"


def test_the_pricelist_sets_the_currency_and_converts_prices(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    [eur_pricelist] = rpc.xml("product.pricelist", "search", [[("name", "=", "EUR Pricelist")]])
    order_id = _new_order(rpc, [(0, 0, {"product_id": 1})], pricelist_id=eur_pricelist)
    [order] = rpc.xml("sale.order", "read", [[order_id], ["currency_id"]])
    [line] = _lines(rpc, order_id, "price_unit")
    [product] = rpc.xml("product.product", "read", [[1], ["lst_price"]])

    assert order["currency_id"][1] == "EUR"
    assert line["price_unit"] == round(product["lst_price"] * 0.92, 2)


def test_the_demo_salesman_sees_only_his_own_orders(sim17: OdooSimulator) -> None:
    rpc = Rpc(sim17)
    found = rpc.xml(
        "sale.order", "search_read", [[], ["user_id"]], uid=sim17.demo_uid, secret=sim17.demo_api_key
    )
    assert found
    assert {row["user_id"][0] for row in found if row["user_id"]} == {sim17.demo_uid}


def test_odoo_19_names_the_line_fields_tax_ids_and_product_uom_id_and_accepts_commands(
    sim19: OdooSimulator,
) -> None:
    rpc = Rpc(sim19)
    created = rpc.json2(
        "sale.order", "create",
        {"vals_list": [{"partner_id": 10, "order_line": [[0, 0, {"product_id": 1, "product_uom_qty": 2}]]}]},
    )  # fmt: skip
    [order_id] = created.json()
    [line] = rpc.json2(
        "sale.order.line", "search_read",
        {"domain": [["order_id", "=", order_id]], "fields": ["tax_ids", "product_uom_id"]},
    ).json()  # fmt: skip
    assert line["tax_ids"] == [TAX_15]
    assert line["product_uom_id"][0] == UNITS

    rpc.json2("sale.order", "action_confirm", {"ids": [order_id]})
    rpc.json2("sale.order", "action_lock", {"ids": [order_id]})
    refused = rpc.json2(
        "sale.order", "write", {"ids": [order_id], "vals": {"order_line": [[1, line["id"], {"discount": 5}]]}}
    )
    assert refused.status_code == 422
    assert refused.json()["message"] == (
        "It is forbidden to modify the following fields in a locked order:\nDiscount (%)"
    )


def test_locking_is_action_done_before_odoo_17(sim16: OdooSimulator) -> None:
    rpc = Rpc(sim16)
    fault = _fault(rpc, "sale.order", "action_lock", [[4]])
    assert "action_lock" in fault.faultString
    assert rpc.xml("sale.order", "action_done", [[4]]) is True

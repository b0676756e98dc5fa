"""Invoices and payments, stock quantities and company scoping in the simulator, driven through the
back-office helpers and read over RPC the way a sync service polls them."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_simulator.backoffice import (
    invoice_order,
    register_payment,
    reverse_invoice,
    set_stock,
    stock_location_id,
)

from .conftest import Rpc

INVOICE_FIELDS = [
    "name", "state", "move_type", "payment_state", "amount_untaxed", "amount_tax", "amount_total",
    "amount_residual", "invoice_origin", "currency_id", "write_date",
]  # fmt: skip


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="17", seed_partners=6, seed_products=6) as simulator:
        yield simulator


def _confirmed_order(rpc: Rpc, quantity: float = 2) -> int:
    order_id: int = rpc.xml(
        "sale.order",
        "create",
        [{"partner_id": 10, "order_line": [(0, 0, {"product_id": 1, "product_uom_qty": quantity})]}],
    )
    rpc.xml("sale.order", "action_confirm", [[order_id]])
    return order_id


def _invoice(rpc: Rpc, invoice_id: int) -> dict[str, Any]:
    [row] = rpc.xml("account.move", "read", [[invoice_id], INVOICE_FIELDS])
    return dict(row)


def test_invoicing_an_order_posts_an_invoice_with_the_orders_amounts(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    order_id = _confirmed_order(rpc)
    [invoice_id] = invoice_order(sim, order_id)
    invoice = _invoice(rpc, invoice_id)
    [order] = rpc.xml(
        "sale.order",
        "read",
        [[order_id], ["name", "amount_total", "amount_untaxed", "invoice_ids", "invoice_status"]],
    )

    assert (invoice["state"], invoice["move_type"], invoice["payment_state"]) == (
        "posted",
        "out_invoice",
        "not_paid",
    )
    assert invoice["invoice_origin"] == order["name"]
    assert invoice["amount_total"] == invoice["amount_residual"] == order["amount_total"]
    assert invoice["amount_untaxed"] == order["amount_untaxed"]
    assert invoice["name"].startswith("INV/")
    assert order["invoice_ids"] == [invoice_id]
    assert order["invoice_status"] == "invoiced"


def test_payments_move_the_payment_state_through_partial_in_payment_and_paid(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    [invoice_id] = invoice_order(sim, _confirmed_order(rpc))
    total = _invoice(rpc, invoice_id)["amount_total"]

    assert register_payment(sim, invoice_id, 10.0) == "partial"
    assert _invoice(rpc, invoice_id)["amount_residual"] == round(total - 10.0, 2)
    assert register_payment(sim, invoice_id, in_payment=True) == "in_payment"
    assert _invoice(rpc, invoice_id)["amount_residual"] == 0.0

    [other] = invoice_order(sim, _confirmed_order(rpc))
    assert register_payment(sim, other) == "paid"
    found = rpc.xml(
        "account.move", "search", [[("payment_state", "=", "paid"), ("move_type", "=", "out_invoice")]]
    )
    assert other in found


def test_a_payment_on_a_draft_invoice_is_refused_and_changes_nothing(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    [invoice_id] = invoice_order(sim, _confirmed_order(rpc), post=False)
    with pytest.raises(Exception, match="only register payment for posted"):
        register_payment(sim, invoice_id)
    assert _invoice(rpc, invoice_id)["payment_state"] == "not_paid"
    assert rpc.xml("account.move", "action_post", [[invoice_id]]) is True
    assert _invoice(rpc, invoice_id)["state"] == "posted"


def test_reversing_an_invoice_issues_a_credit_note_and_both_read_reversed(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    order_id = _confirmed_order(rpc)
    [invoice_id] = invoice_order(sim, order_id)
    refund_id = reverse_invoice(sim, invoice_id)
    refund = _invoice(rpc, refund_id)

    assert refund["move_type"] == "out_refund"
    assert refund["amount_total"] == _invoice(rpc, invoice_id)["amount_total"]
    assert {_invoice(rpc, invoice_id)["payment_state"], refund["payment_state"]} == {"reversed"}
    assert (
        rpc.xml("sale.order", "read", [[order_id], ["invoice_status"]])[0]["invoice_status"] == "to invoice"
    )


def test_a_posted_invoice_cannot_be_deleted(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    [invoice_id] = invoice_order(sim, _confirmed_order(rpc))
    with pytest.raises(xmlrpc.client.Fault) as caught:
        rpc.xml("account.move", "unlink", [[invoice_id]])
    assert caught.value.faultString == "You cannot delete an entry which has been posted once."


def test_stock_quantities_per_product_and_warehouse_with_write_date(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    stock = stock_location_id(sim)
    chicago = stock_location_id(sim, "CHW/Stock")
    quant_id = set_stock(sim, 2, 40.0, reserved=5.0)
    set_stock(sim, 2, 7.0, location_id=chicago)

    [quant] = rpc.xml(
        "stock.quant", "read", [[quant_id], ["product_id", "location_id", "quantity", "reserved_quantity",
                                             "available_quantity", "warehouse_id", "write_date"]]
    )  # fmt: skip
    assert (quant["quantity"], quant["reserved_quantity"], quant["available_quantity"]) == (40.0, 5.0, 35.0)
    assert quant["location_id"] == [stock, "WH/Stock"]
    changed = rpc.xml(
        "stock.quant", "search", [[("write_date", ">=", quant["write_date"]), ("product_id", "=", 2)]]
    )
    assert quant_id in changed

    [everywhere] = rpc.xml("product.product", "read", [[2], ["qty_available", "free_qty"]])
    assert (everywhere["qty_available"], everywhere["free_qty"]) == (47.0, 42.0)
    [main] = rpc.xml("stock.warehouse", "search", [[("code", "=", "WH")]])
    [in_main] = rpc.xml("product.product", "read", [[2], ["qty_available"]], {"context": {"warehouse": main}})
    assert in_main["qty_available"] == 40.0


def test_allowed_company_ids_narrow_what_searches_return(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    everything = rpc.xml("stock.warehouse", "search_read", [[], ["company_id"]])
    chicago_only = rpc.xml(
        "stock.warehouse", "search_read", [[], ["company_id"]], {"context": {"allowed_company_ids": [2]}}
    )

    assert {row["company_id"][0] for row in everything} == {1, 2}
    assert {row["company_id"][0] for row in chicago_only} == {2}
    order_id = rpc.xml(
        "sale.order", "create", [{"partner_id": 10}], {"context": {"allowed_company_ids": [2]}}
    )
    assert rpc.xml("sale.order", "read", [[order_id], ["company_id"]])[0]["company_id"][0] == 2
    main_orders = rpc.xml(
        "sale.order", "search", [[("id", "=", order_id)]], {"context": {"allowed_company_ids": [1]}}
    )
    assert main_orders == []


def test_a_company_the_user_does_not_belong_to_is_refused(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    with pytest.raises(xmlrpc.client.Fault) as caught:
        rpc.xml(
            "sale.order", "search", [[]], {"context": {"allowed_company_ids": [2]}},
            uid=sim.demo_uid, secret=sim.demo_api_key,
        )  # fmt: skip
    assert caught.value.faultCode == 4
    assert caught.value.faultString == "Access to unauthorized or invalid companies."


def test_currency_rates_are_served_and_give_the_currencys_rate(sim: OdooSimulator) -> None:
    rpc = Rpc(sim)
    [eur] = rpc.xml("res.currency", "search_read", [[("name", "=", "EUR")], ["rate"]])
    rates = rpc.xml("res.currency.rate", "search_read", [[("currency_id", "=", eur["id"])], ["rate", "name"]])
    assert eur["rate"] == rates[0]["rate"] == 0.92

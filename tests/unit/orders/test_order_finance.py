"""Invoices and stock as the tenant sees them: status from state and payment_state, amounts,
origin order, and stock summed per product, warehouse or location."""

from __future__ import annotations

from decimal import Decimal

import pytest

from odoo_sync.sync.order_finance import invoice_record, invoice_status, origin_names, stock_levels


@pytest.mark.parametrize(
    ("state", "payment_state", "move_type", "status"),
    [
        ("draft", "not_paid", "out_invoice", "draft"),
        ("posted", "not_paid", "out_invoice", "invoiced"),
        ("posted", "partial", "out_invoice", "partially_paid"),
        ("posted", "in_payment", "out_invoice", "paid"),
        ("posted", "paid", "out_invoice", "paid"),
        ("posted", "reversed", "out_invoice", "reversed"),
        ("posted", "paid", "out_refund", "reversed"),
        ("cancel", "not_paid", "out_invoice", "cancelled"),
    ],
)
def test_invoice_status(state: str, payment_state: str, move_type: str, status: str) -> None:
    assert invoice_status(state, payment_state, move_type) == status


def test_an_invoice_becomes_the_tenants_shape_with_its_order() -> None:
    move = {
        "id": 7,
        "name": "INV/2024/00007",
        "move_type": "out_invoice",
        "invoice_date": "2024-05-02",
        "invoice_date_due": "2024-06-01",
        "amount_untaxed": 100.0,
        "amount_tax": 15.0,
        "amount_total": 115.0,
        "amount_residual": 65.1,
        "currency_id": [2, "EUR"],
        "state": "posted",
        "payment_state": "partial",
        "invoice_origin": "S00012, S00099",
    }

    record = invoice_record(move, {"S00012": "order-12"})

    assert record == {
        "number": "INV/2024/00007",
        "type": "invoice",
        "invoice_date": "2024-05-02",
        "due_date": "2024-06-01",
        "amount_untaxed": "100.00",
        "amount_tax": "15.00",
        "amount_total": "115.00",
        "amount_residual": "65.10",
        "currency": "EUR",
        "state": "posted",
        "payment_state": "partial",
        "status": "partially_paid",
        "order": "order-12",
        "orders": ["order-12"],
    }
    assert origin_names([move, {"invoice_origin": False}]) == ["S00012", "S00099"]


def test_an_invoice_from_no_order_of_the_tenant_has_none_and_empty_values_stay_empty() -> None:
    record = invoice_record({"name": "/", "state": "draft", "invoice_date": False, "currency_id": False}, {})

    assert (record["order"], record["invoice_date"], record["currency"], record["amount_total"]) == (
        None,
        None,
        None,
        None,
    )
    assert record["status"] == "draft"


QUANTS = [
    {
        "product_id": [1, "Desk"],
        "location_id": [8, "WH/Stock"],
        "warehouse_id": [1, "YourCompany"],
        "quantity": 10.0,
        "reserved_quantity": 2.0,
        "write_date": "2024-05-01 10:00:00",
    },
    {
        "product_id": [1, "Desk"],
        "location_id": [9, "WH/Stock/Shelf 1"],
        "warehouse_id": [1, "YourCompany"],
        "quantity": 2.5,
        "reserved_quantity": 0.0,
        "write_date": "2024-05-02 09:00:00",
    },
    {
        "product_id": [1, "Desk"],
        "location_id": [12, "CHW/Stock"],
        "warehouse_id": [2, "Chicago Warehouse"],
        "quantity": 4.0,
        "reserved_quantity": 1.0,
        "write_date": "2024-04-01 09:00:00",
    },
    {
        "product_id": [5, "Unknown"],
        "location_id": [8, "WH/Stock"],
        "warehouse_id": [1, "YourCompany"],
        "quantity": 1.0,
        "reserved_quantity": 0.0,
        "write_date": "2024-05-01 10:00:00",
    },
]


def test_stock_is_summed_per_product_and_unknown_products_are_listed() -> None:
    result = stock_levels(QUANTS, {1: "desk-1"})

    [desk] = result.levels
    assert (desk.on_hand, desk.reserved, desk.available) == (Decimal("16.5"), Decimal("3.0"), Decimal("13.5"))
    assert desk.changed_at == "2024-05-02 09:00:00"
    assert desk.as_record("2024-05-03T00:00:00Z") == {
        "product": "desk-1",
        "on_hand": "16.50",
        "reserved": "3.00",
        "available": "13.50",
        "as_of": "2024-05-03T00:00:00Z",
    }
    assert result.unknown_products == [5]


def test_stock_per_warehouse_and_per_location() -> None:
    by_warehouse = stock_levels(QUANTS, {1: "desk-1"}, "warehouse").levels
    by_location = stock_levels(QUANTS, {1: "desk-1"}, "location").levels

    assert [(lv.warehouse, str(lv.available)) for lv in by_warehouse] == [
        ("Chicago Warehouse", "3.0"),
        ("YourCompany", "10.5"),
    ]
    assert [lv.location for lv in by_location] == ["CHW/Stock", "WH/Stock", "WH/Stock/Shelf 1"]


def test_amounts_keep_the_places_odoo_gives_beyond_two_and_never_drift() -> None:
    move = {
        "name": "INV/2024/00008",
        "state": "posted",
        "amount_untaxed": 1.234,  # a 3-decimal currency (KWD)
        "amount_tax": 0.1 + 0.2,  # 0.30000000000000004 on the wire: Odoo's float, not ours
        "amount_total": 1500,
        "amount_residual": -0.0,
    }

    record = invoice_record(move, {})

    assert (record["amount_untaxed"], record["amount_total"], record["amount_residual"]) == (
        "1.234",
        "1500.00",
        "0.00",
    )
    assert record["amount_tax"] == "0.30"  # places past the sixth are float noise


def test_stock_quantities_with_three_places_keep_them() -> None:
    quants = [{"product_id": [1, "Rope"], "quantity": 2.125, "reserved_quantity": 0.5}]

    [rope] = stock_levels(quants, {1: "rope-1"}).levels

    assert rope.quantities() == {"on_hand": "2.125", "reserved": "0.50", "available": "1.625"}

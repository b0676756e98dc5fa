"""An order pushed by the tenant, invoiced, paid and reversed in Odoo: the invoice as the tenant
sees it at each step (read as a pull reads it); stock levels of the tenant's products."""

from __future__ import annotations

import uuid
from typing import Any

from odoo_simulator import OdooSimulator
from odoo_simulator.backoffice import (
    invoice_order,
    register_payment,
    reverse_invoice,
    set_stock,
    stock_location_id,
)
from odoo_sync.sync.order_finance import (
    INVOICE_DOMAIN,
    INVOICE_FIELDS,
    STOCK_FIELDS,
    invoice_record,
    origin_names,
    stock_levels,
)

from .conftest import CONNECTION, Shop, make_shop


def _invoice(shop: Shop, invoice_id: int) -> dict[str, Any]:
    [move] = shop.client.search_read(
        "account.move", [*INVOICE_DOMAIN, ["id", "=", invoice_id]], list(INVOICE_FIELDS)
    )
    names = origin_names([move])
    orders = shop.client.search_read("sale.order", [["name", "in", names]], ["name"])
    local_by_odoo = {
        link.odoo_id: record.local_id
        for (entity, _), record in shop.records.by_key.items()
        if entity == "order" and (link := record.links.get(CONNECTION)) is not None
    }
    by_name = {row["name"]: local_by_odoo[row["id"]] for row in orders if row["id"] in local_by_odoo}
    return invoice_record(move, by_name)


def test_an_orders_invoice_goes_from_invoiced_to_paid_and_reversed(sim: OdooSimulator) -> None:
    shop, tag = make_shop(sim), uuid.uuid4().hex[:8]
    shop.records.put("customer", f"c-{tag}", {"name": f"Customer {tag}"})
    shop.records.put(
        "order",
        f"o-{tag}",
        {
            "customer": f"c-{tag}",
            "confirm": True,
            "lines": [{"sku": "SIM-00001", "quantity": 2, "price": "50", "taxes": []}],
        },
    )
    [pushed] = shop.push(f"o-{tag}")
    assert pushed.odoo_id is not None, pushed.error_message

    [invoice_id] = invoice_order(sim, pushed.odoo_id)
    invoiced = _invoice(shop, invoice_id)
    assert (invoiced["status"], invoiced["order"], invoiced["amount_total"]) == (
        "invoiced",
        f"o-{tag}",
        "100.00",
    )

    assert register_payment(sim, invoice_id, 40.0) == "partial"
    partial = _invoice(shop, invoice_id)
    assert (partial["status"], partial["amount_residual"]) == ("partially_paid", "60.00")

    register_payment(sim, invoice_id)
    assert _invoice(shop, invoice_id)["status"] == "paid"

    refund_id = reverse_invoice(sim, invoice_id)
    assert _invoice(shop, invoice_id)["status"] == "reversed"
    refund = _invoice(shop, refund_id)
    assert (refund["type"], refund["status"], refund["order"]) == ("refund", "reversed", f"o-{tag}")


def test_stock_levels_of_the_tenants_products(sim: OdooSimulator) -> None:
    shop = make_shop(sim)
    product = next(row["id"] for row in sim.records("product.product") if row["type"] != "service")
    set_stock(sim, product, 12.0, reserved=2.0)
    set_stock(sim, product, 3.0, location_id=stock_location_id(sim, "WH/Stock/Shelf 1"))

    quants = shop.client.search_read("stock.quant", [["product_id", "=", product]], list(STOCK_FIELDS))
    [level] = stock_levels(quants, {product: "desk"}).levels
    by_location = {lv.location: lv for lv in stock_levels(quants, {product: "desk"}, "location").levels}

    assert (str(level.on_hand), str(level.reserved), str(level.available)) == ("15.0", "2.0", "13.0")
    assert str(by_location["WH/Stock/Shelf 1"].available) == "3.0"

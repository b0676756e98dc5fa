"""Demo data for sales, invoicing and stock: rates, taxes, a pricelist, warehouses, quants, orders.

Order ids follow Odoo's demo database where the captures rely on them: order 2 is an administrator's
quotation (hidden from the demo salesman), order 4 a confirmed order (which cannot be deleted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import ADMIN_UID

if TYPE_CHECKING:
    from .seed import Seeder

RATE_DATE = "2024-01-01"


def seed_sales(seeder: Seeder, demo_uid: int) -> None:
    _rates_taxes_pricelists(seeder)
    _units(seeder)
    _stock(seeder)
    _orders(seeder, demo_uid)


def _rates_taxes_pricelists(seeder: Seeder) -> None:
    seeder.make("res.currency.rate", {"name": RATE_DATE, "currency_id": 1, "rate": 1.0, "company_id": 1})
    seeder.make("res.currency.rate", {"name": RATE_DATE, "currency_id": 2, "rate": 0.92, "company_id": 1})
    seeder.make("res.currency.rate", {"name": RATE_DATE, "currency_id": 3, "rate": 0.79, "company_id": 1})
    seeder.make(
        "account.tax", {"name": "21% incl.", "amount": 21.0, "price_include": True, "type_tax_use": "sale"}
    )
    seeder.make("account.tax", {"name": "10%", "amount": 10.0, "type_tax_use": "sale"})
    seeder.make(
        "account.tax", {"name": "15% (Chicago)", "amount": 15.0, "type_tax_use": "sale", "company_id": 2}
    )
    seeder.make("product.pricelist", {"name": "EUR Pricelist", "currency_id": 2}, "product.list_eur")


def _units(seeder: Seeder) -> None:
    units = seeder.env["uom.uom"]
    if "relative_uom_id" in units._fields:  # 19+: units convert through a reference unit
        units.browse([2])._write_values({"relative_uom_id": 1})


def _stock(seeder: Seeder) -> None:
    make = seeder.make
    make("stock.location", {"name": "Physical Locations", "usage": "view", "company_id": False})
    partners = make("stock.location", {"name": "Partners", "usage": "view", "company_id": False})
    make(
        "stock.location",
        {"name": "Customers", "usage": "customer", "location_id": partners, "company_id": False},
    )
    make(
        "stock.location",
        {"name": "Vendors", "usage": "supplier", "location_id": partners, "company_id": False},
    )
    stocks = []
    for code, name, company in (("WH", "YourCompany", 1), ("CHW", "Chicago Warehouse", 2)):
        view = make(
            "stock.location", {"name": code, "usage": "view", "location_id": 1, "company_id": company}
        )
        stock = make("stock.location", {"name": "Stock", "location_id": view, "company_id": company})
        make("stock.location", {"name": "Shelf 1", "location_id": stock, "company_id": company})
        make(
            "stock.warehouse",
            {
                "name": name,
                "code": code,
                "company_id": company,
                "view_location_id": view,
                "lot_stock_id": stock,
            },
        )
        stocks.append(stock)
    quants = seeder.env["stock.quant"]
    products = seeder.env["product.product"]
    for pid in sorted(products._table()):
        if products._raw(pid, "type") == "service":
            continue
        quants.create(
            {
                "product_id": pid,
                "location_id": stocks[0],
                "quantity": float(seeder.rng.randint(0, 120)),
                "reserved_quantity": float(seeder.rng.randint(0, 5)),
            }
        )


def _orders(seeder: Seeder, demo_uid: int) -> None:
    products = sorted(seeder.env["product.product"]._table())
    if not products:
        return
    customers = [
        rid
        for rid, row in sorted(seeder.env["res.partner"]._table().items())
        if row.get("ref") and not row.get("company_id")
    ] or [1]
    orders = seeder.env["sale.order"]
    specs: list[tuple[int, str]] = [
        (demo_uid, "draft"),
        (ADMIN_UID, "draft"),
        (ADMIN_UID, "sent"),
        (ADMIN_UID, "sale"),
    ]
    for index, (user, state) in enumerate(specs):
        lines: list[Any] = [
            (0, 0, {"product_id": products[(index + n) % len(products)], "product_uom_qty": float(n + 1)})
            for n in range(2)
        ]
        rid = seeder.make(
            "sale.order",
            {"partner_id": customers[index % len(customers)], "user_id": user, "order_line": lines},
        )
        if state != "draft":
            orders.browse([rid])._write_values({"state": state})
        if state == "sale":
            orders.browse([rid]).create_invoices(post=True)  # type: ignore[attr-defined]

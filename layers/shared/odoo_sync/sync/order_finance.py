"""What comes back from Odoo after an order: invoices (account.move) and stock (stock.quant), as the
tenant's local shapes. Pure functions over Odoo's read values (many2one as `[id, name]`).

An invoice's `status` is what a shop shows on its order:
    draft            not posted yet
    invoiced         posted, nothing paid
    partially_paid   posted, part paid
    paid             paid (or paid and waiting for the bank statement: `in_payment`)
    reversed         reversed by a credit note, or a credit note itself
    cancelled        cancelled
Stock is summed per product (and per warehouse or location when asked) from the quants:
on_hand (quantity), reserved, available (on hand less reserved), as of the time it was read.

Amounts and quantities are decimal text, as every pulled decimal is (`decimal_text`): at least
two places ("1250.00", "3.50"), more when Odoo's value has more (a 3-decimal currency, a unit
of measure kept to 3 places), at most six; the float Odoo sends goes through its shortest repr,
so it never drifts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from odoo_sync.sync.decimals import decimal_from_odoo, decimal_text, to_places

INVOICE_MODEL = "account.move"
INVOICE_TYPES = ("out_invoice", "out_refund")
INVOICE_DOMAIN: list[Any] = [["move_type", "in", list(INVOICE_TYPES)]]
INVOICE_FIELDS = (
    "name",
    "move_type",
    "invoice_date",
    "invoice_date_due",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "currency_id",
    "state",
    "payment_state",
    "invoice_origin",
    "reversed_entry_id",
    "write_date",
)
STOCK_MODEL = "stock.quant"
STOCK_FIELDS = ("product_id", "location_id", "warehouse_id", "quantity", "reserved_quantity", "write_date")
StockGrouping = Literal["product", "warehouse", "location"]
InvoiceStatus = Literal["draft", "invoiced", "partially_paid", "paid", "reversed", "cancelled"]
_PAID = ("paid", "in_payment")
# Places an amount or a quantity has at least (Odoo's default currency and unit precision), and
# at most (Odoo's finest currency rounding is 0.000001; places past it are float noise).
MIN_PLACES = 2
MAX_PLACES = 6


def invoice_status(state: object, payment_state: object, move_type: object = "out_invoice") -> InvoiceStatus:
    if state == "cancel":
        return "cancelled"
    if state != "posted":
        return "draft"
    if payment_state == "reversed" or move_type == "out_refund":
        return "reversed"
    if payment_state in _PAID:
        return "paid"
    if payment_state == "partial":
        return "partially_paid"
    return "invoiced"


def origin_names(moves: Iterable[Mapping[str, Any]]) -> list[str]:
    """The order names the invoices came from (invoice_origin, "S00012" or "S00012, S00013"),
    to look the orders up once for a page."""
    names: set[str] = set()
    for move in moves:
        names.update(_origins(move.get("invoice_origin")))
    return sorted(names)


def _origins(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def invoice_record(move: Mapping[str, Any], order_ids_by_name: Mapping[str, str]) -> dict[str, Any]:
    """An account.move as the tenant's `invoice`; `order` is the tenant's own order id (the first
    origin order the tenant has), None when the invoice did not come from one of its orders."""
    origins = [
        order_ids_by_name[name] for name in _origins(move.get("invoice_origin")) if name in order_ids_by_name
    ]
    return {
        "number": _text(move.get("name")),
        "type": "refund" if move.get("move_type") == "out_refund" else "invoice",
        "invoice_date": _text(move.get("invoice_date")),
        "due_date": _text(move.get("invoice_date_due")),
        "amount_untaxed": _money(move.get("amount_untaxed")),
        "amount_tax": _money(move.get("amount_tax")),
        "amount_total": _money(move.get("amount_total")),
        "amount_residual": _money(move.get("amount_residual")),
        "currency": _label(move.get("currency_id")),
        "state": _text(move.get("state")),
        "payment_state": _text(move.get("payment_state")),
        "status": invoice_status(move.get("state"), move.get("payment_state"), move.get("move_type")),
        "order": origins[0] if origins else None,
        "orders": origins,
    }


@dataclass
class StockLevel:
    product: str  # the tenant's product id
    on_hand: Decimal = Decimal(0)
    reserved: Decimal = Decimal(0)
    warehouse: str | None = None
    location: str | None = None
    changed_at: str | None = None  # the newest write_date of its quants

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    def quantities(self) -> dict[str, str]:
        return {
            "on_hand": quantity_text(self.on_hand),
            "reserved": quantity_text(self.reserved),
            "available": quantity_text(self.available),
        }

    def as_record(self, as_of: str) -> dict[str, Any]:
        record: dict[str, Any] = {"product": self.product, **self.quantities(), "as_of": as_of}
        if self.warehouse is not None:
            record["warehouse"] = self.warehouse
        if self.location is not None:
            record["location"] = self.location
        return record


@dataclass
class StockLevels:
    levels: list[StockLevel] = field(default_factory=list)
    unknown_products: list[int] = field(default_factory=list)  # Odoo products the tenant does not have


def stock_levels(
    quants: Iterable[Mapping[str, Any]],
    product_ids: Mapping[int, str],
    group_by: StockGrouping = "product",
) -> StockLevels:
    """Quants summed per tenant product (and warehouse / location); products the tenant has no
    record of are listed, not invented."""
    grouped: dict[tuple[str, str | None, str | None], StockLevel] = {}
    unknown: set[int] = set()
    for quant in quants:
        odoo_product = _id(quant.get("product_id"))
        if odoo_product is None:
            continue
        product = product_ids.get(odoo_product)
        if product is None:
            unknown.add(odoo_product)
            continue
        warehouse = _label(quant.get("warehouse_id")) if group_by == "warehouse" else None
        location = _label(quant.get("location_id")) if group_by == "location" else None
        level = grouped.setdefault(
            (product, warehouse, location), StockLevel(product, warehouse=warehouse, location=location)
        )
        level.on_hand += _quantity(quant.get("quantity"))
        level.reserved += _quantity(quant.get("reserved_quantity"))
        written = _text(quant.get("write_date"))
        if written is not None and (level.changed_at is None or written > level.changed_at):
            level.changed_at = written
    ordered = sorted(grouped.values(), key=lambda lv: (lv.product, lv.warehouse or "", lv.location or ""))
    return StockLevels(levels=ordered, unknown_products=sorted(unknown))


def _id(value: object) -> int | None:
    if isinstance(value, list | tuple) and value:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _label(value: object) -> str | None:
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[1], str):
        return value[1]
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def quantity_text(number: Decimal) -> str:
    """At least MIN_PLACES places, more (up to MAX_PLACES) when the value has them."""
    rounded = to_places(number, MAX_PLACES).normalize()
    return decimal_text(to_places(rounded, MIN_PLACES, at_least=True))


def _money(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return quantity_text(decimal_from_odoo(value))


def _quantity(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Decimal(0)
    return decimal_from_odoo(value)

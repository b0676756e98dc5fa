"""Sales order lines (sale.order.line): what they take from their product, their amounts, and what
a confirmed or locked order lets change. See sale.py for the orders themselves."""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import UserError, ValidationError
from .account import compute_taxes
from .base import Vals
from .decorators import public
from .multicompany import CompanyScopedMixin
from .sale import currency_rate, uom_family

# sale.order.line fields a locked order protects (Odoo's _get_protected_fields), per field-set version.
PROTECTED_LINE_FIELDS = {
    "17": ("product_id", "name", "price_unit", "product_uom", "product_uom_qty", "tax_id"),
    "19": ("product_id", "name", "price_unit", "product_uom_id", "product_uom_qty", "tax_ids", "discount"),
}
LINE_UNLINK_REFUSED = (
    "Once a sales order is confirmed, you can't remove one of its lines (we need to track if something "
    "gets invoiced or delivered).\n                Set the quantity to 0 instead."
)
ACCOUNTABLE_LINE_REQUIRED = (
    "The operation cannot be completed: Missing required fields on accountable sale order line."
)
UOM_CATEGORY_MISMATCH = (
    "The unit of measure {line_uom} defined on the order line doesn't belong to the same category as "
    "the unit of measure {product_uom} defined on the product. Please correct the unit of measure defined "
    "on the order line or on the product, they should belong to the same category."
)


class SaleOrderLine(CompanyScopedMixin):
    _name = "sale.order.line"
    _description = "Sales Order Line"
    _order = "order_id, sequence, id"
    _computed_fields = frozenset(
        {
            "price_subtotal", "price_tax", "price_total", "price_reduce_taxexcl", "price_reduce_taxinc",
            "currency_id", "company_id", "state", "order_partner_id", "salesman_id", "product_template_id",
            "product_uom_category_id", "qty_invoiced", "qty_to_invoice", "invoice_status", "invoice_lines",
        }
    )  # fmt: skip
    _defaults: ClassVar[dict[str, Any]] = {
        "sequence": 10,
        "product_uom_qty": 1.0,
        "price_unit": 0.0,
        "discount": 0.0,
        "customer_lead": 0.0,
        "qty_delivered": 0.0,
        "is_downpayment": False,
    }

    def _uom_field(self) -> str:
        return "product_uom" if "product_uom" in self._fields else "product_uom_id"

    def _tax_field(self) -> str:
        return "tax_id" if "tax_id" in self._fields else "tax_ids"

    def _display_name(self, rid: int) -> str:
        row = self._table().get(rid) or {}
        order = self.env["sale.order"]._table().get(row.get("order_id") or 0) or {}
        name = str(row.get("name") or "").split("\n")[0]
        return f"{order.get('name')} - {name}" if order else name

    def _order_row(self, rid: int) -> dict[str, Any]:
        order = (self._table().get(rid) or {}).get("order_id")
        return self.env["sale.order"]._table().get(order or 0) or {}

    def _amounts(self, rid: int) -> Any:
        row = self._table().get(rid) or {}
        unit = float(row.get("price_unit") or 0.0) * (1 - float(row.get("discount") or 0.0) / 100.0)
        taxes = list(row.get(self._tax_field()) or [])
        return compute_taxes(self, taxes, unit, float(row.get("product_uom_qty") or 0.0))

    def _compute(self, rid: int, name: str) -> Any:  # noqa: PLR0911, PLR0912 - one branch per field
        row = self._table().get(rid) or {}
        order = self._order_row(rid)
        if name in ("price_subtotal", "price_tax", "price_total"):
            amounts = self._amounts(rid)
            return {
                "price_subtotal": amounts.untaxed,
                "price_tax": amounts.tax,
                "price_total": amounts.total,
            }[name]
        if name in ("price_reduce_taxexcl", "price_reduce_taxinc"):
            qty = float(row.get("product_uom_qty") or 0.0)
            amounts = self._amounts(rid)
            total = amounts.untaxed if name == "price_reduce_taxexcl" else amounts.total
            return round(total / qty, 2) if qty else 0.0
        if name in ("currency_id", "company_id", "state"):
            return order.get(name) or False
        if name == "order_partner_id":
            return order.get("partner_id") or False
        if name == "salesman_id":
            return order.get("user_id") or False
        if name == "product_template_id":
            product = row.get("product_id")
            return self.env["product.product"]._raw(product, "product_tmpl_id") if product else False
        if name == "product_uom_category_id":
            uom = row.get(self._uom_field())
            return uom_family(self, uom) if uom else False
        if name == "qty_invoiced":
            return self._qty_invoiced(rid)
        if name == "invoice_lines":
            move_lines = self.env.store.table("account.move.line")
            return [lid for lid, line in move_lines.items() if rid in (line.get("sale_line_ids") or [])]
        if name == "qty_to_invoice":
            if order.get("state") != "sale" or row.get("display_type"):
                return 0.0
            return float(row.get("product_uom_qty") or 0.0) - self._qty_invoiced(rid)
        if name == "invoice_status":
            if order.get("state") != "sale" or row.get("display_type"):
                return "no"
            if self._compute(rid, "qty_to_invoice") > 0:
                return "to invoice"
            return "invoiced" if self._qty_invoiced(rid) else "no"
        return super()._compute(rid, name)

    def _qty_invoiced(self, rid: int) -> float:
        moves = self.env.store.table("account.move")
        total = 0.0
        for line in self.env.store.table("account.move.line").values():
            move = moves.get(line.get("move_id") or 0) or {}
            if rid in (line.get("sale_line_ids") or []) and move.get("state") != "cancel":
                sign = -1 if move.get("move_type") == "out_refund" else 1
                total += sign * float(line.get("quantity") or 0.0)
        return total

    def _rule_allows(self, rid: int) -> bool:
        order = (self._table().get(rid) or {}).get("order_id")
        orders = self.env["sale.order"]
        return not order or order not in orders._table() or orders._rule_allows(order)

    # -- values taken from the product -------------------------------------------------------------

    def _product_values(self, vals: Vals, order: dict[str, Any]) -> Vals:
        """What Odoo's compute methods fill from the product when the caller leaves it out."""
        product = vals.get("product_id")
        if not product or vals.get("display_type") or not isinstance(product, int):
            return {}
        products = self.env["product.product"]
        if product not in products._table():
            return {}
        filled: Vals = {}
        if not vals.get("name"):
            description = products._raw(product, "description_sale")
            display = products._display_name(product)
            filled["name"] = f"{display}\n{description}" if description else display
        if not vals.get(self._uom_field()):
            filled[self._uom_field()] = products._raw(product, "uom_id") or False
        if self._tax_field() not in vals:
            company = order.get("company_id") or 1
            taxes = self.env["account.tax"]
            tax_ids = [
                tid
                for tid in products._raw(product, "taxes_id") or []
                if taxes._raw(tid, "company_id") in (company, False)
            ]
            filled[self._tax_field()] = [(6, 0, tax_ids)]
        if "price_unit" not in vals:
            price = float(products._raw(product, "lst_price") or 0.0)
            rate = currency_rate(self, int(order.get("currency_id") or 1), int(order.get("company_id") or 1))
            filled["price_unit"] = round(price * rate, 2)
        return filled

    def _prepare_create(self, vals: Vals) -> Vals:
        prepared = dict(vals)
        order = self.env["sale.order"]._table().get(prepared.get("order_id") or 0) or {}
        prepared.update(self._product_values(prepared, order))
        return prepared

    # -- checks ------------------------------------------------------------------------------------

    def _check_constraints(self, names: set[str] | None) -> None:
        for rid in self.ids:
            row = self._table()[rid]
            if not row.get("display_type") and not (row.get("product_id") and row.get(self._uom_field())):
                raise ValidationError(ACCOUNTABLE_LINE_REQUIRED)
            self._check_uom(rid)

    def _check_uom(self, rid: int) -> None:
        row = self._table()[rid]
        product, uom = row.get("product_id"), row.get(self._uom_field())
        if not product or not uom:
            return
        product_uom = self.env["product.product"]._raw(product, "uom_id")
        if product_uom and uom_family(self, uom) != uom_family(self, product_uom):
            uoms = self.env["uom.uom"]
            raise UserError(
                UOM_CATEGORY_MISMATCH.format(
                    line_uom=uoms._display_name(uom), product_uom=uoms._display_name(product_uom)
                )
            )

    @public
    def write(self, vals: Any) -> bool:
        if isinstance(vals, dict):
            self._check_locked(vals)
            if "product_id" in vals:
                vals = {**vals, **self._refill_from_product(vals)}
        return super().write(vals)

    def _refill_from_product(self, vals: Vals) -> Vals:
        """A new product brings its description, unit, taxes and price unless the caller sets them."""
        first = next((rid for rid in self.ids if rid in self._table()), None)
        if first is None:
            return {}
        return self._product_values({"name": False, **vals}, self._order_row(first))

    def _check_locked(self, vals: Vals) -> None:
        protected = PROTECTED_LINE_FIELDS[self.env.personality.fields_data]
        touched = sorted(name for name in vals if name in protected)
        if not touched:
            return
        locked = any(self._order_row(rid).get("locked") for rid in self.ids if rid in self._table())
        if locked:
            labels = "\n".join(self._fields[name].string for name in touched if name in self._fields)
            raise UserError(f"It is forbidden to modify the following fields in a locked order:\n{labels}")

    def _before_unlink(self) -> None:
        for rid in self.ids:
            row = self._table()[rid]
            invoiced = bool(self._raw(rid, "invoice_lines")) or not row.get("is_downpayment")
            if self._order_row(rid).get("state") == "sale" and not row.get("display_type") and invoiced:
                raise UserError(LINE_UNLINK_REFUSED)

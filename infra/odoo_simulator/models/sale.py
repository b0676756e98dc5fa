"""Sales: quotations and orders (sale.order) with their lines, written through x2many commands.

Behaviour follows Odoo's sale module: lines take their description, price, unit and taxes from the
product; amounts are computed with the taxes; a confirmed order keeps its lines (they can be changed
but not removed), a locked order refuses changes to the protected line fields, and only quotations
and cancelled orders can be deleted. On 17+ locking is the `locked` flag (action_lock/action_unlock);
before 17 Odoo named the button action_done.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from ..errors import UserError, ValidationError
from ..fields import Field
from .account import compute_taxes
from .base import BaseModel, Vals
from .decorators import public, since, until
from .multicompany import CompanyScopedMixin

QUOTATION_STATES = ("draft", "sent")
DELETABLE_STATES = ("draft", "cancel")
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


def uom_family(model: BaseModel, uom_id: int) -> Any:
    """What makes two units convertible: the category (up to 17), the reference unit (19+)."""
    uoms = model.env["uom.uom"]
    if "category_id" in uoms._fields:
        return uoms._raw(uom_id, "category_id")
    seen = {uom_id}
    current = uom_id
    while True:
        parent = uoms._raw(current, "relative_uom_id") if "relative_uom_id" in uoms._fields else False
        if not parent or parent in seen:
            return current
        seen.add(parent)
        current = parent


def currency_rate(model: BaseModel, currency_id: int, company_id: int) -> float:
    """Units of `currency_id` per unit of the company's currency, from the latest rate (1.0 if none)."""
    company_currency = model.env["res.company"]._raw(company_id, "currency_id") or 1

    def rate(cid: int) -> float:
        rows = [
            row
            for row in model.env.store.table("res.currency.rate").values()
            if row.get("currency_id") == cid and row.get("company_id") in (company_id, False)
        ]
        latest = max(rows, key=lambda row: str(row.get("name") or ""), default=None)
        return float(latest.get("rate") or 1.0) if latest else 1.0

    return rate(currency_id) / rate(company_currency)


class SaleOrder(CompanyScopedMixin):
    _name = "sale.order"
    _description = "Sales Order"
    _order = "date_order desc, id desc"
    _inverse_fields: ClassVar[dict[str, str]] = {"order_line": "order_id"}
    _computed_fields = frozenset(
        {
            "amount_untaxed", "amount_tax", "amount_total", "invoice_status", "invoice_ids", "invoice_count",
            "currency_rate", "amount_to_invoice", "amount_invoiced", "type_name",
        }
    )  # fmt: skip
    _no_copy = frozenset({"name", "state", "locked", "origin", "client_order_ref"})
    _defaults: ClassVar[dict[str, Any]] = {
        "name": "New",
        "state": "draft",
        "locked": False,
        "require_signature": True,
        "require_payment": False,
        "date_order": lambda model: model.env.now.replace(microsecond=0),
        "validity_date": lambda model: (model.env.now + timedelta(days=30)).strftime("%Y-%m-%d"),
        "user_id": lambda model: model.env.uid,
        "company_id": lambda model: model._default_company_id(),
    }

    # -- defaults taken from the customer and the pricelist ----------------------------------------

    def _prepare_create(self, vals: Vals) -> Vals:
        prepared = dict(vals)
        partner = prepared.get("partner_id")
        if partner:
            prepared.setdefault("partner_invoice_id", partner)
            prepared.setdefault("partner_shipping_id", partner)
        company = prepared.get("company_id") or self._default_company_id()
        if not prepared.get("pricelist_id"):
            prepared["pricelist_id"] = self._default_pricelist(partner, company)
        if not prepared.get("currency_id"):
            prepared["currency_id"] = self._currency_for(prepared.get("pricelist_id"), company)
        return prepared

    def _default_pricelist(self, partner: Any, company: int) -> Any:
        partners = self.env["res.partner"]
        if partner and "property_product_pricelist" in partners._fields and isinstance(partner, int):
            chosen = partners._raw(partner, "property_product_pricelist")
            if chosen:
                return chosen
        for rid, row in sorted(self.env.store.table("product.pricelist").items()):
            if row.get("active", True) and row.get("company_id") in (company, False):
                return rid
        return False

    def _currency_for(self, pricelist: Any, company: int) -> int:
        if pricelist:
            currency = self.env["product.pricelist"]._raw(pricelist, "currency_id")
            if currency:
                return int(currency)
        return int(self.env["res.company"]._raw(company, "currency_id") or 1)

    def _after_create(self) -> None:
        for rid in self.ids:
            if self._table()[rid].get("name") in ("New", "/", False):
                self.env.store.update(self._name, rid, {"name": f"S{rid:05d}"})

    # -- computed values ---------------------------------------------------------------------------

    def _lines(self, rid: int) -> list[int]:
        return self._one2many_ids(rid, self._fields["order_line"])

    def _compute(self, rid: int, name: str) -> Any:  # noqa: PLR0911 - one branch per computed field
        lines = self.env["sale.order.line"]
        row = self._table().get(rid) or {}
        if name in ("amount_untaxed", "amount_tax", "amount_total"):
            field = {
                "amount_untaxed": "price_subtotal",
                "amount_tax": "price_tax",
                "amount_total": "price_total",
            }
            return round(sum(float(lines._raw(lid, field[name])) for lid in self._lines(rid)), 2)
        if name == "invoice_ids":
            return self._invoice_ids(rid)
        if name == "invoice_count":
            return len(self._invoice_ids(rid))
        if name == "invoice_status":
            return self._invoice_status(rid)
        if name == "amount_invoiced":
            moves = self.env["account.move"]
            return round(
                sum(
                    float(moves._raw(mid, "amount_total_signed"))
                    for mid in self._invoice_ids(rid)
                    if moves._raw(mid, "state") == "posted"
                ),
                2,
            )
        if name == "amount_to_invoice":
            if row.get("state") != "sale":
                return 0.0
            return round(
                float(self._compute(rid, "amount_total")) - float(self._compute(rid, "amount_invoiced")), 2
            )
        if name == "currency_rate":
            return currency_rate(self, int(row.get("currency_id") or 1), int(row.get("company_id") or 1))
        if name == "type_name":
            return "Quotation" if row.get("state") in (*QUOTATION_STATES, "cancel") else "Sales Order"
        return super()._compute(rid, name)

    def _invoice_ids(self, rid: int) -> list[int]:
        move_lines = self.env.store.table("account.move.line")
        mine = set(self._lines(rid))
        moves = {
            row["move_id"] for row in move_lines.values() if mine.intersection(row.get("sale_line_ids") or [])
        }
        return sorted(moves)

    def _invoice_status(self, rid: int) -> str:
        if self._table()[rid].get("state") != "sale":
            return "no"
        statuses = {self.env["sale.order.line"]._raw(lid, "invoice_status") for lid in self._lines(rid)}
        if "to invoice" in statuses:
            return "to invoice"
        if statuses and statuses <= {"invoiced", "no"} and "invoiced" in statuses:
            return "invoiced"
        return "no"

    def _rule_allows(self, rid: int) -> bool:
        # Sales / User: Own Documents Only sees its own orders and unassigned ones.
        return super()._rule_allows(rid) and self._raw(rid, "user_id") in (False, self.env.uid)

    # -- writes ------------------------------------------------------------------------------------

    @public
    def write(self, vals: Any) -> bool:
        confirmed = any(self._table().get(rid, {}).get("state") == "sale" for rid in self.ids)
        if isinstance(vals, dict) and "pricelist_id" in vals and confirmed:
            raise UserError("You cannot change the pricelist of a confirmed order !")
        result = super().write(vals)
        if isinstance(vals, dict) and "pricelist_id" in vals and "currency_id" not in vals:
            for rid in self.ids:
                company = int(self._table()[rid].get("company_id") or 1)
                currency = self._currency_for(self._table()[rid].get("pricelist_id"), company)
                self.env.store.update(self._name, rid, {"currency_id": currency})
        return result

    def _one2many_command(self, rid: int, fld: Field, comodel: BaseModel, command: list[Any]) -> None:
        """Order lines die with their link (ondelete cascade): 3, 5 and 6 delete, as in Odoo."""
        code = command[0] if command else None
        if fld.name != "order_line" or code not in (3, 5, 6):
            super()._one2many_command(rid, fld, comodel, command)
            return
        current = self._one2many_ids(rid, fld)
        if code == 3:
            stale = [command[1]] if command[1] in current else []
        elif code == 5:
            stale = current
        else:
            keep = list(command[2] or [])
            stale = [lid for lid in current if lid not in keep]
            comodel.browse([lid for lid in keep if lid not in current]).write({"order_id": rid})
        if stale:
            comodel.browse(stale).unlink()

    def _before_unlink(self) -> None:
        if any(self._table()[rid].get("state") not in DELETABLE_STATES for rid in self.ids):
            raise UserError(
                "You can not delete a sent quotation or a confirmed sales order. You must first cancel it."
            )

    def _set_state(self, vals: Vals) -> None:
        self._write_values(vals)

    @public
    def action_confirm(self) -> bool:
        self._ensure_exist()
        self._check_rules(self.ids, "write")
        if any(self._table()[rid].get("state") not in QUOTATION_STATES for rid in self.ids):
            names = ", ".join(self._display_name(rid) for rid in self.ids)
            raise UserError(f"The following orders are not in a state requiring confirmation: {names}")
        self._set_state({"state": "sale", "date_order": self.env.now.replace(microsecond=0)})
        return True

    @public
    def action_quotation_sent(self) -> bool:
        self._ensure_exist()
        if any(self._table()[rid].get("state") != "draft" for rid in self.ids):
            raise UserError("Only draft orders can be marked as sent directly.")
        self._set_state({"state": "sent"})
        return True

    @public
    def action_cancel(self) -> bool:
        self._ensure_exist()
        if any(self._table()[rid].get("locked") for rid in self.ids):
            raise UserError("You cannot cancel a locked order. Please unlock it first.")
        moves = self.env["account.move"]
        for rid in self.ids:
            drafts = [mid for mid in self._invoice_ids(rid) if moves._raw(mid, "state") == "draft"]
            if drafts:
                moves.browse(drafts).button_cancel()  # type: ignore[attr-defined]
        self._set_state({"state": "cancel"})
        return True

    @public
    def action_draft(self) -> bool:
        self._ensure_exist()
        orders = [rid for rid in self.ids if self._table()[rid].get("state") in ("cancel", "sent")]
        self.browse(orders)._write_values({"state": "draft"})
        return True

    @public
    @since(17)
    def action_lock(self) -> bool:
        self._ensure_exist()
        self._set_state({"locked": True})
        return True

    @public
    @since(17)
    def action_unlock(self) -> bool:
        self._ensure_exist()
        self._set_state({"locked": False})
        return True

    @public
    @until(16)
    def action_done(self) -> bool:
        self._ensure_exist()
        self._set_state({"locked": True})
        return True

    # -- invoicing (what the "Create invoice" wizard does) -----------------------------------------

    def create_invoices(self, *, post: bool = False) -> BaseModel:
        """One customer invoice per order for what is left to invoice; posted when `post`."""
        lines = self.env["sale.order.line"]
        moves = self.env["account.move"]
        created: list[int] = []
        for rid in self.ids:
            row = self._table()[rid]
            if row.get("state") != "sale":
                raise UserError("There is nothing to invoice!\n\nOnly confirmed orders can be invoiced.")
            tax_field = lines._tax_field()  # type: ignore[attr-defined]
            uom_field = lines._uom_field()  # type: ignore[attr-defined]
            line_vals = [
                (0, 0, {
                    "name": lines._raw(lid, "name"),
                    "product_id": lines._raw(lid, "product_id"),
                    "quantity": lines._raw(lid, "qty_to_invoice"),
                    "price_unit": lines._raw(lid, "price_unit"),
                    "discount": lines._raw(lid, "discount"),
                    "product_uom_id": lines._raw(lid, uom_field),
                    "tax_ids": [(6, 0, lines._raw(lid, tax_field))],
                    "sale_line_ids": [(6, 0, [lid])],
                })
                for lid in self._lines(rid)
                if float(lines._raw(lid, "qty_to_invoice")) and not lines._raw(lid, "display_type")
            ]  # fmt: skip
            if not line_vals:
                raise UserError("There is nothing to invoice!")
            move = moves.create(
                {
                    "move_type": "out_invoice",
                    "partner_id": row.get("partner_invoice_id") or row.get("partner_id"),
                    "currency_id": row.get("currency_id"),
                    "company_id": row.get("company_id"),
                    "invoice_origin": row.get("name"),
                    "invoice_user_id": row.get("user_id"),
                    "ref": row.get("client_order_ref") or False,
                    "invoice_line_ids": line_vals,
                }
            )
            if post:
                move.action_post()  # type: ignore[attr-defined]
            created.extend(move.ids)
        return moves.browse(created)


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

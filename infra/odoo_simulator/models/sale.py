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

from ..errors import UserError
from ..fields import Field
from .base import BaseModel, Vals
from .decorators import public, since, until
from .multicompany import CompanyScopedMixin

QUOTATION_STATES = ("draft", "sent")
DELETABLE_STATES = ("draft", "cancel")


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

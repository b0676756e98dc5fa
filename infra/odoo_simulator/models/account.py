"""Invoicing: customer invoices and credit notes (account.move), their lines, tax arithmetic, payments.

The simulator keeps what a sync service observes: amounts, state, payment_state and the origin order.
There is no journal or double entry; a payment is a number on the invoice (see `register_payment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import UserError
from .base import BaseModel, Vals
from .decorators import public
from .multicompany import CompanyScopedMixin

CUSTOMER_MOVE_TYPES = ("out_invoice", "out_refund")
MOVE_PREFIX = {"out_invoice": "INV", "out_refund": "RINV", "entry": "MISC"}


@dataclass(frozen=True)
class TaxedAmounts:
    untaxed: float
    tax: float

    @property
    def total(self) -> float:
        return round(self.untaxed + self.tax, 2)


def compute_taxes(model: BaseModel, tax_ids: list[int], unit_price: float, quantity: float) -> TaxedAmounts:
    """Odoo's per-line tax computation for percent and fixed taxes, price-included or not.

    `unit_price` is after discount. Included taxes are taken out of the price first (they share
    one base), then excluded taxes are added on that base; amounts are rounded to cents per line.
    """
    taxes = model.env["account.tax"]._table()
    rows = [taxes[tid] for tid in tax_ids if tid in taxes]
    gross = unit_price * quantity
    included_percent = sum(
        float(r.get("amount") or 0.0)
        for r in rows
        if r.get("price_include") and r.get("amount_type") == "percent"
    )
    included_fixed = sum(
        float(r.get("amount") or 0.0) * quantity
        for r in rows
        if r.get("price_include") and r.get("amount_type") == "fixed"
    )
    base = (gross - included_fixed) / (1 + included_percent / 100.0)
    tax = 0.0
    for row in rows:
        amount = float(row.get("amount") or 0.0)
        tax += amount * quantity if row.get("amount_type") == "fixed" else base * amount / 100.0
    return TaxedAmounts(untaxed=round(base, 2), tax=round(tax, 2))


class AccountMoveLine(CompanyScopedMixin):
    _name = "account.move.line"
    _description = "Journal Item"
    _order = "id"
    _computed_fields = frozenset({"price_subtotal", "price_total", "company_id", "currency_id", "balance"})
    _defaults: ClassVar[dict[str, Any]] = {"display_type": "product", "quantity": 1.0}

    def _compute(self, rid: int, name: str) -> Any:
        row = self._table().get(rid) or {}
        move = self.env["account.move"]._table().get(row.get("move_id") or 0) or {}
        if name in ("company_id", "currency_id"):
            return move.get(name) or False
        if name in ("price_subtotal", "price_total", "balance"):
            unit = float(row.get("price_unit") or 0.0) * (1 - float(row.get("discount") or 0.0) / 100.0)
            amounts = compute_taxes(
                self, list(row.get("tax_ids") or []), unit, float(row.get("quantity") or 0)
            )
            if name == "balance":
                sign = -1 if move.get("move_type") == "out_invoice" else 1
                return sign * amounts.untaxed
            return amounts.untaxed if name == "price_subtotal" else amounts.total
        return super()._compute(rid, name)


class AccountMove(CompanyScopedMixin):
    _name = "account.move"
    _description = "Journal Entry"
    _order = "date desc, name desc, id desc"
    _inverse_fields: ClassVar[dict[str, str]] = {"invoice_line_ids": "move_id", "line_ids": "move_id"}
    _computed_fields = frozenset(
        {
            "amount_untaxed", "amount_tax", "amount_total", "amount_residual", "amount_untaxed_signed",
            "amount_total_signed", "amount_residual_signed",
        }
    )  # fmt: skip
    _defaults: ClassVar[dict[str, Any]] = {
        "state": "draft",
        "move_type": "entry",
        "payment_state": "not_paid",
        "currency_id": lambda model: model._company_currency(),
        "date": lambda model: model.env.now.strftime("%Y-%m-%d"),
        "invoice_user_id": lambda model: model.env.uid,
        "name": "/",
    }

    def _company_currency(self) -> int:
        company = self._default_company_id()
        return int(self.env["res.company"]._raw(company, "currency_id") or 1)

    def _display_name(self, rid: int) -> str:
        name = (self._table().get(rid) or {}).get("name")
        return str(name) if name and name != "/" else f"Draft Invoice ({rid})"

    def _amounts(self, rid: int) -> TaxedAmounts:
        lines = self.env["account.move.line"]
        untaxed = tax = 0.0
        for lid in self._one2many_ids(rid, self._fields["invoice_line_ids"]):
            row = lines._table()[lid]
            if row.get("display_type") not in (False, None, "product"):
                continue
            unit = float(row.get("price_unit") or 0.0) * (1 - float(row.get("discount") or 0.0) / 100.0)
            amounts = compute_taxes(
                self, list(row.get("tax_ids") or []), unit, float(row.get("quantity") or 0)
            )
            untaxed += amounts.untaxed
            tax += amounts.tax
        return TaxedAmounts(untaxed=round(untaxed, 2), tax=round(tax, 2))

    def _compute(self, rid: int, name: str) -> Any:
        row = self._table().get(rid) or {}
        if name.startswith("amount_"):
            amounts = self._amounts(rid)
            residual = (
                0.0
                if row.get("state") != "posted"
                else max(round(amounts.total - float(row.get("_paid") or 0.0), 2), 0.0)
            )
            value = {
                "amount_untaxed": amounts.untaxed,
                "amount_tax": amounts.tax,
                "amount_total": amounts.total,
                "amount_residual": residual,
            }[name.removesuffix("_signed")]
            sign = -1 if name.endswith("_signed") and row.get("move_type") == "out_refund" else 1
            return sign * value
        return super()._compute(rid, name)

    def _check_constraints(self, names: set[str] | None) -> None:
        for rid in self.ids:
            row = self._table()[rid]
            if row.get("state") == "posted" and names and names & {"invoice_line_ids", "line_ids"}:
                raise UserError("You cannot modify a posted entry of this journal.")

    def _sequence_name(self, rid: int) -> str:
        row = self._table()[rid]
        prefix = MOVE_PREFIX.get(str(row.get("move_type")), "MISC")
        year = str(row.get("date") or self.env.now.strftime("%Y"))[:4]
        count = sum(
            1
            for other in self._table().values()
            if other.get("move_type") == row.get("move_type") and str(other.get("name") or "/") != "/"
        )
        return f"{prefix}/{year}/{count + 1:05d}"

    @public
    def action_post(self) -> bool:
        self._ensure_exist()
        for rid in self.ids:
            row = self._table()[rid]
            if row.get("state") == "posted":
                raise UserError(f"The entry {self._display_name(rid)} (id {rid}) is already posted.")
            if not self._one2many_ids(rid, self._fields["invoice_line_ids"]):
                raise UserError("You need to add a line before posting.")
            vals: Vals = {"state": "posted"}
            if str(row.get("name") or "/") == "/":
                vals["name"] = self._sequence_name(rid)
            if not row.get("invoice_date") and row.get("move_type") in CUSTOMER_MOVE_TYPES:
                vals["invoice_date"] = row.get("date")
            if not row.get("invoice_date_due"):
                vals["invoice_date_due"] = (
                    vals.get("invoice_date") or row.get("invoice_date") or row.get("date")
                )
            self.browse([rid])._write_values(vals)
        return True

    @public
    def button_draft(self) -> bool:
        self._ensure_exist()
        for rid in self.ids:
            row = self._table()[rid]
            if row.get("payment_state") in ("paid", "in_payment", "partial", "reversed"):
                raise UserError("You cannot reset to draft an entry that is reconciled with a payment.")
            self.browse([rid])._write_values({"state": "draft"})
        return True

    @public
    def button_cancel(self) -> bool:
        self._ensure_exist()
        for rid in self.ids:
            if self._table()[rid].get("state") != "draft":
                raise UserError("Only draft journal entries can be cancelled.")
            self.browse([rid])._write_values({"state": "cancel"})
        return True

    def _before_unlink(self) -> None:
        for rid in self.ids:
            row = self._table()[rid]
            if row.get("state") == "posted":
                raise UserError(
                    "You cannot delete an entry which has been posted once."
                    if self.env.personality.major < 18
                    else "You can't delete a posted journal item. Don\u2019t play games with your "
                    "accounting records; reset the journal entry to draft before deleting it."
                )

    # -- what the UI's payment and reversal wizards do ---------------------------------------------

    def register_payment(self, amount: float | None = None, *, in_payment: bool = False) -> None:
        """Pay `amount` (default: what is due) on each posted invoice and move its payment_state.

        Full payment gives 'paid' ('in_payment' when the bank statement is not reconciled yet,
        i.e. `in_payment=True`); less than the total gives 'partial'.
        """
        for rid in self.ids:
            row = self._table()[rid]
            if row.get("state") != "posted":
                raise UserError("You can only register payment for posted journal entries.")
            due = float(self._compute(rid, "amount_residual"))
            paid = float(row.get("_paid") or 0.0) + (due if amount is None else float(amount))
            total = self._amounts(rid).total
            if round(paid, 2) >= total:
                state = "in_payment" if in_payment else "paid"
            else:
                state = "partial" if paid > 0 else "not_paid"
            self.browse([rid])._write_values({"payment_state": state})
            self.env.store.update(self._name, rid, {"_paid": round(paid, 2)})

    def reverse(self) -> BaseModel:
        """Issue a posted credit note for each posted invoice; both end 'reversed' (fully reconciled)."""
        refunds: list[int] = []
        for rid in self.ids:
            row = self._table()[rid]
            if row.get("state") != "posted" or row.get("move_type") != "out_invoice":
                raise UserError("Only posted customer invoices can be reversed.")
            lines = self.env["account.move.line"]
            copied = ("name", "product_id", "quantity", "price_unit", "discount")
            line_vals = [
                (0, 0, {k: lines._raw(lid, k) for k in copied}
                 | {"tax_ids": [(6, 0, lines._raw(lid, "tax_ids"))],
                    "sale_line_ids": [(6, 0, lines._raw(lid, "sale_line_ids"))]})
                for lid in self._one2many_ids(rid, self._fields["invoice_line_ids"])
            ]  # fmt: skip
            refund = self.create(
                {
                    "move_type": "out_refund",
                    "partner_id": row.get("partner_id"),
                    "currency_id": row.get("currency_id"),
                    "company_id": row.get("company_id"),
                    "invoice_origin": row.get("invoice_origin"),
                    "reversed_entry_id": rid,
                    "ref": f"Reversal of: {self._display_name(rid)}",
                    "invoice_line_ids": line_vals,
                }
            )
            refund.action_post()  # type: ignore[attr-defined]
            for move in (rid, *refund.ids):
                self.browse([move])._write_values({"payment_state": "reversed"})
                self.env.store.update(self._name, move, {"_paid": self._amounts(move).total})
            refunds.extend(refund.ids)
        return self.browse(refunds)

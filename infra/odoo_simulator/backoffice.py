"""What people do in Odoo's screens that a sync service only observes: invoice an order, register a
payment, reverse an invoice, count stock. Each helper runs as one committed transaction of the
administrator, so the records' write_date moves as it would in Odoo.

    invoice_ids = invoice_order(sim, order_id)            # posted customer invoice(s)
    register_payment(sim, invoice_ids[0], 50.0)           # payment_state 'partial'
    register_payment(sim, invoice_ids[0])                 # the rest: 'paid'
    refund_id = reverse_invoice(sim, other_invoice_id)    # both 'reversed'
    set_stock(sim, product_id, 12.0, reserved=2.0)        # quant in WH/Stock
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .models import ADMIN_UID, Env

if TYPE_CHECKING:
    from .server import OdooSimulator

T = TypeVar("T")
MAIN_STOCK_LOCATION = "WH/Stock"


def _in_transaction(sim: OdooSimulator, work: Callable[[Env], T]) -> T:
    store = sim.store
    with store.lock:
        store.begin()
        try:
            result = work(sim.env(ADMIN_UID))
        except BaseException:
            store.rollback()
            raise
        store.commit()
    return result


def invoice_order(sim: OdooSimulator, order_id: int, *, post: bool = True) -> list[int]:
    """Invoice what a confirmed order has left to invoice; returns the new invoice ids."""

    def work(env: Env) -> list[int]:
        moves: Any = env["sale.order"].browse([order_id]).create_invoices(post=post)  # type: ignore[attr-defined]
        return list(moves.ids)

    return _in_transaction(sim, work)


def post_invoice(sim: OdooSimulator, invoice_id: int) -> None:
    _in_transaction(sim, lambda env: env["account.move"].browse([invoice_id]).action_post())  # type: ignore[attr-defined]


def register_payment(
    sim: OdooSimulator, invoice_id: int, amount: float | None = None, *, in_payment: bool = False
) -> str:
    """Pay `amount` (default: the amount due) on a posted invoice; returns its new payment_state."""

    def work(env: Env) -> str:
        moves: Any = env["account.move"].browse([invoice_id])
        moves.register_payment(amount, in_payment=in_payment)
        return str(moves._raw(invoice_id, "payment_state"))

    return _in_transaction(sim, work)


def reverse_invoice(sim: OdooSimulator, invoice_id: int) -> int:
    """Issue a posted credit note for a posted invoice; returns the credit note id."""

    def work(env: Env) -> int:
        refunds: Any = env["account.move"].browse([invoice_id]).reverse()  # type: ignore[attr-defined]
        return int(refunds.ids[0])

    return _in_transaction(sim, work)


def stock_location_id(sim: OdooSimulator, complete_name: str = MAIN_STOCK_LOCATION) -> int:
    with sim.store.lock:
        locations = sim.env(ADMIN_UID)["stock.location"]
        for rid in locations._table():
            if locations._display_name(rid) == complete_name:
                return rid
    raise KeyError(complete_name)


def set_stock(
    sim: OdooSimulator,
    product_id: int,
    quantity: float,
    *,
    reserved: float = 0.0,
    location_id: int | None = None,
) -> int:
    """Set a product's quant at a location (default WH/Stock); returns the quant id."""
    location = location_id or stock_location_id(sim)

    def work(env: Env) -> int:
        quants: Any = env["stock.quant"]
        return int(quants.set_quantity(product_id, location, quantity, reserved))

    return _in_transaction(sim, work)

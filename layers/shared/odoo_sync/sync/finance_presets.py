"""The read-only presets `invoice` (account.move) and `stock` (stock.quant totals per product).

Both come from Odoo only (direction from_odoo): a push of either is refused. Their local shape is
built from several Odoo records (an invoice names its order by the order's Odoo name; a stock
record sums every quant of a product), so they have no field mappings: a pulled shape
(`odoo_sync.core.finance_pull`) turns a page of Odoo rows into local records instead.

They are opt-in where it costs the tenant's Odoo something: webhook automations are set up for
them only when named (`POST /v1/connections/{id}/automation {"entities": ["invoice"]}`), since
stock.quant changes with every stock move and not every Odoo has the account or stock module.
An import, a delta or a schedule of either works whenever the tenant asks for one.

Local ids: an invoice is known by its number (`INV/2024/00001` as `INV-2024-00001`: a local id
has no `/`), a draft without one by `odoo-<id>`; the draft keeps that id once posted (our
external id on the move finds it again). A stock record is the tenant's own product id.
"""

from __future__ import annotations

import re
from typing import Any

from odoo_sync.errors import UnprocessableError
from odoo_sync.sync.model import LOCAL_ID_PATTERN, EntityDefinition, MatchKey
from odoo_sync.sync.order_finance import INVOICE_DOMAIN, INVOICE_MODEL, STOCK_MODEL
from odoo_sync.sync.validation import FieldRule

INVOICE_NUMBER_FIELD = "number"
STOCK_PRODUCT_FIELD = "product"

INVOICE = EntityDefinition(
    name="invoice",
    odoo_model=INVOICE_MODEL,
    description=(
        "Customer invoices and credit notes (account.move, out_invoice/out_refund), read from Odoo: "
        "number, dates, amounts, state, payment status and the tenant's order."
    ),
    match_keys=[MatchKey(local_field=INVOICE_NUMBER_FIELD, odoo_field="name")],
    fields=[FieldRule(field=INVOICE_NUMBER_FIELD, kind="single_line")],
    preset=True,
)

STOCK = EntityDefinition(
    name="stock",
    odoo_model=STOCK_MODEL,
    description=(
        "Stock per product (stock.quant in internal locations, summed, with a breakdown per "
        "warehouse and location), read from Odoo: on hand, reserved, available."
    ),
    match_keys=[MatchKey(local_field=STOCK_PRODUCT_FIELD, odoo_field="product_id")],
    fields=[FieldRule(field=STOCK_PRODUCT_FIELD, kind="single_line")],
    preset=True,
)

READ_ONLY_ENTITIES: dict[str, EntityDefinition] = {INVOICE.name: INVOICE, STOCK.name: STOCK}

# What a webhook automation watches for them (there are no mappings to derive it from).
_WATCHED: dict[str, tuple[str, ...]] = {
    INVOICE.name: ("amount_residual", "name", "payment_state", "state"),
    STOCK.name: ("location_id", "quantity", "reserved_quantity"),
}
_DEFAULT_DOMAIN: dict[str, list[Any]] = {INVOICE.name: INVOICE_DOMAIN}
_NOT_IN_LOCAL_ID = re.compile(r"[^A-Za-z0-9_.:@\-]")
_LOCAL_ID = re.compile(LOCAL_ID_PATTERN)


def is_read_only(entity: EntityDefinition) -> bool:
    """A preset that only ever comes from Odoo."""
    return entity.preset and entity.name in READ_ONLY_ENTITIES


def ensure_pushable(entity: str) -> None:
    """422 for a push (one record, bulk, or a schedule towards Odoo) of a read-only preset (its
    name is enough: no tenant entity may take a preset's name)."""
    definition = READ_ONLY_ENTITIES.get(entity)
    if definition is not None:
        raise UnprocessableError(
            [
                (
                    "entity",
                    f"{entity!r} is read from Odoo only ({definition.odoo_model}); it cannot be "
                    "pushed. Import it (POST /v1/import) or schedule it with sync_direction from_odoo",
                )
            ]
        )


def default_domain(entity: EntityDefinition) -> list[Any]:
    """What an import or delta of the entity always selects (the tenant's filters add to it)."""
    return list(_DEFAULT_DOMAIN.get(entity.name, [])) if is_read_only(entity) else []


def watched_fields(entity: EntityDefinition) -> tuple[str, ...]:
    """Trigger fields for a webhook automation of a read-only preset; () for other entities."""
    return _WATCHED.get(entity.name, ()) if is_read_only(entity) else ()


def is_optional_model(entity: EntityDefinition) -> bool:
    """Its Odoo model belongs to a module an Odoo may not have (account, stock)."""
    return is_read_only(entity)


def invoice_local_id(number: object) -> str | None:
    """The local id an invoice number gives (`/` and other characters a local id cannot hold
    become `-`); None for a draft (`/`, empty) or a number that still is not a usable id."""
    if not isinstance(number, str) or not number.strip("/ "):
        return None
    candidate = _NOT_IN_LOCAL_ID.sub("-", number.strip())
    return candidate if _LOCAL_ID.match(candidate) else None

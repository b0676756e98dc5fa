"""The sales presets: `order` (sale.order, pushed with its lines), `invoice` (account.move, read
back) and `stock` (stock.quant totals per product, read back).

An order's header fields are ordinary mappings (a tenant may override them); its `customer` and
`lines` are resolved by the order engine (`odoo_sync.sync.orders`), which needs them in the
shape below, so they are validated here but not mapped:

    {"customer": "<local customer id>", "date": "2024-05-01T10:00:00", "currency": "EUR",
     "pricelist": "EUR Pricelist", "client_order_ref": "PO-1", "note": "...", "confirm": false,
     "lines": [{"sku": "DESK-1", "quantity": 2, "uom": "Units", "price": "10.00", "discount": 0,
                "taxes": ["15%"]}]}
"""

from __future__ import annotations

from typing import Any

from odoo_sync.sync.model import Direction, EntityDefinition, FieldMapping, MappingType, MatchKey
from odoo_sync.sync.validation import FieldRule, RecordRules
from odoo_sync.sync.value_maps import ValueMapKind

ORDER_MODEL = "sale.order"
ORDER_LINE_MODEL = "sale.order.line"
UOM_MODEL = "uom.uom"
# Local fields the order engine reads itself (not field mappings).
CUSTOMER_FIELD = "customer"
LINES_FIELD = "lines"
CONFIRM_FIELD = "confirm"
# The tenant's order id goes to Odoo's "Source Document" unless the record sets it: it finds an
# order again after a create whose answer was lost.
ORIGIN_FIELD = "origin"

ORDER_RULES = RecordRules(
    fields=[
        FieldRule(field=CUSTOMER_FIELD, kind="single_line", required=True, max_length=128),
        FieldRule(field="date", kind="datetime"),
        FieldRule(field="currency", kind="single_line", max_length=3),
        FieldRule(field="pricelist", kind="single_line"),
        FieldRule(field="client_order_ref", kind="single_line"),
        FieldRule(field="note", kind="text"),
        FieldRule(field=ORIGIN_FIELD, kind="single_line"),
        FieldRule(field=CONFIRM_FIELD, kind="boolean"),
        FieldRule(field=LINES_FIELD, kind="any"),
    ]
)

ORDER = EntityDefinition(
    name="order",
    odoo_model=ORDER_MODEL,
    description="Sales orders (sale.order) with their lines, pushed to Odoo.",
    match_keys=[MatchKey(local_field=ORIGIN_FIELD, odoo_field="origin", default_from_local_id=True)],
    fields=ORDER_RULES.fields,
    preset=True,
)


def _order_mapping(
    local_field: str, odoo_field: str, transform: str | None = None, **params: Any
) -> FieldMapping:
    return FieldMapping(
        mapping_id=f"preset.order.{local_field}",
        entity=ORDER.name,
        local_field=local_field,
        odoo_field=odoo_field,
        odoo_model=ORDER_MODEL,
        mapping_type=MappingType.DIRECT if transform is None else MappingType.TRANSFORM,
        transform=transform,
        transform_params=params,
        direction=Direction.TO_ODOO,
        source="preset",
    )


def order_mappings() -> tuple[FieldMapping, ...]:
    return (
        _order_mapping("date", "date_order", "datetime"),
        # res.currency's name is the ISO code.
        _order_mapping("currency", "currency_id", "many2one", model="res.currency", by="name"),
        _order_mapping("pricelist", "pricelist_id", "many2one", model="product.pricelist", by="name"),
        _order_mapping("client_order_ref", "client_order_ref"),
        _order_mapping("note", "note"),
        _order_mapping(ORIGIN_FIELD, "origin"),
    )


def is_order_model(odoo_model: str) -> bool:
    return odoo_model == ORDER_MODEL


def related_models(odoo_model: str) -> tuple[str, ...]:
    """Odoo models whose fields a push of this model needs besides the mapped ones (the order
    lines' field names differ between 17 and 19; units are checked by category or reference)."""
    return (ORDER_LINE_MODEL, UOM_MODEL) if is_order_model(odoo_model) else ()


def implied_value_maps(odoo_model: str) -> tuple[tuple[ValueMapKind, str], ...]:
    """Value maps a push of this model reads although no mapping names them (order lines)."""
    if not is_order_model(odoo_model):
        return ()
    return ((ValueMapKind.UOM, "default"), (ValueMapKind.TAX, "default"))

"""The pulled shapes of the read-only presets: invoices and stock (`odoo_sync.sync.pulled_shape`).

Invoice page (3 calls at most): the moves (customer invoices and credit notes only, whatever
ids the page names), the orders named by their `invoice_origin`, our external ids on those
orders. The order is the tenant's order id: by our external id on the sale.order (every push
writes one), else the order's `origin` when the tenant has an order of that id linked to it.

Stock page (6 calls at most): the page's quants (their products), the products' templates,
every variant of those templates, every quant of those variants, the quants' locations (only
internal ones count, as Odoo's on-hand figure does), our external ids on the templates. So a
changed quant re-reads and re-sums its whole product, and a quant deleted since the last read
(stock moved away, an emptied quant Odoo removed) simply no longer counts. The product is the
tenant's product id: by our external id on the product.template, else its internal reference
(default_code) when the tenant has a product of that id not linked to another template.
A quant of a product the tenant does not have is reported (`product_not_linked`), not invented.

A stock record's link names its template; its snapshot keeps the quant ids that were summed, so
a full delta reads a product again when one of them is gone and nothing else changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from odoo_sync.sync.finance_presets import INVOICE_NUMBER_FIELD, invoice_local_id, is_read_only
from odoo_sync.sync.model import EntityDefinition, LocalRecord
from odoo_sync.sync.order_finance import (
    INVOICE_DOMAIN,
    INVOICE_FIELDS,
    INVOICE_MODEL,
    STOCK_FIELDS,
    STOCK_MODEL,
    StockGrouping,
    StockLevel,
    invoice_record,
    origin_names,
    stock_levels,
)
from odoo_sync.sync.order_presets import ORDER, ORDER_MODEL, ORIGIN_FIELD
from odoo_sync.sync.presets import PRODUCT
from odoo_sync.sync.pull_mapping import CREATE_DATE, WRITE_DATE, PulledRecord
from odoo_sync.sync.pull_matching import linked_by_external_id
from odoo_sync.sync.pulled_shape import PulledShape, ShapeContext, ShapedPage

PRODUCT_VARIANT_MODEL = "product.product"
LOCATION_MODEL = "stock.location"
INTERNAL_USAGE = "internal"
QUANTS_FIELD = "quant_ids"  # in a stock link's snapshot: the quants summed
_SNAPSHOT_SKIP = frozenset({WRITE_DATE, CREATE_DATE, "id"})
_STOCK_DECIMALS = {"on_hand", "reserved", "available", "warehouses", "locations"}


def pulled_shape(entity: EntityDefinition) -> PulledShape | None:
    """The shape that builds the entity's local records; None for the generic mapper."""
    if not is_read_only(entity):
        return None
    if entity.odoo_model == INVOICE_MODEL:
        return InvoiceShape()
    if entity.odoo_model == STOCK_MODEL:
        return StockShape()
    return None


# -- invoices ------------------------------------------------------------------------------------


class InvoiceShape:
    saves_external_ids = True

    def read_page(
        self, context: ShapeContext, odoo_ids: Sequence[int], refresh: Sequence[int] = ()
    ) -> ShapedPage:
        ids = sorted({*odoo_ids, *refresh})
        moves = context.client.search_read(
            INVOICE_MODEL,
            [*INVOICE_DOMAIN, ["id", "in", ids]],
            [*INVOICE_FIELDS, CREATE_DATE],
            order="id asc",
        )
        orders = self._orders(context, origin_names(moves))
        page = ShapedPage()
        for move in moves:
            odoo_id = int(move["id"])
            page.pulled[odoo_id] = _invoice(move, orders)
            page.subjects[odoo_id] = odoo_id
        return page

    def stale_subjects(
        self, linked: Sequence[LocalRecord], connection_id: str, alive: set[int]
    ) -> list[int] | None:
        return None

    @staticmethod
    def _orders(context: ShapeContext, names: list[str]) -> dict[str, str]:
        """Order name in Odoo -> the tenant's order id."""
        if not names:
            return {}
        rows = context.client.search_read(ORDER_MODEL, [["name", "in", names]], ["name", ORIGIN_FIELD])
        by_odoo = {int(row["id"]): row for row in rows}
        local = linked_by_external_id(
            context.client, context.xmlid_module, ORDER.name, ORDER_MODEL, list(by_odoo)
        )
        origins = {
            str(row[ORIGIN_FIELD]): odoo_id
            for odoo_id, row in by_odoo.items()
            if odoo_id not in local and isinstance(row.get(ORIGIN_FIELD), str)
        }
        for record in context.local_records(ORDER.name, list(origins)):
            odoo_id = origins[record.local_id]
            link = record.links.get(context.connection_id)
            if link is not None and link.odoo_id == odoo_id:
                local[odoo_id] = record.local_id
        return {str(by_odoo[odoo_id]["name"]): local_id for odoo_id, local_id in local.items()}


def _invoice(move: Mapping[str, Any], orders: Mapping[str, str]) -> PulledRecord:
    values = invoice_record(move, orders)
    number = invoice_local_id(move.get("name"))
    return PulledRecord(
        odoo_id=int(move["id"]),
        values=values,
        odoo_values={name: value for name, value in move.items() if name not in _SNAPSHOT_SKIP},
        match_values={INVOICE_NUMBER_FIELD: number} if number is not None else {},
        write_date=_text(move.get(WRITE_DATE)),
        create_date=_text(move.get(CREATE_DATE)),
        decimals={name for name in values if name.startswith("amount_")},
    )


# -- stock ---------------------------------------------------------------------------------------


class StockShape:
    saves_external_ids = False  # the subject is the product's template, which the product entity owns

    def read_page(
        self, context: ShapeContext, odoo_ids: Sequence[int], refresh: Sequence[int] = ()
    ) -> ShapedPage:
        client = context.client
        page = ShapedPage()
        changed = client.read(STOCK_MODEL, sorted(set(odoo_ids)), ["product_id"])
        product_of_quant = {int(row["id"]): pid for row in changed if (pid := _id(row.get("product_id")))}
        variants = client.read(
            PRODUCT_VARIANT_MODEL, sorted(set(product_of_quant.values())), ["product_tmpl_id"]
        )
        templates = {tid for row in variants if (tid := _id(row.get("product_tmpl_id")))} | set(refresh)
        template_of: dict[int, int] = {}
        if templates:
            every_variant = client.search_read(
                PRODUCT_VARIANT_MODEL,
                [["product_tmpl_id", "in", sorted(templates)], ["active", "in", [True, False]]],
                ["product_tmpl_id", "default_code"],
            )
            template_of = {
                int(row["id"]): tid for row in every_variant if (tid := _id(row.get("product_tmpl_id")))
            }
        owners = self._owners(context, sorted(templates))
        quants = self._internal_quants(context, sorted(template_of)) if template_of else []
        for quant_id, variant in product_of_quant.items():
            template = template_of.get(variant)
            if template is None or template not in owners:
                page.unresolved[quant_id] = (
                    "product_not_linked",
                    f"product.product {variant} is not one of the tenant's products "
                    "(no product record is linked to it); its stock is not recorded",
                )
                continue
            page.subjects[quant_id] = template
        for template, local_id in owners.items():
            mine = [
                quant for quant in quants if template_of.get(_id(quant.get("product_id")) or 0) == template
            ]
            page.pulled[template] = _stock(template, local_id, mine)
            page.owners[template] = local_id
        return page

    def stale_subjects(
        self, linked: Sequence[LocalRecord], connection_id: str, alive: set[int]
    ) -> list[int] | None:
        stale: list[int] = []
        for record in linked:
            link = record.links.get(connection_id)
            if link is None or link.odoo_id is None:
                continue
            summed = (link.snapshot or {}).get(QUANTS_FIELD) or []
            if any(int(quant) not in alive for quant in summed):
                stale.append(link.odoo_id)
        return sorted(set(stale))

    @staticmethod
    def _owners(context: ShapeContext, templates: list[int]) -> dict[int, str]:
        """product.template id -> the tenant's product id: our external id, else its reference."""
        if not templates:
            return {}
        client = context.client
        owners = linked_by_external_id(
            client, context.xmlid_module, PRODUCT.name, PRODUCT.odoo_model, templates
        )
        rest = [template for template in templates if template not in owners]
        if not rest:
            return owners
        rows = client.read(PRODUCT.odoo_model, rest, ["default_code"])
        by_code = {str(row["default_code"]): int(row["id"]) for row in rows if _text(row.get("default_code"))}
        for record in context.local_records(PRODUCT.name, list(by_code)):
            template = by_code[record.local_id]
            link = record.links.get(context.connection_id)
            if link is None or link.odoo_id in (None, template):
                owners[template] = record.local_id
        return owners

    @staticmethod
    def _internal_quants(context: ShapeContext, variants: list[int]) -> list[dict[str, Any]]:
        quants = context.client.search_read(
            STOCK_MODEL, [["product_id", "in", variants]], [*STOCK_FIELDS], order="id asc"
        )
        locations = sorted({lid for quant in quants if (lid := _id(quant.get("location_id")))})
        rows = context.client.read(LOCATION_MODEL, locations, ["usage"]) if locations else []
        internal = {int(row["id"]) for row in rows if row.get("usage") == INTERNAL_USAGE}
        return [quant for quant in quants if _id(quant.get("location_id")) in internal]


def _stock(template: int, local_id: str, quants: list[dict[str, Any]]) -> PulledRecord:
    as_product = {template: local_id}
    keyed = [{**quant, "product_id": template} for quant in quants]
    levels = stock_levels(keyed, as_product).levels
    total = levels[0] if levels else None
    values: dict[str, Any] = {"product": local_id, **StockLevel(local_id).quantities(), "as_of": None}
    if total is not None:
        values.update(total.as_record(total.changed_at or ""))
        values["as_of"] = total.changed_at
    values["warehouses"] = _breakdown(keyed, as_product, "warehouse")
    values["locations"] = _breakdown(keyed, as_product, "location")
    snapshot = {
        QUANTS_FIELD: sorted(int(quant["id"]) for quant in quants),
        "on_hand": values["on_hand"],
        "reserved": values["reserved"],
    }
    return PulledRecord(odoo_id=template, values=values, odoo_values=snapshot, decimals=_STOCK_DECIMALS)


def _breakdown(
    quants: list[dict[str, Any]], products: Mapping[int, str], group_by: StockGrouping
) -> list[dict[str, Any]]:
    rows = []
    for level in stock_levels(quants, products, group_by).levels:
        rows.append(
            {group_by: level.warehouse if group_by == "warehouse" else level.location, **level.quantities()}
        )
    return rows


def _id(value: object) -> int | None:
    if isinstance(value, list | tuple) and value:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None

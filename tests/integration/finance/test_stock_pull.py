"""Stock reaches the tenant per product (its own product id) through deltas; unknown products are
reported; quants that disappear stop counting."""

from __future__ import annotations

from datetime import datetime

from odoo_simulator.backoffice import set_stock, stock_location_id
from odoo_sync.api import dependencies
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import ChangeAction

from .conftest import client, delta, feed, local_records, pull


def _variant(shop, sku: str) -> int:
    """A storable product of the tenant (imported from Odoo); answers its product.product id."""
    odoo = client(shop)
    if not odoo.search("product.template", [["default_code", "=", sku]]):
        odoo.create("product.template", [{"name": f"Stocked {sku}", "default_code": sku, "type": "consu"}])
    pull(shop, "product")
    [variant] = odoo.search("product.product", [["default_code", "=", sku]])
    return int(variant)


def _levels(shop, product: str) -> list[tuple[str, str, str]]:
    return [
        (change.data["on_hand"], change.data["reserved"], change.data["available"])
        for change in feed(shop, "stock")
        if change.local_id == product
    ]


def test_stock_deltas_show_the_new_levels_under_the_tenants_product_id(shop, sim):
    variant = _variant(shop, "STK-2")
    set_stock(sim, variant, 12.0, reserved=2.0)
    delta(shop, "stock")

    set_stock(sim, variant, 7.0, reserved=1.0)
    delta(shop, "stock")
    delta(shop, "stock")  # nothing new: no change in the feed

    assert _levels(shop, "STK-2") == [("12.00", "2.00", "10.00"), ("7.00", "1.00", "6.00")]
    record = local_records(shop, "stock")["STK-2"]
    assert record.data["product"] == "STK-2"
    assert record.data["warehouses"][0]["on_hand"] == "7.00"
    product_template = local_records(shop, "product")["STK-2"].links[shop.connection_id].odoo_id
    assert record.links[shop.connection_id].odoo_id == product_template
    assert next(c.action for c in feed(shop, "stock") if c.local_id == "STK-2") is ChangeAction.CREATED


def test_quants_of_a_product_are_summed_and_a_vanished_quant_stops_counting(shop, sim):
    variant, other = _variant(shop, "STK-3"), _variant(shop, "STK-4")
    shelf = client(shop).create(
        "stock.location", [{"name": "Shelf", "usage": "internal", "location_id": stock_location_id(sim)}]
    )[0]
    sim.clock.freeze(datetime(2036, 1, 1, 12, 0, 0))
    try:
        set_stock(sim, variant, 5.0)
        moved = set_stock(sim, variant, 3.0, location_id=shelf)
        delta(shop, "stock")
        assert local_records(shop, "stock")["STK-3"].data["on_hand"] == "8.00"
        sim.clock.advance(3600)  # the cursor moves well past STK-3's quants
        set_stock(sim, other, 1.0)
        delta(shop, "stock")

        client(shop).unlink("stock.quant", [moved])  # Odoo removes emptied quants: no write_date left
        delta(shop, "stock")
        assert local_records(shop, "stock")["STK-3"].data["on_hand"] == "8.00"  # nothing for a delta to see
        submitted = delta(shop, "stock", full=True)
    finally:
        sim.clock.unfreeze()

    assert submitted.deleted == 1
    assert local_records(shop, "stock")["STK-3"].data["on_hand"] == "5.00"
    assert _levels(shop, "STK-3")[-1] == ("5.00", "0.00", "5.00")


def test_stock_of_a_product_the_tenant_does_not_have_is_reported_not_invented(shop, sim):
    [template] = client(shop).create(
        "product.template", [{"name": "Not the tenant's", "default_code": "ZZ-9", "type": "consu"}]
    )
    [variant] = client(shop).search("product.product", [["product_tmpl_id", "=", template]])
    quant = set_stock(sim, variant, 4.0)

    submitted = delta(shop, "stock")

    assert "ZZ-9" not in local_records(shop, "stock")
    batch = dependencies.batches().get(shop.tenant_id, submitted.batch_id)
    assert batch is not None
    assert (batch.failed, batch.pending) == (0, 0)
    entries, _ = dependencies.sync_log().query(
        shop.tenant_id, LogQuery(batch_id=submitted.batch_id, limit=200)
    )
    [reported] = [e for e in entries if e.odoo_id == quant]
    assert reported.sync_type == "skip"
    assert (reported.error_details or {}).get("code") == "product_not_linked"

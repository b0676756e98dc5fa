"""Invoices reach the tenant through the pull path: import and delta, the feed shows each status."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from odoo_simulator.backoffice import invoice_order, post_invoice, register_payment, reverse_invoice
from odoo_sync.api import dependencies
from odoo_sync.sync.model import ChangeAction

from .conftest import client, delta, feed, local_records, pull, pushed_order


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


def _changes_of(shop, odoo_id: int):
    return [change for change in feed(shop, "invoice") if change.odoo_id == odoo_id]


def test_an_imported_invoice_names_the_tenants_order_and_reaches_the_feed(shop, sim, tag):
    order = pushed_order(shop, f"o-{tag}", f"c-{tag}")
    [invoice_id] = invoice_order(sim, order)

    submitted = pull(shop, "invoice")

    [number] = [row["name"] for row in sim.records("account.move") if row["id"] == invoice_id]
    local_id = number.replace("/", "-")
    record = local_records(shop, "invoice")[local_id]
    assert record.data["number"] == number
    assert (record.data["status"], record.data["order"], record.data["type"]) == (
        "invoiced",
        f"o-{tag}",
        "invoice",
    )
    assert record.data["amount_total"] == record.data["amount_residual"] == "100.00"
    assert record.links[shop.connection_id].odoo_id == invoice_id
    [change] = _changes_of(shop, invoice_id)
    assert (change.action, change.local_id, change.data["status"]) == (
        ChangeAction.CREATED,
        local_id,
        "invoiced",
    )
    batch = dependencies.batches().get(shop.tenant_id, submitted.batch_id)
    assert batch is not None
    assert batch.failed == 0


def test_payments_and_a_reversal_reach_the_feed_through_deltas(shop, sim, tag):
    [invoice_id] = invoice_order(sim, pushed_order(shop, f"o-{tag}", f"c-{tag}"))
    delta(shop, "invoice")

    register_payment(sim, invoice_id, 30.0)
    delta(shop, "invoice")
    register_payment(sim, invoice_id)
    delta(shop, "invoice")
    refund_id = reverse_invoice(sim, invoice_id)
    delta(shop, "invoice")

    statuses = [change.data["status"] for change in _changes_of(shop, invoice_id)]
    assert statuses == ["invoiced", "partially_paid", "paid", "reversed"]
    [refund] = _changes_of(shop, refund_id)
    assert (refund.action, refund.data["type"], refund.data["status"]) == (
        ChangeAction.CREATED,
        "refund",
        "reversed",
    )
    assert [c.data["amount_residual"] for c in _changes_of(shop, invoice_id)][:3] == [
        "100.00",
        "70.00",
        "0.00",
    ]


def test_a_delta_with_nothing_new_adds_nothing_to_the_feed(shop, sim, tag):
    invoice_order(sim, pushed_order(shop, f"o-{tag}", f"c-{tag}"))
    delta(shop, "invoice")
    before = len(feed(shop, "invoice"))

    delta(shop, "invoice")
    pull(shop, "invoice")

    assert len(feed(shop, "invoice")) == before


def test_a_draft_keeps_its_local_record_when_posting_gives_it_a_number(shop, sim, tag):
    [draft_id] = invoice_order(sim, pushed_order(shop, f"o-{tag}", f"c-{tag}"), post=False)
    pull(shop, "invoice")
    draft = local_records(shop, "invoice")[f"odoo-{draft_id}"]
    assert draft.data["status"] == "draft"

    sim.clock.freeze(datetime(2035, 1, 1, 12, 0, 0))  # the posting is newer than anything read
    try:
        post_invoice(sim, draft_id)
        delta(shop, "invoice")
    finally:
        sim.clock.unfreeze()

    records = local_records(shop, "invoice")
    posted = records[f"odoo-{draft_id}"]
    assert posted.data["status"] == "invoiced"
    assert posted.data["number"].startswith("INV/")
    assert posted.data["number"].replace("/", "-") not in records  # no second record
    assert [c.action for c in _changes_of(shop, draft_id)] == [ChangeAction.CREATED, ChangeAction.UPDATED]


def test_only_customer_invoices_are_imported_and_the_tenants_filters_narrow_them(shop, sim, tag):
    odoo = client(shop)
    [bill] = odoo.create("account.move", [{"move_type": "in_invoice", "partner_id": 1}])
    [paid_id] = invoice_order(sim, pushed_order(shop, f"o-{tag}", f"c-{tag}"))
    [unpaid_id] = invoice_order(sim, pushed_order(shop, f"p-{tag}", f"d-{tag}"))
    register_payment(sim, paid_id)

    everything = pull(shop, "invoice")
    paid_only = pull(shop, "invoice", [["payment_state", "=", "paid"]])

    linked = {record.links[shop.connection_id].odoo_id for record in local_records(shop, "invoice").values()}
    assert bill not in linked
    assert {paid_id, unpaid_id} <= linked
    customer_moves = odoo.search("account.move", [["move_type", "in", ["out_invoice", "out_refund"]]])
    assert everything.records_found == len(customer_moves)
    paid = odoo.search(
        "account.move", [["move_type", "in", ["out_invoice", "out_refund"]], ["payment_state", "=", "paid"]]
    )
    assert paid_only.records_found == len(paid)
    assert unpaid_id not in paid


def test_an_invoice_of_an_order_the_tenant_does_not_have_has_no_order(shop, sim):
    odoo = client(shop)
    [order] = odoo.create(
        "sale.order", [{"partner_id": 1, "order_line": [(0, 0, {"product_id": 1, "product_uom_qty": 1})]}]
    )
    odoo.execute("sale.order", "action_confirm", [[order]])
    [invoice_id] = invoice_order(sim, order)

    pull(shop, "invoice")

    [record] = [
        r
        for r in local_records(shop, "invoice").values()
        if r.links[shop.connection_id].odoo_id == invoice_id
    ]
    assert (record.data["order"], record.data["orders"]) == (None, [])

"""The read-only presets: local ids from invoice numbers, refused pushes, default domains."""

from __future__ import annotations

import pytest

from odoo_sync.core.finance_pull import InvoiceShape, StockShape, pulled_shape
from odoo_sync.errors import UnprocessableError
from odoo_sync.sync.finance_presets import (
    INVOICE,
    STOCK,
    default_domain,
    ensure_pushable,
    invoice_local_id,
)
from odoo_sync.sync.model import LocalRecord, OdooLink
from odoo_sync.sync.presets import CUSTOMER, PRESET_ENTITIES


@pytest.mark.parametrize(
    ("number", "local_id"),
    [
        ("INV/2024/00001", "INV-2024-00001"),
        ("RINV/2024/00002", "RINV-2024-00002"),
        ("/", None),
        ("", None),
        (False, None),
        ("  ", None),
        ("/2024/1", None),  # a local id starts with a letter or digit
    ],
)
def test_an_invoice_number_becomes_a_local_id(number, local_id):
    assert invoice_local_id(number) == local_id


@pytest.mark.parametrize("entity", ["invoice", "stock"])
def test_pushing_a_read_only_preset_is_unprocessable_naming_the_entity(entity):
    with pytest.raises(UnprocessableError) as refused:
        ensure_pushable(entity)

    assert refused.value.field == "entity"
    assert "read from Odoo only" in refused.value.message


def test_other_entities_may_be_pushed():
    ensure_pushable("customer")
    ensure_pushable("order")


def test_importing_invoices_selects_customer_invoices_and_credit_notes_only():
    assert default_domain(INVOICE) == [["move_type", "in", ["out_invoice", "out_refund"]]]
    assert default_domain(STOCK) == default_domain(CUSTOMER) == []


def test_the_presets_are_listed_and_have_their_shapes():
    assert {"invoice", "stock"} <= set(PRESET_ENTITIES)
    assert isinstance(pulled_shape(INVOICE), InvoiceShape)
    assert isinstance(pulled_shape(STOCK), StockShape)
    assert pulled_shape(CUSTOMER) is None
    own = STOCK.model_copy(update={"name": "quants", "preset": False})
    assert pulled_shape(own) is None  # a tenant's own stock.quant entity maps quants one to one


def _stock_record(local_id: str, template: int, quants: list[int]) -> LocalRecord:
    link = OdooLink(odoo_id=template, snapshot={"quant_ids": quants})
    return LocalRecord(
        local_id=local_id,
        entity="stock",
        data={},
        version=1,
        updated_at="2024-01-01T00:00:00Z",
        links={"con": link},
    )


def test_a_stock_record_is_read_again_when_one_of_its_quants_is_gone():
    records = [_stock_record("A", 10, [1, 2]), _stock_record("B", 11, [3]), _stock_record("C", 12, [])]

    assert StockShape().stale_subjects(records, "con", alive={1, 3}) == [10]
    assert StockShape().stale_subjects(records, "con", alive={1, 2, 3}) == []
    assert InvoiceShape().stale_subjects(records, "con", alive=set()) is None

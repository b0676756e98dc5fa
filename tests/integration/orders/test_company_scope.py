"""A connection scoped to a company and a language: orders land in that company with its taxes;
a language or company Odoo cannot use fails the connection test with the reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.core.connection_test import probe_connection
from odoo_sync.core.connections import ConnectionInput, odoo_context
from odoo_sync.sync.model import SyncAction

from .conftest import make_shop, open_client

CHICAGO = 2
CHICAGO_TAX = 6


@pytest.fixture(scope="module")
def sim19() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", seed_partners=2, seed_products=4) as simulator:
        yield simulator


def test_a_company_scoped_connection_creates_orders_in_its_company_with_its_taxes(
    sim19: OdooSimulator,
) -> None:
    shop, tag = make_shop(sim19, context=odoo_context(CHICAGO, None)), uuid.uuid4().hex[:8]
    shop.records.put("customer", f"c-{tag}", {"name": f"Customer {tag}"})
    shop.records.put(
        "order",
        f"o-{tag}",
        {"customer": f"c-{tag}", "lines": [{"sku": "SIM-00001", "taxes": ["15% (Chicago)"]}]},
    )

    [outcome] = shop.push(f"o-{tag}")

    assert outcome.action is SyncAction.CREATED, outcome.error_message
    [order] = sim19.records("sale.order", [("id", "=", outcome.odoo_id)])
    assert order["company_id"] == CHICAGO
    assert shop.order_lines(order["id"])[0]["tax_ids"] == [CHICAGO_TAX]


def test_a_tax_of_another_company_is_not_found_for_a_scoped_connection(sim19: OdooSimulator) -> None:
    shop, tag = make_shop(sim19, context=odoo_context(CHICAGO, None)), uuid.uuid4().hex[:8]
    shop.records.put("customer", f"c-{tag}", {"name": f"Customer {tag}"})
    shop.records.put(
        "order", f"o-{tag}", {"customer": f"c-{tag}", "lines": [{"sku": "SIM-00001", "taxes": ["10%"]}]}
    )

    [outcome] = shop.push(f"o-{tag}")

    assert [issue.field for issue in outcome.issues] == ["lines[0].taxes[0]"]


def _probe(sim: OdooSimulator, company_id: int | None, lang: str | None) -> tuple[bool, str, str | None]:
    with open_client(sim, odoo_context(company_id, lang), authenticate=False) as client:
        result = probe_connection(
            client, database=sim.database, api_key_expires_at=None, today=date(2024, 5, 1)
        )
    return result.success, result.message, result.category


def test_the_connection_test_accepts_an_installed_language_and_a_company_of_the_user(
    sim19: OdooSimulator,
) -> None:
    success, message, _ = _probe(sim19, CHICAGO, "en_US")
    assert success, message


def test_the_connection_test_refuses_a_language_odoo_19_has_not_installed(sim19: OdooSimulator) -> None:
    success, message, category = _probe(sim19, None, "fr_FR")

    assert not success
    assert category is not None
    assert "Invalid language code: fr_FR" in message


def test_the_connection_test_refuses_a_company_the_user_is_not_in(sim19: OdooSimulator) -> None:
    success, message, category = _probe(sim19, 99, None)

    assert not success
    assert category == "access"
    assert "99" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [("company_id", 0), ("company_id", "two"), ("lang", "French"), ("lang", "fr-FR; DROP")],
)
def test_bad_company_or_language_is_refused_with_the_field(field: str, value: object) -> None:
    body = {
        "name": "x",
        "base_url": "https://odoo.example.com",
        "database": "db",
        "auth": {"type": "password", "login": "a", "password": "b"},
        field: value,
    }
    with pytest.raises(ValueError, match=field):
        ConnectionInput.model_validate(body)


def test_company_and_language_become_the_context() -> None:
    assert odoo_context(3, "fr_FR") == {"allowed_company_ids": [3], "lang": "fr_FR"}
    assert odoo_context(None, None) is None

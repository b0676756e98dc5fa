"""Decimals have one representation both ways: a pulled product's price is the text a push takes
("453.07"), in the record, the change feed and the outbound webhook; pushed back it is unchanged.
On the simulator as Odoo 17 (XML-RPC) and 19 (JSON-2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from changes_api.handler import lambda_handler as changes_api
from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.core.pull import ImportRequest
from odoo_sync.sync.model import SyncAction, SyncOptions, TriggeredBy
from records_api.handler import lambda_handler as records_api
from tests.conftest import AwsResources
from tests.integration.changes.test_webhook_delivery_loop import Queue, Receiver, receiver
from tests.integration.pull.conftest import drain, local_records
from tests.integration.service.conftest import TenantConnection
from tests.support.api import call
from webhook_delivery import handler as delivery_function

__all__ = ["receiver"]

PRICE, COST, WEIGHT = 453.07, 12.5, 1.25


@pytest.fixture(scope="module", params=["17", "19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, port=0, seed_partners=2, seed_products=2) as simulator:
        yield simulator


@pytest.fixture
def subscribed(pulling: TenantConnection, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Receiver:
    monkeypatch.setattr(delivery_function.metrics, "namespace", "OdooSyncTests")  # set by the template
    created = call(
        changes_api,
        "POST",
        "/v1/webhook-subscriptions",
        body={"url": receiver.url},
        tenant_id=pulling.tenant_id,
    )
    assert created.status == 201, created.body
    receiver.secret = created.body["secret"]
    return receiver


def _import_product(tenant: TenantConnection, sim: OdooSimulator, sku: str) -> dict[str, Any]:
    with sim.open_transaction() as tx:
        tx.create(
            "product.template",
            [
                {
                    "name": "Desk",
                    "default_code": sku,
                    "list_price": PRICE,
                    "standard_price": COST,
                    "weight": WEIGHT,
                }
            ],
        )
    request = ImportRequest(entity="product", odoo_filters=[["default_code", "=", sku]])
    dependencies.pull_service().start_import(tenant.tenant_id, request)
    drain()
    return dict(local_records(tenant, "product")[sku].data)


def test_a_pulled_products_decimals_are_text_in_the_record_the_feed_and_the_webhook(
    pulling: TenantConnection, sim: OdooSimulator, subscribed: Receiver, aws: AwsResources
) -> None:
    data = _import_product(pulling, sim, f"DEC-{sim.version}-1")

    assert (data["price"], data["cost"], data["weight"]) == ("453.07", "12.50", "1.25")
    shown = call(
        records_api,
        "GET",
        "/v1/records/{entity}/{local_id}",
        {"entity": "product", "local_id": data["sku"]},
        tenant_id=pulling.tenant_id,
    )
    assert (shown.body["data"]["price"], shown.body["data"]["cost"]) == ("453.07", "12.50")
    feed = call(changes_api, "GET", "/v1/changes", query="entity=product", tenant_id=pulling.tenant_id)
    [item] = feed.body["items"]
    assert (item["data"]["data"]["price"], item["data"]["data"]["cost"]) == ("453.07", "12.50")
    Queue(aws).poll()
    [delivered] = subscribed.received
    assert delivered["verified"]
    assert delivered["event"]["data"]["data"]["price"] == "453.07"


def test_a_pulled_decimal_pushes_back_unchanged(pulling: TenantConnection, sim: OdooSimulator) -> None:
    data = _import_product(pulling, sim, f"DEC-{sim.version}-2")
    writes_before = sim.calls[("product.template", "write")]

    [outcome] = dependencies.push_service().push(
        pulling.tenant_id,
        pulling.connection_id,
        "product",
        [data["sku"]],
        options=SyncOptions(),
        triggered_by=TriggeredBy.API,
    )

    assert outcome.action is SyncAction.UNCHANGED, outcome.error_message
    assert sim.calls[("product.template", "write")] == writes_before

"""Invoices and stock pulled from the Odoo simulator (17, with sale, account and stock) through the
real queue (moto) and the real worker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.api import dependencies
from odoo_sync.core.pull import ImportRequest, ImportSubmission
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.model import RecordChange, SyncOptions, TriggeredBy
from sync_worker import handler as worker
from tests.integration.pull.conftest import drain, local_records
from tests.integration.service.conftest import TenantConnection, allow_loopback, connect, linked

__all__ = ["allow_loopback", "connect", "linked", "local_records"]


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="17", port=0, seed_partners=4, seed_products=4) as simulator:
        yield simulator


@pytest.fixture
def shop(linked: TenantConnection, monkeypatch: pytest.MonkeyPatch) -> TenantConnection:
    monkeypatch.setattr(worker.metrics, "namespace", "OdooSyncTests")
    return linked


def client(tenant: TenantConnection) -> OdooClient:
    return dependencies.connection_service().client(tenant.tenant_id, tenant.connection_id)


def pull(tenant: TenantConnection, entity: str, odoo_filters: list[Any] | None = None) -> ImportSubmission:
    """An import of the entity, applied by the worker."""
    submitted = dependencies.pull_service().start_import(
        tenant.tenant_id, ImportRequest(entity=entity, odoo_filters=odoo_filters or [])
    )
    drain()
    return submitted


def delta(tenant: TenantConnection, entity: str, *, full: bool = False) -> ImportSubmission:
    submitted = dependencies.pull_service().start_delta(
        tenant.tenant_id, None, entity, full=full, triggered_by=TriggeredBy.SCHEDULE
    )
    drain()
    return submitted


def feed(tenant: TenantConnection, entity: str) -> list[RecordChange]:
    """The tenant's change feed for the entity, oldest first (what GET /v1/changes pages through)."""
    return [item.data for item in dependencies.change_log().read(tenant.tenant_id, entity, 0, 500)]


def pushed_order(tenant: TenantConnection, order_id: str, customer_id: str, sku: str = "SIM-00001") -> int:
    """A confirmed order of the tenant in Odoo; answers its sale.order id."""
    records = dependencies.record_service()
    records.put(tenant.tenant_id, "customer", customer_id, {"name": f"Customer {customer_id}"})
    records.put(
        tenant.tenant_id,
        "order",
        order_id,
        {
            "customer": customer_id,
            "confirm": True,
            "lines": [{"sku": sku, "quantity": 2, "price": "50", "taxes": []}],
        },
    )
    [outcome] = dependencies.push_service().push(
        tenant.tenant_id,
        tenant.connection_id,
        "order",
        [order_id],
        options=SyncOptions(),
        triggered_by=TriggeredBy.API,
    )
    assert outcome.odoo_id is not None, outcome.error_message
    return outcome.odoo_id

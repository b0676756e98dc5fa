"""Wiring the order engine into pushes: its customers come from the tenant's `customer` records.

A customer already linked to the connection is used as linked; one that is not in Odoo yet is
pushed first, in the same run, through the ordinary push of the `customer` entity (so it gets
its link, log entry and statistics like any other push).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from odoo_sync.core.ports import RecordStore
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.model import LinkStatus, RecordOutcome
from odoo_sync.sync.order_presets import is_order_model
from odoo_sync.sync.orders import OrderPushEngine
from odoo_sync.sync.plan import SyncPlan

CUSTOMER_ENTITY = "customer"
PushCustomers = Callable[[Sequence[str]], list[RecordOutcome]]


class LinkedCustomers:
    """`odoo_sync.sync.orders.CustomerDirectory` over the record store and the push service."""

    def __init__(self, records: RecordStore, tenant_id: str, connection_id: str, push: PushCustomers) -> None:
        self._records = records
        self._tenant_id = tenant_id
        self._connection_id = connection_id
        self._push = push

    def odoo_ids(self, local_ids: Sequence[str]) -> dict[str, int | None]:
        found: dict[str, int | None] = {}
        for record in self._records.get_many(self._tenant_id, CUSTOMER_ENTITY, local_ids):
            link = record.links.get(self._connection_id)
            usable = link is not None and link.odoo_id is not None and link.status is not LinkStatus.DELETED
            found[record.local_id] = link.odoo_id if usable and link is not None else None
        return found

    def push(self, local_ids: Sequence[str]) -> dict[str, int | str]:
        answers: dict[str, int | str] = {}
        for outcome in self._push(local_ids):
            if outcome.success and outcome.odoo_id is not None:
                answers[outcome.local_id] = outcome.odoo_id
            else:
                answers[outcome.local_id] = outcome.error_message or "the customer push failed"
        return answers


def company_of(client: OdooClient) -> int | None:
    """The company the connection is scoped to (its context's allowed_company_ids), if any."""
    context = client.settings.context or {}
    allowed = context.get("allowed_company_ids")
    if isinstance(allowed, list) and allowed and isinstance(allowed[0], int):
        return allowed[0]
    return None


def order_engine(
    client: OdooClient,
    plan: SyncPlan,
    connection_id: str,
    customers: LinkedCustomers,
    *,
    clock: Callable[[], datetime],
) -> OrderPushEngine | None:
    """The order engine for a plan over sale.order; None for every other model."""
    if not is_order_model(plan.entity.odoo_model):
        return None
    return OrderPushEngine(client, plan, connection_id, customers, company_id=company_of(client), clock=clock)

"""Schedules on moto's DynamoDB with fake pushes and pulls, and a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from odoo_sync.core.bulk import BulkSyncRequest
from odoo_sync.core.schedule_runs import ScheduleRunner
from odoo_sync.core.schedules import ScheduleInput, ScheduleService
from odoo_sync.errors import InvalidInputError, NotFoundError, ServiceError
from odoo_sync.odoo.errors import OdooError
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.schedules import DynamoScheduleStore
from odoo_sync.sync.model import TriggeredBy

TENANT = "ten_0123456789abcdef"
OTHER = "ten_fedcba9876543210"
CONNECTION = "con_00000000000000aa"
ENTITIES = {"customer", "product"}


@dataclass
class Started:
    batch_id: str


@dataclass
class FakePushes:
    calls: list[tuple[str, BulkSyncRequest, TriggeredBy]] = field(default_factory=list)
    failure: Exception | None = None
    failing_tenant: str | None = None  # None: the failure is for every tenant

    def submit(
        self, tenant_id: str, request: BulkSyncRequest, triggered_by: TriggeredBy = TriggeredBy.BULK
    ) -> Started:
        if self.failure is not None and self.failing_tenant in (None, tenant_id):
            raise self.failure
        self.calls.append((tenant_id, request, triggered_by))
        return Started(f"bat_push{len(self.calls):012x}")


@dataclass
class FakePulls:
    calls: list[dict[str, Any]] = field(default_factory=list)
    failure: Exception | None = None

    def start_delta(
        self,
        tenant_id: str,
        connection_id: str | None,
        entity: str,
        *,
        full: bool,
        batch_size: int,
        triggered_by: TriggeredBy,
    ) -> Started:
        if self.failure is not None:
            raise self.failure
        self.calls.append(
            {
                "tenant_id": tenant_id,
                "connection_id": connection_id,
                "entity": entity,
                "full": full,
                "batch_size": batch_size,
                "triggered_by": triggered_by,
            }
        )
        return Started(f"bat_pull{len(self.calls):012x}")


class FakeEntities:
    def get(self, tenant_id: str, name: str) -> Any:
        if name not in ENTITIES:
            raise NotFoundError("entity", name, field="entity")
        return name


class FakeConnections:
    def resolve_id(self, tenant_id: str, connection_id: str | None) -> str:
        if connection_id is None:
            return CONNECTION
        if connection_id != CONNECTION:
            raise NotFoundError("connection", connection_id, field="connection_id")
        return connection_id


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 10, 0, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    service: ScheduleService
    store: DynamoScheduleStore
    pushes: FakePushes
    pulls: FakePulls
    clock: Clock

    def create(self, tenant_id: str = TENANT, **fields: Any):
        body = {
            "name": "nightly",
            "entity": "product",
            "cron_expression": "*/5 * * * *",
            "sync_direction": "to_odoo",
            **fields,
        }
        return self.service.create(tenant_id, ScheduleInput.model_validate(body))


@pytest.fixture
def rig(aws) -> Rig:
    store = DynamoScheduleStore(table(aws.config_table))
    pushes, pulls, clock = FakePushes(), FakePulls(), Clock()
    service = ScheduleService(
        store, FakeEntities(), FakeConnections(), ScheduleRunner(pushes, pulls), clock=clock
    )
    return Rig(service, store, pushes, pulls, clock)


def odoo_down() -> OdooError:
    return OdooError("Odoo is unreachable")


def connection_gone() -> ServiceError:
    return InvalidInputError("connection con_00000000000000aa was not found", field="connection_id")

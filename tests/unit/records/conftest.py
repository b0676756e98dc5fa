"""Builders for the records tests: a clock the store reads, a tenant's own entity, a connection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from odoo_sync.api.dependencies import connection_service, settings_repository
from odoo_sync.core.connections import ApiKeyAuth, ConnectionInput
from odoo_sync.sync.model import EntityDefinition, MatchKey

TENANT_A = "ten_aaaaaaaaaaaaaaaa"
TENANT_B = "ten_bbbbbbbbbbbbbbbb"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The time records are stamped with, moved on by the test instead of waiting."""
    clock = Clock()
    monkeypatch.setattr("odoo_sync.stores.records.utc_now", clock)
    return clock


@pytest.fixture
def own_entity(aws) -> Callable[[str, str], EntityDefinition]:
    """Store a tenant entity directly (the settings routes check it against Odoo; not needed here)."""

    def create(tenant_id: str, name: str = "ticket") -> EntityDefinition:
        entity = EntityDefinition(
            name=name,
            odoo_model="helpdesk.ticket",
            match_keys=[MatchKey(local_field="number", odoo_field="number")],
        )
        settings_repository().put_entity(tenant_id, entity, "2024-05-01T00:00:00Z")
        return entity

    return create


@pytest.fixture
def connection(aws) -> Callable[[str], str]:
    """A connection of the tenant (never dialled in these tests)."""

    def create(tenant_id: str) -> str:
        data = ConnectionInput(
            name="odoo",
            base_url="https://odoo.example.com",
            database="odoo",
            auth=ApiKeyAuth(type="api_key", api_key="0123456789abcdef0123", login="admin"),
        )
        return connection_service().create(tenant_id, data).connection_id

    return create

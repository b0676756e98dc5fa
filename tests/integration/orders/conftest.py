"""Pushing orders into the Odoo simulator (17 over XML-RPC, 19 over JSON-2) through PushService,
with in-memory records, plans and books."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import SecretStr

from odoo_simulator import OdooSimulator
from odoo_sync.core.push import PushService
from odoo_sync.odoo import OdooClient, OdooConnectionSettings, Protocol, RetryPolicy
from odoo_sync.sync.model import LocalRecord, OdooLink, RecordOutcome, SyncLogEntry, SyncOptions, TriggeredBy
from odoo_sync.sync.order_presets import ORDER, ORDER_RULES, order_mappings, related_models
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.value_maps import ValueMap, ValueMaps
from tests.integration.push.builders import customer_plan, fields_of
from tests.support.fakes import PendingEntries

TENANT = "ten_0123456789abcdef"
CONNECTION = "con_0123456789abcdef"
MODULE = "odoo_sync_orders"


def open_client(
    sim: OdooSimulator, context: dict[str, Any] | None = None, *, authenticate: bool = True
) -> OdooClient:
    settings = OdooConnectionSettings(
        base_url=sim.url,
        database=sim.database,
        login="admin",
        secret=SecretStr(sim.admin_api_key),
        protocol=Protocol.JSON2 if sim.version == "19" else Protocol.XMLRPC,
        allow_private_network=True,
        context=context,
    )
    client = OdooClient(settings, retry=RetryPolicy(sleep=lambda _s: None, random=lambda: 0.0))
    if authenticate:
        client.authenticate()
    return client


def order_plan(client: OdooClient, value_maps: Sequence[ValueMap] = ()) -> SyncPlan:
    return SyncPlan(
        entity=ORDER,
        mappings=order_mappings(),
        value_maps=ValueMaps(value_maps),
        odoo_fields=fields_of(client, ORDER.odoo_model, *related_models(ORDER.odoo_model)),
        rules=ORDER_RULES,
        xmlid_module=MODULE,
    )


@dataclass
class Records:
    by_key: dict[tuple[str, str], LocalRecord] = field(default_factory=dict)

    def put(self, entity: str, local_id: str, data: dict[str, Any]) -> None:
        current = self.by_key.get((entity, local_id))
        links = current.links if current is not None else {}
        version = current.version + 1 if current is not None else 1
        self.by_key[(entity, local_id)] = LocalRecord(
            entity=entity,
            local_id=local_id,
            data=data,
            version=version,
            updated_at="2024-05-01T00:00:00Z",
            links=links,
        )

    def link(self, entity: str, local_id: str) -> OdooLink | None:
        return self.by_key[(entity, local_id)].links.get(CONNECTION)

    def get_many(self, tenant_id: str, entity: str, local_ids: Sequence[str]) -> list[LocalRecord]:
        return [self.by_key[(entity, i)] for i in local_ids if (entity, i) in self.by_key]

    def update_link(
        self, tenant_id: str, entity: str, local_id: str, connection_id: str, link: OdooLink
    ) -> None:
        current = self.by_key[(entity, local_id)]
        self.by_key[(entity, local_id)] = current.model_copy(
            update={"links": {**current.links, connection_id: link}}
        )

    def update_links(
        self, tenant_id: str, entity: str, connection_id: str, links: Mapping[str, OdooLink]
    ) -> None:
        for local_id, link in links.items():
            self.update_link(tenant_id, entity, local_id, connection_id, link)


@dataclass
class Plans:
    plans: dict[str, SyncPlan]

    def load(self, tenant_id: str, connection_id: str, entity: str, client: OdooClient) -> SyncPlan:
        return self.plans[entity]


@dataclass
class Connections:
    odoo: OdooClient

    def client(self, tenant_id: str, connection_id: str) -> OdooClient:
        return self.odoo


@dataclass
class Books:
    entries: list[SyncLogEntry] = field(default_factory=list)

    def append(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> None:
        self.entries.extend(entries)

    def prepare(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> PendingEntries:
        return PendingEntries(lambda: self.append(tenant_id, entries))

    def record(
        self, tenant_id: str, entity: str, outcomes: Sequence[RecordOutcome], newly_linked: int
    ) -> None:
        return None

    def record_chunk(
        self, tenant_id: str, batch_id: str, entity: str, outcomes: Sequence[RecordOutcome]
    ) -> None:
        return None


@dataclass
class Shop:
    """A tenant with customers and orders, pushing to one simulator."""

    sim: OdooSimulator
    client: OdooClient
    records: Records
    books: Books
    service: PushService

    def push(self, *local_ids: str, entity: str = "order") -> list[RecordOutcome]:
        return self.service.push(
            TENANT, CONNECTION, entity, list(local_ids), options=SyncOptions(), triggered_by=TriggeredBy.API
        )

    def order_lines(self, order_id: int) -> list[dict[str, Any]]:
        return self.sim.records("sale.order.line", [("order_id", "=", order_id)])


def make_shop(
    sim: OdooSimulator, value_maps: Sequence[ValueMap] = (), context: dict[str, Any] | None = None
) -> Shop:
    client = open_client(sim, context)
    records, books = Records(), Books()
    plans = Plans({"order": order_plan(client, value_maps), "customer": customer_plan(client)})
    service = PushService(records, plans, Connections(client), books, books, books)  # type: ignore[arg-type]
    return Shop(sim, client, records, books, service)


@pytest.fixture(scope="module", params=["17", "19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, seed_partners=4, seed_products=6) as simulator:
        yield simulator

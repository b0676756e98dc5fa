"""PushService: Odoo first, then links, log, stats and batch progress - and recovery when the
bookkeeping fails after Odoo has already done its part."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.core.push import PushService
from odoo_sync.errors import StorageError
from odoo_sync.odoo import OdooClient, OdooTransientError
from odoo_sync.sync.model import (
    LinkStatus,
    LocalRecord,
    OdooLink,
    RecordOutcome,
    SyncAction,
    SyncLogEntry,
    SyncOptions,
    TriggeredBy,
)
from odoo_sync.sync.plan import SyncPlan
from tests.integration.push.builders import CONNECTION, customer_plan, customers, partners_with_ref, prefix
from tests.support.fakes import PendingEntries

TENANT = "ten_0123456789abcdef"


@dataclass
class FakeRecords:
    records: dict[str, LocalRecord] = field(default_factory=dict)
    fail_link_updates: int = 0

    def get_many(self, tenant_id: str, entity: str, local_ids: Sequence[str]) -> list[LocalRecord]:
        return [self.records[i] for i in local_ids if i in self.records]

    def update_link(
        self, tenant_id: str, entity: str, local_id: str, connection_id: str, link: OdooLink
    ) -> None:
        if self.fail_link_updates:
            self.fail_link_updates -= 1
            raise StorageError("records table unavailable")
        current = self.records[local_id]
        self.records[local_id] = current.model_copy(update={"links": {**current.links, connection_id: link}})

    def update_links(
        self, tenant_id: str, entity: str, connection_id: str, links: Mapping[str, OdooLink]
    ) -> None:
        for local_id, link in links.items():
            self.update_link(tenant_id, entity, local_id, connection_id, link)


@dataclass
class FakePlans:
    plan: SyncPlan

    def load(self, tenant_id: str, connection_id: str, entity: str, client: OdooClient) -> SyncPlan:
        return self.plan


@dataclass
class FakeConnections:
    odoo: OdooClient

    def client(self, tenant_id: str, connection_id: str) -> OdooClient:
        return self.odoo


@dataclass
class FakeBooks:
    entries: list[SyncLogEntry] = field(default_factory=list)
    stats: list[tuple[str, int, int]] = field(default_factory=list)  # entity, outcomes, newly linked
    chunks: list[tuple[str, list[str]]] = field(default_factory=list)

    def append(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> None:
        self.entries.extend(entries)

    def prepare(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> PendingEntries:
        return PendingEntries(lambda: self.append(tenant_id, entries))

    def record(
        self, tenant_id: str, entity: str, outcomes: Sequence[RecordOutcome], newly_linked: int
    ) -> None:
        self.stats.append((entity, len(outcomes), newly_linked))

    def record_chunk(
        self,
        tenant_id: str,
        batch_id: str,
        entity: str,
        outcomes: Sequence[RecordOutcome],
        *,
        chunk: int,
        newly_linked: int = 0,
        log: Any = None,
    ) -> None:
        if log is not None:
            log.write()
        self.chunks.append((batch_id, [o.local_id for o in outcomes]))
        # The statistics ride with the batch's count; an unknown id is no sync of a record.
        synced = [o for o in outcomes if (o.error_details or {}).get("code") != "not_found"]
        self.stats.append((entity, len(synced), newly_linked))


@dataclass
class Setup:
    service: PushService
    records: FakeRecords
    books: FakeBooks


@pytest.fixture
def setup(client: OdooClient) -> Setup:
    records = FakeRecords()
    books = FakeBooks()
    service = PushService(
        records,
        FakePlans(customer_plan(client)),
        FakeConnections(client),
        books,
        books,
        books,
    )
    return Setup(service, records, books)


def push(setup: Setup, ids: list[str], batch_id: str | None = None, **options: Any) -> list[RecordOutcome]:
    return setup.service.push(
        TENANT,
        CONNECTION,
        "customer",
        ids,
        options=SyncOptions(**options),
        triggered_by=TriggeredBy.BULK if batch_id else TriggeredBy.API,
        batch_id=batch_id,
    )


def test_outcomes_become_links_log_entries_stats_and_batch_progress(setup: Setup) -> None:
    tag = prefix()
    for rec in customers(tag, 3):
        setup.records.records[rec.local_id] = rec.model_copy(update={"version": 4})
    setup.records.records[f"{tag}-bad"] = customers(f"{tag}-bad", 1, lambda _i: {"email": "x"})[0].model_copy(
        update={"local_id": f"{tag}-bad"}
    )
    ids = [f"{tag}-0", f"{tag}-1", f"{tag}-2", f"{tag}-bad", f"{tag}-missing"]

    outcomes = push(setup, ids, batch_id="bat_1")

    assert [o.local_id for o in outcomes] == ids
    assert [o.action for o in outcomes] == [SyncAction.CREATED] * 3 + [SyncAction.ERROR] * 2
    assert outcomes[4].error_details == {"code": "not_found"}
    link = setup.records.records[f"{tag}-0"].links[CONNECTION]
    assert (link.odoo_id, link.status, link.synced_version) == (outcomes[0].odoo_id, LinkStatus.SYNCED, 4)
    assert link.snapshot == {"name": f"{tag} customer 0", "ref": f"{tag}-0"}
    bad = setup.records.records[f"{tag}-bad"].links[CONNECTION]
    assert (bad.odoo_id, bad.status) == (None, LinkStatus.ERROR)
    assert "invalid" in (bad.last_error or "")
    entries = {e.local_id: e for e in setup.books.entries}
    assert entries[f"{tag}-0"].sync_type == "create"
    assert entries[f"{tag}-0"].sync_status == "success"
    assert entries[f"{tag}-0"].batch_id == "bat_1"
    assert entries[f"{tag}-bad"].error_details is not None
    assert entries[f"{tag}-bad"].sync_status == "error"
    assert entries[f"{tag}-missing"].error_message == f"no such record: {tag}-missing"
    assert setup.books.stats == [("customer", 4, 3)]  # the unknown id is no sync of a record
    assert sorted(i for _batch, chunk in setup.books.chunks for i in chunk) == sorted(ids)


def test_a_second_push_is_a_skip_and_links_nothing_new(setup: Setup) -> None:
    tag = prefix()
    for rec in customers(tag, 2):
        setup.records.records[rec.local_id] = rec
    push(setup, [f"{tag}-0", f"{tag}-1"])

    again = push(setup, [f"{tag}-0", f"{tag}-1"])

    assert {o.action for o in again} == {SyncAction.UNCHANGED}
    assert setup.books.stats[-1] == ("customer", 2, 0)
    assert {e.sync_type for e in setup.books.entries[-2:]} == {"skip"}


def test_an_error_keeps_the_link_last_agreed_on(setup: Setup) -> None:
    tag = prefix()
    rec = customers(tag, 1)[0]
    setup.records.records[rec.local_id] = rec
    [created] = push(setup, [rec.local_id])
    setup.records.records[rec.local_id] = setup.records.records[rec.local_id].model_copy(
        update={"data": {"name": ""}, "version": 2}
    )

    [failed] = push(setup, [rec.local_id])

    link = setup.records.records[rec.local_id].links[CONNECTION]
    assert failed.action is SyncAction.ERROR
    assert (link.odoo_id, link.status, link.synced_version) == (created.odoo_id, LinkStatus.ERROR, 1)
    assert setup.books.entries[-1].sync_type == "update"


def test_bookkeeping_failing_after_odoo_is_recovered_without_duplicates(
    sim: OdooSimulator, setup: Setup
) -> None:
    tag = prefix()
    records = customers(tag, 5)
    for rec in records:
        setup.records.records[rec.local_id] = rec
    setup.records.fail_link_updates = 1

    with pytest.raises(StorageError):
        push(setup, [r.local_id for r in records])

    # Odoo has them, our links do not: the redelivery finds them through our external ids.
    again = push(setup, [r.local_id for r in records])
    assert {o.action for o in again} == {SyncAction.UNCHANGED}
    assert all(len(partners_with_ref(sim, r.local_id)) == 1 for r in records)
    assert all(setup.records.records[r.local_id].links[CONNECTION].odoo_id for r in records)


def test_odoo_failing_mid_chunk_books_what_finished_and_raises(sim: OdooSimulator, setup: Setup) -> None:
    tag = prefix()
    records = customers(tag, 3)
    for rec in records:
        setup.records.records[rec.local_id] = rec
    push(setup, [records[0].local_id])  # linked and unchanged next time
    setup.books.entries.clear()
    sim.knobs.fail_next(10)  # reads are retried four times, then give up

    with pytest.raises(OdooTransientError):
        push(setup, [r.local_id for r in records])

    sim.knobs.reset()
    assert setup.books.entries == []
    again = push(setup, [r.local_id for r in records])
    assert [o.action for o in again] == [SyncAction.UNCHANGED, SyncAction.CREATED, SyncAction.CREATED]
    assert all(len(partners_with_ref(sim, r.local_id)) == 1 for r in records)

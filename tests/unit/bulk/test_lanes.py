"""Lanes: a connection's chunks run max_in_flight at a time, each record always in the same lane."""

from __future__ import annotations

from collections import Counter

import pytest

from odoo_sync.core.bulk import BulkSyncRequest, BulkSyncService
from odoo_sync.core.lanes import chunked, slot_of
from odoo_sync.stores.batches import DynamoBatches
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.queue import group_id
from odoo_sync.sync.model import SLOTS
from tests.support.fakes import FixedConnections, InMemoryRecordStore, KnownEntities, RecordingQueue

TENANT = "ten_0123456789abcdef"
IDS = [f"rec-{n:04d}" for n in range(200)]


def test_a_records_slot_is_stable_and_spreads_records_over_every_slot():
    slots = Counter(slot_of(local_id) for local_id in IDS)

    assert [slot_of(local_id) for local_id in IDS] == [slot_of(local_id) for local_id in IDS]
    assert set(slots) == set(range(SLOTS))
    assert max(slots.values()) < 3 * min(slots.values())


@pytest.mark.parametrize("lanes", [1, 2, 3, 10])
def test_chunks_are_formed_within_a_lane_and_keep_every_record_once(lanes):
    chunks = chunked(IDS, 30, lanes)

    assert sorted(i for _, _, part in chunks for i in part) == sorted(IDS)
    for lane, slots, part in chunks:
        assert len(part) <= 30
        assert {slot_of(i) % lanes for i in part} == {lane}
        assert slots == sorted({slot_of(i) for i in part})


def service(max_in_flight: int, aws) -> tuple[BulkSyncService, RecordingQueue]:
    records = InMemoryRecordStore()
    for local_id in IDS:
        records.put(TENANT, "product", local_id, {"sku": local_id})
    queue = RecordingQueue()
    batches = DynamoBatches(table(aws.tables["OperationsTable"]))
    connections = FixedConnections(max_in_flight=max_in_flight)
    return BulkSyncService(KnownEntities(), records, connections, batches, queue), queue


@pytest.mark.parametrize("max_in_flight", [1, 2, 4])
def test_a_push_runs_in_max_in_flight_groups_and_a_record_is_always_in_the_same_one(aws, max_in_flight):
    bulk, queue = service(max_in_flight, aws)
    request = BulkSyncRequest(entity="product", batch_size=25)

    bulk.submit(TENANT, request)
    first = {i: group_id(m) for m in queue.messages for i in m.local_ids}
    queue.sent.clear()
    bulk.submit(TENANT, request)  # the same records again
    second = {i: group_id(m) for m in queue.messages for i in m.local_ids}

    assert len(set(first.values())) == max_in_flight
    assert first == second
    assert all(len(m.local_ids) <= 25 for m in queue.messages)


def test_after_max_in_flight_changes_a_record_may_change_lane_and_its_chunks_name_their_slots(aws):
    before, queue_before = service(2, aws)
    after, queue_after = service(3, aws)
    request = BulkSyncRequest(entity="product", batch_size=25)

    before.submit(TENANT, request)
    after.submit(TENANT, request)

    old = {i: (group_id(m), set(m.slots)) for m in queue_before.messages for i in m.local_ids}
    new = {i: (group_id(m), set(m.slots)) for m in queue_after.messages for i in m.local_ids}
    moved = [i for i in IDS if old[i][0] != new[i][0]]
    assert moved  # some records now travel in another group: the slot leases keep them apart
    assert all(slot_of(i) in old[i][1] & new[i][1] for i in moved)

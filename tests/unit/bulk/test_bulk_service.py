"""Bulk selection, chunking, batch bookkeeping and retries, on in-memory records and a real batch store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from odoo_sync.core.batches import BatchStatus
from odoo_sync.core.bulk import BulkFilters, BulkSyncRequest, BulkSyncService
from odoo_sync.errors import ConflictError, InvalidInputError, NotFoundError, StorageError
from odoo_sync.stores.batches import DynamoBatches
from odoo_sync.stores.dynamodb import table
from odoo_sync.sync.model import LinkStatus, SyncOptions, TriggeredBy
from tests.support.fakes import (
    FixedConnections,
    InMemoryRecordStore,
    KnownEntities,
    RecordingQueue,
    linked,
    outcome,
)

TENANT = "ten_0123456789abcdef"
OTHER = "ten_fedcba9876543210"
CONNECTION = "con_0123456789abcdef"


@pytest.fixture
def records() -> InMemoryRecordStore:
    store = InMemoryRecordStore()
    for n in range(10):
        store.put(
            TENANT,
            "product",
            f"p{n}",
            {"title": f"Product {n}", "brand": "acme" if n % 2 else "other"},
            updated_at=f"2024-05-0{1 + n % 3}T00:00:00+00:00",
        )
    for n in range(3):
        store.update_link(TENANT, "product", f"p{n}", CONNECTION, linked(100 + n))
    store.update_link(TENANT, "product", "p3", CONNECTION, linked(103, LinkStatus.ERROR))
    store.put(TENANT, "customer", "c1", {"name": "Ada"})
    store.put(OTHER, "product", "p0", {"title": "Not yours"})
    return store


@pytest.fixture
def batches(aws) -> DynamoBatches:
    return DynamoBatches(table(aws.tables["OperationsTable"]))


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture
def service(records, batches, queue) -> BulkSyncService:
    # One lane: these tests follow chunks in order (lanes: test_lanes.py).
    return BulkSyncService(KnownEntities(), records, FixedConnections(max_in_flight=1), batches, queue)


def submit(service: BulkSyncService, **fields: object):
    return service.submit(TENANT, BulkSyncRequest.model_validate({"entity": "product", **fields}))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [f"p{n}" for n in range(10)]),
        ({"has_odoo_id": True}, ["p0", "p1", "p2", "p3"]),
        ({"has_odoo_id": False}, ["p4", "p5", "p6", "p7", "p8", "p9"]),
        ({"status": "error"}, ["p3"]),
        ({"local_ids": ["p7", "p2", "nope"]}, ["p2", "p7"]),
        ({"modified_since": "2024-05-03T00:00:00Z"}, ["p2", "p5", "p8"]),
        ({"fields": {"brand": "acme"}}, ["p1", "p3", "p5", "p7", "p9"]),
        ({"fields": {"brand": "acme"}, "has_odoo_id": False}, ["p5", "p7", "p9"]),
    ],
)
def test_each_filter_selects_its_records(service, queue, filters, expected):
    answer = submit(service, filters=filters)

    assert answer.records_queued == len(expected)
    assert sorted(i for m in queue.messages for i in m.local_ids) == expected


def test_records_are_chunked_by_batch_size_and_the_batch_is_stored_first(service, queue, batches):
    answer = submit(service, batch_size=4, force_update=True, sync_images=True)

    batch = batches.get(TENANT, answer.batch_id)
    assert (answer.records_queued, answer.chunks, answer.status) == (10, 3, BatchStatus.QUEUED)
    assert [len(m.local_ids) for m in queue.messages] == [4, 3, 3]  # as few chunks as fit, of even sizes
    assert [m.chunk for m in queue.messages] == [0, 1, 2]
    first = queue.messages[0]
    assert (first.tenant_id, first.connection_id, first.entity, first.batch_id) == (
        TENANT,
        CONNECTION,
        "product",
        answer.batch_id,
    )
    assert first.options == SyncOptions(force_update=True, sync_images=True)
    assert first.triggered_by is TriggeredBy.BULK
    assert batch is not None
    assert (batch.total, batch.status, batch.batch_size) == (10, BatchStatus.QUEUED, 4)


def test_nothing_selected_is_a_completed_empty_batch(service, queue, batches):
    answer = submit(service, filters={"local_ids": ["nope"]})

    batch = batches.get(TENANT, answer.batch_id)
    assert (answer.records_queued, answer.chunks, answer.status) == (0, 0, BatchStatus.COMPLETED)
    assert queue.messages == []
    assert batch is not None
    assert batch.finished_at == batch.created_at


def test_more_records_than_the_cap_is_refused_before_anything_is_queued(records, batches, queue):
    service = BulkSyncService(KnownEntities(), records, FixedConnections(), batches, queue, max_records=9)

    with pytest.raises(InvalidInputError, match="more than 9 records") as caught:
        submit(service)

    assert caught.value.field == "filters"
    assert queue.messages == []


def test_an_unknown_entity_or_connection_is_refused(service):
    with pytest.raises(NotFoundError):
        service.submit(TENANT, BulkSyncRequest(entity="invoice"))
    with pytest.raises(InvalidInputError):
        submit(service, connection_id="con_ffffffffffffffff")


def test_a_queue_failing_part_way_leaves_a_batch_of_what_was_queued(records, batches):
    queue = RecordingQueue(fail_after=2)
    service = BulkSyncService(KnownEntities(), records, FixedConnections(), batches, queue)

    with pytest.raises(StorageError) as caught:
        submit(service, batch_size=3)

    batch_id = str(caught.value.details["batch_id"])
    batch = batches.get(TENANT, batch_id)
    assert caught.value.details["records_queued"] == 6
    assert batch is not None
    assert batch.total == 6
    for message in queue.messages:
        batches.record_chunk(
            TENANT, batch_id, "product", [outcome(i) for i in message.local_ids], chunk=message.chunk
        )
    assert batches.get(TENANT, batch_id).status is BatchStatus.COMPLETED


def finish(batches: DynamoBatches, batch_id: str, failing: set[str], queue: RecordingQueue) -> None:
    """Play the workers: each queued record ends failed or done."""
    for message in queue.messages:
        batches.record_chunk(
            TENANT,
            batch_id,
            "product",
            [outcome(i, "error" if i in failing else "created") for i in message.local_ids],
            chunk=message.chunk,
        )
    queue.sent.clear()


def test_retry_requeues_every_failed_record_as_a_retry(service, batches, queue):
    answer = submit(service, batch_size=4)
    finish(batches, answer.batch_id, {"p1", "p5", "p6"}, queue)

    retried = service.retry(TENANT, answer.batch_id, None)

    batch = batches.get(TENANT, answer.batch_id)
    assert (retried.records_queued, retried.chunks, retried.retry) == (3, 1, 1)
    assert sorted(queue.messages[0].local_ids) == ["p1", "p5", "p6"]
    assert queue.messages[0].triggered_by is TriggeredBy.RETRY
    assert queue.sent[0][1] == 1  # the retry number goes into the deduplication id
    assert batch is not None
    assert (batch.status, batch.failed, batch.pending) == (BatchStatus.RUNNING, 0, 3)

    finish(batches, answer.batch_id, {"p6"}, queue)
    done = batches.get(TENANT, answer.batch_id)
    assert done is not None
    assert (done.status, done.succeeded, done.failed) == (BatchStatus.COMPLETED_WITH_ERRORS, 9, 1)


def test_one_failed_record_can_be_retried_alone(service, batches, queue):
    answer = submit(service)
    finish(batches, answer.batch_id, {"p1", "p5"}, queue)

    retried = service.retry(TENANT, answer.batch_id, ["p5"])

    assert retried.records_queued == 1
    assert queue.messages[0].local_ids == ["p5"]
    assert batches.failed_local_ids(TENANT, answer.batch_id, 10, None) == (["p1"], None)


def test_retry_refuses_records_that_did_not_fail(service, batches, queue):
    answer = submit(service)
    finish(batches, answer.batch_id, {"p1"}, queue)

    with pytest.raises(ConflictError, match="p2 has not failed") as caught:
        service.retry(TENANT, answer.batch_id, ["p1", "p2"])

    assert caught.value.field == "local_ids"
    assert queue.messages == []


def test_retry_of_a_batch_without_failures_or_still_running_is_a_conflict(service, batches, queue):
    clean = submit(service)
    running = submit(service)
    finish(
        batches,
        clean.batch_id,
        set(),
        RecordingQueue(sent=[s for s in queue.sent if s[0].batch_id == clean.batch_id]),
    )

    with pytest.raises(ConflictError, match="nothing to retry"):
        service.retry(TENANT, clean.batch_id, None)
    with pytest.raises(ConflictError, match="still queued"):
        service.retry(TENANT, running.batch_id, None)


def test_a_retry_the_queue_refuses_puts_the_records_back_to_failed(records, batches, queue):
    service = BulkSyncService(KnownEntities(), records, FixedConnections(), batches, queue)
    answer = submit(service)
    finish(batches, answer.batch_id, {"p1"}, queue)
    queue.fail_after = 0

    with pytest.raises(StorageError):
        service.retry(TENANT, answer.batch_id, None)

    batch = batches.get(TENANT, answer.batch_id)
    assert batch is not None
    assert (batch.status, batch.failed) == (BatchStatus.COMPLETED_WITH_ERRORS, 1)
    assert batches.failed_among(TENANT, answer.batch_id, ["p1"]) == {"p1"}


def test_another_tenants_batch_is_not_found(service, queue):
    answer = submit(service)

    with pytest.raises(NotFoundError):
        service.get(OTHER, answer.batch_id)
    with pytest.raises(NotFoundError):
        service.retry(OTHER, answer.batch_id, None)


@pytest.mark.parametrize(
    "body",
    [
        {"entity": "Product"},
        {"entity": "product", "batch_size": 0},
        {"entity": "product", "batch_size": 501},
        {"entity": "product", "filters": {"local_ids": []}},
        {"entity": "product", "filters": {"local_ids": ["has space"]}},
        {"entity": "product", "filters": {"fields": {"bad-name": 1}}},
        {"entity": "product", "filters": {"modified_since": "2024-05-01T00:00:00"}},
        {"entity": "product", "filters": {"connection_id": CONNECTION}},
        {"entity": "product", "connection_id": "nope"},
        {"entity": "product", "unknown": 1},
    ],
)
def test_bad_requests_are_refused_by_the_model(body):
    with pytest.raises(ValueError, match="validation error"):
        BulkSyncRequest.model_validate(body)


def test_filters_reach_the_record_store_with_the_connection():
    seen = []

    class Spy(InMemoryRecordStore):
        def iter_local_ids(self, tenant_id, entity, filters):
            seen.append(filters)
            return iter(())

    filters = BulkFilters(modified_since=datetime(2024, 5, 1, tzinfo=UTC), has_odoo_id=True)

    class NoBatches:
        def create(self, batch):
            pass

    service = BulkSyncService(KnownEntities(), Spy(), FixedConnections(), NoBatches(), RecordingQueue())  # type: ignore[arg-type]
    service.submit(TENANT, BulkSyncRequest(entity="product", filters=filters))

    assert seen[0].connection_id == CONNECTION
    assert seen[0].has_odoo_id is True

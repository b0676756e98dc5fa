"""Batch progress in DynamoDB: each record counted once, status derived, finished_at set once."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from odoo_sync.core.batches import RETRY_CHUNK_BASE, BatchStatus
from odoo_sync.errors import ConflictError, InvalidInputError, NotFoundError
from odoo_sync.stores.batches import DynamoBatches, RecordState
from odoo_sync.stores.dynamodb import table
from tests.support.fakes import new_batch, outcome

TENANT = "ten_0123456789abcdef"
OTHER = "ten_fedcba9876543210"
BATCH = "bat_0123456789abcdef"


class Ticking:
    """A clock that moves one second per reading, so set-once timestamps are observable."""

    def __init__(self) -> None:
        self._seconds = itertools.count()

    def __call__(self) -> datetime:
        return datetime(2024, 5, 1, 10, tzinfo=UTC) + timedelta(seconds=next(self._seconds))


@pytest.fixture
def store(aws) -> DynamoBatches:
    return DynamoBatches(table(aws.tables["OperationsTable"]), clock=Ticking())


def read(store: DynamoBatches, tenant: str = TENANT, batch_id: str = BATCH):
    batch = store.get(tenant, batch_id)
    assert batch is not None
    return batch


def test_a_new_batch_is_queued_with_everything_pending(store):
    store.create(new_batch(total=3))

    batch = read(store)

    assert (batch.status, batch.pending, batch.succeeded, batch.failed) == (BatchStatus.QUEUED, 3, 0, 0)
    assert batch.started_at is None
    assert batch.finished_at is None


def test_status_moves_from_running_to_completed_with_errors(store):
    store.create(new_batch(total=3))

    store.record_chunk(TENANT, BATCH, "product", [outcome("a"), outcome("b", "error")], chunk=0)
    running = read(store)
    store.record_chunk(TENANT, BATCH, "product", [outcome("c", "unchanged")], chunk=1)
    finished = read(store)

    assert (running.status, running.succeeded, running.failed, running.pending) == (
        BatchStatus.RUNNING,
        1,
        1,
        1,
    )
    assert running.started_at is not None
    assert running.finished_at is None
    assert (finished.status, finished.succeeded, finished.failed, finished.pending) == (
        BatchStatus.COMPLETED_WITH_ERRORS,
        2,
        1,
        0,
    )
    assert finished.started_at == running.started_at
    assert finished.finished_at is not None


def test_all_succeeded_is_completed(store):
    store.create(new_batch(total=2))

    store.record_chunk(TENANT, BATCH, "product", [outcome("a"), outcome("b", "updated")], chunk=0)

    assert read(store).status is BatchStatus.COMPLETED


def test_a_redelivered_chunk_counts_nothing_twice_and_keeps_finished_at(store):
    store.create(new_batch(total=2))
    chunk = [outcome("a"), outcome("b", "error")]
    store.record_chunk(TENANT, BATCH, "product", chunk, chunk=0)
    first = read(store)

    # The engine answers "unchanged" for what it already did; the failure fails again.
    store.record_chunk(TENANT, BATCH, "product", [outcome("a", "unchanged"), outcome("b", "error")], chunk=0)
    again = read(store)

    assert (again.succeeded, again.failed, again.total) == (1, 1, 2)
    assert again.finished_at == first.finished_at
    assert again.started_at == first.started_at


def test_a_failed_record_that_later_succeeds_moves_to_succeeded(store):
    store.create(new_batch(total=2))
    store.record_chunk(TENANT, BATCH, "product", [outcome("a"), outcome("b", "error")], chunk=0)

    store.record_chunk(TENANT, BATCH, "product", [outcome("b", "created")], chunk=0)

    batch = read(store)
    assert (batch.succeeded, batch.failed, batch.status) == (2, 0, BatchStatus.COMPLETED)
    assert store.failed_among(TENANT, BATCH, ["a", "b"]) == set()


def test_a_done_record_stays_done_when_a_late_delivery_fails_it(store):
    store.create(new_batch(total=1))
    store.record_chunk(TENANT, BATCH, "product", [outcome("a")], chunk=0)

    store.record_chunk(TENANT, BATCH, "product", [outcome("a", "error")], chunk=0)

    batch = read(store)
    assert (batch.succeeded, batch.failed) == (1, 0)
    assert store.record_states(TENANT, BATCH, ["a"], chunk=0) == {"a": RecordState.DONE}


def test_retry_makes_failed_records_pending_again_and_finishes_anew(store):
    store.create(new_batch(total=3))
    store.record_chunk(
        TENANT, BATCH, "product", [outcome("a"), outcome("b", "error"), outcome("c", "error")], chunk=0
    )
    first_finish = read(store).finished_at

    assert store.start_retry(TENANT, BATCH) == 1
    store.mark_retrying(TENANT, BATCH, ["b", "c"])
    retrying = read(store)
    failed_while_retrying = store.failed_local_ids(TENANT, BATCH, 10, None)
    store.record_chunk(
        TENANT, BATCH, "product", [outcome("b"), outcome("c", "error")], chunk=RETRY_CHUNK_BASE
    )
    done = read(store)

    assert (retrying.status, retrying.failed, retrying.pending, retrying.finished_at) == (
        BatchStatus.RUNNING,
        0,
        2,
        None,
    )
    assert failed_while_retrying == ([], None)  # re-queued, not failed
    assert (done.status, done.succeeded, done.failed, done.retries) == (
        BatchStatus.COMPLETED_WITH_ERRORS,
        2,
        1,
        1,
    )
    assert done.finished_at is not None
    assert done.finished_at != first_finish
    assert store.failed_local_ids(TENANT, BATCH, 10, None) == (["c"], None)


def test_a_record_already_being_retried_cannot_be_marked_again(store):
    store.create(new_batch(total=1))
    store.record_chunk(TENANT, BATCH, "product", [outcome("a", "error")], chunk=0)
    store.mark_retrying(TENANT, BATCH, ["a"])

    with pytest.raises(ConflictError):
        store.mark_retrying(TENANT, BATCH, ["a"])

    assert read(store).failed == 0


def test_unmarking_puts_records_back_to_failed_and_finishes_the_batch(store):
    store.create(new_batch(total=1))
    store.record_chunk(TENANT, BATCH, "product", [outcome("a", "error")], chunk=0)
    store.mark_retrying(TENANT, BATCH, ["a"])

    store.unmark_retrying(TENANT, BATCH, ["a"])

    batch = read(store)
    assert (batch.failed, batch.status) == (1, BatchStatus.COMPLETED_WITH_ERRORS)
    assert batch.finished_at is not None
    assert store.failed_among(TENANT, BATCH, ["a"]) == {"a"}


def test_failed_ids_are_paged_with_a_cursor(store):
    store.create(new_batch(total=250, batch_size=100))
    ids = [f"p{n:03d}" for n in range(250)]
    for start in range(0, 250, 100):
        failed = [outcome(i, "error") for i in ids[start : start + 100]]
        store.record_chunk(TENANT, BATCH, "product", failed, chunk=start // 100)

    pages, cursor = [], None
    while True:
        page, cursor = store.failed_local_ids(TENANT, BATCH, 100, cursor)
        pages.append(page)
        if cursor is None:
            break

    assert [len(page) for page in pages] == [100, 100, 50]
    assert sorted(i for page in pages for i in page) == ids
    assert read(store).failed == 250


def test_a_cursor_of_another_batch_is_refused(store):
    store.create(new_batch(total=2))
    store.record_chunk(TENANT, BATCH, "product", [outcome("a", "error"), outcome("b", "error")], chunk=0)
    _, cursor = store.failed_local_ids(TENANT, BATCH, 1, None)

    with pytest.raises(InvalidInputError):
        store.failed_local_ids(OTHER, BATCH, 1, cursor)


def test_progress_for_an_unknown_batch_is_not_found(store):
    with pytest.raises(NotFoundError):
        store.record_chunk(TENANT, BATCH, "product", [outcome("a")], chunk=0)
    with pytest.raises(NotFoundError):
        store.start_retry(TENANT, BATCH)


def test_another_tenants_batch_is_invisible(store):
    store.create(new_batch(total=1))

    assert store.get(OTHER, BATCH) is None
    with pytest.raises(NotFoundError):
        store.record_chunk(OTHER, BATCH, "product", [outcome("a")], chunk=0)
    assert read(store).pending == 1


def test_a_batch_id_cannot_be_created_twice(store):
    store.create(new_batch(total=1))

    with pytest.raises(ConflictError):
        store.create(new_batch(total=5))


def test_shrinking_the_total_can_finish_the_batch(store):
    store.create(new_batch(total=3))
    store.record_chunk(TENANT, BATCH, "product", [outcome("a")], chunk=0)

    store.shrink_total(TENANT, BATCH, 2)

    batch = read(store)
    assert (batch.total, batch.status) == (1, BatchStatus.COMPLETED)
    assert batch.finished_at is not None


def test_a_large_chunk_is_counted_in_several_transactions(store):
    store.create(new_batch(total=230, batch_size=500))
    outcomes = [outcome(f"r{n}", "error" if n % 7 == 0 else "created") for n in range(230)]

    store.record_chunk(TENANT, BATCH, "product", outcomes, chunk=0)
    store.record_chunk(TENANT, BATCH, "product", outcomes, chunk=0)  # and redelivered whole

    batch = read(store)
    assert (batch.succeeded, batch.failed) == (230 - 33, 33)
    assert batch.status is BatchStatus.COMPLETED_WITH_ERRORS

"""Statistics counters and the sync log in DynamoDB: they agree, they page, they stay per tenant."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from local_stack.meter import AwsMeter
from odoo_sync.errors import InvalidInputError, StorageError
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.stats import DynamoStats
from odoo_sync.stores.sync_log import DynamoSyncLog, LogQuery
from odoo_sync.sync.model import RecordOutcome, SyncLogEntry, TriggeredBy
from tests.support.fakes import outcome

TENANT = "ten_0123456789abcdef"
OTHER = "ten_fedcba9876543210"
BATCH = "bat_0123456789abcdef"
CONNECTION = "con_0123456789abcdef"


@pytest.fixture
def stats(aws) -> DynamoStats:
    return DynamoStats(table(aws.tables["OperationsTable"]))


@pytest.fixture
def log(aws) -> DynamoSyncLog:
    return DynamoSyncLog(
        table(aws.tables["SyncLogTable"]),
        30,
        clock=lambda: datetime(2024, 5, 1, tzinfo=UTC),
        sleep=lambda _: None,
    )


def entry(
    n: int, result: RecordOutcome, entity: str = "product", batch_id: str | None = BATCH
) -> SyncLogEntry:
    return SyncLogEntry(
        id=f"log_{n:016x}",
        entity=entity,
        local_id=result.local_id,
        connection_id=CONNECTION,
        odoo_id=result.odoo_id,
        sync_type="create" if result.success else None,
        sync_status="success" if result.success else "error",
        duration_ms=result.duration_ms,
        started_at=result.started_at,
        completed_at=result.completed_at,
        triggered_by=TriggeredBy.BULK if batch_id else TriggeredBy.API,
        batch_id=batch_id,
        error_message=result.error_message,
    )


def at(minute: int) -> str:
    return f"2024-05-01T10:{minute:02d}:00Z"


# -- statistics -------------------------------------------------------------------------------------


def test_stats_count_outcomes_overall_and_per_entity(stats):
    stats.record(TENANT, "product", [outcome("a", duration_ms=10), outcome("b", "error", duration_ms=30)], 1)
    stats.record(TENANT, "customer", [outcome("c", "updated", duration_ms=20, at=at(5))], 0)

    read = stats.read(TENANT)

    assert {k: read[k] for k in ("total_syncs", "successful_syncs", "failed_syncs")} == {
        "total_syncs": 3,
        "successful_syncs": 2,
        "failed_syncs": 1,
    }
    assert read["success_rate"] == pytest.approx(0.6667)
    assert read["avg_duration_ms"] == 20.0
    assert read["records_with_odoo_id"] == 1
    assert read["last_sync_at"] == at(5)
    assert read["per_entity"]["product"]["total_syncs"] == 2
    assert read["per_entity"]["product"]["success_rate"] == 0.5
    assert read["per_entity"]["customer"]["records_with_odoo_id"] == 0


def test_last_sync_at_never_moves_back(stats):
    stats.record(TENANT, "product", [outcome("a", at=at(9))], 1)
    stats.record(TENANT, "product", [outcome("b", at=at(3))], 1)  # a slower worker finishing late

    read = stats.read(TENANT)

    assert read["last_sync_at"] == at(9)
    assert read["total_syncs"] == 2  # the late counts still count


def test_no_syncs_yet_reads_zeroes(stats):
    assert stats.read(TENANT) == {
        "total_syncs": 0,
        "successful_syncs": 0,
        "failed_syncs": 0,
        "success_rate": None,
        "avg_duration_ms": None,
        "last_sync_at": None,
        "records_with_odoo_id": 0,
        "per_entity": {},
    }


class AtomicRequests:
    """DynamoDB applies each request atomically; in-process moto does not, so serialise requests.

    Requests from the workers still interleave with each other freely: what is checked is that
    the recorder never reads, adds and writes back itself.
    """

    def __init__(self, real: Any, lock: Any = None) -> None:
        self._real = real
        self._lock = lock or threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._real, name)
        if name in ("meta", "client"):  # the table's own client: its requests too
            return AtomicRequests(attribute, self._lock)
        if not callable(attribute):
            return attribute

        def atomic(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return atomic


def test_the_tenant_s_totals_are_its_entities_summed_and_an_older_total_item_is_not_read(stats, aws):
    # Kept by earlier versions beside the entities' items, and no longer written.
    table(aws.tables["OperationsTable"]).put_item(
        Item={"pk": f"TENANT#{TENANT}", "sk": "STATS#ALL", "total_syncs": 999, "last_sync_at": at(59)}
    )
    stats.record(TENANT, "product", [outcome("a", at=at(1)), outcome("b", "error", at=at(2))], 1)
    stats.record(TENANT, "customer", [outcome("c", at=at(7))], 1)

    read = stats.read(TENANT)

    assert (read["total_syncs"], read["failed_syncs"], read["records_with_odoo_id"]) == (3, 1, 2)
    assert read["last_sync_at"] == at(7)
    assert sorted(read["per_entity"]) == ["customer", "product"]


def test_concurrent_workers_lose_no_count(aws):
    stats = DynamoStats(AtomicRequests(table(aws.tables["OperationsTable"])))  # type: ignore[arg-type]

    def work(worker: int) -> None:
        for n in range(10):
            stats.record(TENANT, "product", [outcome(f"{worker}-{n}"), outcome(f"{worker}-{n}x", "error")], 1)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(work, range(8)))

    read = stats.read(TENANT)
    assert (read["total_syncs"], read["successful_syncs"], read["failed_syncs"]) == (160, 80, 80)
    assert read["records_with_odoo_id"] == 80


def test_stats_equal_the_logs_counts_after_mixed_outcomes(stats, log):
    chunks = [
        [outcome("a"), outcome("b", "error"), outcome("c", "unchanged")],
        [outcome("d", "updated"), outcome("e", "error"), outcome("a", "unchanged")],
    ]
    serial = 0
    for chunk in chunks:
        stats.record(TENANT, "product", chunk, sum(1 for o in chunk if o.action == "created"))
        log.append(TENANT, [entry(serial + i, o) for i, o in enumerate(chunk)])
        serial += len(chunk)

    logged, _ = log.query(TENANT, LogQuery(limit=200))
    failed, _ = log.query(TENANT, LogQuery(status="error", limit=200))
    read = stats.read(TENANT)

    assert read["total_syncs"] == len(logged) == 6
    assert read["failed_syncs"] == len(failed) == 2
    assert read["successful_syncs"] == len(logged) - len(failed)


def test_stats_never_mix_tenants(stats):
    stats.record(TENANT, "product", [outcome("a")], 1)

    assert stats.read(OTHER)["total_syncs"] == 0


# -- the sync log -----------------------------------------------------------------------------------


def test_one_append_is_one_item_read_newest_first(log, aws):
    entries = [entry(n, outcome(f"p{n}", at=f"2024-05-01T10:00:{n:02d}Z")) for n in range(60)]

    log.append(TENANT, entries)

    first, cursor = log.query(TENANT, LogQuery(limit=50))
    rest, end = log.query(TENANT, LogQuery(limit=50, cursor=cursor))
    assert [e.local_id for e in first + rest] == [f"p{n}" for n in reversed(range(60))]
    assert end is None
    items = table(aws.tables["SyncLogTable"]).scan()["Items"]
    assert len(items) == 1
    assert items[0]["expires_at"] == int(datetime(2024, 5, 31, tzinfo=UTC).timestamp())


def test_a_page_too_large_for_one_item_is_cut_and_read_back_whole(log, aws):
    big = "x" * 2_000  # error messages of 2 KB: 500 entries make a megabyte
    entries = [
        entry(n, outcome(f"p{n:03d}", "error", at=f"2024-05-01T10:00:{n % 60:02d}Z")).model_copy(
            update={"error_message": big}
        )
        for n in range(500)
    ]

    log.append(TENANT, entries)

    assert table(aws.tables["SyncLogTable"]).scan(Select="COUNT")["Count"] >= 3  # items of 300 KB at most
    found: list[SyncLogEntry] = []
    cursor = None
    while True:
        page, cursor = log.query(TENANT, LogQuery(limit=200, cursor=cursor))
        found += page
        if cursor is None:
            break
    assert sorted(e.local_id for e in found) == sorted(f"p{n:03d}" for n in range(500))


def test_a_page_is_stored_compressed_at_a_fraction_of_its_json(log, aws):
    entries = [entry(n, outcome(f"p{n:03d}", at=f"2024-05-01T10:00:{n % 60:02d}Z")) for n in range(500)]
    as_json = sum(len(e.model_dump_json(exclude_none=True)) for e in entries)

    with AwsMeter() as meter:
        log.append(TENANT, entries)

    (item,) = table(aws.tables["SyncLogTable"]).scan()["Items"]
    assert "entries" not in item
    assert meter.reading().total_write_units < as_json / 1024 / 4  # markers included
    found, _ = log.query(TENANT, LogQuery(limit=200))
    written = {e.local_id: e for e in entries}
    assert len(found) == 200
    assert all(e == written[e.local_id] for e in found)  # every field read back as written


def test_a_batchs_page_costs_its_index_a_small_entry_not_a_copy(log, aws):
    def cost(batch_id: str | None) -> float:
        entries = [
            entry(n, outcome(f"p{n:03d}", "error", at=at(n % 60)), batch_id=batch_id).model_copy(
                update={"error_message": f"refused: {n * 7919:x}" * 40}  # entries that compress less
            )
            for n in range(500)
        ]
        with AwsMeter() as meter:
            log.append(TENANT, entries)
        return meter.reading().total_write_units

    alone, in_batch = cost(None), cost(BATCH)

    assert alone > 10
    assert in_batch < 1.3 * alone  # a copy in the index (ALL) would double it
    found, _ = log.query(TENANT, LogQuery(batch_id=BATCH, status="error", limit=3))
    assert len(found) == 3
    assert all(e.batch_id == BATCH and e.error_message for e in found)  # read whole from the table


def test_a_page_written_before_compression_reads_the_same(log, aws):
    old = [entry(n, outcome(f"p{n}", at=at(n))) for n in range(3)]
    text = json.dumps([e.model_dump(mode="json", exclude_none=True) for e in old])
    table(aws.tables["SyncLogTable"]).put_item(
        Item={"pk": f"TENANT#{TENANT}", "sk": f"{at(2)}#{0:024d}#00000000#00", "entries": text, "n": 3}
    )

    found, _ = log.query(TENANT, LogQuery(limit=10))

    assert found == list(reversed(old))


def test_unprocessed_items_are_sent_again(log):
    real = log._table.meta.client.batch_write_item
    calls: list[int] = []

    def flaky(**kwargs: Any) -> Any:
        requests = next(iter(kwargs["RequestItems"].values()))
        calls.append(len(requests))
        if len(calls) == 1:  # DynamoDB throttled part of the first request
            real(RequestItems={name: reqs[:1] for name, reqs in kwargs["RequestItems"].items()})
            return {"UnprocessedItems": {name: reqs[1:] for name, reqs in kwargs["RequestItems"].items()}}
        return real(**kwargs)

    log._table.meta.client.batch_write_item = flaky
    batches = [BATCH, "bat_fedcba9876543210", None]  # one part per batch
    try:
        log.append(TENANT, [entry(n, outcome(f"p{n}"), batch_id=batches[n % 3]) for n in range(20)])
    finally:
        del log._table.meta.client.batch_write_item

    assert calls == [3, 2]
    assert len(log.query(TENANT, LogQuery(limit=200))[0]) == 20


def test_items_left_unprocessed_for_good_are_a_storage_error(log):
    def throttled(**kwargs: Any) -> Any:
        return {"UnprocessedItems": kwargs["RequestItems"]}

    log._table.meta.client.batch_write_item = throttled
    try:
        with pytest.raises(StorageError):
            log.append(TENANT, [entry(1, outcome("a"))])
    finally:
        del log._table.meta.client.batch_write_item


@pytest.fixture
def history(log: DynamoSyncLog) -> DynamoSyncLog:
    log.append(
        TENANT,
        [
            entry(1, outcome("a", at=at(1))),
            entry(2, outcome("b", "error", at=at(2))),
            entry(3, outcome("a", "unchanged", at=at(3)), batch_id=None),
            entry(4, outcome("c", at=at(4)), entity="customer", batch_id="bat_fedcba9876543210"),
            entry(5, outcome("a", "error", at=at(5)), entity="customer"),
        ],
    )
    log.append(OTHER, [entry(6, outcome("a", at=at(6)))])
    return log


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (LogQuery(), ["customer/a", "customer/c", "product/a", "product/b", "product/a"]),
        (LogQuery(status="error"), ["customer/a", "product/b"]),
        (LogQuery(status="success"), ["customer/c", "product/a", "product/a"]),
        (LogQuery(entity="product"), ["product/a", "product/b", "product/a"]),
        (LogQuery(batch_id=BATCH), ["customer/a", "product/b", "product/a"]),
        (LogQuery(batch_id=BATCH, entity="product"), ["product/b", "product/a"]),
        (LogQuery(entity="product", local_id="a"), ["product/a", "product/a"]),
        (LogQuery(entity="product", local_id="a", batch_id=BATCH), ["product/a"]),
        (LogQuery(entity="customer", local_id="a", status="success"), []),
        (
            LogQuery(
                since=datetime(2024, 5, 1, 10, 2, tzinfo=UTC), until=datetime(2024, 5, 1, 10, 4, tzinfo=UTC)
            ),
            ["customer/c", "product/a", "product/b"],
        ),
        (LogQuery(until=datetime(2024, 5, 1, 10, 1, tzinfo=UTC)), ["product/a"]),
    ],
)
def test_each_filter_selects_its_entries(history, query, expected):
    found, _ = history.query(TENANT, query)

    assert [f"{e.entity}/{e.local_id}" for e in found] == expected


def test_a_sparse_filter_pages_without_losing_entries(history):
    pages, cursor = [], None
    while True:
        found, cursor = history.query(TENANT, LogQuery(status="success", limit=1, cursor=cursor))
        pages.append([e.id for e in found])
        if cursor is None:
            break

    assert [i for page in pages for i in page] == [f"log_{n:016x}" for n in (4, 3, 1)]


def test_a_cursor_works_only_for_its_own_tenant_and_query(history):
    _, cursor = history.query(TENANT, LogQuery(limit=1))
    _, batch_cursor = history.query(TENANT, LogQuery(batch_id=BATCH, limit=1))

    for tenant, query in [
        (OTHER, LogQuery(limit=1, cursor=cursor)),
        (TENANT, LogQuery(batch_id=BATCH, limit=1, cursor=cursor)),
        (TENANT, LogQuery(limit=1, cursor=batch_cursor)),
        (TENANT, LogQuery(limit=1, cursor="not-a-cursor!")),
    ]:
        with pytest.raises(InvalidInputError):
            history.query(tenant, query)


def test_a_tenant_never_reads_another_tenants_log(history):
    found, _ = history.query(OTHER, LogQuery())

    assert [e.id for e in found] == [f"log_{6:016x}"]


def test_incoherent_log_queries_are_refused():
    with pytest.raises(ValueError, match="local_id needs entity"):
        LogQuery(local_id="a")
    with pytest.raises(ValueError, match="since is after until"):
        LogQuery(since=datetime(2024, 5, 2, tzinfo=UTC), until=datetime(2024, 5, 1, tzinfo=UTC))


def test_entries_of_the_same_second_read_in_the_order_they_were_written(aws):
    ticks = iter(range(1, 100))
    log = DynamoSyncLog(table(aws.tables["SyncLogTable"]), 30, ticks=lambda: next(ticks))
    # Ids chosen so that sorting by id alone would put them the other way round.
    log.append(TENANT, [entry(9, outcome("a", "error", at=at(1))), entry(8, outcome("b", at=at(1)))])
    log.append(TENANT, [entry(1, outcome("a", at=at(1)))])

    found, _ = log.query(TENANT, LogQuery())

    assert [(e.local_id, e.sync_status) for e in found] == [
        ("a", "success"),
        ("b", "success"),
        ("a", "error"),
    ]

"""The change feed on DynamoDB (moto): order, resume, and writers racing for the numbers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from local_stack.meter import AwsMeter
from odoo_sync.core.changes import ChangeFeed, ChangeQuery, NewChange, change_id
from odoo_sync.stores.changes import DynamoChangeLog, FeedContentionError
from odoo_sync.stores.dynamodb import table
from odoo_sync.sync.model import RecordChange
from tests.conftest import AwsResources
from tests.unit.changes.builders import TENANT, FakeSubscriptions, RecordingQueue, change


def new(changes: Sequence[RecordChange]) -> list[NewChange]:
    return [NewChange(id=change_id(c), created_at="2024-05-01T10:00:00Z", data=c) for c in changes]


class InterleavedLog(DynamoChangeLog):
    """Runs `meanwhile` right before this writer's transaction, once: another writer committing
    between the heads this writer knows (read, or kept from its last append) and its transaction."""

    meanwhile: Callable[[], object] | None = None

    def _commit(self, tenant_id: str, heads: Any, numbered: Any) -> bool:
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
        return super()._commit(tenant_id, heads, numbered)


@pytest.fixture
def log(aws: AwsResources) -> InterleavedLog:
    return InterleavedLog(table(aws.tables["ChangesTable"]), 30, sleep=lambda _: None)


def feed(log: DynamoChangeLog) -> ChangeFeed:
    return ChangeFeed(log, FakeSubscriptions(), RecordingQueue(), retention_days=30)


def ids(items: Sequence[object]) -> list[str]:
    return [item.data.local_id for item in items]  # type: ignore[attr-defined]


def test_changes_come_back_in_order_and_a_cursor_resumes_after_the_last_read(log: InterleavedLog) -> None:
    service = feed(log)
    service.publish(TENANT, [change(f"r{n:02d}") for n in range(45)])  # one page, one transaction

    seen: list[str] = []
    cursor = None
    while True:
        page = service.read(TENANT, ChangeQuery(cursor=cursor, limit=7))
        seen += ids(page.items)
        cursor = page.next
        if not page.has_more:
            break

    assert seen == [f"r{n:02d}" for n in range(45)]
    service.publish(TENANT, [change("late", "product")])
    assert ids(service.read(TENANT, ChangeQuery(cursor=cursor)).items) == ["late"]
    assert ids(service.read(TENANT, ChangeQuery(entity="product")).items) == ["late"]


def test_a_writer_that_loses_the_race_takes_later_numbers_and_no_reader_skips_its_changes(
    log: InterleavedLog,
) -> None:
    """Writer A reads the heads, then B commits; a reader reads B's changes and keeps its cursor;
    A commits afterwards. A must not land under B's numbers (behind the reader's cursor)."""
    service = feed(log)
    service.publish(TENANT, [change("before")])
    cursor_holder: dict[str, str] = {}
    other_writer = DynamoChangeLog(log._table, 30)

    def b_commits_and_a_reader_catches_up() -> None:
        other_writer.append(TENANT, new([change("b1"), change("b2")]))
        page = service.read(TENANT, ChangeQuery())
        assert ids(page.items) == ["before", "b1", "b2"]
        cursor_holder["cursor"] = page.next

    log.meanwhile = b_commits_and_a_reader_catches_up
    appended = log.append(TENANT, new([change("a1"), change("a2")]))

    assert [item.sequence for item in appended] == [4, 5]
    resumed = service.read(TENANT, ChangeQuery(cursor=cursor_holder["cursor"]))
    assert ids(resumed.items) == ["a1", "a2"]
    everything = service.read(TENANT, ChangeQuery())
    assert [item.sequence for item in everything.items] == [1, 2, 3, 4, 5]
    customers = service.read(TENANT, ChangeQuery(entity="customer"))
    assert [item.sequence for item in customers.items] == [1, 2, 3, 4, 5]


def test_a_race_on_the_entity_feed_alone_also_sends_the_loser_round_again(log: InterleavedLog) -> None:
    other_writer = DynamoChangeLog(log._table, 30)

    log.meanwhile = lambda: other_writer.append("ten_aaaaaaaaaaaaaaaa", new([change("x")]))
    log.append(TENANT, new([change("a")]))  # another tenant: no conflict
    log.meanwhile = lambda: other_writer.append(TENANT, new([change("p", "product")]))
    log.append(TENANT, new([change("b", "product")]))

    products = feed(log).read(TENANT, ChangeQuery(entity="product"))
    assert [(i.sequence, i.data.local_id) for i in products.items] == [(1, "p"), (2, "b")]


def test_a_writer_that_keeps_losing_gives_up_with_a_storage_error(aws: AwsResources) -> None:
    class AlwaysLosing(DynamoChangeLog):
        def _read_heads(self, tenant_id: str, streams: Sequence[str | None]) -> dict[str | None, int]:
            heads = super()._read_heads(tenant_id, streams)
            DynamoChangeLog(self._table, 30).append(tenant_id, new([change("other")]))
            return heads

    losing = AlwaysLosing(table(aws.tables["ChangesTable"]), 30, sleep=lambda _: None)

    with pytest.raises(FeedContentionError):
        losing.append(TENANT, new([change("mine")]))
    assert "mine" not in ids(feed(losing).read(TENANT, ChangeQuery(limit=500)).items)


def test_a_change_is_found_by_its_number_until_it_expires(log: InterleavedLog) -> None:
    (item,) = log.append(TENANT, new([change("a")]))

    assert log.get(TENANT, item.sequence) == item
    assert log.get(TENANT, item.sequence + 1) is None
    stored = log._table.get_item(Key={"pk": f"TENANT#{TENANT}#FEED", "sk": "SEQ#" + "1".zfill(20)})["Item"]
    assert int(str(stored["expires_at"])) > 0


def test_a_page_is_stored_compressed_and_reads_back_every_change_exactly(log: InterleavedLog) -> None:
    changes = [change(f"r{n:03d}") for n in range(200)]
    as_json = sum(len(c.model_dump_json()) for c in changes)

    with AwsMeter() as meter:
        appended = log.append(TENANT, new(changes))

    stored = log._table.get_item(Key={"pk": f"TENANT#{TENANT}#FEED", "sk": "SEQ#" + "200".zfill(20)})["Item"]
    assert "changes" not in stored
    assert meter.reading().total_write_units < as_json / 1024  # the page, the heads, twice each
    assert log.read(TENANT, None, 0, 500) == appended
    assert [item.data for item in appended] == changes


def test_a_page_written_before_compression_reads_the_same(log: InterleavedLog) -> None:
    (item,) = log.append(TENANT, new([change("a")]))
    key = {"pk": f"TENANT#{TENANT}#FEED", "sk": "SEQ#" + "1".zfill(20)}
    text = json.dumps(
        [
            {
                "id": item.id,
                "type": item.type,
                "created_at": item.created_at,
                "change": item.data.model_dump(mode="json"),
            }
        ]
    )
    log._table.update_item(
        Key=key,
        UpdateExpression="SET changes = :text REMOVE changes_z",
        ExpressionAttributeValues={":text": text},
    )

    assert log.get(TENANT, item.sequence) == item


def test_one_change_writes_one_head_for_every_feed_and_its_two_pages(log: InterleavedLog) -> None:
    log.append(TENANT, new([change("warm-up")]))
    cold = DynamoChangeLog(log._table, 30)  # reads the heads first

    with AwsMeter() as meter:
        (item,) = cold.append(TENANT, new([change("p", "product")]))

    # In one transaction: the HEAD (the tenant's and the entity's numbers), the page, the entity's page.
    assert meter.reading().by_operation("dynamodb") == {"GetItem": 1, "TransactWriteItems": 1}
    assert meter.reading().total_write_units == 3 * 2
    assert item.sequence == 2
    products = feed(log).read(TENANT, ChangeQuery(entity="product"))
    assert [(i.sequence, i.data.local_id) for i in products.items] == [(1, "p")]

"""The change feed service: order, cursors, entity feeds, and the fan-out to subscriptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from odoo_sync.core.changes import ChangeFeed, ChangeQuery, change_id, delivery_id
from odoo_sync.errors import InvalidInputError
from odoo_sync.sync.model import ChangeAction
from tests.unit.changes.builders import (
    OTHER_TENANT,
    TENANT,
    FakeSubscriptions,
    InMemoryChangeLog,
    RecordingQueue,
    Target,
    change,
)

START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def feed(targets: list[Target] | None = None) -> tuple[ChangeFeed, RecordingQueue, Clock]:
    queue, clock = RecordingQueue(), Clock()
    service = ChangeFeed(
        InMemoryChangeLog(), FakeSubscriptions(targets or []), queue, retention_days=30, clock=clock
    )
    return service, queue, clock


def test_changes_read_back_in_the_order_published_and_resume_from_the_cursor() -> None:
    service, _, _ = feed()
    service.publish(TENANT, [change("a"), change("b"), change("c")])

    first = service.read(TENANT, ChangeQuery(limit=2))
    assert [i.data.local_id for i in first.items] == ["a", "b"]
    assert [i.sequence for i in first.items] == [1, 2]
    assert first.has_more

    service.publish(TENANT, [change("d")])
    rest = service.read(TENANT, ChangeQuery(cursor=first.next, limit=10))
    assert [i.data.local_id for i in rest.items] == ["c", "d"]
    assert not rest.has_more

    # At the end the cursor still resumes: nothing now, the next change later.
    assert service.read(TENANT, ChangeQuery(cursor=rest.next)).items == []
    service.publish(TENANT, [change("e")])
    assert [i.data.local_id for i in service.read(TENANT, ChangeQuery(cursor=rest.next)).items] == ["e"]


def test_items_carry_a_type_a_stable_id_and_the_change() -> None:
    service, _, _ = feed()
    published = change("a", action=ChangeAction.ARCHIVED)
    service.publish(TENANT, [published])

    (item,) = service.read(TENANT, ChangeQuery()).items

    assert item.type == "record.archived"
    assert item.id == change_id(published) == change_id(published.model_copy(update={"applied_at": "later"}))
    assert item.data == published
    assert item.created_at == "2024-05-01T10:00:00Z"


def test_different_changes_of_a_record_have_different_ids() -> None:
    assert change_id(change("a", name="one")) != change_id(change("a", name="two"))


def test_an_entity_feed_holds_only_that_entity_numbered_on_its_own() -> None:
    service, _, _ = feed()
    service.publish(TENANT, [change("a"), change("p1", "product"), change("b"), change("p2", "product")])

    page = service.read(TENANT, ChangeQuery(entity="product"))

    assert [(i.sequence, i.data.local_id) for i in page.items] == [(1, "p1"), (2, "p2")]


def test_a_cursor_of_another_feed_is_refused() -> None:
    service, _, _ = feed()
    service.publish(TENANT, [change("a")])
    cursor = service.read(TENANT, ChangeQuery()).next

    with pytest.raises(InvalidInputError, match="another feed") as refused:
        service.read(TENANT, ChangeQuery(entity="customer", cursor=cursor))
    assert refused.value.field == "cursor"


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJ4IjoxfQ", "!!!", "e30"])
def test_a_malformed_cursor_is_refused(cursor: str) -> None:
    service, _, _ = feed()

    with pytest.raises(InvalidInputError, match="not valid") as refused:
        service.read(TENANT, ChangeQuery(cursor=cursor))
    assert refused.value.field == "cursor"


def test_a_cursor_older_than_the_retention_is_refused_rather_than_skipping_expired_changes() -> None:
    service, _, clock = feed()
    service.publish(TENANT, [change("a")])
    cursor = service.read(TENANT, ChangeQuery()).next

    clock.now = START + timedelta(days=29)
    assert service.read(TENANT, ChangeQuery(cursor=cursor)).items == []
    clock.now = START + timedelta(days=31)
    with pytest.raises(InvalidInputError, match="retention"):
        service.read(TENANT, ChangeQuery(cursor=cursor))


def test_reading_to_the_end_renews_the_cursor_so_a_quiet_feed_does_not_expire_it() -> None:
    service, _, clock = feed()
    cursor = service.read(TENANT, ChangeQuery()).next
    for day in (20, 40, 60):
        clock.now = START + timedelta(days=day)
        cursor = service.read(TENANT, ChangeQuery(cursor=cursor)).next

    service.publish(TENANT, [change("after a quiet quarter")])
    assert [i.data.local_id for i in service.read(TENANT, ChangeQuery(cursor=cursor)).items] == [
        "after a quiet quarter"
    ]


def test_tenants_have_separate_feeds() -> None:
    service, _, _ = feed()
    service.publish(TENANT, [change("a")])
    service.publish(OTHER_TENANT, [change("z")])

    assert [i.data.local_id for i in service.read(OTHER_TENANT, ChangeQuery()).items] == ["z"]


def test_publishing_queues_one_delivery_per_change_and_matching_subscription() -> None:
    every, products = Target("whk_0000000000000001"), Target("whk_0000000000000002", ["product"])
    service, queue, _ = feed([every, products])

    service.publish(TENANT, [change("a"), change("p1", "product")])

    sent = {(m.subscription_id, m.sequence) for m in queue.sent}
    assert sent == {(every.subscription_id, 1), (every.subscription_id, 2), (products.subscription_id, 2)}
    product_delivery = next(m for m in queue.sent if m.subscription_id == products.subscription_id)
    assert product_delivery.delivery_id == delivery_id(
        change_id(change("p1", "product")), products.subscription_id
    )
    assert product_delivery.tenant_id == TENANT


def test_nothing_is_queued_without_subscriptions_or_changes() -> None:
    service, queue, _ = feed()
    service.publish(TENANT, [change("a")])
    service.publish(TENANT, [])

    assert queue.sent == []

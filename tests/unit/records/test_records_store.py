"""DynamoRecordStore: links, batch reads, and the selection bulk pushes use (iter_local_ids)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import pytest

from local_stack.meter import AwsMeter
from odoo_sync.api.dependencies import record_store
from odoo_sync.core.pull_writes import PulledWrite
from odoo_sync.errors import InvalidInputError, NotFoundError, StorageError
from odoo_sync.stores import batching
from odoo_sync.stores.pull_records import DynamoPulledRecords
from odoo_sync.sync.filters import RecordFilters
from odoo_sync.sync.model import LinkStatus, OdooLink
from tests.unit.records.conftest import TENANT_A, TENANT_B

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

CONNECTION = "con_0123456789abcdef"
OTHER_CONNECTION = "con_fedcba9876543210"


@pytest.fixture
def store(aws):
    return record_store()


@pytest.fixture
def seeded(store, clock):
    """Five customers written a minute apart, some linked in CONNECTION."""
    rows = {
        "C-1": {"country": "BE", "vip": True},
        "C-2": {"country": "NL", "vip": False},
        "C-3": {"country": "BE", "vip": False},
        "C-4": {"country": "BE"},
        "C-5": {"country": "FR", "vip": True},
    }
    for local_id, data in rows.items():
        store.put(TENANT_A, "customer", local_id, data)
        clock.advance(60)
    store.update_link(TENANT_A, "customer", "C-1", CONNECTION, OdooLink(odoo_id=1, status=LinkStatus.SYNCED))
    store.update_link(TENANT_A, "customer", "C-2", CONNECTION, OdooLink(status=LinkStatus.ERROR))
    store.update_link(
        TENANT_A, "customer", "C-3", OTHER_CONNECTION, OdooLink(odoo_id=3, status=LinkStatus.SYNCED)
    )
    store.put(TENANT_B, "customer", "C-1", {"country": "BE"})
    return store


def _select(store, **filters):
    return list(store.iter_local_ids(TENANT_A, "customer", RecordFilters(**filters)))


def test_without_filters_every_record_of_the_tenant_is_selected(seeded):
    assert _select(seeded) == ["C-1", "C-2", "C-3", "C-4", "C-5"]


def test_modified_since_selects_by_update_time(seeded):
    since = datetime(2024, 5, 1, 12, 2, 0, tzinfo=UTC)

    assert _select(seeded, modified_since=since) == ["C-3", "C-4", "C-5"]


def test_field_equality_selects_on_the_data(seeded):
    assert _select(seeded, fields={"country": "BE"}) == ["C-1", "C-3", "C-4"]
    assert _select(seeded, fields={"country": "BE", "vip": False}) == ["C-3"]
    assert _select(seeded, fields={"vip": "true"}) == ["C-1", "C-5"]


def test_has_odoo_id_looks_at_the_named_connection_only(seeded):
    assert _select(seeded, has_odoo_id=True, connection_id=CONNECTION) == ["C-1"]
    assert _select(seeded, has_odoo_id=False, connection_id=CONNECTION) == ["C-2", "C-3", "C-4", "C-5"]
    assert _select(seeded, has_odoo_id=True, connection_id=OTHER_CONNECTION) == ["C-3"]


def test_status_treats_records_never_pushed_as_pending(seeded):
    assert _select(seeded, status=LinkStatus.SYNCED, connection_id=CONNECTION) == ["C-1"]
    assert _select(seeded, status=LinkStatus.ERROR, connection_id=CONNECTION) == ["C-2"]
    assert _select(seeded, status=LinkStatus.PENDING, connection_id=CONNECTION) == ["C-3", "C-4", "C-5"]


def test_local_ids_select_those_that_exist_in_the_order_given(seeded):
    chosen = _select(seeded, local_ids=["C-5", "C-1", "missing", "C-5", "bad id", "C-3"])

    assert chosen == ["C-5", "C-1", "C-3"]


def test_local_ids_combine_with_the_other_filters(seeded):
    since = datetime(2024, 5, 1, 12, 1, 0, tzinfo=UTC)
    chosen = _select(
        seeded,
        local_ids=["C-1", "C-2", "C-3", "C-4"],
        fields={"country": "BE"},
        modified_since=since,
        has_odoo_id=False,
        connection_id=CONNECTION,
    )

    assert chosen == ["C-3", "C-4"]


def test_filters_on_links_need_a_connection(seeded):
    with pytest.raises(InvalidInputError) as raised:
        _select(seeded, has_odoo_id=True)

    assert raised.value.field == "connection_id"


def test_selection_reads_page_after_page(store, monkeypatch):
    for n in range(30):
        store.put(TENANT_A, "customer", f"C-{n:02d}", {"n": n})
    queries = []
    original = store._table.query

    def small_pages(**kwargs):
        queries.append(kwargs)
        return original(**{**kwargs, "Limit": 7})

    monkeypatch.setattr(store._table, "query", small_pages)

    chosen = _select(store)

    assert chosen == [f"C-{n:02d}" for n in range(30)]
    assert len(queries) == 5
    assert all("data" not in q["ProjectionExpression"] for q in queries)


def test_a_tenants_selection_never_includes_another_tenants_records(seeded):
    assert list(seeded.iter_local_ids(TENANT_B, "customer", RecordFilters())) == ["C-1"]
    assert list(seeded.iter_local_ids(TENANT_B, "customer", RecordFilters(local_ids=["C-2", "C-3"]))) == []


def test_a_link_update_leaves_data_version_and_other_links_alone(seeded):
    before = seeded.get(TENANT_A, "customer", "C-1")

    seeded.update_link(TENANT_A, "customer", "C-1", OTHER_CONNECTION, OdooLink(odoo_id=9))
    after = seeded.get(TENANT_A, "customer", "C-1")

    assert after.data == before.data
    assert after.version == before.version
    assert after.updated_at == before.updated_at
    assert after.links[CONNECTION].odoo_id == 1
    assert after.links[OTHER_CONNECTION].odoo_id == 9


def test_a_link_for_a_record_that_does_not_exist_is_refused(store):
    with pytest.raises(NotFoundError):
        store.update_link(TENANT_A, "customer", "ghost", CONNECTION, OdooLink(odoo_id=1))

    assert store.get(TENANT_A, "customer", "ghost") is None


def test_get_many_reads_more_than_a_hundred_and_skips_the_missing(store):
    for n in range(150):
        store.put(TENANT_A, "product", f"P-{n}", {"n": n})

    found = store.get_many(TENANT_A, "product", [f"P-{n}" for n in range(160)])

    assert sorted(record.local_id for record in found) == sorted(f"P-{n}" for n in range(150))
    assert {record.data["n"] for record in found} == set(range(150))


def test_a_list_with_local_ids_is_refused(store):
    with pytest.raises(InvalidInputError):
        store.list(TENANT_A, "customer", RecordFilters(local_ids=["C-1"]), 10, None)


def test_numbers_keep_their_json_type(store):
    store.put(TENANT_A, "product", "P-1", {"price": 19.99, "stock": 3, "ratio": 0.1, "tags": ["a", 1.5]})

    assert store.get(TENANT_A, "product", "P-1").data == {
        "price": 19.99,
        "stock": 3,
        "ratio": 0.1,
        "tags": ["a", 1.5],
    }


class _ThrottlingClient:
    """A batch_get_item that leaves some keys unprocessed the first times it is asked."""

    def __init__(self, items_by_sk, throttle_rounds):
        self.items_by_sk = items_by_sk
        self.throttle_rounds = throttle_rounds
        self.calls = []

    def batch_get_item(self, RequestItems):  # noqa: N803 - boto3's own name
        ((name, request),) = RequestItems.items()
        keys = request["Keys"]
        self.calls.append(len(keys))
        if self.throttle_rounds > 0:
            self.throttle_rounds -= 1
            done, left = keys[: len(keys) // 2], keys[len(keys) // 2 :]
        else:
            done, left = keys, []
        found = [self.items_by_sk[key["sk"]] for key in done if key["sk"] in self.items_by_sk]
        answer: dict[str, Any] = {"Responses": {name: found}}
        if left:
            answer["UnprocessedKeys"] = {name: {"Keys": left}}
        return answer


class _FakeTable:
    def __init__(self, client):
        self.name = "Records"
        self.meta = type("Meta", (), {"client": client})()


def _fake_table(client) -> Table:
    """A stand-in carrying only what batch_get touches: the name and the client."""
    return cast("Table", _FakeTable(client))


def test_batch_get_retries_unprocessed_keys_with_backoff():
    items = {f"k{n}": {"sk": f"k{n}"} for n in range(250)}
    client = _ThrottlingClient(items, throttle_rounds=2)
    waits: list[float] = []

    found = batching.batch_get(
        _fake_table(client), [{"pk": "p", "sk": f"k{n}"} for n in range(250)], "read", sleep=waits.append
    )

    assert sorted(item["sk"] for item in found) == sorted(items)
    assert client.calls[:3] == [100, 50, 25]
    assert all(size <= 100 for size in client.calls)
    assert len(waits) == 2


def test_batch_get_gives_up_when_throttled_for_too_long():
    client = _ThrottlingClient({}, throttle_rounds=1000)

    with pytest.raises(StorageError):
        batching.batch_get(
            _fake_table(client),
            [{"pk": "p", "sk": "a"}, {"pk": "p", "sk": "b"}],
            "read",
            sleep=lambda _: None,
        )

    assert len(client.calls) == batching.MAX_ATTEMPTS


# -- ByUpdatedAt projects the keys only: what reads through it still see -------------------------


def test_a_list_since_a_time_answers_whole_records_read_by_key(seeded):
    since = datetime(2024, 5, 1, 12, 2, 0, tzinfo=UTC)

    records, cursor = seeded.list(TENANT_A, "customer", RecordFilters(modified_since=since), 10, None)

    assert [r.local_id for r in records] == ["C-3", "C-4", "C-5"]
    assert records[0].data == {"country": "BE", "vip": False}
    assert records[0].links[OTHER_CONNECTION].odoo_id == 3  # the links come from the table too
    assert cursor is None


def test_a_selection_since_a_time_filters_on_data_and_links_read_by_key(seeded):
    since = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    assert _select(seeded, modified_since=since, fields={"country": "BE"}) == ["C-1", "C-3", "C-4"]
    assert _select(seeded, modified_since=since, has_odoo_id=True, connection_id=CONNECTION) == ["C-1"]
    ids, cursor = seeded.page_local_ids(
        TENANT_A, "customer", RecordFilters(modified_since=since, fields={"vip": True}), 1, None
    )
    assert (ids, cursor is not None) == (["C-1"], True)
    rest, _ = seeded.page_local_ids(
        TENANT_A, "customer", RecordFilters(modified_since=since, fields={"vip": True}), 5, cursor
    )
    assert rest == ["C-5"]


def test_a_link_write_keeps_the_records_place_in_the_update_order(seeded, clock):
    since = datetime(2024, 5, 1, 12, 3, 0, tzinfo=UTC)
    clock.advance(3600)

    seeded.update_link(TENANT_A, "customer", "C-1", CONNECTION, OdooLink(odoo_id=1, status=LinkStatus.ERROR))
    seeded.update_links(TENANT_A, "customer", CONNECTION, {"C-2": OdooLink(odoo_id=2)})

    # Neither record changed its data: neither counts as modified since.
    assert _select(seeded, modified_since=since) == ["C-4", "C-5"]


def test_a_list_since_a_time_costs_an_index_read_and_a_read_by_key(seeded):
    since = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    with AwsMeter() as meter:
        seeded.list(TENANT_A, "customer", RecordFilters(modified_since=since), 50, None)

    assert meter.reading().by_operation("dynamodb") == {"BatchGetItem": 1, "Query": 1}


def test_a_pulls_link_only_write_keeps_the_place_and_a_data_write_moves_it(seeded, clock):
    pulled = DynamoPulledRecords(seeded._table)
    since = datetime(2024, 5, 1, 12, 3, 0, tzinfo=UTC)
    clock.advance(3600)
    version = seeded.get(TENANT_A, "customer", "C-2").version

    pulled.write_many(
        TENANT_A,
        "customer",
        CONNECTION,
        [
            PulledWrite("C-1", OdooLink(odoo_id=1, status=LinkStatus.SYNCED)),
            PulledWrite("C-2", OdooLink(odoo_id=2), {"country": "DE"}, version),
        ],
    )

    assert _select(seeded, modified_since=since) == ["C-4", "C-5", "C-2"]
    assert seeded.get(TENANT_A, "customer", "C-1").links[CONNECTION].status is LinkStatus.SYNCED

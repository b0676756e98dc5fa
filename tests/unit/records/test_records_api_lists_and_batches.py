"""The record routes over moto, many records at a time: batch upsert, list with a cursor and filters."""

from __future__ import annotations

import pytest

from odoo_sync.api.dependencies import record_store
from odoo_sync.sync.model import LinkStatus, OdooLink
from records_api.handler import lambda_handler
from tests.support.api import call
from tests.unit.records.conftest import TENANT_A, TENANT_B
from tests.unit.records.routes import (
    BATCH,
    get_record,
    list_records,
    listed_ids,
    post_batch,
    put_record,
)

# -- batch ------------------------------------------------------------------------------------------


def test_a_batch_answers_per_record_and_keeps_going_past_bad_ones(aws):
    put_record("C-2", {"name": "old"})

    answer = post_batch(
        [
            {"local_id": "C-1", "data": {"name": "one"}},
            {"local_id": "C-2", "data": {"name": "two"}},
            {"local_id": "C-3", "data": {"bad-field": 1}},
            {"local_id": "C-1", "data": {"name": "again"}},
        ]
    )

    assert answer.status == 200
    assert answer.body["created"] == 1
    assert answer.body["updated"] == 1
    assert answer.body["failed"] == 2
    results = answer.body["results"]
    assert [(r["local_id"], r["status"]) for r in results] == [
        ("C-1", "created"),
        ("C-2", "updated"),
        ("C-3", "error"),
        ("C-1", "error"),
    ]
    assert results[1]["version"] == 2
    assert results[2]["error"]["field"] == "data.bad-field"
    assert results[3]["error"]["field"] == "local_id"
    assert get_record("C-1").body["data"] == {"name": "one"}
    assert get_record("C-3").status == 404


def test_a_batch_of_a_thousand_reaches_the_store(aws, monkeypatch):
    written = []

    def put_many(tenant_id, entity, records):
        written.extend(records)
        return [1] * len(records)

    monkeypatch.setattr(record_store(), "put_many", put_many)

    answer = post_batch([{"local_id": f"P-{n}", "data": {"n": n}} for n in range(1000)])

    assert answer.status == 200
    assert len(written) == 1000
    assert written[999] == ("P-999", {"n": 999})


@pytest.mark.parametrize(
    ("records", "field"),
    [
        ([{"local_id": f"P-{n}", "data": {}} for n in range(1001)], "records"),
        ([], "records"),
        ([{"local_id": "bad id", "data": {}}], "records.0.local_id"),
        ([{"local_id": "P-1", "data": [1]}], "records.0.data"),
        ([{"local_id": "P-1"}], "records.0.data"),
        ([{"local_id": "P-1", "data": {}, "extra": 1}], "records.0.extra"),
    ],
)
def test_a_bad_batch_is_refused_whole(aws, records, field):
    answer = post_batch(records)

    assert answer.status == 422
    assert answer.body["field"] == field
    assert listed_ids(list_records()) == []


def test_a_batch_body_that_is_not_an_object_is_refused(aws):
    answer = call(lambda_handler, "POST", BATCH, {"entity": "customer"}, body=[1], tenant_id=TENANT_A)

    assert answer.status == 422


# -- list and filters -------------------------------------------------------------------------------


def test_the_list_pages_with_a_cursor(aws):
    for n in range(5):
        put_record(f"C-{n}", {"n": n})

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        answer = list_records(query)
        seen += listed_ids(answer)
        pages += 1
        cursor = answer.body["next"]
        if cursor is None:
            break

    assert seen == [f"C-{n}" for n in range(5)]
    assert pages == 3


def test_modified_since_lists_what_changed_since(aws, clock):
    put_record("C-old", {"n": 1})
    clock.advance(60)
    put_record("C-new", {"n": 2})
    clock.advance(60)
    put_record("C-touched", {"n": 3})

    answer = list_records("modified_since=2024-05-01T12:01:00Z")
    in_paris = list_records("modified_since=2024-05-01T14:01:00%2B02:00&limit=1")

    assert listed_ids(answer) == ["C-new", "C-touched"]
    assert listed_ids(in_paris) == ["C-new"]
    rest = list_records(f"modified_since=2024-05-01T14:01:00%2B02:00&limit=1&cursor={in_paris.body['next']}")
    assert listed_ids(rest) == ["C-touched"]
    assert rest.body["next"] is None


def test_field_filters_compare_the_values_text(aws):
    put_record("C-1", {"country": "BE", "is_company": True, "size": 10})
    put_record("C-2", {"country": "NL", "is_company": False, "size": 10.5})
    put_record("C-3", {"country": "BE", "is_company": False})

    assert listed_ids(list_records("field.country=BE")) == ["C-1", "C-3"]
    assert listed_ids(list_records("field.country=BE&field.is_company=false")) == ["C-3"]
    assert listed_ids(list_records("field.size=10")) == ["C-1"]
    assert listed_ids(list_records("field.size=10.5")) == ["C-2"]
    assert listed_ids(list_records("field.missing=x")) == []


def test_link_filters_use_the_named_connection(aws, connection):
    connection_id = connection(TENANT_A)
    other = connection(TENANT_A)
    for local_id in ("C-1", "C-2", "C-3", "C-4"):
        put_record(local_id, {"n": 1})
    store = record_store()
    store.update_link(
        TENANT_A, "customer", "C-1", connection_id, OdooLink(odoo_id=1, status=LinkStatus.SYNCED)
    )
    store.update_link(TENANT_A, "customer", "C-2", connection_id, OdooLink(status=LinkStatus.ERROR))
    store.update_link(TENANT_A, "customer", "C-4", other, OdooLink(odoo_id=4, status=LinkStatus.SYNCED))

    def ids(query):
        return listed_ids(list_records(f"{query}&connection_id={connection_id}"))

    assert ids("has_odoo_id=true") == ["C-1"]
    assert ids("has_odoo_id=false") == ["C-2", "C-3", "C-4"]
    assert ids("status=synced") == ["C-1"]
    assert ids("status=error") == ["C-2"]
    assert ids("status=pending") == ["C-3", "C-4"]


def test_link_filters_use_the_tenants_only_connection_when_none_is_named(aws, connection):
    connection_id = connection(TENANT_A)
    put_record("C-1", {"n": 1})
    put_record("C-2", {"n": 2})
    record_store().update_link(TENANT_A, "customer", "C-2", connection_id, OdooLink(odoo_id=2))

    assert listed_ids(list_records("has_odoo_id=true")) == ["C-2"]


def test_link_filters_without_any_connection_are_refused(aws):
    answer = list_records("has_odoo_id=true")

    assert answer.status == 400
    assert answer.body["field"] == "connection_id"


def test_another_tenants_connection_is_404(aws, connection):
    foreign = connection(TENANT_B)

    answer = list_records(f"status=synced&connection_id={foreign}")

    assert answer.status == 404
    assert answer.body["field"] == "connection_id"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("modified_since=yesterday", "modified_since"),
        ("modified_since=2024-05-01T12:00:00", "modified_since"),
        ("status=done", "status"),
        ("has_odoo_id=maybe", "has_odoo_id"),
        ("connection_id=con_1", "connection_id"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("cursor=%%%", "cursor"),
        ("field.bad-name=1", "field.bad-name"),
        ("&".join(f"field.f{n}=1" for n in range(21)), "field"),
    ],
)
def test_bad_list_parameters_are_refused(aws, query, field):
    answer = list_records(query)

    assert answer.status in (400, 422), answer.body
    assert answer.body["field"] == field or answer.body["field"].startswith(field)


def test_a_cursor_from_a_plain_list_is_refused_with_modified_since(aws):
    for n in range(3):
        put_record(f"C-{n}", {"n": n})
    cursor = list_records("limit=1").body["next"]

    answer = list_records(f"limit=1&modified_since=2024-01-01T00:00:00Z&cursor={cursor}")

    assert answer.status == 400
    assert answer.body["field"] == "cursor"

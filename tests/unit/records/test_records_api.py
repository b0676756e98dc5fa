"""The record routes over moto: upsert, read, list with filters, batch, versions, isolation."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_sync.api.dependencies import record_store
from odoo_sync.sync.model import LinkStatus, OdooLink
from records_api.handler import lambda_handler
from tests.support.api import call
from tests.unit.records.conftest import TENANT_A, TENANT_B

ONE = "/v1/records/{entity}/{local_id}"
LIST = "/v1/records/{entity}"
BATCH = "/v1/records/{entity}/batch"


def _put(local_id, body, entity="customer", tenant=TENANT_A, headers=None):
    return call(
        lambda_handler,
        "PUT",
        ONE,
        {"entity": entity, "local_id": local_id},
        body=body,
        tenant_id=tenant,
        headers=headers,
    )


def _get(local_id, entity="customer", tenant=TENANT_A):
    return call(lambda_handler, "GET", ONE, {"entity": entity, "local_id": local_id}, tenant_id=tenant)


def _list(query="", entity="customer", tenant=TENANT_A):
    return call(lambda_handler, "GET", LIST, {"entity": entity}, query=query, tenant_id=tenant)


def _batch(records, entity="customer", tenant=TENANT_A, headers=None):
    return call(
        lambda_handler,
        "POST",
        BATCH,
        {"entity": entity},
        body={"records": records},
        tenant_id=tenant,
        headers=headers,
    )


def _ids(answer):
    assert answer.status == 200, answer.body
    return [item["local_id"] for item in answer.body["items"]]


# -- one record -------------------------------------------------------------------------------------


def test_a_record_is_created_then_replaced_with_a_new_version(aws, clock):
    created = _put("C-1", {"name": "Acme", "email": "info@acme.test", "price": 19.99})

    assert created.status == 201
    assert created.body["version"] == 1
    assert created.body["updated_at"] == "2024-05-01T12:00:00Z"
    assert created.body["data"] == {"name": "Acme", "email": "info@acme.test", "price": 19.99}
    clock.advance(5)
    replaced = _put("C-1", {"name": "Acme Ltd"})
    assert replaced.status == 200
    assert replaced.body["version"] == 2
    assert replaced.body["updated_at"] == "2024-05-01T12:00:05Z"
    shown = _get("C-1")
    assert shown.status == 200
    assert shown.body["data"] == {"name": "Acme Ltd"}
    assert shown.body["version"] == 2
    assert shown.body["links"] == {}


def test_a_record_shows_its_sync_state_per_connection_without_the_snapshot(aws):
    _put("C-1", {"name": "Acme"})
    link = OdooLink(
        odoo_id=42,
        status=LinkStatus.ERROR,
        last_synced_at="2024-05-01T12:00:00Z",
        last_error="VAT is invalid",
        synced_version=1,
        snapshot={"name": "Acme"},
    )
    record_store().update_link(TENANT_A, "customer", "C-1", "con_0123456789abcdef", link)

    shown = _get("C-1")

    assert shown.body["links"] == {
        "con_0123456789abcdef": {
            "odoo_id": 42,
            "status": "error",
            "last_synced_at": "2024-05-01T12:00:00Z",
            "last_error": "VAT is invalid",
            "synced_version": 1,
        }
    }


def test_writing_the_data_keeps_the_links(aws):
    _put("C-1", {"name": "Acme"})
    record_store().update_link(TENANT_A, "customer", "C-1", "con_0123456789abcdef", OdooLink(odoo_id=7))

    _put("C-1", {"name": "Acme Ltd"})

    assert _get("C-1").body["links"]["con_0123456789abcdef"]["odoo_id"] == 7


def test_a_tenant_entity_takes_records(aws, own_entity):
    own_entity(TENANT_A, "ticket")

    assert _put("T-1", {"number": "T-1"}, entity="ticket").status == 201
    assert _get("T-1", entity="ticket").body["data"] == {"number": "T-1"}


@pytest.mark.parametrize(
    ("method", "resource", "params", "body"),
    [
        ("PUT", ONE, {"entity": "shipment", "local_id": "X"}, {"a": 1}),
        ("GET", ONE, {"entity": "shipment", "local_id": "X"}, None),
        ("GET", LIST, {"entity": "shipment"}, None),
        ("POST", BATCH, {"entity": "shipment"}, {"records": [{"local_id": "X", "data": {}}]}),
    ],
)
def test_an_unknown_entity_is_404_on_every_route(aws, method, resource, params, body):
    answer = call(lambda_handler, method, resource, params, body=body, tenant_id=TENANT_A)

    assert answer.status == 404
    assert answer.body["code"] == "not_found"
    assert answer.body["field"] == "entity"


def test_an_unknown_record_is_404(aws):
    answer = _get("nope")

    assert answer.status == 404
    assert answer.body["field"] == "local_id"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([1, 2], "body"),
        ({"name": "x" * 70_000}, "data.name"),
        ({f"t{i}": "y" * 60_000 for i in range(2)}, "body"),
    ],
)
def test_a_record_of_the_wrong_shape_is_refused(aws, body, field):
    answer = _put("C-1", body)

    assert answer.status == 422, answer.body
    assert answer.body["code"] == "validation_error"
    assert answer.body["field"] == field
    assert _get("C-1").status == 404


def test_every_shape_problem_is_listed(aws):
    answer = _put("C-1", {"a-b": 1, "n": 1e300, "ok": 1})

    assert answer.status == 422
    assert {problem["field"] for problem in answer.body["errors"]} == {"data.a-b", "data.n"}


@pytest.mark.parametrize("local_id", ["-starts-with-dash", "has space", "x" * 129])
def test_a_bad_local_id_is_refused(aws, local_id):
    answer = _put(local_id, {"name": "x"})

    assert answer.status == 422
    assert answer.body["field"] == "local_id"


def test_a_bad_entity_name_is_refused(aws):
    answer = _put("C-1", {"name": "x"}, entity="Customer")

    assert answer.status == 422
    assert answer.body["field"] == "entity"


def test_if_match_makes_the_write_conditional_on_the_version_read(aws):
    _put("C-1", {"name": "v1"})
    _put("C-1", {"name": "v2"})

    stale = _put("C-1", {"name": "lost?"}, headers={"If-Match": "1"})
    current = _put("C-1", {"name": "v3"}, headers={"If-Match": '"2"'})

    assert stale.status == 409
    assert stale.body["field"] == "If-Match"
    assert current.status == 200
    assert current.body["version"] == 3
    assert _get("C-1").body["data"] == {"name": "v3"}


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1" * 25])
def test_a_bad_if_match_is_refused(aws, value):
    _put("C-1", {"name": "v1"})

    answer = _put("C-1", {"name": "v2"}, headers={"If-Match": value})

    assert answer.status == 400
    assert answer.body["field"] == "If-Match"
    assert _get("C-1").body["version"] == 1


def test_concurrent_writers_cannot_lose_a_version(aws, monkeypatch):
    """The version is counted up by DynamoDB itself (ADD), in the same request as the data, so
    writers that race each get their own version; in-process moto does not apply concurrent
    updates atomically, so the race itself is left to DynamoDB and the request is checked here."""
    store = record_store()
    sent: list[dict[str, Any]] = []
    real_update = store._table.update_item

    def spy(**request):
        sent.append(request)
        return real_update(**request)

    monkeypatch.setattr(store._table, "update_item", spy)

    versions = [store.put(TENANT_A, "customer", "C-1", {"n": n}).version for n in range(8)]

    assert versions == list(range(1, 9))
    assert all("ADD #version :one" in request["UpdateExpression"] for request in sent)
    assert all("ConditionExpression" not in request for request in sent)  # no read-then-write


def test_an_idempotency_key_replays_the_first_answer_without_writing_again(aws):
    first = _put("C-1", {"name": "Acme"}, headers={"Idempotency-Key": "k-1"})
    again = _put("C-1", {"name": "Acme"}, headers={"Idempotency-Key": "k-1"})
    other_body = _put("C-1", {"name": "Other"}, headers={"Idempotency-Key": "k-1"})

    assert first.status == again.status == 201
    assert again.body == first.body
    assert other_body.status == 409
    assert _get("C-1").body["version"] == 1


# -- isolation --------------------------------------------------------------------------------------


def test_another_tenants_records_are_invisible(aws, own_entity):
    _put("C-1", {"name": "Acme"})
    own_entity(TENANT_A, "ticket")
    _put("T-1", {"number": "1"}, entity="ticket")

    assert _get("C-1", tenant=TENANT_B).status == 404
    assert _ids(_list(tenant=TENANT_B)) == []
    assert _get("T-1", entity="ticket", tenant=TENANT_B).status == 404
    assert _put("T-1", {"number": "1"}, entity="ticket", tenant=TENANT_B).status == 404
    assert _get("C-1").body["data"] == {"name": "Acme"}


def test_a_cursor_of_another_tenant_is_refused(aws):
    for n in range(3):
        _put(f"C-{n}", {"n": n})
    cursor = _list("limit=1").body["next"]

    answer = _list(f"limit=1&cursor={cursor}", tenant=TENANT_B)

    assert answer.status == 400
    assert answer.body["field"] == "cursor"


# -- batch ------------------------------------------------------------------------------------------


def test_a_batch_answers_per_record_and_keeps_going_past_bad_ones(aws):
    _put("C-2", {"name": "old"})

    answer = _batch(
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
    assert _get("C-1").body["data"] == {"name": "one"}
    assert _get("C-3").status == 404


def test_a_batch_of_a_thousand_reaches_the_store(aws, monkeypatch):
    written = []

    def put_many(tenant_id, entity, records):
        written.extend(records)
        return [1] * len(records)

    monkeypatch.setattr(record_store(), "put_many", put_many)

    answer = _batch([{"local_id": f"P-{n}", "data": {"n": n}} for n in range(1000)])

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
    answer = _batch(records)

    assert answer.status == 422
    assert answer.body["field"] == field
    assert _ids(_list()) == []


def test_a_batch_body_that_is_not_an_object_is_refused(aws):
    answer = call(lambda_handler, "POST", BATCH, {"entity": "customer"}, body=[1], tenant_id=TENANT_A)

    assert answer.status == 422


# -- list and filters -------------------------------------------------------------------------------


def test_the_list_pages_with_a_cursor(aws):
    for n in range(5):
        _put(f"C-{n}", {"n": n})

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        answer = _list(query)
        seen += _ids(answer)
        pages += 1
        cursor = answer.body["next"]
        if cursor is None:
            break

    assert seen == [f"C-{n}" for n in range(5)]
    assert pages == 3


def test_modified_since_lists_what_changed_since(aws, clock):
    _put("C-old", {"n": 1})
    clock.advance(60)
    _put("C-new", {"n": 2})
    clock.advance(60)
    _put("C-touched", {"n": 3})

    answer = _list("modified_since=2024-05-01T12:01:00Z")
    in_paris = _list("modified_since=2024-05-01T14:01:00%2B02:00&limit=1")

    assert _ids(answer) == ["C-new", "C-touched"]
    assert _ids(in_paris) == ["C-new"]
    rest = _list(f"modified_since=2024-05-01T14:01:00%2B02:00&limit=1&cursor={in_paris.body['next']}")
    assert _ids(rest) == ["C-touched"]
    assert rest.body["next"] is None


def test_field_filters_compare_the_values_text(aws):
    _put("C-1", {"country": "BE", "is_company": True, "size": 10})
    _put("C-2", {"country": "NL", "is_company": False, "size": 10.5})
    _put("C-3", {"country": "BE", "is_company": False})

    assert _ids(_list("field.country=BE")) == ["C-1", "C-3"]
    assert _ids(_list("field.country=BE&field.is_company=false")) == ["C-3"]
    assert _ids(_list("field.size=10")) == ["C-1"]
    assert _ids(_list("field.size=10.5")) == ["C-2"]
    assert _ids(_list("field.missing=x")) == []


def test_link_filters_use_the_named_connection(aws, connection):
    connection_id = connection(TENANT_A)
    other = connection(TENANT_A)
    for local_id in ("C-1", "C-2", "C-3", "C-4"):
        _put(local_id, {"n": 1})
    store = record_store()
    store.update_link(
        TENANT_A, "customer", "C-1", connection_id, OdooLink(odoo_id=1, status=LinkStatus.SYNCED)
    )
    store.update_link(TENANT_A, "customer", "C-2", connection_id, OdooLink(status=LinkStatus.ERROR))
    store.update_link(TENANT_A, "customer", "C-4", other, OdooLink(odoo_id=4, status=LinkStatus.SYNCED))

    def ids(query):
        return _ids(_list(f"{query}&connection_id={connection_id}"))

    assert ids("has_odoo_id=true") == ["C-1"]
    assert ids("has_odoo_id=false") == ["C-2", "C-3", "C-4"]
    assert ids("status=synced") == ["C-1"]
    assert ids("status=error") == ["C-2"]
    assert ids("status=pending") == ["C-3", "C-4"]


def test_link_filters_use_the_tenants_only_connection_when_none_is_named(aws, connection):
    connection_id = connection(TENANT_A)
    _put("C-1", {"n": 1})
    _put("C-2", {"n": 2})
    record_store().update_link(TENANT_A, "customer", "C-2", connection_id, OdooLink(odoo_id=2))

    assert _ids(_list("has_odoo_id=true")) == ["C-2"]


def test_link_filters_without_any_connection_are_refused(aws):
    answer = _list("has_odoo_id=true")

    assert answer.status == 400
    assert answer.body["field"] == "connection_id"


def test_another_tenants_connection_is_404(aws, connection):
    foreign = connection(TENANT_B)

    answer = _list(f"status=synced&connection_id={foreign}")

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
    answer = _list(query)

    assert answer.status in (400, 422), answer.body
    assert answer.body["field"] == field or answer.body["field"].startswith(field)


def test_a_cursor_from_a_plain_list_is_refused_with_modified_since(aws):
    for n in range(3):
        _put(f"C-{n}", {"n": n})
    cursor = _list("limit=1").body["next"]

    answer = _list(f"limit=1&modified_since=2024-01-01T00:00:00Z&cursor={cursor}")

    assert answer.status == 400
    assert answer.body["field"] == "cursor"

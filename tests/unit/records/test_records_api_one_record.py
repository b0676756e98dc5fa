"""The record routes over moto, one record at a time: upsert, read, validation, versions, idempotency,
and isolation between tenants."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_sync.api.dependencies import record_store
from odoo_sync.sync.model import LinkStatus, OdooLink
from records_api.handler import lambda_handler
from tests.support.api import call
from tests.unit.records.conftest import TENANT_A, TENANT_B
from tests.unit.records.routes import (
    BATCH,
    LIST,
    ONE,
    get_record,
    list_records,
    listed_ids,
    put_record,
)

# -- one record -------------------------------------------------------------------------------------


def test_a_record_is_created_then_replaced_with_a_new_version(aws, clock):
    created = put_record("C-1", {"name": "Acme", "email": "info@acme.test", "price": 19.99})

    assert created.status == 201
    assert created.body["version"] == 1
    assert created.body["updated_at"] == "2024-05-01T12:00:00Z"
    assert created.body["data"] == {"name": "Acme", "email": "info@acme.test", "price": 19.99}
    clock.advance(5)
    replaced = put_record("C-1", {"name": "Acme Ltd"})
    assert replaced.status == 200
    assert replaced.body["version"] == 2
    assert replaced.body["updated_at"] == "2024-05-01T12:00:05Z"
    shown = get_record("C-1")
    assert shown.status == 200
    assert shown.body["data"] == {"name": "Acme Ltd"}
    assert shown.body["version"] == 2
    assert shown.body["links"] == {}


def test_a_record_shows_its_sync_state_per_connection_without_the_snapshot(aws):
    put_record("C-1", {"name": "Acme"})
    link = OdooLink(
        odoo_id=42,
        status=LinkStatus.ERROR,
        last_synced_at="2024-05-01T12:00:00Z",
        last_error="VAT is invalid",
        synced_version=1,
        snapshot={"name": "Acme"},
    )
    record_store().update_link(TENANT_A, "customer", "C-1", "con_0123456789abcdef", link)

    shown = get_record("C-1")

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
    put_record("C-1", {"name": "Acme"})
    record_store().update_link(TENANT_A, "customer", "C-1", "con_0123456789abcdef", OdooLink(odoo_id=7))

    put_record("C-1", {"name": "Acme Ltd"})

    assert get_record("C-1").body["links"]["con_0123456789abcdef"]["odoo_id"] == 7


def test_a_tenant_entity_takes_records(aws, own_entity):
    own_entity(TENANT_A, "ticket")

    assert put_record("T-1", {"number": "T-1"}, entity="ticket").status == 201
    assert get_record("T-1", entity="ticket").body["data"] == {"number": "T-1"}


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
    answer = get_record("nope")

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
    answer = put_record("C-1", body)

    assert answer.status == 422, answer.body
    assert answer.body["code"] == "validation_error"
    assert answer.body["field"] == field
    assert get_record("C-1").status == 404


def test_every_shape_problem_is_listed(aws):
    answer = put_record("C-1", {"a-b": 1, "n": 1e300, "ok": 1})

    assert answer.status == 422
    assert {problem["field"] for problem in answer.body["errors"]} == {"data.a-b", "data.n"}


@pytest.mark.parametrize("local_id", ["-starts-with-dash", "has space", "x" * 129])
def test_a_bad_local_id_is_refused(aws, local_id):
    answer = put_record(local_id, {"name": "x"})

    assert answer.status == 422
    assert answer.body["field"] == "local_id"


def test_a_bad_entity_name_is_refused(aws):
    answer = put_record("C-1", {"name": "x"}, entity="Customer")

    assert answer.status == 422
    assert answer.body["field"] == "entity"


def test_if_match_makes_the_write_conditional_on_the_version_read(aws):
    put_record("C-1", {"name": "v1"})
    put_record("C-1", {"name": "v2"})

    stale = put_record("C-1", {"name": "lost?"}, headers={"If-Match": "1"})
    current = put_record("C-1", {"name": "v3"}, headers={"If-Match": '"2"'})

    assert stale.status == 409
    assert stale.body["field"] == "If-Match"
    assert current.status == 200
    assert current.body["version"] == 3
    assert get_record("C-1").body["data"] == {"name": "v3"}


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1" * 25])
def test_a_bad_if_match_is_refused(aws, value):
    put_record("C-1", {"name": "v1"})

    answer = put_record("C-1", {"name": "v2"}, headers={"If-Match": value})

    assert answer.status == 400
    assert answer.body["field"] == "If-Match"
    assert get_record("C-1").body["version"] == 1


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
    first = put_record("C-1", {"name": "Acme"}, headers={"Idempotency-Key": "k-1"})
    again = put_record("C-1", {"name": "Acme"}, headers={"Idempotency-Key": "k-1"})
    other_body = put_record("C-1", {"name": "Other"}, headers={"Idempotency-Key": "k-1"})

    assert first.status == again.status == 201
    assert again.body == first.body
    assert other_body.status == 409
    assert get_record("C-1").body["version"] == 1


# -- isolation --------------------------------------------------------------------------------------


def test_another_tenants_records_are_invisible(aws, own_entity):
    put_record("C-1", {"name": "Acme"})
    own_entity(TENANT_A, "ticket")
    put_record("T-1", {"number": "1"}, entity="ticket")

    assert get_record("C-1", tenant=TENANT_B).status == 404
    assert listed_ids(list_records(tenant=TENANT_B)) == []
    assert get_record("T-1", entity="ticket", tenant=TENANT_B).status == 404
    assert put_record("T-1", {"number": "1"}, entity="ticket", tenant=TENANT_B).status == 404
    assert get_record("C-1").body["data"] == {"name": "Acme"}


def test_a_cursor_of_another_tenant_is_refused(aws):
    for n in range(3):
        put_record(f"C-{n}", {"n": n})
    cursor = list_records("limit=1").body["next"]

    answer = list_records(f"limit=1&cursor={cursor}", tenant=TENANT_B)

    assert answer.status == 400
    assert answer.body["field"] == "cursor"

"""The schedule routes and the tick function through their Lambda handlers, on moto with the real wiring."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import schedule_tick.handler as tick_module
from bulk_api.handler import lambda_handler as bulk_handler
from odoo_sync.api.dependencies import connection_service, record_store
from odoo_sync.core.connections import ApiKeyAuth, ConnectionInput
from schedule_tick.handler import lambda_handler as tick_handler
from schedule_tick.handler import tick_moment
from schedules_api.handler import lambda_handler as schedules_handler
from tests.support.api import call
from tests.support.events import LambdaContextStub

TENANT = "ten_0123456789abcdef"
OTHER = "ten_fedcba9876543210"
UNKNOWN = "sch_ffffffffffffffff"
ONE = "/v1/schedules/{schedule_id}"

VALID = {
    "name": "products to Odoo",
    "description": "every five minutes",
    "entity": "product",
    "cron_expression": "*/5 * * * *",
    "timezone": "Europe/Berlin",
    "sync_direction": "to_odoo",
    "sync_type": "incremental",
    "filters": {"has_odoo_id": False},
    "batch_size": 2,
}


@pytest.fixture
def connection_id(aws) -> str:
    auth = ApiKeyAuth(type="api_key", login="admin", api_key="secret-key")
    connection = connection_service().create(
        TENANT, ConnectionInput(name="odoo", base_url="https://odoo.example.com", database="db", auth=auth)
    )
    for n in range(3):
        record_store().put(TENANT, "product", f"p{n}", {"title": f"Product {n}", "sku": f"SKU{n}"})
    return connection.connection_id


def create(body: Any = None, **kwargs: Any):
    return call(schedules_handler, "POST", "/v1/schedules", body=VALID if body is None else body, **kwargs)


def on(method: str, schedule_id: str, suffix: str = "", **kwargs: Any):
    return call(schedules_handler, method, ONE + suffix, {"schedule_id": schedule_id}, **kwargs)


def queued(aws) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=aws.queues["SyncQueue"], MaxNumberOfMessages=10).get(
        "Messages"
    ):
        found.extend(json.loads(m["Body"]) for m in batch)
        for message in batch:
            sqs.delete_message(QueueUrl=aws.queues["SyncQueue"], ReceiptHandle=message["ReceiptHandle"])
    return found


def scheduled_event(time: str) -> dict[str, Any]:
    return {"detail-type": "Scheduled Event", "source": "aws.events", "time": time, "detail": {}}


# -- create, read, list -------------------------------------------------------------------------


def test_create_answers_the_schedule_with_its_next_run(connection_id):
    answer = create()

    body = answer.body
    assert answer.status == 201
    assert body["id"].startswith("sch_")
    assert body["connection_id"] == connection_id  # the tenant's only connection
    assert body["next_run_at"].endswith(("0:00Z", "5:00Z"))
    assert (body["last_run_at"], body["last_batch_id"], body["last_batch_ids"], body["last_error"]) == (
        None,
        None,
        [],
        None,
    )
    assert body["filters"]["has_odoo_id"] is False
    assert body["created_at"] == body["updated_at"]
    assert on("GET", body["id"]).body == body


def test_defaults_are_utc_incremental_enabled(connection_id):
    minimal = {
        "name": "n",
        "entity": "customer",
        "cron_expression": "0 9 * * *",
        "sync_direction": "from_odoo",
    }

    body = create(minimal).body

    assert (body["timezone"], body["sync_type"], body["is_enabled"], body["batch_size"]) == (
        "UTC",
        "incremental",
        True,
        500,  # the bulk push's default chunk
    )
    assert body["next_run_at"].endswith("T09:00:00Z")


def test_list_pages_through_the_tenants_schedules_only(connection_id):
    ids = {create().body["id"] for _ in range(3)}
    seen: set[str] = set()
    cursor = None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = call(schedules_handler, "GET", "/v1/schedules", query=query).body
        seen |= {item["id"] for item in page["items"]}
        cursor = page["next"]
        if cursor is None:
            break
    others = call(schedules_handler, "GET", "/v1/schedules", tenant_id=OTHER).body

    assert seen == ids
    assert others == {"items": [], "next": None}


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"cron_expression": "0 9 * * * *"}, 422, "cron_expression"),
        ({"cron_expression": "0 9 * *"}, 422, "cron_expression"),
        ({"cron_expression": "99 9 * * *"}, 422, "cron_expression"),
        ({"cron_expression": "0 0 30 2 *"}, 422, "cron_expression"),
        ({"cron_expression": ""}, 422, "cron_expression"),
        ({"timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"timezone": "../etc/passwd"}, 422, "timezone"),
        ({"sync_direction": "sideways"}, 422, "sync_direction"),
        ({"sync_direction": None}, 422, "sync_direction"),
        ({"sync_type": "partial"}, 422, "sync_type"),
        ({"batch_size": 0}, 422, "batch_size"),
        ({"batch_size": 501}, 422, "batch_size"),
        ({"entity": "Not An Entity"}, 422, "entity"),
        ({"entity": "shipment"}, 404, "entity"),
        ({"connection_id": "con_00000000000000bb"}, 404, "connection_id"),
        ({"connection_id": "nope"}, 422, "connection_id"),
        ({"name": ""}, 422, "name"),
        ({"filters": {"status": "unknown"}}, 422, "filters.status"),
        ({"is_enabled": "perhaps"}, 422, "is_enabled"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_bad_input_is_refused_with_the_field_at_fault(connection_id, change, status, field):
    answer = create({**VALID, **change})

    assert (answer.status, answer.body["field"]) == (status, field), answer.body
    assert answer.body["message"]


def test_filters_on_a_from_odoo_schedule_are_refused(connection_id):
    answer = create({**VALID, "sync_direction": "from_odoo"})

    assert (answer.status, answer.body["field"]) == (422, "filters")
    assert "from_odoo" in answer.body["message"]


def test_a_tenant_without_a_connection_must_have_one(aws):
    answer = create(tenant_id=OTHER)

    assert (answer.status, answer.body["field"]) == (400, "connection_id")


def test_a_repeated_idempotency_key_creates_one_schedule(connection_id):
    headers = {"Idempotency-Key": "schedule-1"}

    first, second = create(headers=headers), create(headers=headers)

    assert first.body == second.body
    assert len(call(schedules_handler, "GET", "/v1/schedules").body["items"]) == 1


# -- replace, delete, toggle --------------------------------------------------------------------


def test_replace_changes_the_schedule_and_its_next_run(connection_id):
    schedule_id = create().body["id"]

    answer = on("PUT", schedule_id, body={**VALID, "cron_expression": "0 9 * * *", "timezone": "UTC"})

    assert answer.status == 200
    assert answer.body["cron_expression"] == "0 9 * * *"
    assert answer.body["next_run_at"].endswith("T09:00:00Z")
    assert on("GET", schedule_id).body == answer.body


def test_replace_with_bad_input_changes_nothing(connection_id):
    schedule = create().body

    answer = on("PUT", schedule["id"], body={**VALID, "cron_expression": "0 0 * * * 2026"})

    assert (answer.status, answer.body["field"]) == (422, "cron_expression")
    assert on("GET", schedule["id"]).body == schedule


def test_delete_removes_the_schedule(connection_id):
    schedule_id = create().body["id"]

    deleted = on("DELETE", schedule_id)
    again = on("DELETE", schedule_id)

    assert deleted.status == 204
    assert (again.status, on("GET", schedule_id).status) == (404, 404)


def test_toggle_flips_and_sets(connection_id):
    schedule_id = create().body["id"]

    off = on("PATCH", schedule_id, "/toggle")
    still_off = on("PATCH", schedule_id, "/toggle", body={"is_enabled": False})
    back_on = on("PATCH", schedule_id, "/toggle", body={"is_enabled": True})
    bad = on("PATCH", schedule_id, "/toggle", body={"is_enabled": "yes please"})

    assert (off.status, off.body["is_enabled"], off.body["next_run_at"]) == (200, False, None)
    assert (still_off.body["is_enabled"], still_off.body["next_run_at"]) == (False, None)
    assert back_on.body["is_enabled"] is True
    assert back_on.body["next_run_at"] is not None
    assert (bad.status, bad.body["field"]) == (422, "is_enabled")


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PUT", "", VALID),
        ("DELETE", "", None),
        ("PATCH", "/toggle", None),
        ("POST", "/run", None),
    ],
)
def test_other_tenants_schedules_are_not_found(connection_id, method, suffix, body):
    schedule_id = create().body["id"]

    answer = on(method, schedule_id, suffix, body=body, tenant_id=OTHER)

    assert (answer.status, answer.body["field"]) == (404, "schedule_id")
    assert on("GET", schedule_id).status == 200


@pytest.mark.parametrize("suffix", ["", "/toggle", "/run"])
def test_a_malformed_schedule_id_is_refused(connection_id, suffix):
    method = {"": "GET", "/toggle": "PATCH", "/run": "POST"}[suffix]

    answer = on(method, "sch_NOT_AN_ID", suffix)

    assert (answer.status, answer.body["field"]) == (422, "schedule_id")


def test_unknown_schedule_is_not_found(connection_id):
    assert on("GET", UNKNOWN).status == 404
    assert on("POST", UNKNOWN, "/run").status == 404


# -- run now and the tick -----------------------------------------------------------------------


def test_run_now_queues_a_batch_triggered_by_the_schedule(aws, connection_id):
    schedule = create().body

    answer = on("POST", schedule["id"], "/run")

    batch = call(bulk_handler, "GET", "/v1/batches/{batch_id}", {"batch_id": answer.body["batch_id"]}).body
    messages = queued(aws)
    assert answer.status == 202
    assert answer.body["batch_ids"] == [answer.body["batch_id"]]
    assert (batch["triggered_by"], batch["total"]) == ("schedule", 3)
    assert {m["triggered_by"] for m in messages} == {"schedule"}
    assert sorted(len(m["local_ids"]) for m in messages) == [1, 2]  # by lane, at most batch_size
    shown = on("GET", schedule["id"]).body
    assert shown["last_batch_id"] == answer.body["batch_id"]
    assert shown["next_run_at"] == schedule["next_run_at"]


def test_run_now_of_a_disabled_schedule_is_a_conflict(connection_id):
    schedule_id = create({**VALID, "is_enabled": False}).body["id"]

    answer = on("POST", schedule_id, "/run")

    assert (answer.status, answer.body["field"]) == (409, "schedule_id")


def test_the_tick_function_starts_due_runs_once(aws, connection_id, monkeypatch):
    monkeypatch.setattr(tick_module.metrics, "namespace", "OdooSyncTests")  # the template sets it deployed
    schedule = create().body
    due = schedule["next_run_at"]

    first = tick_handler(scheduled_event(due), LambdaContextStub())
    second = tick_handler(scheduled_event(due), LambdaContextStub())

    batches = {m["batch_id"] for m in queued(aws)}
    shown = on("GET", schedule["id"]).body
    assert (first["started"], second["started"]) == (1, 0)
    assert batches == {shown["last_batch_id"]}
    assert shown["next_run_at"] > due


def test_the_tick_reads_now_from_the_event_only_when_it_is_later():
    assert tick_moment(scheduled_event("2999-01-01T00:00:00Z")).year == 2999
    assert tick_moment(scheduled_event("2000-01-01T00:00:00Z")).year > 2000
    assert tick_moment(scheduled_event("not a time")).year > 2000
    assert tick_moment({}).year > 2000

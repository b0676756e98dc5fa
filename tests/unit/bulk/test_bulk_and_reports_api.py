"""The bulk, batch and report routes through their Lambda handlers, on moto with the real wiring."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from bulk_api.handler import lambda_handler as bulk_handler
from odoo_sync.api.dependencies import batches, connection_service, record_store, stats, sync_log
from odoo_sync.core.connections import ApiKeyAuth, ConnectionInput
from odoo_sync.sync.model import SyncLogEntry, TriggeredBy
from reports_api.handler import lambda_handler as reports_handler
from tests.support.api import call
from tests.support.fakes import outcome

TENANT = "ten_0123456789abcdef"
OTHER = "ten_fedcba9876543210"
UNKNOWN_BATCH = "bat_ffffffffffffffff"


@pytest.fixture
def tenant(aws) -> str:
    auth = ApiKeyAuth(type="api_key", login="admin", api_key="secret-key")
    connection = connection_service().create(
        TENANT,
        # One lane: these tests follow the selection and its chunks in order (lanes: test_lanes.py).
        ConnectionInput(
            name="odoo", base_url="https://odoo.example.com", database="db", auth=auth, max_in_flight=1
        ),
    )
    for n in range(7):
        record_store().put(TENANT, "product", f"p{n}", {"title": f"Product {n}", "sku": f"SKU{n}"})
    record_store().put(OTHER, "product", "p0", {"title": "Not yours"})
    return connection.connection_id


def queued(aws) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=aws.queues["SyncQueue"], MaxNumberOfMessages=10).get(
        "Messages"
    ):
        found.extend(json.loads(m["Body"]) for m in batch)
        sqs.delete_message_batch(
            QueueUrl=aws.queues["SyncQueue"],
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return found


def bulk(body: Any, **kwargs: Any):
    return call(bulk_handler, "POST", "/v1/bulk-sync", body=body, **kwargs)


def get_batch(batch_id: str, tenant_id: str = TENANT):
    return call(bulk_handler, "GET", "/v1/batches/{batch_id}", {"batch_id": batch_id}, tenant_id=tenant_id)


def retry(batch_id: str, body: Any = None, **kwargs: Any):
    return call(
        bulk_handler, "POST", "/v1/batches/{batch_id}/retry", {"batch_id": batch_id}, body=body, **kwargs
    )


def play_workers(aws, failing: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    for message in queued(aws):
        batches().record_chunk(
            message["tenant_id"],
            message["batch_id"],
            message["entity"],
            [outcome(i, "error" if i in failing else "created") for i in message["local_ids"]],
            chunk=message["chunk"],
        )


# -- POST /v1/bulk-sync -------------------------------------------------------------------------


def test_bulk_sync_queues_chunks_and_answers_202(aws, tenant):
    answer = bulk({"entity": "product", "batch_size": 3})

    messages = queued(aws)
    assert answer.status == 202
    assert answer.body["records_queued"] == 7
    assert answer.body["chunks"] == 3
    assert answer.body["batch_id"].startswith("bat_")
    assert [len(m["local_ids"]) for m in messages] == [3, 2, 2]  # few chunks, even sizes
    assert {m["connection_id"] for m in messages} == {tenant}


def test_bulk_sync_of_nothing_answers_200_and_a_completed_batch(aws, tenant):
    answer = bulk({"entity": "product", "filters": {"fields": {"sku": "none"}}})

    shown = get_batch(answer.body["batch_id"])
    assert (answer.status, answer.body["records_queued"], answer.body["chunks"]) == (200, 0, 0)
    assert shown.body["status"] == "completed"
    assert queued(aws) == []


def test_a_repeated_idempotency_key_does_not_queue_twice(aws, tenant):
    headers = {"Idempotency-Key": "bulk-1"}

    first = bulk({"entity": "product"}, headers=headers)
    second = bulk({"entity": "product"}, headers=headers)
    other_body = bulk({"entity": "product", "batch_size": 2}, headers=headers)

    assert (first.status, second.status) == (202, 202)
    assert second.body == first.body
    assert len(queued(aws)) == 1
    assert (other_body.status, other_body.body["field"]) == (409, "Idempotency-Key")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"entity": "product", "batch_size": 501}, 422, "batch_size"),
        ({"entity": "product", "batch_size": 0}, 422, "batch_size"),
        ({"entity": "Not An Entity"}, 422, "entity"),
        ({}, 422, "entity"),
        ({"entity": "product", "filters": {"status": "unknown"}}, 422, "filters.status"),
        ({"entity": "product", "filters": {"local_ids": ["a b"]}}, 422, "filters.local_ids"),
        ({"entity": "product", "filters": {"modified_since": "yesterday"}}, 422, "filters.modified_since"),
        (
            {"entity": "product", "filters": {"modified_since": "0001-01-01T00:00:00+01:00"}},
            422,
            "filters.modified_since",
        ),
        ({"entity": "product", "filters": {"fields": {"x": [1]}}}, 422, "filters.fields.x"),
        ({"entity": "product", "sync_images": "sometimes"}, 422, "sync_images"),
        ({"entity": "product", "extra": True}, 422, "extra"),
        ({"entity": "product", "connection_id": "con_ffffffffffffffff"}, 404, "connection_id"),
        ({"entity": "shipment"}, 404, "entity"),
        ("not json", 400, None),
    ],
)
def test_bulk_sync_bad_input(aws, tenant, body, status, field):
    answer = bulk(body)

    assert answer.status == status, answer.body
    if field is not None:
        assert answer.body["field"].startswith(field)  # a union names its member after the field
    assert queued(aws) == []


def test_a_bulk_sync_body_too_large_is_413(aws, tenant):
    answer = bulk({"entity": "product", "filters": {"local_ids": ["x" * 120] * 9000}})

    assert answer.status == 413


# -- GET /v1/batches/{id} and retry ---------------------------------------------------------------


def test_a_batch_shows_its_progress(aws, tenant):
    batch_id = bulk({"entity": "product", "batch_size": 5}).body["batch_id"]
    before = get_batch(batch_id)

    play_workers(aws, failing={"p2"})
    after = get_batch(batch_id)

    assert before.status == 200
    assert {k: before.body[k] for k in ("status", "total", "succeeded", "failed", "pending")} == {
        "status": "queued",
        "total": 7,
        "succeeded": 0,
        "failed": 0,
        "pending": 7,
    }
    assert before.body["entity"] == "product"
    assert before.body["connection_id"] == tenant
    assert before.body["triggered_by"] == "bulk"
    assert before.body["started_at"] is None
    assert {k: after.body[k] for k in ("status", "total", "succeeded", "failed", "pending")} == {
        "status": "completed_with_errors",
        "total": 7,
        "succeeded": 6,
        "failed": 1,
        "pending": 0,
    }
    assert after.body["finished_at"] is not None


def test_retry_of_all_failed_records_and_then_of_one(aws, tenant):
    batch_id = bulk({"entity": "product"}).body["batch_id"]
    play_workers(aws, failing={"p2", "p4"})

    everything = retry(batch_id)
    running = get_batch(batch_id)
    requeued = queued(aws)

    assert everything.status == 202
    assert everything.body["records_queued"] == 2
    assert running.body["status"] == "running"
    assert running.body["pending"] == 2
    assert [sorted(m["local_ids"]) for m in requeued] == [["p2", "p4"]]
    assert requeued[0]["triggered_by"] == "retry"

    outcomes = [outcome("p2"), outcome("p4", "error")]
    batches().record_chunk(TENANT, batch_id, "product", outcomes, chunk=requeued[0]["chunk"])
    one = retry(batch_id, {"local_ids": ["p4"]})
    assert (one.status, one.body["records_queued"]) == (202, 1)
    assert [m["local_ids"] for m in queued(aws)] == [["p4"]]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"local_ids": []}, 422, "local_ids"),
        ({"local_ids": ["a b"]}, 422, "local_ids"),
        ({"local_ids": ["p0"]}, 409, "local_ids"),  # p0 succeeded
        ({"everything": True}, 422, "everything"),
    ],
)
def test_retry_bad_input(aws, tenant, body, status, field):
    batch_id = bulk({"entity": "product"}).body["batch_id"]
    play_workers(aws, failing={"p2"})

    answer = retry(batch_id, body)

    assert (answer.status, answer.body["field"]) == (status, field)
    assert queued(aws) == []


def test_retry_conflicts_while_running_and_when_nothing_failed(aws, tenant):
    running = bulk({"entity": "product"}).body["batch_id"]
    while_running = retry(running)
    play_workers(aws)
    nothing_failed = retry(running)

    assert (while_running.status, while_running.body["code"]) == (409, "conflict")
    assert "still queued" in while_running.body["message"]
    assert nothing_failed.status == 409
    assert "nothing to retry" in nothing_failed.body["message"]


def test_batches_of_another_tenant_are_not_found(aws, tenant):
    batch_id = bulk({"entity": "product"}).body["batch_id"]

    assert get_batch(batch_id, tenant_id=OTHER).status == 404
    assert retry(batch_id, tenant_id=OTHER).status == 404
    assert get_batch(UNKNOWN_BATCH).status == 404


@pytest.mark.parametrize("batch_id", ["bat_XYZ", "batch1", "bat_0123456789abcdef0"])
def test_malformed_batch_ids_are_refused(aws, batch_id):
    assert get_batch(batch_id).status == 422
    assert retry(batch_id).status == 422


def test_routes_need_a_tenant_key(aws):
    answer = call(
        bulk_handler, "POST", "/v1/bulk-sync", body={"entity": "product"}, tenant_id=None, role="operator"
    )

    assert answer.status == 403


# -- GET /v1/logs and /v1/stats ---------------------------------------------------------------------


def log_entry(
    n: int, local_id: str, status: str, entity: str = "product", batch_id: str | None = None
) -> SyncLogEntry:
    return SyncLogEntry(
        id=f"log_{n:016x}",
        entity=entity,
        local_id=local_id,
        connection_id="con_0123456789abcdef",
        sync_status=status,
        duration_ms=5,
        started_at=f"2024-05-01T10:00:{n:02d}Z",
        completed_at=f"2024-05-01T10:00:{n:02d}Z",
        triggered_by=TriggeredBy.BULK if batch_id else TriggeredBy.API,
        batch_id=batch_id,
        error_message="refused" if status == "error" else None,
    )


@pytest.fixture
def history(aws) -> None:
    sync_log().append(
        TENANT,
        [
            log_entry(1, "p1", "success", batch_id="bat_0123456789abcdef"),
            log_entry(2, "p2", "error", batch_id="bat_0123456789abcdef"),
            log_entry(3, "c1", "success", entity="customer"),
        ],
    )
    sync_log().append(OTHER, [log_entry(4, "p1", "success")])
    stats().record(TENANT, "product", [outcome("p1"), outcome("p2", "error")], 1)
    stats().record(TENANT, "customer", [outcome("c1")], 1)
    stats().record(OTHER, "product", [outcome("p1")], 1)


def logs(query: str = "", tenant_id: str = TENANT):
    return call(reports_handler, "GET", "/v1/logs", query=query, tenant_id=tenant_id)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["c1", "p2", "p1"]),
        ("status=error", ["p2"]),
        ("entity=customer", ["c1"]),
        ("batch_id=bat_0123456789abcdef", ["p2", "p1"]),
        ("entity=product&local_id=p1", ["p1"]),
        ("since=2024-05-01T10:00:02Z&until=2024-05-01T10:00:02Z", ["p2"]),
        ("limit=1", ["c1"]),
    ],
)
def test_logs_filter(history, query, expected):
    answer = logs(query)

    assert answer.status == 200
    assert [item["local_id"] for item in answer.body["items"]] == expected


def test_logs_page_with_next(history):
    first = logs("limit=2")
    second = logs(f"limit=2&cursor={first.body['next']}")

    assert [i["local_id"] for i in first.body["items"] + second.body["items"]] == ["c1", "p2", "p1"]
    assert second.body["next"] is None
    assert first.body["items"][1]["error_message"] == "refused"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("status=failed", 422, "status"),
        ("entity=BAD", 422, "entity"),
        ("batch_id=nope", 422, "batch_id"),
        ("local_id=p1", 400, "entity"),
        ("entity=product&local_id=a%20b", 422, "local_id"),
        ("since=yesterday", 422, "since"),
        ("since=2024-05-01T10:00:00", 422, "since"),
        ("until=9999-12-31T23:59:59Z", 422, "until"),
        ("since=0001-01-01T00:00:00%2B01:00", 422, "since"),
        ("since=2024-05-02T00:00:00Z&until=2024-05-01T00:00:00Z", 400, "since"),
        ("limit=0", 422, "limit"),
        ("limit=201", 422, "limit"),
        ("cursor=garbage", 400, "cursor"),
    ],
)
def test_logs_bad_input(history, query, status, field):
    answer = logs(query)

    assert (answer.status, answer.body["field"]) == (status, field), answer.body


def test_a_cursor_of_another_tenant_is_refused(history):
    cursor = logs("limit=1").body["next"]

    assert logs(f"limit=1&cursor={cursor}", tenant_id=OTHER).status == 400


def test_logs_and_stats_never_mix_tenants(history):
    assert [i["local_id"] for i in logs(tenant_id=OTHER).body["items"]] == ["p1"]
    assert call(reports_handler, "GET", "/v1/stats", tenant_id=OTHER).body["total_syncs"] == 1


def test_stats_answer_counters_overall_and_per_entity(history):
    answer = call(reports_handler, "GET", "/v1/stats")

    assert answer.status == 200
    assert {k: answer.body[k] for k in ("total_syncs", "successful_syncs", "failed_syncs")} == {
        "total_syncs": 3,
        "successful_syncs": 2,
        "failed_syncs": 1,
    }
    assert answer.body["success_rate"] == 0.6667
    assert answer.body["records_with_odoo_id"] == 2
    assert answer.body["avg_duration_ms"] == 10.0
    assert set(answer.body["per_entity"]) == {"customer", "product"}
    assert answer.body["per_entity"]["product"]["failed_syncs"] == 1

"""Large bulk pushes: the request queues one slice, the worker selects the rest a slice at a time."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import pytest

from bulk_api.handler import lambda_handler as bulk_handler
from odoo_sync.api.dependencies import batches, connection_service, record_store
from odoo_sync.core import bulk
from odoo_sync.core.connections import ApiKeyAuth, ConnectionInput
from sync_worker import handler as worker
from tests.support.api import call
from tests.support.events import LambdaContextStub
from tests.support.fakes import outcome

TENANT = "ten_0123456789abcdef"
RECORDS = 11
SLICE = 4


@pytest.fixture
def tenant(aws, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(bulk, "SELECT_SLICE", SLICE)
    monkeypatch.setattr(worker.metrics, "namespace", "OdooSyncTests")  # the template sets it deployed
    auth = ApiKeyAuth(type="api_key", login="admin", api_key="secret-key")
    connection = connection_service().create(
        TENANT,
        # One lane: these tests follow the selection and its chunks in order (lanes: test_lanes.py).
        ConnectionInput(
            name="odoo", base_url="https://odoo.example.com", database="db", auth=auth, max_in_flight=1
        ),
    )
    for n in range(RECORDS):
        record_store().put(TENANT, "product", f"p{n:02d}", {"title": f"Product {n}", "sku": f"SKU{n}"})
    return connection.connection_id


def drain(aws) -> list[dict[str, Any]]:
    """Every message on the sync queue, in order (received and deleted)."""
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


def deliver(message: dict[str, Any], receives: int = 1) -> dict[str, Any]:
    record = {
        "messageId": f"m-{message['batch_id']}-{message.get('slice')}-{receives}",
        "receiptHandle": "handle",
        "body": json.dumps(message),
        "attributes": {
            "ApproximateReceiveCount": str(receives),
            "SentTimestamp": "1714557600000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1714557600000",
            "SequenceNumber": "1",
            "MessageGroupId": f"{message['tenant_id']}#{message['connection_id']}",
            "MessageDeduplicationId": "d",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:SyncQueue.fifo",
        "awsRegion": "us-east-1",
    }
    return dict(worker.lambda_handler({"Records": [record]}, LambdaContextStub()))


def select_all(aws) -> list[dict[str, Any]]:
    """Run the selection steps as the worker would; answers every chunk queued."""
    chunks: list[dict[str, Any]] = []
    pending = drain(aws)
    while pending:
        message = pending.pop(0)
        if message["kind"] == "bulk_select":
            assert deliver(message) == {"batchItemFailures": []}
            pending.extend(drain(aws))
        else:
            chunks.append(message)
    return chunks


def get_batch(batch_id: str) -> dict[str, Any]:
    answer = call(bulk_handler, "GET", "/v1/batches/{batch_id}", {"batch_id": batch_id}, tenant_id=TENANT)
    assert answer.status == 200
    return dict(answer.body)


def test_a_large_push_answers_with_its_first_slice_and_the_worker_queues_the_rest(aws, tenant):
    answer = call(bulk_handler, "POST", "/v1/bulk-sync", body={"entity": "product", "batch_size": 3})

    assert answer.status == 202
    assert (answer.body["records_queued"], answer.body["chunks"], answer.body["status"]) == (4, 2, "queued")
    chunks = select_all(aws)
    ids = [local_id for chunk in chunks for local_id in chunk["local_ids"]]
    assert ids == [f"p{n:02d}" for n in range(RECORDS)]
    assert all(len(chunk["local_ids"]) <= 3 for chunk in chunks)
    assert len({chunk["chunk"] for chunk in chunks}) == len(chunks)


def test_the_total_shows_once_selection_is_done_and_then_the_batch_completes(aws, tenant):
    batch_id = call(bulk_handler, "POST", "/v1/bulk-sync", body={"entity": "product"}).body["batch_id"]

    during = get_batch(batch_id)
    chunks = select_all(aws)
    after = get_batch(batch_id)
    for chunk in chunks:
        batches().record_chunk(
            TENANT,
            batch_id,
            "product",
            [outcome(i, "created") for i in chunk["local_ids"]],
            chunk=chunk["chunk"],
        )

    assert (during["selecting"], during["total"], during["status"]) == (True, SLICE, "queued")
    assert (after["selecting"], after["total"], after["status"]) == (False, RECORDS, "queued")
    done = get_batch(batch_id)
    assert (done["status"], done["succeeded"], done["pending"]) == ("completed", RECORDS, 0)
    assert done["finished_at"] is not None


def test_chunks_recorded_before_selection_ends_do_not_complete_the_batch(aws, tenant):
    batch_id = call(bulk_handler, "POST", "/v1/bulk-sync", body={"entity": "product"}).body["batch_id"]
    first = [message for message in drain(aws) if message["kind"] == "push_chunk"]

    for chunk in first:
        batches().record_chunk(
            TENANT,
            batch_id,
            "product",
            [outcome(i, "created") for i in chunk["local_ids"]],
            chunk=chunk["chunk"],
        )

    shown = get_batch(batch_id)
    assert (shown["status"], shown["succeeded"], shown["finished_at"]) == ("running", SLICE, None)


def test_a_redelivered_selection_step_queues_no_duplicate_chunks_and_counts_once(aws, tenant):
    batch_id = call(bulk_handler, "POST", "/v1/bulk-sync", body={"entity": "product"}).body["batch_id"]
    step = next(message for message in drain(aws) if message["kind"] == "bulk_select")

    deliver(step)
    deliver(step, receives=2)  # SQS delivers it again (the first answer was lost)
    queued = drain(aws)

    chunks = [message for message in queued if message["kind"] == "push_chunk"]
    steps = [message for message in queued if message["kind"] == "bulk_select"]
    assert [chunk["local_ids"] for chunk in chunks] == [[f"p{n:02d}" for n in range(4, 8)]]
    assert [(s["slice"], s["cursor"] != step["cursor"]) for s in steps] == [(2, True)]
    assert get_batch(batch_id)["total"] == 2 * SLICE


def test_a_selection_step_that_keeps_failing_ends_selection_with_what_was_queued(aws, tenant, monkeypatch):
    batch_id = call(bulk_handler, "POST", "/v1/bulk-sync", body={"entity": "product"}).body["batch_id"]
    step = next(message for message in drain(aws) if message["kind"] == "bulk_select")
    broken = step | {"cursor": "not-a-cursor"}

    first = deliver(broken)
    monkeypatch.setattr(worker, "clock", lambda: time.time() + 3600)
    an_hour_later = deliver(broken, receives=80)

    assert len(first["batchItemFailures"]) == 1  # comes back after a backoff
    assert an_hour_later["batchItemFailures"] == []  # given up
    shown = get_batch(batch_id)
    assert (shown["selecting"], shown["total"]) == (False, SLICE)


def test_a_small_push_is_whole_in_its_answer_as_before(aws, tenant):
    answer = call(
        bulk_handler,
        "POST",
        "/v1/bulk-sync",
        body={"entity": "product", "filters": {"fields": {"sku": "SKU1"}}},
    )

    assert (answer.status, answer.body["records_queued"], answer.body["chunks"]) == (202, 1, 1)
    assert [message["kind"] for message in drain(aws)] == ["push_chunk"]
    assert get_batch(answer.body["batch_id"])["selecting"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [({"slice": 0}, "slice"), ({"cursor": ""}, "cursor"), ({"filters": {"bogus": 1}}, None)],
)
def test_a_malformed_selection_step_queues_nothing(aws, tenant, change, field):
    call(bulk_handler, "POST", "/v1/bulk-sync", body={"entity": "product"})
    step = next(message for message in drain(aws) if message["kind"] == "bulk_select")

    answer = deliver(step | change)

    # Malformed: moved to the dead-letter queue. Well formed but unusable: it comes back.
    assert len(answer["batchItemFailures"]) == (0 if field else 1)
    assert [message for message in drain(aws) if message["kind"] == "push_chunk"] == []


def test_slices_by_update_time_follow_their_cursor_to_the_end(aws, tenant):
    body = {"entity": "product", "filters": {"modified_since": "2000-01-01T00:00:00Z"}}

    answer = call(bulk_handler, "POST", "/v1/bulk-sync", body=body)
    chunks = select_all(aws)

    assert answer.body["records_queued"] == SLICE
    assert sorted(i for chunk in chunks for i in chunk["local_ids"]) == [f"p{n:02d}" for n in range(RECORDS)]
    assert get_batch(answer.body["batch_id"])["total"] == RECORDS

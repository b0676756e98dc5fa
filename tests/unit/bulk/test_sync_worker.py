"""The SQS worker: partial batch responses in FIFO order, malformed messages, redelivery, giving up."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import boto3
import pytest

from odoo_sync.api import dependencies
from odoo_sync.core.batches import BatchStatus
from odoo_sync.core.lanes import SlotBusyError
from odoo_sync.odoo.errors import OdooNetworkError, OdooRateLimitedError
from odoo_sync.settings import service_settings
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import PushChunkMessage, RecordOutcome, SyncOptions, TriggeredBy
from sync_worker import handler as worker
from tests.support.aws import template_resources
from tests.support.events import LambdaContextStub
from tests.support.fakes import ScriptedPushService, new_batch, outcome

TENANT = "ten_0123456789abcdef"
BATCH = "bat_0123456789abcdef"
CONNECTION = "con_0123456789abcdef"


def chunk(number: int, ids: Sequence[str], *, connection: str = CONNECTION, batch: str = BATCH) -> str:
    return PushChunkMessage(
        tenant_id=TENANT,
        connection_id=connection,
        entity="product",
        batch_id=batch,
        chunk=number,
        local_ids=list(ids),
        options=SyncOptions(force_update=True),
    ).model_dump_json()


def sqs_record(
    message_id: str, body: str, group: str = f"{TENANT}#{CONNECTION}", receives: int = 1
) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receives),
            "SentTimestamp": "1714557600000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1714557600000",
            "SequenceNumber": "18849496460467696128",
            "MessageGroupId": group,
            "MessageDeduplicationId": f"dedup-{message_id}",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:SyncQueue.fifo",
        "awsRegion": "us-east-1",
    }


def invoke(*records: dict[str, Any]) -> list[str]:
    answer = worker.lambda_handler({"Records": list(records)}, LambdaContextStub())
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def succeed_all(entity: str, local_ids: Sequence[str]) -> list[RecordOutcome]:
    return [outcome(i, "error" if i.startswith("bad") else "created") for i in local_ids]


@pytest.fixture
def pusher(aws, monkeypatch: pytest.MonkeyPatch) -> ScriptedPushService:
    service = ScriptedPushService(succeed_all, batches=dependencies.batches())
    monkeypatch.setattr(dependencies, "push_service", lambda: service)
    monkeypatch.setattr(worker.metrics, "namespace", "OdooSyncTests")  # the template sets it deployed
    dependencies.batches().create(new_batch(TENANT, BATCH, total=4))
    return service


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """What the worker's logger wrote, as JSON lines."""
    buffer = io.StringIO()
    handler = worker.logger.registered_handler
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    handler.setStream(previous)  # type: ignore[attr-defined]


def batch():
    found = dependencies.batches().get(TENANT, BATCH)
    assert found is not None
    return found


def test_a_chunk_is_pushed_with_its_message_fields(pusher):
    failures = invoke(sqs_record("m1", chunk(0, ["a", "b"])))

    assert failures == []
    assert pusher.calls == [
        {
            "tenant_id": TENANT,
            "connection_id": CONNECTION,
            "entity": "product",
            "local_ids": ["a", "b"],
            "options": SyncOptions(force_update=True),
            "triggered_by": TriggeredBy.BULK,
            "batch_id": BATCH,
            "chunk": 0,
            "holder": None,  # a chunk without slots to lease
        }
    ]
    assert (batch().succeeded, batch().status) == (2, BatchStatus.RUNNING)


def test_record_level_failures_do_not_fail_the_message(pusher):
    failures = invoke(sqs_record("m1", chunk(0, ["a", "bad1", "b", "bad2"])))

    assert failures == []
    assert (batch().succeeded, batch().failed, batch().status) == (2, 2, BatchStatus.COMPLETED_WITH_ERRORS)


def test_a_failing_chunk_fails_itself_and_its_group_followers_only(pusher):
    def odoo_down_for_b(entity: str, local_ids: Sequence[str]) -> list[RecordOutcome]:
        if "b" in local_ids:
            raise OdooNetworkError("connection refused")
        return succeed_all(entity, local_ids)

    pusher.pusher = odoo_down_for_b
    other_group = f"{TENANT}#con_fedcba9876543210"

    failures = invoke(
        sqs_record("m1", chunk(0, ["a"])),
        sqs_record("m2", chunk(1, ["b"])),
        sqs_record("m3", chunk(2, ["c"]), group=other_group),
        sqs_record("m4", chunk(3, ["d"])),
    )

    assert failures == ["m2", "m4"]
    # The groups run at once; in its group, m4 was never tried after m2 failed.
    assert sorted(call["local_ids"][0] for call in pusher.calls) == ["a", "b", "c"]
    assert (batch().succeeded, batch().failed, batch().pending) == (2, 0, 2)


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"kind": "push_chunk"}),
        json.dumps({**json.loads(chunk(0, ["a"])), "local_ids": []}),
        json.dumps({**json.loads(chunk(0, ["a"])), "message_version": 2}),
        json.dumps({**json.loads(chunk(0, ["a"])), "surprise": True}),
    ],
)
def test_a_malformed_message_is_logged_and_moved_to_the_dead_letter_queue(aws, pusher, log_lines, body):
    failures = invoke(sqs_record("bad", body), sqs_record("ok", chunk(0, ["a"]), group="another#group"))

    assert failures == []  # moved away: it no longer holds its group
    assert [call["local_ids"] for call in pusher.calls] == [["a"]]
    logged = next(line for line in log_lines() if "malformed sync message" in line["message"])
    assert logged["level"] == "ERROR"
    assert logged["message_id"] == "bad"
    dead = boto3.client("sqs").receive_message(QueueUrl=aws.queues["SyncDeadLetterQueue"])["Messages"]
    assert [message["Body"] for message in dead] == [body]


def test_without_a_dead_letter_queue_a_malformed_message_is_reported_failed(pusher, monkeypatch):
    monkeypatch.delenv("SYNC_DEAD_LETTER_QUEUE_URL", raising=False)
    service_settings.cache_clear()

    assert invoke(sqs_record("bad", "not json")) == ["bad"]


def test_a_redelivered_chunk_counts_its_records_once(pusher):
    body = chunk(0, ["a", "bad1"])

    invoke(sqs_record("m1", body))
    invoke(sqs_record("m1", body, receives=2))

    assert len(pusher.calls) == 2  # pushed again: the engine answers "unchanged" for what is done
    assert (batch().succeeded, batch().failed, batch().pending) == (1, 1, 2)


def odoo_down(entity: str, local_ids: Sequence[str]) -> list[RecordOutcome]:
    raise OdooNetworkError("connection refused")


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(receipt handle, seconds) of every message the worker handed back to SQS."""
    asked: list[tuple[str, int]] = []
    queue = dependencies.chunk_queue()
    monkeypatch.setattr(queue, "delay", lambda receipt, seconds: asked.append((receipt, seconds)))
    return asked


def test_a_failed_chunk_comes_back_after_a_backoff_of_its_own(pusher, delays):
    pusher.pusher = odoo_down

    failed = [invoke(sqs_record("m1", chunk(0, ["a", "b"]), receives=n)) for n in (1, 2, 3, 4, 5)]

    assert failed == [["m1"]] * 5
    waits = [seconds for _, seconds in delays]
    assert 2 <= waits[0] <= 5  # 5 s, give or take half, then doubling, capped at 45 s
    assert 5 <= waits[1] <= 10
    assert 20 <= waits[3] <= 40
    assert all(seconds <= 45 for seconds in waits)
    assert (batch().failed, batch().pending) == (0, 4)  # nothing given up: Odoo may come back


def test_odoos_retry_after_is_honoured(pusher, delays):
    def rate_limited(entity: str, local_ids: Sequence[str]) -> list[RecordOutcome]:
        raise OdooRateLimitedError("slow down", retry_after=120)

    pusher.pusher = rate_limited

    assert invoke(sqs_record("m1", chunk(0, ["a"]))) == ["m1"]
    assert delays == [("handle-m1", 120)]


def test_a_chunk_failing_for_an_hour_is_given_up_and_its_records_end_failed(pusher, delays, monkeypatch):
    invoke(sqs_record("m0", chunk(0, ["a", "b"])))
    pusher.pusher = odoo_down
    early = invoke(sqs_record("m1", chunk(1, ["c", "d"])))
    pending_before = batch().pending
    an_hour_later = time.time() + 3600
    monkeypatch.setattr(worker, "clock", lambda: an_hour_later)

    late = invoke(sqs_record("m1", chunk(1, ["c", "d"]), receives=80))

    assert (early, late) == (["m1"], [])  # given up: the message is done, its group goes on
    assert pending_before == 2
    assert (batch().failed, batch().status) == (2, BatchStatus.COMPLETED_WITH_ERRORS)
    assert dependencies.batches().failed_among(TENANT, BATCH, ["c", "d"]) == {"c", "d"}


def test_metrics_count_pushed_and_failed_records(pusher, capsys):
    invoke(sqs_record("m1", chunk(0, ["a", "b", "bad1"])))

    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert metrics[-1]["RecordsPushed"] == [2.0] or metrics[-1]["RecordsPushed"] == 2.0
    assert metrics[-1]["RecordsFailed"] in (1.0, [1.0])
    assert "ChunkDuration" in metrics[-1]


def test_logs_carry_the_batch_and_tenant_but_no_record_data(pusher, log_lines):
    invoke(sqs_record("m1", chunk(0, ["secret-sku-a"])))

    pushed = next(line for line in log_lines() if line["message"] == "chunk pushed")
    assert "secret-sku-a" not in json.dumps(log_lines())
    assert (pushed["tenant_id"], pushed["batch_id"], pushed["connection_id"], pushed["chunk"]) == (
        TENANT,
        BATCH,
        CONNECTION,
        0,
    )


def test_max_receives_matches_the_queue_redrive_policy():
    queue = template_resources("AWS::SQS::Queue")["SyncQueue"]

    assert int(queue["RedrivePolicy"]["maxReceiveCount"]) == worker.MAX_RECEIVES


def test_chunks_skipped_behind_a_failed_one_come_back_at_once_and_are_never_given_up_for_it(
    pusher, delays, monkeypatch
):
    pusher.pusher = odoo_down
    invoke(sqs_record("m1", chunk(0, ["a", "b"])), sqs_record("m2", chunk(1, ["c", "d"])))
    monkeypatch.setattr(worker, "clock", lambda: time.time() + 3600)

    failed = invoke(
        sqs_record("m1", chunk(0, ["a", "b"]), receives=80),
        sqs_record("m2", chunk(1, ["c", "d"]), receives=80),
    )

    # m1 has failed for an hour: given up. m2 was skipped behind it every time: it is tried now.
    assert failed == ["m2"]
    assert [call["local_ids"] for call in pusher.calls][-1] == ["c", "d"]
    assert ("handle-m2", 0) in delays[:2]  # handed back untried the first time, at once
    assert (batch().failed, batch().pending) == (2, 2)


def test_skipped_chunks_stay_pending(pusher, delays):
    pusher.pusher = odoo_down

    invoke(
        sqs_record("m1", chunk(0, ["a", "b"]), receives=2), sqs_record("m2", chunk(1, ["c", "d"]), receives=2)
    )

    assert (batch().failed, batch().pending) == (0, 4)
    assert ("handle-m2", 0) in delays


def test_a_chunk_whose_slot_another_holds_comes_back_shortly_without_failing(pusher, delays):
    def slot_busy(entity: str, local_ids: Sequence[str]) -> list[RecordOutcome]:
        raise SlotBusyError("another worker is pushing records of this chunk")

    pusher.pusher = slot_busy
    held = invoke(sqs_record("m1", chunk(0, ["a"])))
    pusher.pusher = succeed_all
    done = invoke(sqs_record("m1", chunk(0, ["a"]), receives=2))

    assert (held, done) == (["m1"], [])
    assert delays == [("handle-m1", 5)]
    assert (batch().succeeded, batch().failed) == (1, 0)


def test_records_given_up_on_are_logged_and_counted_as_failed(pusher, delays, monkeypatch):
    pusher.pusher = odoo_down
    invoke(sqs_record("m1", chunk(0, ["c", "d"])))
    monkeypatch.setattr(worker, "clock", lambda: time.time() + 3601)

    invoke(sqs_record("m1", chunk(0, ["c", "d"]), receives=80))

    entries, _ = dependencies.sync_log().query(TENANT, LogQuery(batch_id=BATCH))
    assert sorted((e.local_id, e.sync_status) for e in entries) == [("c", "error"), ("d", "error")]
    assert all("kept failing" in (e.error_message or "") for e in entries)
    assert dependencies.stats().read(TENANT)["failed_syncs"] == 2

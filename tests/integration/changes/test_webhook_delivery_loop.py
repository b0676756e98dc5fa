"""Deliveries end to end: publish → DeliveryQueue (moto SQS) → the function → a loopback receiver
that checks the signature; retries with backoff, final refusals and the dead-letter queue."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from changes_api.handler import lambda_handler as api
from odoo_sync.api import dependencies
from odoo_sync.core.signing import SignatureVerificationError, verify_signature
from tests.conftest import AwsResources
from tests.support.api import call
from tests.support.aws import template_resources
from tests.support.events import LambdaContextStub
from tests.unit.changes.builders import TENANT, change
from webhook_delivery import handler as delivery_function
from webhook_delivery.handler import MAX_RECEIVES
from webhook_delivery.handler import lambda_handler as worker


@dataclass
class Receiver:
    """A tiny HTTP receiver on loopback: answers the statuses scripted, verifies every signature."""

    answers: list[int] = field(default_factory=lambda: [200])
    secret: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def answer(self, body: bytes, headers: dict[str, str]) -> int:
        try:
            verify_signature(
                body, headers.get("X-OdooSync-Signature"), headers.get("X-OdooSync-Timestamp"), self.secret
            )
            verified = True
        except SignatureVerificationError:
            verified = False
        self.received.append({"event": json.loads(body), "headers": headers, "verified": verified})
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = state.answer(body, dict(self.headers.items()))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/odoo"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", "true")
    monkeypatch.setattr(delivery_function.metrics, "namespace", "OdooSyncTests")  # set by the template


@pytest.fixture
def subscribed(allow_loopback: None, aws: AwsResources, receiver: Receiver) -> str:
    created = call(api, "POST", "/v1/webhook-subscriptions", body={"url": receiver.url})
    assert created.status == 201, created.body
    receiver.secret = created.body["secret"]
    return str(created.body["subscription_id"])


class Queue:
    """Plays Lambda's SQS event source on the DeliveryQueue, one poll at a time."""

    def __init__(self, aws: AwsResources) -> None:
        self.sqs = boto3.client("sqs")
        self.url = aws.queues["DeliveryQueue"]
        self.dlq = aws.queues["DeliveryDeadLetterQueue"]
        self.handles: list[str] = []

    def poll(self) -> int:
        """Receive, invoke the function, delete what succeeded; the number of messages received."""
        messages = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return 0
        event = {"Records": [_record(message) for message in messages]}
        answer = worker(event, LambdaContextStub())
        failed = {failure["itemIdentifier"] for failure in answer.get("batchItemFailures", [])}
        self.handles = [m["ReceiptHandle"] for m in messages if m["MessageId"] in failed]
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def let_backoff_pass(self) -> None:
        """Time passes: the postponed messages become visible again now."""
        for handle in self.handles:
            self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=handle, VisibilityTimeout=0)

    def dead_letters(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(QueueUrl=self.dlq, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


def _record(message: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:DeliveryQueue",
        "awsRegion": "us-east-1",
    }


def deliveries(subscription_id: str) -> list[dict[str, Any]]:
    answer = call(
        api,
        "GET",
        "/v1/webhook-subscriptions/{subscription_id}/deliveries",
        {"subscription_id": subscription_id},
    )
    assert answer.status == 200
    return list(answer.body["items"])


def test_a_change_is_delivered_signed_and_the_receiver_verifies_it(
    subscribed: str, aws: AwsResources, receiver: Receiver
) -> None:
    dependencies.change_sink().publish(TENANT, [change("a"), change("b")])
    queue = Queue(aws)

    assert queue.poll() == 2
    assert queue.poll() == 0

    assert [r["verified"] for r in receiver.received] == [True, True]
    events = sorted((r["event"] for r in receiver.received), key=lambda e: e["data"]["local_id"])
    assert [e["data"]["local_id"] for e in events] == ["a", "b"]
    assert all(e["type"] == "record.updated" and e["id"].startswith("dlv_") for e in events)
    assert {r["headers"]["X-OdooSync-Delivery"] for r in receiver.received} == {e["id"] for e in events}
    log = deliveries(subscribed)
    assert {(d["status"], d["attempts"], d["last_status_code"]) for d in log} == {("succeeded", 1, 200)}
    assert all(d["last_duration_ms"] >= 0 and d["last_attempt_at"] for d in log)


def test_a_500_comes_back_after_a_backoff_and_then_succeeds(
    subscribed: str, aws: AwsResources, receiver: Receiver
) -> None:
    receiver.answers = [500, 200]
    dependencies.change_sink().publish(TENANT, [change("a")])
    queue = Queue(aws)

    assert queue.poll() == 1
    (retrying,) = deliveries(subscribed)
    assert (retrying["status"], retrying["attempts"], retrying["last_status_code"]) == ("retrying", 1, 500)
    assert retrying["next_attempt_at"] is not None
    assert queue.poll() == 0  # postponed: not visible before its backoff

    queue.let_backoff_pass()
    assert queue.poll() == 1

    (done,) = deliveries(subscribed)
    assert (done["status"], done["attempts"], done["last_status_code"]) == ("succeeded", 2, 200)
    assert [r["verified"] for r in receiver.received] == [True, True]
    assert receiver.received[0]["event"]["id"] == receiver.received[1]["event"]["id"]
    assert queue.dead_letters() == []


@pytest.mark.parametrize("status", [410, 400])
def test_a_final_refusal_is_not_retried(
    subscribed: str, aws: AwsResources, receiver: Receiver, status: int
) -> None:
    receiver.answers = [status]
    dependencies.change_sink().publish(TENANT, [change("a")])
    queue = Queue(aws)

    assert queue.poll() == 1
    queue.let_backoff_pass()
    assert queue.poll() == 0

    (failed,) = deliveries(subscribed)
    assert (failed["status"], failed["attempts"], failed["last_status_code"]) == ("failed", 1, status)
    assert len(receiver.received) == 1
    assert queue.dead_letters() == []


def test_a_delivery_failing_every_attempt_ends_in_the_dead_letter_queue(
    subscribed: str, aws: AwsResources, receiver: Receiver
) -> None:
    receiver.answers = [503]
    dependencies.change_sink().publish(TENANT, [change("a")])
    queue = Queue(aws)

    for _ in range(MAX_RECEIVES):
        assert queue.poll() == 1
        queue.let_backoff_pass()
    assert queue.poll() == 0

    (dead,) = deliveries(subscribed)
    assert (dead["status"], dead["attempts"]) == ("dead_lettered", MAX_RECEIVES)
    assert len(receiver.received) == MAX_RECEIVES
    (message,) = queue.dead_letters()
    assert message["delivery_id"] == dead["delivery_id"]


def test_the_worker_gives_up_when_the_queue_does() -> None:
    (queue,) = (p for name, p in template_resources("AWS::SQS::Queue").items() if name == "DeliveryQueue")
    assert queue["RedrivePolicy"]["maxReceiveCount"] == MAX_RECEIVES


def test_a_deleted_subscription_gets_no_more_deliveries(
    subscribed: str, aws: AwsResources, receiver: Receiver
) -> None:
    dependencies.change_sink().publish(TENANT, [change("a")])
    call(api, "DELETE", "/v1/webhook-subscriptions/{subscription_id}", {"subscription_id": subscribed})

    assert Queue(aws).poll() == 1
    assert receiver.received == []


def test_the_secret_never_reaches_the_logs(
    allow_loopback: None,
    aws: AwsResources,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    created = call(api, "POST", "/v1/webhook-subscriptions", body={"url": receiver.url})
    receiver.secret = created.body["secret"]
    subscription_id = created.body["subscription_id"]
    rotated = call(
        api,
        "POST",
        "/v1/webhook-subscriptions/{subscription_id}/rotate-secret",
        {"subscription_id": subscription_id},
    )
    receiver.secret = rotated.body["secret"]
    receiver.answers = [500, 200]
    dependencies.change_sink().publish(TENANT, [change("a")])
    queue = Queue(aws)
    queue.poll()
    queue.let_backoff_pass()
    queue.poll()

    assert [r["verified"] for r in receiver.received] == [True, True]
    assert all(r["headers"]["X-OdooSync-Signature"].count("v1=") == 2 for r in receiver.received)
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    assert "webhook" in logged  # the functions did log
    for secret in (created.body["secret"], rotated.body["secret"]):
        assert secret not in logged
    assert "whsec_" not in logged

"""One delivery attempt: what is sent, how the answer is classified, what the log keeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from odoo_sync.core.changes import DeliveryMessage, NewChange, change_id, delivery_id
from odoo_sync.core.outbound_webhooks import StoredSubscription
from odoo_sync.core.signing import verify_signature
from odoo_sync.core.webhook_delivery import (
    BACKOFF_CAP_S,
    DeliveryRecord,
    DeliveryStatus,
    WebhookDeliverer,
    backoff_s,
)
from odoo_sync.errors import NotFoundError
from odoo_sync.net import guarded_transport
from odoo_sync.security.envelope import SealedSecret
from tests.unit.changes.builders import TENANT, InMemoryChangeLog, change

NOW = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
SECRET = "whsec_unit-test-secret"
SUBSCRIPTION = "whk_0000000000000001"
URL = "https://hooks.example.com/odoo"
SEALED = SealedSecret(key_id="k", encrypted_data_key="a2V5", nonce="bm9uY2U=", ciphertext="Y2lwaGVy")


class Subscriptions:
    def __init__(self) -> None:
        self.stored: StoredSubscription | None = StoredSubscription(
            tenant_id=TENANT,
            subscription_id=SUBSCRIPTION,
            url=URL,
            entities=None,
            description=None,
            created_at="2024-05-01T09:00:00Z",
            secret=SEALED,
        )
        self.opened = 0

    def load(self, tenant_id: str, subscription_id: str) -> StoredSubscription:
        if self.stored is None or tenant_id != TENANT:
            raise NotFoundError("webhook subscription", subscription_id)
        return self.stored

    def signing_secrets(self, subscription: StoredSubscription) -> list[str]:
        self.opened += 1
        return [SECRET]


class Log:
    def __init__(self) -> None:
        self.records: list[DeliveryRecord] = []

    def record_attempt(self, tenant_id: str, record: DeliveryRecord) -> None:
        self.records.append(record)


class Receiver:
    """An httpx MockTransport answering with the statuses given, in turn; keeps what it got."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, text="ok")


def setup(
    client: httpx.Client, *, max_attempts: int = 5
) -> tuple[WebhookDeliverer, DeliveryMessage, Log, Subscriptions, InMemoryChangeLog]:
    changes, log, subscriptions = InMemoryChangeLog(), Log(), Subscriptions()
    published = change("a")
    (item,) = changes.append(
        TENANT, [NewChange(id=change_id(published), created_at="2024-05-01T10:00:00Z", data=published)]
    )
    message = DeliveryMessage(
        tenant_id=TENANT,
        subscription_id=SUBSCRIPTION,
        delivery_id=delivery_id(item.id, SUBSCRIPTION),
        sequence=item.sequence,
        change_id=item.id,
        queued_at="2024-05-01T10:00:00Z",
    )
    deliverer = WebhookDeliverer(
        subscriptions, changes, log, client, max_attempts=max_attempts, clock=lambda: NOW
    )
    return deliverer, message, log, subscriptions, changes


def test_a_delivery_posts_the_signed_event_and_logs_success() -> None:
    receiver = Receiver(200)
    deliverer, message, log, _, _ = setup(httpx.Client(transport=httpx.MockTransport(receiver)))

    result = deliverer.deliver(message, receive_count=1)

    assert result is not None
    assert result.status is DeliveryStatus.SUCCEEDED
    assert result.retry_in_s is None
    (request,) = receiver.requests
    assert str(request.url) == URL
    assert request.method == "POST"
    assert request.headers["X-OdooSync-Delivery"] == message.delivery_id
    assert request.headers["Content-Type"] == "application/json"
    verify_signature(
        request.content,
        request.headers["X-OdooSync-Signature"],
        request.headers["X-OdooSync-Timestamp"],
        SECRET,
        now=NOW.timestamp(),
    )
    event = json.loads(request.content)
    assert event["id"] == message.delivery_id
    assert event["type"] == "record.updated"
    assert event["data"]["local_id"] == "a"
    assert event["data"]["data"]["credit"] == 12.5
    (record,) = log.records
    assert (record.status, record.last_status_code, record.last_error) == (
        DeliveryStatus.SUCCEEDED,
        200,
        None,
    )
    assert (record.entity, record.local_id, record.type) == ("customer", "a", "record.updated")
    assert record.last_attempt_at == "2024-05-01T10:00:00Z"


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429, 302])
def test_server_errors_timeouts_and_throttling_are_retried_with_backoff(status: int) -> None:
    deliverer, message, log, _, _ = setup(httpx.Client(transport=httpx.MockTransport(Receiver(status))))

    result = deliverer.deliver(message, receive_count=3)

    assert result is not None
    assert result.status is DeliveryStatus.RETRYING
    assert result.retry_in_s == backoff_s(3) == 120
    assert log.records[0].last_status_code == status
    assert log.records[0].last_error == f"HTTP {status}"
    assert log.records[0].next_attempt_at == "2024-05-01T10:02:00Z"


@pytest.mark.parametrize(
    ("error", "logged"),
    [
        (httpx.ReadTimeout("slow"), "timed out after 5 s"),
        (httpx.ConnectError("refused"), "connection failed: ConnectError"),
    ],
)
def test_timeouts_and_connection_errors_are_retried(error: Exception, logged: str) -> None:
    deliverer, message, log, _, _ = setup(httpx.Client(transport=httpx.MockTransport(Receiver(error))))

    result = deliverer.deliver(message, receive_count=1)

    assert result is not None
    assert result.status is DeliveryStatus.RETRYING
    assert result.retry_in_s == 30
    assert (log.records[0].last_status_code, log.records[0].last_error) == (None, logged)


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_client_errors_other_than_408_and_429_are_final(status: int) -> None:
    deliverer, message, log, _, _ = setup(httpx.Client(transport=httpx.MockTransport(Receiver(status))))

    result = deliverer.deliver(message, receive_count=1)

    assert result is not None
    assert result.status is DeliveryStatus.FAILED
    assert result.retry_in_s is None
    assert log.records[0].status is DeliveryStatus.FAILED


def test_the_last_attempt_failing_is_logged_as_dead_lettered() -> None:
    deliverer, message, log, _, _ = setup(
        httpx.Client(transport=httpx.MockTransport(Receiver(500))), max_attempts=4
    )

    result = deliverer.deliver(message, receive_count=4)

    assert result is not None
    assert result.status is DeliveryStatus.DEAD_LETTERED
    assert result.retry_in_s is None
    assert log.records[0].status is DeliveryStatus.DEAD_LETTERED


def test_a_host_that_now_resolves_to_a_private_address_is_refused_without_contact() -> None:
    dialled: list[str] = []

    def rebinding_resolver(host: str, port: int) -> list[str]:
        dialled.append(host)
        return ["10.0.0.5"]

    client = httpx.Client(transport=guarded_transport(resolver=rebinding_resolver))
    deliverer, message, log, _, _ = setup(client)

    result = deliverer.deliver(message, receive_count=1)

    assert result is not None
    assert result.status is DeliveryStatus.FAILED
    assert dialled == ["hooks.example.com"]
    assert log.records[0].last_error is not None
    assert "10.0.0.5" in log.records[0].last_error


def test_nothing_is_sent_for_a_deleted_subscription_or_an_expired_change() -> None:
    receiver = Receiver(200)
    deliverer, message, log, subscriptions, changes = setup(
        httpx.Client(transport=httpx.MockTransport(receiver))
    )

    changes.feeds.clear()
    assert deliverer.deliver(message, receive_count=1) is None
    subscriptions.stored = None
    assert deliverer.deliver(message, receive_count=1) is None
    assert receiver.requests == []
    assert log.records == []


def test_the_secret_is_opened_once_per_warm_function() -> None:
    deliverer, message, _, subscriptions, _ = setup(
        httpx.Client(transport=httpx.MockTransport(Receiver(200)))
    )

    for _ in range(3):
        deliverer.deliver(message, receive_count=1)

    assert subscriptions.opened == 1


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff_s(n) for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert backoff_s(30) == BACKOFF_CAP_S

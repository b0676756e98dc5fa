"""Deliver one change to one subscription: sign, POST, classify, log.

The body is `{id, type, created_at, data}` where `id` is the delivery id (the receiver's
idempotency key, also in `X-OdooSync-Delivery`) and `data` the RecordChange. Signed as
core/signing.py says, with every secret valid now.

Outcomes: 2xx succeeded; 4xx other than 408 and 429 failed for good (the receiver refused the
delivery itself, sending it again changes nothing); any other status, a timeout or a connection
error is retried with exponential backoff until the last attempt, after which the message goes
to the dead-letter queue. A URL that now resolves to a refused address (DNS rebinding) fails
for good without being contacted. Redirects are not followed: a receiver must answer itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import httpx
from pydantic import BaseModel, Field

from odoo_sync.core.changes import DeliveryMessage, FeedItem
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.outbound_webhooks import StoredSubscription
from odoo_sync.core.signing import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header
from odoo_sync.errors import NotFoundError
from odoo_sync.net import UnsafeUrlError

DEFAULT_TIMEOUT_S = 5.0
BACKOFF_BASE_S = 30
BACKOFF_CAP_S = 3600
_RETRIED_CLIENT_ERRORS = frozenset({408, 429})
_MAX_CACHED_SECRETS = 64
_USER_AGENT = "OdooSync-Webhooks/1"


class DeliveryStatus(StrEnum):
    SUCCEEDED = "succeeded"
    RETRYING = "retrying"  # this attempt failed, another one is coming
    FAILED = "failed"  # refused by the receiver (4xx) or by the SSRF guard: not retried
    DEAD_LETTERED = "dead_lettered"  # the last attempt failed too: the message is in the DLQ


class DeliveryRecord(BaseModel):
    """One delivery in the subscription's delivery log, as of its last attempt."""

    delivery_id: str = Field(description="The id the receiver got (body `id`, X-OdooSync-Delivery)")
    subscription_id: str = Field(description="The subscription")
    change_id: str = Field(description="The change's `id` in the feed")
    sequence: int = Field(description="The change's number in the tenant's feed")
    type: str = Field(description="record.created, record.updated, record.archived, record.deleted")
    entity: str = Field(description="The change's entity")
    local_id: str = Field(description="The change's record")
    status: DeliveryStatus = Field(
        description="succeeded (2xx), retrying (another attempt is coming), failed (refused for good: "
        "a 4xx other than 408/429, or an address the guard refuses), dead_lettered (the last attempt "
        "failed too)"
    )
    attempts: int = Field(default=1, description="Attempts so far")
    last_status_code: int | None = Field(
        default=None, description="The receiver's last status; null: no answer"
    )
    last_duration_ms: int = Field(description="How long the last attempt took")
    last_error: str | None = Field(default=None, description="Why the last attempt failed, when it did")
    last_attempt_at: str = Field(description="ISO 8601 in UTC")
    next_attempt_at: str | None = Field(default=None, description="When it is tried again (while retrying)")
    queued_at: str = Field(description="When the delivery was queued, ISO 8601 in UTC")


class DeliveryLog(Protocol):
    def record_attempt(self, tenant_id: str, record: DeliveryRecord) -> None:
        """Upsert the delivery's entry and count one more attempt."""
        ...


class Subscriptions(Protocol):
    def load(self, tenant_id: str, subscription_id: str) -> StoredSubscription: ...
    def signing_secrets(self, subscription: StoredSubscription) -> list[str]: ...


class ChangeReader(Protocol):
    def get(self, tenant_id: str, sequence: int) -> FeedItem | None: ...


@dataclass(frozen=True)
class DeliveryResult:
    status: DeliveryStatus
    retry_in_s: int | None = None  # set when the message must come back after this delay


def backoff_s(receive_count: int) -> int:
    """Delay before the next attempt after attempt `receive_count` (1-based) failed."""
    return int(min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, receive_count - 1)))


def event_body(message: DeliveryMessage, item: FeedItem) -> bytes:
    event = {
        "id": message.delivery_id,
        "type": item.type,
        "created_at": item.created_at,
        "data": item.data.model_dump(mode="json"),
    }
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookDeliverer:
    def __init__(
        self,
        subscriptions: Subscriptions,
        changes: ChangeReader,
        log: DeliveryLog,
        http: httpx.Client,
        *,
        max_attempts: int,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._subscriptions = subscriptions
        self._changes = changes
        self._log = log
        self._http = http
        self._max_attempts = max_attempts
        self._timeout_s = timeout_s
        self._clock = clock
        # Opening a sealed secret costs a KMS call: a warm function keeps them per version.
        self._secrets: dict[tuple[str, str, int, bool], list[str]] = {}

    def deliver(self, message: DeliveryMessage, receive_count: int) -> DeliveryResult | None:
        """Attempt the delivery; None when there is nothing to deliver any more (subscription
        deleted, change expired), which ends the message."""
        subscription = self._subscription(message)
        item = self._changes.get(message.tenant_id, message.sequence) if subscription else None
        if subscription is None or item is None:
            return None
        status_code, error, duration_ms = self._post(subscription, message, item)
        status = self._status(status_code, error, receive_count)
        retry_in = backoff_s(receive_count) if status is DeliveryStatus.RETRYING else None
        now = self._clock()
        self._log.record_attempt(
            message.tenant_id,
            DeliveryRecord(
                delivery_id=message.delivery_id,
                subscription_id=message.subscription_id,
                change_id=message.change_id,
                sequence=message.sequence,
                type=item.type,
                entity=item.data.entity,
                local_id=item.data.local_id,
                status=status,
                last_status_code=status_code,
                last_duration_ms=duration_ms,
                last_error=error,
                last_attempt_at=iso(now),
                next_attempt_at=iso(now + timedelta(seconds=retry_in)) if retry_in else None,
                queued_at=message.queued_at,
            ),
        )
        return DeliveryResult(status, retry_in)

    def _subscription(self, message: DeliveryMessage) -> StoredSubscription | None:
        try:
            return self._subscriptions.load(message.tenant_id, message.subscription_id)
        except NotFoundError:
            return None

    def _post(
        self, subscription: StoredSubscription, message: DeliveryMessage, item: FeedItem
    ) -> tuple[int | None, str | None, int]:
        body = event_body(message, item)
        timestamp = int(self._clock().timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": _USER_AGENT,
            DELIVERY_HEADER: message.delivery_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature_header(self._signing_secrets(subscription), timestamp, body),
        }
        started = time.perf_counter()
        try:
            # Streamed and closed unread: a receiver's answer body is not ours to download.
            with self._http.stream(
                "POST", subscription.url, content=body, headers=headers, timeout=self._timeout_s
            ) as response:
                status_code: int | None = response.status_code
            error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
        except UnsafeUrlError as exc:
            status_code, error = None, f"refused: {exc.message}"
        except httpx.TimeoutException:
            status_code, error = None, f"timed out after {self._timeout_s:g} s"
        except httpx.HTTPError as exc:
            status_code, error = None, f"connection failed: {type(exc).__name__}"
        return status_code, error, round((time.perf_counter() - started) * 1000)

    def _status(self, status_code: int | None, error: str | None, receive_count: int) -> DeliveryStatus:
        if error is None:
            return DeliveryStatus.SUCCEEDED
        refused_by_guard = status_code is None and error.startswith("refused:")
        final_client_error = (
            status_code is not None and 400 <= status_code < 500 and status_code not in _RETRIED_CLIENT_ERRORS
        )
        if refused_by_guard or final_client_error:
            return DeliveryStatus.FAILED
        if receive_count >= self._max_attempts:
            return DeliveryStatus.DEAD_LETTERED
        return DeliveryStatus.RETRYING

    def _signing_secrets(self, subscription: StoredSubscription) -> list[str]:
        expires = subscription.previous_secret_expires_at
        previous_valid = expires is not None and expires > iso(self._clock())
        key = (subscription.tenant_id, subscription.subscription_id, subscription.version, previous_valid)
        cached = self._secrets.get(key)
        if cached is None:
            if len(self._secrets) >= _MAX_CACHED_SECRETS:
                self._secrets.pop(next(iter(self._secrets)))
            cached = self._secrets[key] = self._subscriptions.signing_secrets(subscription)
        return cached

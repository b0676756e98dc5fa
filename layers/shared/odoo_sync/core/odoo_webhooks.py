"""What Odoo POSTs to /v1/webhooks/odoo/<token>: checked, counted, turned into a queued change.

Odoo waits for the answer inside its user's save (captured: the POST arrives before the RPC
returns), so nothing here talks to Odoo: the token names the tenant and connection, the payload
names the model, the record and its write_date, and the worker re-reads the record later with the
connection's own credentials. The notice goes to the notice queue, where identical POSTs for one
change are gathered into one read (`odoo_sync.core.notice_apply`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.webhook_tokens import WebhookToken, hash_token, is_token_shaped
from odoo_sync.errors import InvalidInputError, InvalidJsonError, NotFoundError, ServiceError
from odoo_sync.sync.model import ODOO_MODEL_PATTERN, OdooChangeMessage

MAX_NOTICE_BYTES = 262_144
_MODEL = re.compile(ODOO_MODEL_PATTERN)
# Odoo sends datetimes with microseconds (captured: "2026-11-22 15:58:49.231656").
_WRITE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$")
_MAX_MODEL_LENGTH = 128


class TokenLookup(Protocol):
    def find(self, token_hash: str) -> WebhookToken | None: ...


class RateDecisionLike(Protocol):
    @property
    def allowed(self) -> bool: ...
    @property
    def retry_after_s(self) -> int: ...


class RateLimiter(Protocol):
    def allow(self, tenant_id: str, connection_id: str) -> RateDecisionLike: ...


class ChangeQueue(Protocol):
    def send(self, messages: Sequence[OdooChangeMessage]) -> int: ...


class UnknownWebhookError(NotFoundError):
    """No connection has this token (never had, or it was rotated or revoked)."""

    def __init__(self) -> None:
        super().__init__("webhook", "for this URL")


class WebhookRateLimitedError(ServiceError):
    code = "rate_limited"

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(
            "too many notices for this connection; the next minute accepts more",
            details={"retry_after_s": retry_after_s},
        )


class PayloadTooLargeError(ServiceError):
    code = "payload_too_large"

    def __init__(self) -> None:
        super().__init__(f"the body may be at most {MAX_NOTICE_BYTES} bytes", field="body")


@dataclass(frozen=True)
class Notice:
    """What we take from Odoo's payload; everything else in it is ignored."""

    model: str
    record_id: int
    write_date: str | None


@dataclass(frozen=True)
class Receipt:
    queued: bool
    tenant_id: str
    connection_id: str
    model: str
    record_id: int


class WebhookReceiver:
    def __init__(
        self,
        tokens: TokenLookup,
        limiter: RateLimiter,
        queue: ChangeQueue,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._tokens = tokens
        self._limiter = limiter
        self._queue = queue
        self._clock = clock

    def receive(self, token: str, body: str | bytes) -> Receipt:
        if len(body) > MAX_NOTICE_BYTES:
            raise PayloadTooLargeError
        owner = self._owner(token)
        decision = self._limiter.allow(owner.tenant_id, owner.connection_id)
        if not decision.allowed:
            raise WebhookRateLimitedError(decision.retry_after_s)
        notice = parse_notice(body)
        receipt = Receipt(False, owner.tenant_id, owner.connection_id, notice.model, notice.record_id)
        if notice.model not in owner.models:
            return receipt
        self._queue.send(
            [
                OdooChangeMessage(
                    tenant_id=owner.tenant_id,
                    connection_id=owner.connection_id,
                    odoo_model=notice.model,
                    odoo_ids=[notice.record_id],
                    write_date=notice.write_date,
                    received_at=iso(self._clock()),
                )
            ]
        )
        return Receipt(True, owner.tenant_id, owner.connection_id, notice.model, notice.record_id)

    def _owner(self, token: str) -> WebhookToken:
        # A string that cannot be a token is not looked up at all.
        if not is_token_shaped(token):
            raise UnknownWebhookError
        owner = self._tokens.find(hash_token(token))
        if owner is None:
            raise UnknownWebhookError
        return owner


def parse_notice(body: str | bytes) -> Notice:
    """The model, record id and write_date of Odoo's payload (400 with the field at fault)."""
    try:
        payload: Any = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidJsonError.from_decode_error(exc) from exc
    except RecursionError as exc:
        raise InvalidJsonError.too_deep() from exc
    except ValueError as exc:  # bytes that are not UTF-8
        raise InvalidJsonError(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise InvalidInputError("the body must be a JSON object", field="body")
    model = payload.get("_model")
    if not isinstance(model, str) or len(model) > _MAX_MODEL_LENGTH or not _MODEL.fullmatch(model):
        raise InvalidInputError("`_model` must name an Odoo model", field="_model")
    record_id = payload.get("_id", payload.get("id"))
    if isinstance(record_id, bool) or not isinstance(record_id, int) or record_id < 1:
        raise InvalidInputError("`_id` must be a positive record id", field="_id")
    write_date = payload.get("write_date")
    if not isinstance(write_date, str) or not _WRITE_DATE.fullmatch(write_date):
        write_date = None  # without it the notice is still queued, only never collapsed
    return Notice(model, record_id, write_date)

"""The webhook receiver's core: token, budget, payload, queue (no AWS, no HTTP)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from odoo_sync.core.odoo_webhooks import (
    MAX_NOTICE_BYTES,
    PayloadTooLargeError,
    UnknownWebhookError,
    WebhookRateLimitedError,
    WebhookReceiver,
    parse_notice,
)
from odoo_sync.core.webhook_tokens import WebhookToken, hash_token, new_token
from odoo_sync.errors import InvalidInputError, InvalidJsonError
from odoo_sync.stores.webhook_tokens import RateDecision
from odoo_sync.sync.model import OdooChangeMessage

TOKEN = new_token()
# Captured from Odoo 19 (v19-webhook.json, trigger fields set, one create).
ODOO_BODY = (
    '{"_action": "WIRE webhook action 19(#357)", "_id": 121, "_model": "res.partner", "active": true, '
    '"category_id": [], "country_id": 20, "customer_rank": 1, "email": "p1@hook.example", "id": 121, '
    '"name": "WIRE hook 19 P1", "ref": "WIRE-HOOK-19-1", "write_date": "2026-11-22 15:59:46.332931"}'
)


class Tokens:
    def __init__(self, *tokens: WebhookToken) -> None:
        self.by_hash = {token.token_hash: token for token in tokens}
        self.lookups = 0

    def find(self, token_hash: str) -> WebhookToken | None:
        self.lookups += 1
        return self.by_hash.get(token_hash)


@dataclass
class Limiter:
    allowed: bool = True
    asked: list[tuple[str, str]] = field(default_factory=list)

    def allow(self, tenant_id: str, connection_id: str) -> RateDecision:
        self.asked.append((tenant_id, connection_id))
        return RateDecision(self.allowed, 0 if self.allowed else 17)


@dataclass
class Queue:
    sent: list[OdooChangeMessage] = field(default_factory=list)

    def send(self, messages: Sequence[OdooChangeMessage]) -> int:
        self.sent.extend(messages)
        return len(messages)


def owner(models: list[str] | None = None) -> WebhookToken:
    return WebhookToken(
        token_hash=hash_token(TOKEN),
        tenant_id="ten_1",
        connection_id="con_0123456789abcdef",
        created_at="2026-01-01T00:00:00Z",
        models=["res.partner"] if models is None else models,
    )


def receiver(
    limiter: Limiter | None = None, models: list[str] | None = None
) -> tuple[WebhookReceiver, Queue]:
    queue = Queue()
    moment = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    return WebhookReceiver(Tokens(owner(models)), limiter or Limiter(), queue, clock=lambda: moment), queue


def test_an_odoo_payload_becomes_one_queued_change_of_that_record():
    receive, queue = receiver()

    receipt = receive.receive(TOKEN, ODOO_BODY)

    assert receipt.queued
    [message] = queue.sent
    assert (message.tenant_id, message.connection_id) == ("ten_1", "con_0123456789abcdef")
    assert (message.odoo_model, message.odoo_ids) == ("res.partner", [121])
    assert message.write_date == "2026-11-22 15:59:46.332931"
    assert message.received_at == "2026-11-22T16:00:00Z"


def test_a_model_the_connection_does_not_sync_is_accepted_and_ignored():
    receive, queue = receiver(models=["product.template"])

    receipt = receive.receive(TOKEN, ODOO_BODY)

    assert not receipt.queued
    assert queue.sent == []


# A well-formed token nobody was given; fixed so that parallel workers collect the same tests.
UNKNOWN_TOKEN = "Aox8kH2F9hnos77io32iYxkUv6C7vDL0RgPuZhhO-1Y"


@pytest.mark.parametrize("token", [UNKNOWN_TOKEN, "short", "x" * 43 + "/", ""])
def test_an_unknown_or_malformed_token_is_not_found(token):
    tokens = Tokens(owner())
    receive = WebhookReceiver(tokens, Limiter(), Queue())

    with pytest.raises(UnknownWebhookError):
        receive.receive(token, ODOO_BODY)
    # Something that cannot be a token is refused without a lookup.
    assert tokens.lookups == (1 if len(token) == 43 and "/" not in token else 0)


def test_over_the_budget_is_refused_with_a_retry_delay_and_nothing_queued():
    receive, queue = receiver(Limiter(allowed=False))

    with pytest.raises(WebhookRateLimitedError) as refused:
        receive.receive(TOKEN, ODOO_BODY)

    assert refused.value.details["retry_after_s"] == 17
    assert queue.sent == []


def test_an_unknown_token_does_not_spend_anyones_budget():
    limiter = Limiter()
    receive, _ = receiver(limiter)

    with pytest.raises(UnknownWebhookError):
        receive.receive(new_token(), ODOO_BODY)

    assert limiter.asked == []


def test_a_body_over_the_limit_is_refused_before_parsing():
    receive, queue = receiver()

    with pytest.raises(PayloadTooLargeError):
        receive.receive(TOKEN, "{" + " " * MAX_NOTICE_BYTES + "}")

    assert queue.sent == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("[1, 2]", "body"),
        ('"text"', "body"),
        ('{"_id": 1}', "_model"),
        ('{"_model": "Res Partner", "_id": 1}', "_model"),
        ('{"_model": 5, "_id": 1}', "_model"),
        ('{"_model": "res.partner"}', "_id"),
        ('{"_model": "res.partner", "_id": "7"}', "_id"),
        ('{"_model": "res.partner", "_id": true}', "_id"),
        ('{"_model": "res.partner", "_id": 0}', "_id"),
    ],
)
def test_a_payload_that_names_no_record_is_refused_with_the_field_at_fault(body, field):
    with pytest.raises(InvalidInputError) as refused:
        parse_notice(body)

    assert refused.value.field == field


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("{not json", "at line 1, column 2 (character 1)"),
        ('{"_model": "res.partner",\n "_id": 1,}', "at line 2, column 11 (character 36)"),
        ("[" * 100_000 + "]" * 100_000, "nests arrays and objects too deeply"),
        (b'{"_model": "\xff"}', "not valid JSON"),
    ],
)
def test_a_body_that_is_not_json_says_where_it_breaks_and_names_no_field(body, said):
    with pytest.raises(InvalidJsonError) as refused:
        parse_notice(body)

    assert refused.value.code == "invalid_json"
    assert refused.value.field is None
    assert said in refused.value.message


def test_the_plain_id_stands_in_when_odoo_sent_no_underscore_id():
    notice = parse_notice('{"_model": "res.partner", "id": 9, "write_date": "2026-11-22 15:58:49"}')

    assert (notice.model, notice.record_id, notice.write_date) == ("res.partner", 9, "2026-11-22 15:58:49")


@pytest.mark.parametrize("write_date", [False, None, 17, "yesterday", "2026-11-22T15:58:49Z"])
def test_an_odd_write_date_is_dropped_but_the_change_still_queued(write_date):
    receive, queue = receiver()
    body = json.dumps({"_model": "res.partner", "_id": 4, "write_date": write_date})

    assert receive.receive(TOKEN, body).queued
    assert queue.sent[0].write_date is None

"""POST /v1/webhooks/odoo/{token} through its handler, on moto's DynamoDB and SQS."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from odoo_sync.api.dependencies import notice_queue, webhook_tokens
from odoo_sync.core.notice_apply import QueuedNotice, gather
from odoo_sync.core.odoo_webhooks import WebhookReceiver
from odoo_sync.core.webhook_tokens import WebhookToken, hash_token, new_token
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.webhook_tokens import DynamoWebhookRateLimiter
from odoo_sync.sync.model import OdooChangeMessage
from odoo_webhook import handler
from tests.support.api import ApiAnswer, call

ROUTE = "/v1/webhooks/odoo/{token}"
CONNECTION = "con_0123456789abcdef"


def notice(record_id: int = 96, write_date: str = "2026-11-22 15:58:49.231656", **extra: Any) -> str:
    # The shape Odoo 17 POSTs (v17-webhook.json): sorted keys, bare many2one ids, microseconds.
    return json.dumps(
        {
            "_action": "Send Webhook Notification(#338)",
            "_id": record_id,
            "_model": "res.partner",
            "country_id": False,
            "email": "p0@hook.example",
            "id": record_id,
            "name": "WIRE hook 17 P0",
            "write_date": write_date,
            **extra,
        },
        sort_keys=True,
    )


def post(token: str, body: str | None) -> ApiAnswer:
    return call(
        handler.lambda_handler,
        "POST",
        ROUTE,
        {"token": token},
        body=body,
        tenant_id=None,
        headers={"Content-Type": "application/json", "User-Agent": "python-requests/2.25.1"},
    )


@pytest.fixture
def token(aws) -> str:
    plain = new_token()
    webhook_tokens().replace(
        WebhookToken(
            token_hash=hash_token(plain),
            tenant_id="ten_1",
            connection_id=CONNECTION,
            created_at="2026-01-01T00:00:00Z",
            models=["res.partner"],
        ),
        None,
    )
    return plain


def queued(aws) -> list[OdooChangeMessage]:
    sqs = boto3.client("sqs")
    messages: list[OdooChangeMessage] = []
    while True:
        got = sqs.receive_message(QueueUrl=aws.queues["OdooChangeQueue"], MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not got:
            return messages
        for message in got:
            messages.append(OdooChangeMessage.model_validate_json(message["Body"]))
            sqs.delete_message(QueueUrl=aws.queues["OdooChangeQueue"], ReceiptHandle=message["ReceiptHandle"])


def test_a_notice_is_accepted_and_queued_for_the_tokens_connection(aws, token):
    answer = post(token, notice())

    assert answer.status == 202
    assert answer.body == {"queued": True}
    [message] = queued(aws)
    assert (message.tenant_id, message.connection_id, message.odoo_model) == (
        "ten_1",
        CONNECTION,
        "res.partner",
    )
    assert message.odoo_ids == [96]


def test_identical_posts_for_one_change_are_queued_and_gathered_into_one_read(aws, token):
    # Without trigger fields Odoo 17 sent 14 identical POSTs for one create (captured).
    answers = [post(token, notice()) for _ in range(14)]
    post(token, notice(write_date="2026-11-22 15:58:51.655688"))  # a later change of the same record

    assert {answer.status for answer in answers} == {202}
    messages = queued(aws)
    assert len(messages) == 15
    [group] = gather([QueuedNotice(str(n), message, patient=True) for n, message in enumerate(messages)])
    assert group.odoo_ids == [messages[0].odoo_ids[0]]  # read once
    assert set(group.awaited().values()) == {"2026-11-22 15:58:51.655688"}  # the newest is awaited


def test_an_unknown_token_is_not_found_and_logged_without_the_token(aws, token, caplog):
    forged = new_token()

    answer = post(forged, notice())

    assert answer.status == 404
    assert answer.body["code"] == "not_found"
    [warning] = [record for record in caplog.records if record.levelname == "WARNING"]
    assert "unknown token" in warning.getMessage()
    assert forged not in str(vars(warning))
    assert queued(aws) == []


def test_a_rotated_token_is_not_found(aws, token):
    current = webhook_tokens().get_for_connection("ten_1", CONNECTION)
    assert current is not None
    webhook_tokens().replace(current.model_copy(update={"token_hash": hash_token(new_token())}), current)

    assert post(token, notice()).status == 404


def test_an_oversized_body_is_refused_with_413(aws, token):
    answer = post(token, notice(padding="x" * 300_000))

    assert answer.status == 413
    assert answer.body["field"] == "body"
    assert queued(aws) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [("[]", "body"), ('{"_model": "res.partner"}', "_id")],
)
def test_a_malformed_body_is_refused_with_400_and_the_field_at_fault(aws, token, body, field):
    answer = post(token, body)

    assert answer.status == 400
    assert answer.body["field"] == field
    assert queued(aws) == []


@pytest.mark.parametrize(
    ("body", "where"),
    [("{not json", "line 1, column 2 (character 1)"), (None, "line 1, column 1 (character 0)")],
)
def test_a_body_that_is_not_json_is_refused_with_400_invalid_json_saying_where(aws, token, body, where):
    answer = post(token, body)

    assert answer.status == 400
    assert answer.body["code"] == "invalid_json"
    assert answer.body["field"] is None
    assert where in answer.body["message"]
    assert queued(aws) == []


def test_a_model_that_is_not_synced_is_accepted_and_not_queued(aws, token):
    answer = post(token, notice().replace('"res.partner"', '"res.users"'))

    assert answer.status == 202
    assert answer.body == {"queued": False}
    assert queued(aws) == []


def test_a_flood_is_refused_with_429_and_retry_after(aws, token, monkeypatch):
    minute_and_a_half = 1_800_000_030.0
    limiter = DynamoWebhookRateLimiter(
        table(aws.tables["OperationsTable"]), 5, clock=lambda: minute_and_a_half
    )
    receiver = WebhookReceiver(webhook_tokens(), limiter, notice_queue())
    monkeypatch.setattr(handler, "webhook_receiver", lambda: receiver)

    answers = [post(token, notice(record_id=n)) for n in range(1, 9)]

    assert [answer.status for answer in answers] == [202] * 5 + [429] * 3
    assert answers[-1].body["code"] == "rate_limited"
    assert answers[-1].headers["Retry-After"] == "30"
    assert [message.odoo_ids for message in queued(aws)] == [[1], [2], [3], [4], [5]]

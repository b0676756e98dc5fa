"""Webhook tokens in DynamoDB (moto): only hashes kept, rotation, revocation, the per-minute budget."""

from __future__ import annotations

import pytest

from odoo_sync.core.webhook_tokens import (
    WebhookToken,
    hash_token,
    is_token_shaped,
    new_token,
    token_in_url,
    url_carries,
    webhook_url,
)
from odoo_sync.errors import ConflictError
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.webhook_tokens import DynamoWebhookRateLimiter, DynamoWebhookTokens

CONNECTION = "con_0123456789abcdef"


def token_for(plain: str, models: list[str] | None = None) -> WebhookToken:
    return WebhookToken(
        token_hash=hash_token(plain),
        tenant_id="ten_1",
        connection_id=CONNECTION,
        created_at="2026-01-01T00:00:00Z",
        models=models or [],
    )


@pytest.fixture
def tokens(aws) -> DynamoWebhookTokens:
    return DynamoWebhookTokens(table(aws.tables["ConfigTable"]))


def test_tokens_are_url_safe_random_and_recognised_in_our_urls():
    plain = new_token()
    url = webhook_url("https://api.example.com/prod/", plain)

    assert is_token_shaped(plain)
    assert plain != new_token()
    assert url == f"https://api.example.com/prod/v1/webhooks/odoo/{plain}"
    assert token_in_url(url) == plain
    assert url_carries(url, hash_token(plain))
    assert not url_carries(url, hash_token(new_token()))
    assert token_in_url("https://elsewhere.example.com/hook") is None
    assert token_in_url(None) is None


def test_only_the_hash_is_stored_and_it_finds_the_connection(aws, tokens):
    plain = new_token()
    tokens.replace(token_for(plain), None)

    found = tokens.find(hash_token(plain))

    assert found is not None
    assert found.connection_id == CONNECTION
    assert tokens.get_for_connection("ten_1", CONNECTION) == found
    stored = table(aws.tables["ConfigTable"]).scan()["Items"]
    assert stored
    assert all(plain not in str(item) for item in stored)


def test_a_second_first_token_for_a_connection_is_refused(tokens):
    tokens.replace(token_for(new_token()), None)

    with pytest.raises(ConflictError):
        tokens.replace(token_for(new_token()), None)


def test_rotation_makes_the_old_token_unknown_at_once(tokens):
    old, new = new_token(), new_token()
    tokens.replace(token_for(old, ["res.partner"]), None)

    tokens.replace(token_for(new, ["res.partner"]), token_for(old))

    assert tokens.find(hash_token(old)) is None
    assert tokens.find(hash_token(new)) is not None
    current = tokens.get_for_connection("ten_1", CONNECTION)
    assert current is not None
    assert current.token_hash == hash_token(new)


def test_a_rotation_from_a_token_that_is_no_longer_current_is_refused(tokens):
    first, second = new_token(), new_token()
    tokens.replace(token_for(first), None)
    tokens.replace(token_for(second), token_for(first))

    with pytest.raises(ConflictError):
        tokens.replace(token_for(new_token()), token_for(first))
    assert tokens.find(hash_token(second)) is not None


def test_models_are_kept_on_both_items_and_revocation_removes_both(tokens):
    plain = new_token()
    tokens.replace(token_for(plain), None)
    current = tokens.get_for_connection("ten_1", CONNECTION)
    assert current is not None

    tokens.set_models(current, ["product.template", "res.partner"])
    found = tokens.find(hash_token(plain))
    assert found is not None
    assert found.models == ["product.template", "res.partner"]

    tokens.revoke(current)
    assert tokens.find(hash_token(plain)) is None
    assert tokens.get_for_connection("ten_1", CONNECTION) is None


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_budget_admits_the_limit_per_minute_then_refuses_until_the_next_minute(aws):
    clock = Clock(1_800_000_000.0 + 45)  # 45 s into a minute
    limiter = DynamoWebhookRateLimiter(table(aws.tables["OperationsTable"]), 3, clock=clock)

    admitted = [limiter.allow("ten_1", CONNECTION).allowed for _ in range(4)]
    refused = limiter.allow("ten_1", CONNECTION)

    assert admitted == [True, True, True, False]
    assert refused.retry_after_s == 15
    assert limiter.allow("ten_1", "con_fedcba9876543210").allowed  # another connection's budget
    clock.now += 15
    assert limiter.allow("ten_1", CONNECTION).allowed

"""A body that is not JSON answers 400 `invalid_json` on every route that takes a body.

Routes come from template.yaml, and whether a route takes a body from its handler's own resolver,
so a route declared later is covered as soon as it exists.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest

from odoo_sync.api.dependencies import webhook_tokens
from odoo_sync.core.webhook_tokens import WebhookToken, hash_token, new_token
from tests.conftest import AwsResources
from tests.security.world import Route, api_routes
from tests.support.api import ApiAnswer, call

# Odoo's webhook receiver reads its body by hand (its token, not an API key, names the tenant).
WEBHOOK_RECEIVER = "/v1/webhooks/odoo/{token}"
# Actions that take no body at all: whatever is sent is not read.
WITHOUT_BODY = {
    ("POST", "/v1/connections/{connection_id}/test"),
    ("POST", "/v1/connections/{connection_id}/automation/token"),
    ("POST", "/v1/schedules/{schedule_id}/run"),
    ("POST", "/v1/webhook-subscriptions/{subscription_id}/rotate-secret"),
}
# Well-formed ids: the body is what is wrong, not the path.
PATH_VALUES = {
    "connection_id": "con_0123456789abcdef",
    "batch_id": "bat_0123456789abcdef",
    "schedule_id": "sch_0123456789abcdef",
    "subscription_id": "whk_0123456789abcdef",
    "conflict_id": "cfl_0123456789abcdef",
    "mapping_id": "map_0123456789abcdef",
    "tenant_id": "ten_0123456789abcdef",
    "entity": "customer",
    "local_id": "c-1",
    "kind": "category",
    "model": "res.partner",
    "record_id": "7",
    "method": "search_count",
}
# (body, where it breaks, as the message says it)
BROKEN = [
    ('{"name": "x",}', "enclosed in double quotes at line 1, column 14 (character 13)"),
    (
        '{\n  "values": {"name": "x"}\n  "id": 1\n}',
        "expecting ',' delimiter at line 3, column 3 (character 30)",
    ),
    ("{'single': 'quotes'}", "at line 1, column 2 (character 1)"),
    ('{"name": "unterminated', "unterminated string starting at line 1, column 10 (character 9)"),
    ("   ", "expecting value at line 1, column 4 (character 3)"),
]


def _takes_body(route: Route) -> bool:
    if route.path == WEBHOOK_RECEIVER:
        return True
    app = importlib.import_module(route.handler_module).app
    declared = [*app._static_routes, *app._dynamic_routes]  # Powertools keeps them there
    path = route.path.replace("{", "<").replace("}", ">")
    matching = [each for each in declared if (each.method, each.path) == (route.method, path)]
    assert matching, f"{route} is in template.yaml but its handler declares no such route"
    return matching[0].body_field is not None


MUTATING = [route for route in api_routes() if route.method in {"POST", "PUT", "PATCH"}]
BODY_ROUTES = [route for route in MUTATING if _takes_body(route)]


def test_every_mutating_route_takes_a_body_or_is_a_known_action_without_one() -> None:
    without = {(route.method, route.path) for route in MUTATING if route not in BODY_ROUTES}

    assert without == WITHOUT_BODY
    assert len(BODY_ROUTES) >= 25


def _send(route: Route, body: str, token: str) -> ApiAnswer:
    values = {**PATH_VALUES, "token": token}
    parameters = {name: values[name] for name in route.parameters}
    admin = route.path.startswith("/v1/admin/")
    return call(
        route.handler,
        route.method,
        route.path,
        parameters,
        body=body,
        tenant_id=None if admin or route.path == WEBHOOK_RECEIVER else PATH_VALUES["tenant_id"],
        role="operator" if admin else "tenant",
        headers={"Content-Type": "application/json"},
    )


@pytest.fixture
def token(aws: AwsResources) -> str:
    plain = new_token()
    webhook_tokens().replace(
        WebhookToken(
            token_hash=hash_token(plain),
            tenant_id=PATH_VALUES["tenant_id"],
            connection_id=PATH_VALUES["connection_id"],
            models=["res.partner"],
            created_at=datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        ),
        None,
    )
    return plain


@pytest.mark.parametrize("route", BODY_ROUTES, ids=str)
def test_a_body_that_is_not_json_answers_400_invalid_json_saying_where(route: Route, token: str) -> None:
    for body, where in BROKEN:
        answer = _send(route, body, token)

        assert answer.status == 400, (body, answer.body)
        assert answer.body["code"] == "invalid_json"
        assert answer.body["field"] is None
        assert answer.body["message"].startswith("the body is not valid JSON")
        assert where in answer.body["message"], (body, answer.body["message"])
        assert "errors" not in answer.body


@pytest.mark.parametrize("route", BODY_ROUTES, ids=str)
def test_a_body_nested_past_the_decoders_limit_answers_400_not_a_crash(route: Route, token: str) -> None:
    answer = _send(route, "[" * 100_000 + "]" * 100_000, token)

    assert answer.status == 400, answer.body
    assert answer.body["code"] == "invalid_json"
    assert answer.body["field"] is None
    assert "nested" in answer.body["message"] or "nests" in answer.body["message"]

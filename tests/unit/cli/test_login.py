"""`login` learns who a key is from GET /v1/me, and checks it another way where the route is missing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from odoo_sync_cli.app import who_am_i
from odoo_sync_cli.client import ApiClient, ApiError
from odoo_sync_cli.exits import ExitCode

ME = {
    "role": "tenant",
    "tenant_id": "ten_0123456789abcdef",
    "tenant_name": "Acme",
    "key_id": "key_1",
    "key_name": "ci",
    "scopes": ["sync"],
}


def api(answers: dict[str, tuple[int, Any]], asked: list[str]) -> ApiClient:
    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        status, body = answers[request.url.path]
        return httpx.Response(status, json=body)

    return ApiClient("http://api.test", "osk", transport=httpx.MockTransport(answer))


def test_a_service_with_v1_me_says_who_the_key_is() -> None:
    asked: list[str] = []
    with api({"/v1/me": (200, ME)}, asked) as client:
        assert who_am_i(client) == ME
    assert asked == ["/v1/me"]


@pytest.mark.parametrize(
    "missing",
    [(403, {"message": "Missing Authentication Token"}), (404, {"code": "not_found", "message": "x"})],
)
def test_a_service_without_v1_me_checks_the_key_on_the_connections(missing) -> None:
    asked: list[str] = []
    answers = {"/v1/me": missing, "/v1/connections": (200, {"items": [], "next": None})}
    with api(answers, asked) as client:
        assert who_am_i(client) == {}
    assert asked == ["/v1/me", "/v1/connections"]


@pytest.mark.parametrize(
    "refusal",
    [
        {"/v1/me": (401, {"code": "unauthorized", "message": "a valid API key is required"})},
        {
            "/v1/me": (403, {"message": "Missing Authentication Token"}),
            "/v1/connections": (403, {"code": "forbidden", "message": "this key may not call this route"}),
        },
    ],
)
def test_a_refused_key_is_exit_2(refusal) -> None:
    with pytest.raises(ApiError) as refused, api(refusal, []) as client:
        who_am_i(client)
    assert refused.value.code is ExitCode.REFUSED

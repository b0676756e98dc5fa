"""The API client: answers become results, errors become the right exit codes."""

from __future__ import annotations

import httpx
import pytest

from odoo_sync_cli.client import ApiClient, ApiError
from odoo_sync_cli.exits import CliError, ExitCode


def client_answering(status: int, body: object) -> ApiClient:
    return ApiClient(
        "http://api.test", "osk", transport=httpx.MockTransport(lambda _: httpx.Response(status, json=body))
    )


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, ExitCode.REFUSED),
        (401, ExitCode.REFUSED),
        (403, ExitCode.REFUSED),
        (404, ExitCode.REFUSED),
        (409, ExitCode.REFUSED),
        (422, ExitCode.REFUSED),
        (500, ExitCode.UNREACHABLE),
        (502, ExitCode.UNREACHABLE),
        (503, ExitCode.UNREACHABLE),
    ],
)
def test_error_answers_map_to_exit_codes(status, code) -> None:
    body = {"code": "some_code", "message": "what went wrong", "field": "entity"}

    with pytest.raises(ApiError) as failed, client_answering(status, body) as client:
        client.get("/v1/anything")

    assert failed.value.code is code
    assert failed.value.message == f"{status} some_code: what went wrong (field: entity)"


def test_an_unreachable_service_is_exit_3() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with (
        pytest.raises(CliError) as failed,
        ApiClient("http://api.test", "osk", transport=httpx.MockTransport(refuse)) as client,
    ):
        client.get("/v1/stats")

    assert failed.value.code is ExitCode.UNREACHABLE
    assert "cannot reach the API at http://api.test" in failed.value.message


def test_a_route_the_gateway_does_not_have_is_recognised() -> None:
    with (
        pytest.raises(ApiError) as failed,
        client_answering(403, {"message": "Missing Authentication Token"}) as c,
    ):
        c.get("/v1/me")

    assert failed.value.missing_route


def test_pages_follow_next_until_the_end_or_the_limit() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        seen.append(cursor)
        page = {None: {"items": [1, 2], "next": "c2"}, "c2": {"items": [3], "next": None}}[cursor]
        return httpx.Response(200, json=page)

    with ApiClient("http://api.test", "osk", transport=httpx.MockTransport(answer)) as client:
        assert list(client.pages("/v1/connections")) == [1, 2, 3]
        assert list(client.pages("/v1/connections", limit=1)) == [1]

    assert seen == [None, "c2", None]


def test_the_key_is_sent_as_a_bearer_token() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    with ApiClient("http://api.test/", "osk_live_x", transport=httpx.MockTransport(answer)) as client:
        client.get("/v1/stats")

    assert sent[0].headers["Authorization"] == "Bearer osk_live_x"
    assert str(sent[0].url) == "http://api.test/v1/stats"

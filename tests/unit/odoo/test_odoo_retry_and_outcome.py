"""Retries: backoff with jitter and Retry-After for reads; a write whose answer is lost is never resent."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import httpx
import pytest

from odoo_sync.odoo import (
    OdooNetworkError,
    OdooOutcomeUnknownError,
    OdooRateLimitedError,
    OdooTlsError,
    OdooTransientError,
    RetryPolicy,
)
from odoo_sync.odoo.retry import may_retry
from odoo_sync.odoo.wire import parse_retry_after
from tests.unit.odoo.odoo_wire_replay import json_response, replayed

WEB_VERSION_19 = replayed("v19-version.json", "GET /web/version")
CONTEXT_GET = ("POST", "/json/2/res.users/context_get", json_response(200, {"uid": 2}))
SEARCH = "/json/2/res.partner/search"
CREATE = "/json/2/res.partner/create"


def rate_limited(seconds: str | None = None, status: int = 429) -> httpx.Response:
    headers = {"Retry-After": seconds} if seconds is not None else {}
    return httpx.Response(status, text="slow down", headers=headers)


def test_read_rate_limited_waits_retry_after_then_succeeds(make_client, sleeps) -> None:
    script = [
        WEB_VERSION_19,
        CONTEXT_GET,
        ("POST", SEARCH, rate_limited("3")),
        ("POST", SEARCH, json_response(200, [7])),
    ]
    client, _ = make_client(script)
    assert client.search("res.partner", []) == [7]
    assert sleeps.delays == [3.0]
    assert client.calls == 4


def test_read_503_without_retry_after_backs_off_exponentially_with_full_jitter(make_client, sleeps) -> None:
    script = [WEB_VERSION_19, CONTEXT_GET] + [("POST", SEARCH, rate_limited(None, 503))] * 3
    script.append(("POST", SEARCH, json_response(200, [])))
    client, _ = make_client(script)
    assert client.search("res.partner", []) == []
    assert sleeps.delays == [0.5, 1.0, 2.0]  # random() is 1.0 in tests: the full ceiling


def test_reads_give_up_after_max_attempts(make_client, sleeps) -> None:
    script = [WEB_VERSION_19, CONTEXT_GET] + [("POST", SEARCH, rate_limited(None, 503))] * 3
    policy = RetryPolicy(max_attempts=3, sleep=sleeps, random=lambda: 0.25)
    client, _ = make_client(script, retry=policy)
    with pytest.raises(OdooTransientError):
        client.search("res.partner", [])
    assert client.calls == 5
    assert sleeps.delays == [0.125, 0.25]


def test_retry_after_longer_than_the_bound_is_returned_to_the_caller(make_client, sleeps) -> None:
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, rate_limited("600"))])
    with pytest.raises(OdooRateLimitedError) as caught:
        client.search("res.partner", [])
    assert caught.value.retry_after == 600.0
    assert sleeps.delays == []


def test_write_is_not_retried_on_rate_limit(make_client, sleeps) -> None:
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", CREATE, rate_limited("1"))])
    with pytest.raises(OdooRateLimitedError):
        client.create("res.partner", [{"name": "x"}])
    assert client.calls == 3
    assert sleeps.delays == []


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
    ],
)
def test_write_with_lost_answer_is_outcome_unknown_and_sent_once(make_client, sleeps, failure) -> None:
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", CREATE, failure)])
    with pytest.raises(OdooOutcomeUnknownError, match="may or may not"):
        client.create("res.partner", [{"name": "x"}])
    assert client.calls == 3
    assert sleeps.delays == []


@pytest.mark.parametrize("status", [502, 504])
def test_write_behind_a_failing_gateway_is_outcome_unknown(make_client, status) -> None:
    client, _ = make_client(
        [WEB_VERSION_19, CONTEXT_GET, ("POST", "/json/2/res.partner/write", rate_limited(None, status))]
    )
    with pytest.raises(OdooOutcomeUnknownError):
        client.write("res.partner", [1], {"name": "x"})


def test_unknown_method_via_execute_is_treated_as_a_write(make_client) -> None:
    path = "/json/2/sale.order/action_confirm"
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", path, httpx.ReadTimeout("t"))])
    with pytest.raises(OdooOutcomeUnknownError):
        client.execute("sale.order", "action_confirm", kwargs={"ids": [1]})


def test_write_refused_before_sending_is_retried(make_client, sleeps) -> None:
    script = [WEB_VERSION_19, CONTEXT_GET, ("POST", CREATE, httpx.ConnectError("refused"))]
    script.append(("POST", CREATE, json_response(200, [41])))
    client, _ = make_client(script)
    assert client.create("res.partner", [{"name": "x"}]) == [41]
    assert sleeps.delays == [0.5]


def test_read_timeout_on_a_read_is_retried(make_client, sleeps) -> None:
    script = [
        WEB_VERSION_19,
        CONTEXT_GET,
        ("POST", SEARCH, httpx.ReadTimeout("t")),
        ("POST", SEARCH, json_response(200, [1])),
    ]
    client, _ = make_client(script)
    assert client.search("res.partner", []) == [1]
    assert len(sleeps.delays) == 1


def test_connection_refused_everywhere_is_a_network_error(make_client, sleeps) -> None:
    refused = httpx.ConnectError("[Errno 111] Connection refused")
    client, _ = make_client([("GET", "/web/version", refused)] * 4)
    with pytest.raises(OdooNetworkError, match="cannot connect"):
        client.server_info()
    assert client.calls == 4
    assert len(sleeps.delays) == 3


def test_tls_failure_is_its_own_category_and_not_retried(make_client, sleeps) -> None:
    failure = httpx.ConnectError("certificate verify failed")
    failure.__cause__ = ssl.SSLCertVerificationError("certificate verify failed: self-signed certificate")
    client, _ = make_client([("GET", "/web/version", failure)])
    with pytest.raises(OdooTlsError):
        client.server_info()
    assert sleeps.delays == []


def test_retry_rules() -> None:
    assert may_retry(OdooNetworkError("refused"), idempotent=False)
    assert not may_retry(OdooTransientError("lost"), idempotent=False)
    assert may_retry(OdooTransientError("lost"), idempotent=True)
    assert not may_retry(OdooOutcomeUnknownError("lost"), idempotent=True)


def constant(value: float) -> Callable[[], float]:
    return lambda: value


def test_jitter_stays_within_the_exponential_ceiling() -> None:
    for value in (0.0, 0.3, 0.999):
        policy = RetryPolicy(base_delay_s=1.0, max_delay_s=5.0, max_attempts=10, random=constant(value))
        for attempt in range(1, 9):
            delay = policy.delay(attempt, OdooTransientError("x"))
            assert delay is not None
            assert 0.0 <= delay <= min(5.0, 2.0 ** (attempt - 1))


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None

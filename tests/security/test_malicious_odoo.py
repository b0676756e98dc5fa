"""A hostile Odoo: trickled answers, wrong content types, deep nesting, XML bombs.

The size caps, gzip bombs, redirects and the basic bombs are in tests/unit/odoo/test_odoo_wire_limits.py;
this adds what bounds time (a whole-exchange deadline) and the shapes that slip past a size cap.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from odoo_sync.net import deadline
from odoo_sync.odoo import (
    OdooClient,
    OdooError,
    OdooOutcomeUnknownError,
    OdooProtocolError,
    OdooTransientError,
    Protocol,
    RetryPolicy,
)
from odoo_sync.odoo.transports.xmlrpc import parse_response
from tests.unit.odoo.odoo_wire_replay import json_response, replayed, settings

WEB_VERSION_19 = replayed("v19-version.json", "GET /web/version")
CONTEXT_GET = ("POST", "/json/2/res.users/context_get", json_response(200, {"uid": 2}))
SEARCH = "/json/2/res.partner/search_read"
CREATE = "/json/2/res.partner/create"


class FakeClock:
    """Time that passes only when the code under test reads from the network."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(deadline, "clock", fake)
    return fake


def trickle(clock: FakeClock, seconds_per_chunk: float, reads: list[int]) -> Iterator[bytes]:
    """A body that never ends: one byte per read, each arriving just inside the read timeout."""
    yield b"["
    while True:
        clock.now += seconds_per_chunk
        reads.append(1)
        yield b"1,"


def test_a_body_trickled_forever_is_abandoned_at_the_exchange_deadline(make_client, clock) -> None:
    reads: list[int] = []
    body = httpx.Response(
        200, headers={"Content-Type": "application/json"}, content=trickle(clock, 1.0, reads)
    )
    client, _ = make_client(
        [WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, body)],
        retry=RetryPolicy(max_attempts=1),
        connect_timeout_s=2,
        read_timeout_s=5,
    )
    with pytest.raises(OdooTransientError, match="deadline"):
        client.search_read("res.partner", [])
    # Each read came within the 5 s read timeout; the 7 s deadline for the whole answer stopped it.
    assert len(reads) == 7


def test_a_trickled_answer_to_a_write_is_an_unknown_outcome_not_a_retry(make_client, clock) -> None:
    reads: list[int] = []
    body = httpx.Response(
        200, headers={"Content-Type": "application/json"}, content=trickle(clock, 1.0, reads)
    )
    client, replay = make_client(
        [WEB_VERSION_19, CONTEXT_GET, ("POST", CREATE, body)], connect_timeout_s=1, read_timeout_s=3
    )
    with pytest.raises(OdooOutcomeUnknownError):
        client.create("res.partner", [{"name": "X"}])
    assert len(replay.requests) == 3  # not sent again: Odoo may have created it


def test_the_deadline_is_per_exchange_so_a_slow_session_of_quick_calls_is_fine(make_client, clock) -> None:
    def slow_but_steady(request: httpx.Request) -> httpx.Response:
        clock.now += 4.0  # each call takes 4 s, every one inside its own 6 s budget
        return json_response(200, [{"id": 1}])

    client, _ = make_client(
        [WEB_VERSION_19, CONTEXT_GET] + [("POST", SEARCH, slow_but_steady)] * 3,
        connect_timeout_s=1,
        read_timeout_s=5,
    )
    assert [client.search_read("res.partner", []) for _ in range(3)] == [[{"id": 1}]] * 3


def test_an_enclosing_deadline_that_ends_sooner_still_applies(clock) -> None:
    with deadline.within(2.0), deadline.within(60.0):
        assert deadline.remaining() == 2.0
    assert deadline.remaining() is None


class TricklingServer:
    """A loopback server that sends a status line, then one header byte at a time, forever."""

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> TricklingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                # The server's pace, not the test's: each byte comes well inside the read timeout.
                while not self._stop.wait(self._interval_s):
                    conn.sendall(b"X")
            except OSError:
                return


def test_headers_trickled_over_a_real_socket_are_abandoned_at_the_deadline_not_never() -> None:
    with TricklingServer(interval_s=0.05) as server:
        odoo = settings(
            Protocol.JSON2,
            base_url=f"http://127.0.0.1:{server.port}",
            allow_private_network=True,
            connect_timeout_s=0.2,
            read_timeout_s=0.3,
        )
        started = time.monotonic()
        with OdooClient(odoo, retry=RetryPolicy(max_attempts=1)) as client, pytest.raises(OdooError):
            client.server_info()
        elapsed = time.monotonic() - started
    # Without the deadline this waits as long as the server trickles (here: until the test ends).
    assert elapsed < 3.0


HTML_LOGIN = httpx.Response(
    200, text="<!DOCTYPE html><html><body>Please log in</body></html>", headers={"Content-Type": "text/html"}
)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<!DOCTYPE html><html><body>Please log in</body></html>"),
        ("text/xml", b"<?xml version='1.0'?><methodResponse/>"),
        ("application/octet-stream", b"\x00\x01\x02\xff"),
        ("application/json", b"\xff\xfe\x00garbage"),
        ("image/png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_a_json2_answer_in_another_content_type_is_a_protocol_error(make_client, content_type, body) -> None:
    answer = httpx.Response(200, content=body, headers={"Content-Type": content_type})
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, answer)])
    with pytest.raises(OdooProtocolError):
        client.search_read("res.partner", [])


def test_an_xmlrpc_endpoint_answering_json_is_a_protocol_error(make_client) -> None:
    answer = json_response(200, {"server_version": "17.0"})
    client, _ = make_client([("POST", "/xmlrpc/2/common", answer)], protocol=Protocol.XMLRPC)
    with pytest.raises(OdooProtocolError, match="unparsable XML-RPC"):
        client.server_info()


def test_a_jsonrpc_endpoint_answering_html_is_a_protocol_error(make_client) -> None:
    client, _ = make_client([("POST", "/jsonrpc", HTML_LOGIN)], protocol=Protocol.JSONRPC)
    with pytest.raises(OdooProtocolError):
        client.server_info()


@pytest.mark.parametrize("status", [400, 403, 500])
def test_an_error_status_with_an_html_body_maps_to_an_error_without_echoing_the_page(
    make_client, status
) -> None:
    page = httpx.Response(
        status, text="<html>" + "A" * 100_000 + "</html>", headers={"Content-Type": "text/html"}
    )
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, page)])
    with pytest.raises(OdooError) as raised:
        client.search_read("res.partner", [])
    assert len(str(raised.value)) < 2_000


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [900, 5_000, 1_000_000])
def test_deep_json_nesting_is_bounded(make_client, depth) -> None:
    answer = httpx.Response(200, text=nested_json(depth), headers={"Content-Type": "application/json"})
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, answer)])
    started = time.monotonic()
    try:
        result = client.search_read("res.partner", [])
    except OdooProtocolError:
        pass
    else:
        assert isinstance(result, list)  # parsed within the interpreter's limits, returned as is
    assert time.monotonic() - started < 5.0


def nested_xmlrpc(depth: int) -> bytes:
    opening = b"<value><array><data>" * depth
    closing = b"</data></array></value>" * depth
    return (
        b"<?xml version='1.0'?><methodResponse><params><param>"
        + opening
        + closing
        + b"</param></params></methodResponse>"
    )


@pytest.mark.parametrize("depth", [10, 100_000])
def test_deep_xmlrpc_nesting_is_a_protocol_error_or_a_value_never_a_crash(depth) -> None:
    try:
        value = parse_response(nested_xmlrpc(depth))
    except OdooProtocolError:
        return
    assert isinstance(value, list)


QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
    b"<methodResponse><params><param><value><string>"
    + b"&a;" * 10_000
    + b"</string></value></param></params></methodResponse>"
)
EXTERNAL_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE methodResponse SYSTEM "http://169.254.169.254/latest/meta-data/">'
    b"<methodResponse><params><param><value><string>x</string></value></param></params></methodResponse>"
)
PARAMETER_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
    b"<methodResponse><params><param><value><string>x</string></value></param></params></methodResponse>"
)
XINCLUDE = (
    b'<?xml version="1.0"?><methodResponse xmlns:xi="http://www.w3.org/2001/XInclude"><params><param>'
    b'<value><string><xi:include href="file:///etc/passwd" parse="text"/></string></value>'
    b"</param></params></methodResponse>"
)


@pytest.mark.parametrize(
    "body",
    [QUADRATIC_BLOWUP, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["quadratic", "external-dtd", "parameter-entity"],
)
def test_entity_and_dtd_tricks_are_refused_quickly(body) -> None:
    started = time.monotonic()
    with pytest.raises(OdooProtocolError):
        parse_response(body)
    assert time.monotonic() - started < 1.0


def test_xinclude_is_not_followed() -> None:
    # An unknown element in a string value: refused or kept as nothing, never the file's content.
    try:
        value = parse_response(XINCLUDE)
    except OdooProtocolError:
        return
    assert "root:" not in str(value)

"""Hostile or broken answers: size caps (also after gzip), XML bombs, redirects, garbage."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from odoo_sync.odoo import OdooProtocolError, Protocol
from odoo_sync.odoo.transports.xmlrpc import parse_response
from tests.unit.odoo.odoo_wire_replay import json_response, replayed

WEB_VERSION_19 = replayed("v19-version.json", "GET /web/version")
CONTEXT_GET = ("POST", "/json/2/res.users/context_get", json_response(200, {"uid": 2}))
SEARCH = "/json/2/res.partner/search_read"


def streamed(chunks: list[bytes], headers: dict[str, str] | None = None) -> httpx.Response:
    # An iterator body is not pre-read, as on a real socket.
    return httpx.Response(
        200, headers={"Content-Type": "application/json", **(headers or {})}, content=iter(chunks)
    )


def test_oversized_answer_is_refused_while_streaming(make_client) -> None:
    body = streamed([b"[" + b"1," * 40_000, b"1]"])
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, body)], max_response_bytes=50_000)
    with pytest.raises(OdooProtocolError, match="limit"):
        client.search_read("res.partner", [])


def test_declared_oversize_is_refused_before_reading(make_client) -> None:
    body = streamed([b"[]"], {"Content-Length": "999999999"})
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, body)], max_response_bytes=1000)
    with pytest.raises(OdooProtocolError, match="999999999 bytes"):
        client.search_read("res.partner", [])


def test_gzip_bomb_is_stopped_at_the_cap_after_decoding(make_client) -> None:
    bomb = gzip.compress(b" " * 20_000_000)  # ~20 KB on the wire, 20 MB decoded
    body = streamed([bomb[i : i + 4096] for i in range(0, len(bomb), 4096)], {"Content-Encoding": "gzip"})
    client, _ = make_client(
        [WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, body)], max_response_bytes=1_000_000
    )
    with pytest.raises(OdooProtocolError, match="once decompressed"):
        client.search_read("res.partner", [])


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_answers_are_decoded(make_client, encoding) -> None:
    raw = b'[{"id": 1, "name": "A"}]'
    packed = gzip.compress(raw) if encoding == "gzip" else zlib.compress(raw)
    body = streamed([packed], {"Content-Encoding": encoding})
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, body)])
    assert client.search_read("res.partner", []) == [{"id": 1, "name": "A"}]


def test_unknown_content_encoding_is_a_protocol_error(make_client) -> None:
    body = streamed([b"xx"], {"Content-Encoding": "br"})
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, body)])
    with pytest.raises(OdooProtocolError, match="Content-Encoding"):
        client.search_read("res.partner", [])


def test_unparsable_json_is_a_protocol_error(make_client) -> None:
    body = httpx.Response(200, text="<html>maintenance</html>", headers={"Content-Type": "application/json"})
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, body)])
    with pytest.raises(OdooProtocolError, match="unparsable JSON"):
        client.search_read("res.partner", [])


def test_deeply_nested_json_is_a_protocol_error_not_a_crash(make_client) -> None:
    body = httpx.Response(
        200, text="[" * 200_000 + "]" * 200_000, headers={"Content-Type": "application/json"}
    )
    client, _ = make_client([WEB_VERSION_19, CONTEXT_GET, ("POST", SEARCH, body)])
    with pytest.raises(OdooProtocolError):
        client.search_read("res.partner", [])


def test_redirect_is_reported_not_followed(make_client) -> None:
    moved = httpx.Response(301, headers={"Location": "https://elsewhere.example.com/web/version"})
    client, replay = make_client([("GET", "/web/version", moved)])
    with pytest.raises(OdooProtocolError, match=r"elsewhere\.example\.com"):
        client.server_info()
    assert len(replay.requests) == 1


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<methodResponse><params><param><value><string>&lol3;</string></value></param></params></methodResponse>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<methodResponse><params><param><value><string>&x;</string></value></param></params></methodResponse>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"<methodResponse><params>", b"not xml"])
def test_xml_bombs_and_garbage_are_refused(body: bytes) -> None:
    with pytest.raises(OdooProtocolError):
        parse_response(body)


def test_xml_bomb_from_the_server_is_refused_by_the_client(make_client) -> None:
    bomb = httpx.Response(200, content=BILLION_LAUGHS, headers={"Content-Type": "text/xml"})
    client, _ = make_client([("POST", "/xmlrpc/2/common", bomb)], protocol=Protocol.XMLRPC)
    with pytest.raises(OdooProtocolError, match="unparsable XML-RPC"):
        client.server_info()


def test_xmlrpc_values_come_back_plain() -> None:
    body = (
        b"<?xml version='1.0'?><methodResponse><params><param><value><struct>"
        b"<member><name>when</name><value><dateTime.iso8601>20260131T10:00:00</dateTime.iso8601></value></member>"
        b"<member><name>empty</name><value><nil/></value></member>"
        b"</struct></value></param></params></methodResponse>"
    )
    assert parse_response(body) == {"when": "2026-01-31 10:00:00", "empty": None}

"""Which protocol to speak and which Odoo version answers, at the cost of few calls.

What real servers answer (captures): Odoo 19 serves GET /web/version and /json/version as JSON
and JSON-2 with an API key; Odoo 17 answers both with an HTML 404 and JSON-2 with a 404 too;
every version up to 21 answers common.version on /jsonrpc and /xmlrpc/2/common; the announced
future drops /jsonrpc and /xmlrpc. AUTO therefore asks GET /web/version first (1 call), then:
19+ -> a JSON-2 probe that also yields the uid (res.users.context_get); otherwise, or when the
secret is not a bearer key, JSON-RPC common.version, then XML-RPC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from odoo_sync.odoo.errors import OdooAuthError, OdooProtocolError
from odoo_sync.odoo.settings import OdooConnectionSettings, Protocol
from odoo_sync.odoo.transports import (
    EndpointMissingError,
    Json2Transport,
    JsonRpcTransport,
    Transport,
    XmlRpcTransport,
)
from odoo_sync.odoo.transports.base import decode_json
from odoo_sync.odoo.wire import Wire

JSON2_SINCE = 19
_TRANSPORTS: dict[Protocol, type[Transport]] = {
    Protocol.JSON2: Json2Transport,
    Protocol.JSONRPC: JsonRpcTransport,
    Protocol.XMLRPC: XmlRpcTransport,
}


@dataclass(frozen=True)
class ServerInfo:
    version: str
    version_info: tuple[Any, ...]
    major: int
    protocol: Protocol
    detected_by: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "version_info": list(self.version_info),
            "major": self.major,
            "protocol": self.protocol.value,
            "detected_by": self.detected_by,
        }


@dataclass(frozen=True)
class Detection:
    info: ServerInfo
    transport: Transport
    uid: int | None = None  # known when the probe already authenticated


def major_version(version: str, version_info: list[Any] | tuple[Any, ...]) -> int:
    first = version_info[0] if version_info else version
    if isinstance(first, int) and not isinstance(first, bool):
        return first
    match = re.search(r"(\d+)", str(first)) or re.search(r"(\d+)", version)
    if match is None:
        raise OdooProtocolError(f"cannot read a version number from {version!r}")
    return int(match.group(1))


def _info(version: dict[str, Any], protocol: Protocol, detected_by: str) -> ServerInfo:
    info = list(version.get("version_info") or [])
    text = str(version.get("version") or "")
    return ServerInfo(text, tuple(info), major_version(text, info), protocol, detected_by)


def _web_version(wire: Wire) -> dict[str, Any] | None:
    answer = wire.send("GET", "/web/version", idempotent=True)
    if answer.status != 200 or answer.content_type != "application/json":
        return None
    data = decode_json(answer, "/web/version")
    if isinstance(data, dict) and isinstance(data.get("version"), str):
        return data
    return None


def detect(wire: Wire, settings: OdooConnectionSettings) -> Detection:
    if settings.protocol is not Protocol.AUTO:
        transport = _TRANSPORTS[settings.protocol](wire, settings)
        return Detection(_info(transport.version(), settings.protocol, "configured"), transport)
    web = _web_version(wire)
    json2_refusal: OdooAuthError | None = None
    if web is not None and major_version(web["version"], web.get("version_info") or []) >= JSON2_SINCE:
        json2 = Json2Transport(wire, settings)
        try:
            uid = json2.authenticate()
            return Detection(_info(web, Protocol.JSON2, "GET /web/version, JSON-2 probe"), json2, uid)
        except OdooAuthError as refusal:
            # Not an API key (a password, say): RPC may still accept it with the login.
            if not settings.login:
                raise
            json2_refusal = refusal
        except EndpointMissingError:
            pass
    for protocol in (Protocol.JSONRPC, Protocol.XMLRPC):
        transport = _TRANSPORTS[protocol](wire, settings)
        try:
            version = transport.version()
        except EndpointMissingError:
            continue
        return Detection(_info(version, protocol, f"{protocol.value} common.version"), transport)
    if json2_refusal is not None:
        raise OdooAuthError(
            f"{json2_refusal.message} (JSON-2 needs an API key; this server offers no RPC endpoint)",
            odoo_name=json2_refusal.odoo_name,
            code=json2_refusal.code,
        )
    json2 = Json2Transport(wire, settings)
    try:
        version = json2.version(paths=("/json/version",))  # /web/version was asked first
        return Detection(_info(version, Protocol.JSON2, "GET /json/version"), json2)
    except EndpointMissingError as exc:
        raise OdooProtocolError(
            "no Odoo API found at this URL (no /web/version, /jsonrpc, /xmlrpc/2 or /json/version)"
        ) from exc

"""XML-RPC over /xmlrpc/2/common and /xmlrpc/2/object, parsed defensively."""

from __future__ import annotations

import xmlrpc.client
from typing import Any, ClassVar
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.xmlrpc import DefusedExpatParser

from odoo_sync.odoo.error_mapping import error_from_fault, error_from_http
from odoo_sync.odoo.errors import OdooProtocolError, OdooValidationError
from odoo_sync.odoo.settings import Protocol
from odoo_sync.odoo.transports.base import EndpointMissingError, RpcTransport

# Odoo cannot marshal a None result, so it answers this fault *after* the method ran and
# committed (captured: action_archive on 17 and 19). The call succeeded and returned None.
_NONE_RESULT_FAULT = "cannot marshal None unless allow_none is enabled"


def parse_response(body: bytes) -> Any:
    """Parse a methodResponse with no DTDs, entities or external references; raise Fault on faults."""
    unmarshaller = xmlrpc.client.Unmarshaller(use_datetime=False, use_builtin_types=False)
    parser = DefusedExpatParser(unmarshaller, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(body)
        parser.close()
        result = unmarshaller.close()
    except xmlrpc.client.Fault:
        raise
    except (
        DefusedXmlException,
        ExpatError,
        xmlrpc.client.ResponseError,
        ValueError,
        TypeError,
        IndexError,
        KeyError,
    ) as exc:
        raise OdooProtocolError(f"unparsable XML-RPC answer: {type(exc).__name__}: {exc}"[:300]) from exc
    try:
        return _plain(result[0]) if len(result) == 1 else _plain(list(result))
    except RecursionError as exc:
        # expat and the unmarshaller keep no Python stack, so a hostile answer can nest deeper
        # than converting it back can recurse.
        raise OdooProtocolError("unparsable XML-RPC answer: nested too deeply") from exc


def _plain(value: Any) -> Any:
    """xmlrpc.client wrapper types as the plain values the JSON transports give."""
    if isinstance(value, xmlrpc.client.DateTime):
        raw = value.value  # 'YYYYMMDDTHH:MM:SS'
        return f"{raw[0:4]}-{raw[4:6]}-{raw[6:8]} {raw[9:]}"
    if isinstance(value, xmlrpc.client.Binary):
        return value.data.decode("latin-1")
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class XmlRpcTransport(RpcTransport):
    protocol: ClassVar[Protocol] = Protocol.XMLRPC

    def rpc(self, service: str, method: str, args: list[Any], *, idempotent: bool) -> Any:
        try:
            content = xmlrpc.client.dumps(tuple(args), method, allow_none=True, encoding="utf-8")
        except (TypeError, OverflowError) as exc:
            raise OdooValidationError(f"value cannot be sent over XML-RPC: {exc}") from exc
        answer = self.wire.send(
            "POST",
            f"/xmlrpc/2/{service}",
            content=content.encode("utf-8"),
            headers={"Content-Type": "text/xml; charset=utf-8"},
            idempotent=idempotent,
        )
        if answer.status == 404:
            raise EndpointMissingError("this server has no /xmlrpc/2 endpoint", code=404)
        if answer.status != 200:
            raise error_from_http(answer.status, None)
        try:
            return parse_response(answer.body)
        except xmlrpc.client.Fault as fault:
            if _NONE_RESULT_FAULT in str(fault.faultString):
                return None
            raise error_from_fault(fault.faultCode, str(fault.faultString)) from None

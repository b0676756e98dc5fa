"""JSON-RPC over /jsonrpc (Odoo 8 to 21; removal announced for Odoo 22)."""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from odoo_sync.odoo.error_mapping import error_from_http, error_from_jsonrpc
from odoo_sync.odoo.errors import OdooProtocolError
from odoo_sync.odoo.settings import Protocol
from odoo_sync.odoo.transports.base import EndpointMissingError, RpcTransport, decode_json, encode_json

_ids = itertools.count(1)


class JsonRpcTransport(RpcTransport):
    protocol: ClassVar[Protocol] = Protocol.JSONRPC

    def rpc(self, service: str, method: str, args: list[Any], *, idempotent: bool) -> Any:
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": next(_ids),
        }
        answer = self.wire.send(
            "POST",
            "/jsonrpc",
            content=encode_json(payload),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            idempotent=idempotent,
        )
        if answer.status == 404:
            raise EndpointMissingError("this server has no /jsonrpc endpoint", code=404)
        if answer.status != 200:
            body = decode_json(answer, "JSON-RPC") if answer.content_type == "application/json" else None
            raise error_from_http(answer.status, body)
        envelope = decode_json(answer, "JSON-RPC")
        if not isinstance(envelope, dict):
            raise OdooProtocolError("JSON-RPC answer is not an object")
        error = envelope.get("error")
        if isinstance(error, dict):
            raise error_from_jsonrpc(error)
        # A method returning None answers with neither result nor error (captured on 17 and 19).
        return envelope.get("result")

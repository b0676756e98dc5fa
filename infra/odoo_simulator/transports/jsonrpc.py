"""JSON-RPC on /jsonrpc: always HTTP 200, errors in an envelope with code 200 (<=18) or 0 (19)."""

from __future__ import annotations

import json
from typing import Any

from ..errors import OdooException
from ..service import OdooService, as_odoo_exception
from .http import JSON_TYPE, Request, Response, wrong_content_type


def error_envelope(service: OdooService, request_id: Any, error: OdooException) -> dict[str, Any]:
    if service.personality.major >= 19:
        data = {
            "name": error.odoo_name,
            "message": error.message,
            "arguments": error.arguments,
            "context": error.context,
            "debug": error.traceback_text(),
        }
    else:
        data = {
            "name": error.odoo_name,
            "debug": error.traceback_text(),
            "message": error.message,
            "arguments": error.arguments,
            "context": error.context,
        }
    code = service.personality.jsonrpc_error_code
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {"code": code, "message": "Odoo Server Error", "data": data},
    }


def _answer(payload: dict[str, Any], mutating: bool = False) -> Response:
    return Response(200, json.dumps(payload).encode(), JSON_TYPE, mutating=mutating)


def parse(request: Request, service: OdooService, route_type: str) -> Any:
    """The decoded JSON-RPC request, or a ready error Response."""
    if request.content_type not in ("application/json", "application/json-rpc"):
        status = 415 if service.personality.major >= 19 else 400
        return wrong_content_type(request.path, route_type, status)
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return Response(400, b"Invalid JSON data", "text/html; charset=utf-8")


def handle(service: OdooService, request: Request) -> Response:
    route_type = "jsonrpc" if service.personality.major >= 19 else "json"
    decoded = parse(request, service, route_type)
    if isinstance(decoded, Response):
        return decoded
    request_id = decoded.get("id") if isinstance(decoded, dict) else None
    params = decoded.get("params") if isinstance(decoded, dict) else None
    if not isinstance(params, dict):
        params = {}
    try:
        result = service.call_service(
            str(params.get("service")), str(params.get("method")), list(params.get("args") or [])
        )
    except Exception as exc:
        return _answer(error_envelope(service, request_id, as_odoo_exception(exc)))
    if result.value is None:
        return _answer({"jsonrpc": "2.0", "id": request_id}, result.mutating)
    return _answer({"jsonrpc": "2.0", "id": request_id, "result": result.value}, result.mutating)


def version_info(service: OdooService, request: Request) -> Response:
    """POST /web/webclient/version_info (a type=json route)."""
    route_type = "jsonrpc" if service.personality.major >= 19 else "json"
    decoded = parse(request, service, route_type)
    if isinstance(decoded, Response):
        return decoded
    request_id = decoded.get("id") if isinstance(decoded, dict) else None
    return _answer({"jsonrpc": "2.0", "id": request_id, "result": service.personality.version_info()})

"""JSON-2 on POST /json/2/<model>/<method> with a bearer API key (Odoo 19 and later)."""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import HttpError, OdooException
from ..service import OdooService, as_odoo_exception
from .http import JSON_TYPE, Request, Response, json_response, no_database_page, wrong_content_type

CALL_PATH = re.compile(r"^/json/2/(?P<model>[^/]+)/(?P<method>[^/]+)$")
DOC_PATH = re.compile(r"^/doc-bearer/(?P<model>[^/]+)\.json$")


def error_response(error: OdooException) -> Response:
    body = {
        "name": error.odoo_name,
        "message": error.message,
        "arguments": error.arguments,
        "context": error.context,
        "debug": error.traceback_text(),
    }
    headers = [("WWW-Authenticate", "Bearer ")] if error.http_status == 401 else []
    return Response(error.http_status, json.dumps(body).encode(), JSON_TYPE, headers)


def _preflight(service: OdooService, request: Request, route_type: str) -> Response | None:
    if request.content_type not in ("application/json", ""):
        return wrong_content_type(request.path, route_type, 415)
    database = request.header("x-odoo-database")
    if database is not None and database != service.database:
        return no_database_page()
    return None


def _decode_body(request: Request) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        decoded = json.loads(request.body)
    except ValueError as exc:
        raise HttpError(400, "BadRequest", f"could not parse the body as json: {exc}") from None
    # Odoo ignores a body that is not an object (the method then runs without arguments).
    return decoded if isinstance(decoded, dict) else {}


def handle(service: OdooService, request: Request) -> Response:
    match = CALL_PATH.match(request.path)
    if request.method != "POST" or not match:
        return error_response(HttpError(404, "NotFound", "Did you mean POST /json/2/<model>/<method>?"))
    early = _preflight(service, request, "json2")
    if early:
        return early
    try:
        uid = service.uid_for_bearer(request.header("authorization"))
        body = _decode_body(request)
        result = service.execute_json2(uid, match["model"], match["method"], body)
    except Exception as exc:
        return error_response(as_odoo_exception(exc))
    response = json_response(result.value)
    response.mutating = result.mutating
    return response


def handle_doc(service: OdooService, request: Request) -> Response:
    match = DOC_PATH.match(request.path)
    if not match:
        return error_response(HttpError(404, "NotFound", "The requested URL was not found on the server."))
    early = _preflight(service, request, "json2")
    if early:
        return early
    try:
        uid = service.uid_for_bearer(request.header("authorization"))
        return json_response(service.describe_model(uid, match["model"]))
    except Exception as exc:
        return error_response(as_odoo_exception(exc))

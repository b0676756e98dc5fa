"""XML-RPC on /xmlrpc/2/<service> and /xmlrpc/<service>: always HTTP 200, faults 1-4."""

from __future__ import annotations

import xmlrpc.client
from typing import Any

from ..errors import OdooException, PythonError
from ..service import OdooService, as_odoo_exception
from .http import XML_TYPE, Request, Response


def _marshal(service: OdooService, payload: Any) -> bytes:
    personality = service.personality
    text = xmlrpc.client.dumps(payload, methodresponse=True, allow_none=False)
    text = text.replace("<?xml version='1.0'?>", personality.xml_prolog, 1)
    if personality.xml_trailer:
        text = text.replace("</methodResponse>", personality.xml_trailer + "</methodResponse>")
    return text.encode()


def fault_response(service: OdooService, error: OdooException) -> Response:
    fault = xmlrpc.client.Fault(error.fault_code, error.fault_string())
    return Response(200, _marshal(service, fault), XML_TYPE)


def handle(service: OdooService, request: Request, rpc_service: str) -> Response:
    try:
        params, method = xmlrpc.client.loads(request.body, use_builtin_types=True)
    except Exception as exc:  # expat errors and the like: Odoo answers with fault 1
        return fault_response(service, PythonError(type(exc).__name__, str(exc), module=type(exc).__module__))
    try:
        result = service.call_service(rpc_service, method or "", list(params))
    except Exception as exc:
        return fault_response(service, as_odoo_exception(exc))
    try:
        body = _marshal(service, (result.value,))
    except TypeError as exc:
        # e.g. None or integer dict keys: the change is already committed, the answer is a fault.
        error = PythonError("TypeError", str(exc))
        response = fault_response(service, error)
        response.mutating = result.mutating
        return response
    return Response(200, body, XML_TYPE, mutating=result.mutating)

"""The HTTP edge shared by the API functions: resolver, error answers, caller identity.

Domain errors and Odoo errors become JSON answers with a stable `code`, a `message` for people
and the `field` at fault; nothing else (no stack, no secret) ever leaves.
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync import errors
from odoo_sync.actors import SYSTEM, acting_as
from odoo_sync.api.identity import principal_of_event
from odoo_sync.core.authorization import InsufficientScopeError
from odoo_sync.odoo import errors as odoo_errors

# The service's own logger, not a child: the function's Logger() is the same logging.Logger with
# the same formatter, so keys appended here are on every line the function logs; a child reaches
# its parent through the logging hierarchy, which any logger named under it can come between.
logger = Logger()

MAX_BODY_BYTES = 1_048_576

_SERVICE_STATUS: dict[type[errors.ServiceError], HTTPStatus] = {
    errors.InvalidInputError: HTTPStatus.BAD_REQUEST,
    errors.UnprocessableError: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.NotFoundError: HTTPStatus.NOT_FOUND,
    errors.ConflictError: HTTPStatus.CONFLICT,
    errors.ForbiddenError: HTTPStatus.FORBIDDEN,
    errors.StorageError: HTTPStatus.SERVICE_UNAVAILABLE,
}

# Odoo's verdicts on the request are the caller's to fix (4xx); Odoo being unreachable or
# refusing the stored credentials is a failing upstream (502/503).
_ODOO_STATUS: dict[odoo_errors.ErrorCategory, tuple[HTTPStatus, str]] = {
    odoo_errors.ErrorCategory.ACCESS: (HTTPStatus.FORBIDDEN, "odoo_access_denied"),
    odoo_errors.ErrorCategory.NOT_FOUND: (HTTPStatus.NOT_FOUND, "odoo_not_found"),
    odoo_errors.ErrorCategory.VALIDATION: (HTTPStatus.UNPROCESSABLE_ENTITY, "odoo_validation_error"),
    odoo_errors.ErrorCategory.CONSTRAINT: (HTTPStatus.CONFLICT, "odoo_constraint_violation"),
    odoo_errors.ErrorCategory.RATE_LIMITED: (HTTPStatus.SERVICE_UNAVAILABLE, "odoo_rate_limited"),
    odoo_errors.ErrorCategory.AUTH: (HTTPStatus.BAD_GATEWAY, "odoo_auth_failed"),
    odoo_errors.ErrorCategory.DATABASE: (HTTPStatus.BAD_GATEWAY, "odoo_database_unavailable"),
    odoo_errors.ErrorCategory.NETWORK: (HTTPStatus.BAD_GATEWAY, "odoo_unreachable"),
    odoo_errors.ErrorCategory.TLS: (HTTPStatus.BAD_GATEWAY, "odoo_tls_error"),
    odoo_errors.ErrorCategory.TRANSIENT: (HTTPStatus.BAD_GATEWAY, "odoo_unavailable"),
    # Odoo raised a Python error (ValueError, TypeError...): nearly always the request's
    # arguments (an unknown field in a domain, a bad keyword), so it is the caller's to fix.
    odoo_errors.ErrorCategory.SERVER: (HTTPStatus.UNPROCESSABLE_ENTITY, "odoo_server_error"),
    odoo_errors.ErrorCategory.PROTOCOL: (HTTPStatus.BAD_GATEWAY, "odoo_protocol_error"),
    odoo_errors.ErrorCategory.OUTCOME_UNKNOWN: (HTTPStatus.BAD_GATEWAY, "odoo_outcome_unknown"),
}


def error_response(
    status: HTTPStatus, code: str, message: str, *, field: str | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"code": code, "message": message, "field": field, **extra}
    headers: dict[str, str] = {}
    retry_after = extra.get("retry_after_s")
    if isinstance(retry_after, int | float):
        headers["Retry-After"] = str(max(1, round(retry_after)))
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


def build_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    app.exception_handler(RequestValidationError)(_invalid_request)
    app.exception_handler(RecursionError)(_too_deep)
    app.exception_handler(errors.ServiceError)(_service_error)
    app.exception_handler(odoo_errors.OdooError)(_odoo_error)
    app.not_found(_no_such_route)
    return app


def resolve(app: APIGatewayRestResolver, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer one API Gateway event as the key that sent it.

    Every log line of the request carries the key's id; the key's scopes are checked against the
    route once more (the authorizer's policy already did: a second lock, same answer); the work
    is recorded as done by the key (odoo_sync.actors); oversized bodies are refused before
    anything parses them."""
    caller = principal_of_event(event)
    if caller is not None:
        logger.append_keys(key_id=caller.key_id, tenant_id=caller.tenant_id)
        try:
            caller.check(str(event.get("httpMethod") or ""), str(event.get("resource") or ""))
        except InsufficientScopeError as denied:
            return ResponseBuilder[APIGatewayProxyEvent](_service_error(denied)).build(
                APIGatewayProxyEvent(event)
            )
    with acting_as(caller.actor if caller is not None else SYSTEM):
        return _resolve(app, event, context)


def _resolve(app: APIGatewayRestResolver, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = event.get("body") or ""
    if len(body) > MAX_BODY_BYTES:
        too_large = error_response(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            f"the body may be at most {MAX_BODY_BYTES} bytes",
            field="body",
        )
        return ResponseBuilder[APIGatewayProxyEvent](too_large).build(APIGatewayProxyEvent(event))
    media_type = _media_type(event)
    if body and media_type and media_type != "application/json" and not media_type.endswith("+json"):
        # The resolver would parse form data for these (and fail with a 500 on a bad multipart).
        unsupported = error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            f"bodies are JSON (Content-Type: application/json), not {media_type}",
            field="Content-Type",
        )
        return ResponseBuilder[APIGatewayProxyEvent](unsupported).build(APIGatewayProxyEvent(event))
    return app.resolve(event, context)


def _media_type(event: dict[str, Any]) -> str:
    headers = event.get("headers") or {}
    value = next((str(v) for k, v in headers.items() if k.lower() == "content-type" and v), "")
    return value.split(";", 1)[0].strip().lower()


def _no_such_route(_: Exception) -> Response[dict[str, Any]]:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such route")


def _invalid_request(exc: RequestValidationError) -> Response[dict[str, Any]]:
    broken = next((error for error in exc.errors() if error.get("type") == "json_invalid"), None)
    if broken is not None:
        # Not JSON at all: no field is at fault (Powertools puts the character offset in `loc`).
        return _invalid_json(_broken_json(broken, exc.body))
    problems = [
        {
            "field": _field_path(error.get("loc", ())),
            "message": error.get("msg", "invalid"),
            "type": error["type"],
        }
        for error in exc.errors()
    ]
    first = problems[0] if problems else {"field": None, "message": "invalid request"}
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "validation_error",
        f"{first['field']}: {first['message']}" if first["field"] else str(first["message"]),
        field=first["field"],
        errors=problems,
    )


def _broken_json(error: Any, document: Any) -> errors.InvalidJsonError:
    location = error.get("loc", ())
    position = location[-1] if location and isinstance(location[-1], int) else None
    reason = str((error.get("ctx") or {}).get("error") or "not JSON")
    if not isinstance(document, str) or position is None:
        return errors.InvalidJsonError(f"the body is not valid JSON: {reason[:1].lower()}{reason[1:]}")
    return errors.InvalidJsonError.at(reason, document, position)


def _too_deep(exc: RecursionError) -> Response[dict[str, Any]]:
    """A body nested deeper than Python's recursion limit breaks the JSON decoder, not the service."""
    if not _raised_by_json_decoder(exc.__traceback__):
        raise exc
    return _invalid_json(errors.InvalidJsonError.too_deep())


def _raised_by_json_decoder(trace: TracebackType | None) -> bool:
    last = None
    while trace is not None:
        last, trace = trace, trace.tb_next
    return last is not None and Path(last.tb_frame.f_code.co_filename).parent.name == "json"


def _invalid_json(exc: errors.InvalidJsonError) -> Response[dict[str, Any]]:
    return error_response(HTTPStatus.BAD_REQUEST, exc.code, exc.message)


def _service_error(exc: errors.ServiceError) -> Response[dict[str, Any]]:
    status = next(
        (code for kind, code in _SERVICE_STATUS.items() if isinstance(exc, kind)),
        HTTPStatus.INTERNAL_SERVER_ERROR,
    )
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.exception("service error", extra={"code": exc.code})
    return error_response(status, exc.code, exc.message, field=exc.field, **exc.details)


def _odoo_error(exc: odoo_errors.OdooError) -> Response[dict[str, Any]]:
    status, code = _ODOO_STATUS.get(exc.category, (HTTPStatus.BAD_GATEWAY, "odoo_error"))
    logger.warning("odoo refused or failed", extra={"odoo_error": exc.to_dict()})
    extra: dict[str, Any] = {"odoo": exc.to_dict()}
    if isinstance(exc, odoo_errors.OdooRateLimitedError) and exc.retry_after is not None:
        extra["retry_after_s"] = exc.retry_after
    return error_response(status, code, exc.message, **extra)


def _field_path(location: Any) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or (str(location[0]) if location else None)

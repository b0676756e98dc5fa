"""Turn what Odoo said (XML-RPC fault, JSON-RPC error, JSON-2 status + body) into one OdooError.

Rules follow the captures of real Odoo 17 and 19: the exception name decides first, then the
message (constraints, unknown model, missing database), then the fault code or HTTP status.
Odoo's own message, exception name and code are kept on the error.
"""

from __future__ import annotations

import re
from typing import Any

from odoo_sync.odoo.errors import (
    OdooAccessError,
    OdooAuthError,
    OdooConstraintError,
    OdooDatabaseError,
    OdooError,
    OdooNotFoundError,
    OdooProtocolError,
    OdooRateLimitedError,
    OdooServerError,
    OdooTransientError,
    OdooValidationError,
)

# Odoo wraps SQL UNIQUE/NOT NULL violations and python constraints in ValidationError; these
# messages say which kind it is.
_CONSTRAINT_MARKERS = (
    "the operation cannot be completed",
    "already assigned",
    "unique constraint",
    "duplicate key value",
    "violates not-null constraint",
    "violates foreign key constraint",
    "must be unique",
    "already exists",
)
_UNKNOWN_MODEL = re.compile(r"^Object \S+ doesn't exist")
_MISSING_METHOD = re.compile(r"method '[^']+' does not exist|^Method not found", re.IGNORECASE)
_MISSING_DATABASE = re.compile(r'database "[^"]*" does not exist|database .* not found', re.IGNORECASE)

_BY_SHORT_NAME: dict[str, type[OdooError]] = {
    "AccessDenied": OdooAuthError,
    "AccessError": OdooAccessError,
    "MissingError": OdooNotFoundError,
    "UserError": OdooValidationError,
    "ValidationError": OdooValidationError,
    "RedirectWarning": OdooValidationError,
    "Warning": OdooValidationError,
    "except_orm": OdooValidationError,
    "CacheMiss": OdooServerError,
    "Unauthorized": OdooAuthError,
    "Forbidden": OdooAccessError,
    "NotFound": OdooNotFoundError,
    "UnprocessableEntity": OdooValidationError,
    "BadRequest": OdooProtocolError,
    "UnsupportedMediaType": OdooProtocolError,
    "MethodNotAllowed": OdooProtocolError,
    "TooManyRequests": OdooRateLimitedError,
    "ServiceUnavailable": OdooTransientError,
    "IntegrityError": OdooConstraintError,
    "UniqueViolation": OdooConstraintError,
    "NotNullViolation": OdooConstraintError,
    "ForeignKeyViolation": OdooConstraintError,
    "CheckViolation": OdooConstraintError,
    # PostgreSQL refused a transaction that raced another (Odoo already retried it): nothing was
    # committed, and it may well pass after a pause.
    "SerializationFailure": OdooTransientError,
    "TransactionRollbackError": OdooTransientError,
    "DeadlockDetected": OdooTransientError,
    "LockNotAvailable": OdooTransientError,
}

# Odoo <= 16 JSON-RPC errors also carry data.exception_type.
_BY_EXCEPTION_TYPE: dict[str, type[OdooError]] = {
    "user_error": OdooValidationError,
    "validation_error": OdooValidationError,
    "warning": OdooValidationError,
    "access_error": OdooAccessError,
    "access_denied": OdooAuthError,
    "missing_error": OdooNotFoundError,
}

_BY_HTTP_STATUS: dict[int, type[OdooError]] = {
    400: OdooProtocolError,
    401: OdooAuthError,
    403: OdooAccessError,
    404: OdooNotFoundError,
    405: OdooProtocolError,
    415: OdooProtocolError,
    422: OdooValidationError,
    429: OdooRateLimitedError,
    500: OdooServerError,
    502: OdooTransientError,
    503: OdooTransientError,
    504: OdooTransientError,
}


def _refine(cls: type[OdooError], message: str) -> type[OdooError]:
    """Message-based refinements that hold whatever the transport."""
    lowered = message.lower()
    if _MISSING_DATABASE.search(message):
        return OdooDatabaseError
    if cls in (OdooValidationError, OdooServerError):
        if _UNKNOWN_MODEL.search(message):
            return OdooNotFoundError
        if any(marker in lowered for marker in _CONSTRAINT_MARKERS) and cls is OdooValidationError:
            return OdooConstraintError
    if cls is OdooServerError and _MISSING_METHOD.search(message):
        return OdooNotFoundError
    return cls


def _short(name: str | None) -> str:
    return (name or "").rsplit(".", 1)[-1]


def error_from_name(
    name: str | None,
    message: str,
    *,
    code: int | str | None,
    fallback: type[OdooError] = OdooServerError,
    debug: str | None = None,
    arguments: list[object] | None = None,
    exception_type: str | None = None,
) -> OdooError:
    cls = _BY_SHORT_NAME.get(_short(name))
    if cls is None and exception_type:
        cls = _BY_EXCEPTION_TYPE.get(exception_type)
    if cls is None:
        cls = fallback
    cls = _refine(cls, message)
    return cls(message or (name or "Odoo error"), odoo_name=name, code=code, debug=debug, arguments=arguments)


def split_traceback(text: str) -> tuple[str | None, str]:
    """(exception name, message) from the last exception of a Python traceback."""
    if "Traceback (most recent call last):" not in text:
        return None, text.strip()
    tail = text.rsplit("Traceback (most recent call last):", 1)[1]
    lines = tail.splitlines()
    for index, line in enumerate(lines):
        if line and not line[0].isspace():
            rest = "\n".join([line, *lines[index + 1 :]]).strip()
            name, sep, message = rest.partition(": ")
            if sep and re.fullmatch(r"[A-Za-z_][\w.]*", name):
                return name, message.strip()
            return None, rest
    return None, text.strip()


def error_from_fault(fault_code: object, fault_string: str) -> OdooError:
    """Map an XML-RPC fault: 1 traceback, 2 user/validation/missing, 3 access denied, 4 access error."""
    code: int | str | None = fault_code if isinstance(fault_code, int | str) else None
    if fault_code == 3:
        return OdooAuthError(fault_string, odoo_name="odoo.exceptions.AccessDenied", code=3)
    if fault_code == 4:
        return OdooAccessError(fault_string, odoo_name="odoo.exceptions.AccessError", code=4)
    if fault_code == 2:
        if fault_string.startswith("Record does not exist or has been deleted"):
            return OdooNotFoundError(fault_string, odoo_name="odoo.exceptions.MissingError", code=2)
        return error_from_name(None, fault_string, code=2, fallback=OdooValidationError)
    name, message = split_traceback(fault_string)
    debug = fault_string if name is not None else None
    return error_from_name(name, message, code=code, debug=debug)


def error_from_jsonrpc(error: dict[str, Any]) -> OdooError:
    """Map a JSON-RPC `error` member: {code, message, data: {name, message, arguments, debug}}."""
    data = error.get("data")
    code = error.get("code")
    code = code if isinstance(code, int | str) else None
    if not isinstance(data, dict):
        return OdooServerError(str(error.get("message") or "Odoo Server Error"), code=code)
    name = data.get("name") if isinstance(data.get("name"), str) else None
    message = data.get("message")
    debug = data.get("debug") if isinstance(data.get("debug"), str) else None
    if not isinstance(message, str) or not message:
        # Odoo 17 leaves message out for some errors; the traceback's last line has it.
        message = split_traceback(debug)[1] if debug else str(error.get("message") or "")
    arguments = data.get("arguments") if isinstance(data.get("arguments"), list) else None
    exception_type = data.get("exception_type") if isinstance(data.get("exception_type"), str) else None
    return error_from_name(
        name, message, code=code, debug=debug, arguments=arguments, exception_type=exception_type
    )


def error_from_http(status: int, body: object, *, retry_after: float | None = None) -> OdooError:
    """Map a non-200 JSON-2 answer; `body` is the decoded JSON error object, or None for HTML/text."""
    fallback = _BY_HTTP_STATUS.get(status, OdooServerError if status >= 500 else OdooProtocolError)
    if status == 429 or (status == 503 and retry_after is not None):
        return OdooRateLimitedError(f"Odoo answered HTTP {status}", retry_after=retry_after, code=status)
    if isinstance(body, dict) and isinstance(body.get("name"), str):
        message = body.get("message")
        arguments = body.get("arguments")
        return error_from_name(
            body["name"],
            message if isinstance(message, str) else "",
            code=status,
            fallback=fallback,
            debug=body.get("debug") if isinstance(body.get("debug"), str) else None,
            arguments=arguments if isinstance(arguments, list) else None,
        )
    return fallback(f"Odoo answered HTTP {status}", code=status)

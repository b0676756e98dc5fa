"""One error taxonomy for every Odoo transport.

XML-RPC faults, JSON-RPC error envelopes and JSON-2 HTTP statuses all end up as one of these,
keeping Odoo's own message, exception name and code so that a user sees what Odoo said.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCategory(StrEnum):
    NETWORK = "network"  # DNS, refused, reset, timeout before anything was sent
    TLS = "tls"  # certificate or handshake failure
    AUTH = "auth"  # bad login, password or API key
    DATABASE = "database"  # the database does not exist or is not served
    ACCESS = "access"  # ACL or record rule refused the call
    NOT_FOUND = "not_found"  # record, model or method missing
    VALIDATION = "validation"  # UserError / ValidationError / bad arguments
    CONSTRAINT = "constraint"  # SQL or python constraint (unique, required)
    RATE_LIMITED = "rate_limited"  # 429 / 503 with Retry-After
    TRANSIENT = "transient"  # 5xx without an Odoo error, dropped connection
    SERVER = "server"  # Odoo raised a non-Odoo exception (fault 1 / HTTP 500)
    PROTOCOL = "protocol"  # the answer is not what the protocol promises
    OUTCOME_UNKNOWN = "outcome_unknown"  # a write was sent, its answer was lost


class OdooError(Exception):
    """Base of every error the Odoo client raises."""

    category: ErrorCategory = ErrorCategory.PROTOCOL
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        odoo_name: str | None = None,
        code: int | str | None = None,
        debug: str | None = None,
        arguments: list[object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.odoo_name = odoo_name
        self.code = code
        # Tracebacks can be long; keep the tail, which names the failing line.
        self.debug = debug[-4000:] if debug else None
        self.arguments = arguments or []

    def to_dict(self) -> dict[str, object]:
        return {
            "category": self.category.value,
            "message": self.message,
            "odoo_exception": self.odoo_name,
            "odoo_code": self.code,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, odoo_name={self.odoo_name!r}, code={self.code!r})"


class OdooNetworkError(OdooError):
    category = ErrorCategory.NETWORK
    retryable = True


class OdooTlsError(OdooError):
    category = ErrorCategory.TLS


class OdooAuthError(OdooError):
    category = ErrorCategory.AUTH


class OdooDatabaseError(OdooError):
    category = ErrorCategory.DATABASE


class OdooAccessError(OdooError):
    category = ErrorCategory.ACCESS


class OdooNotFoundError(OdooError):
    category = ErrorCategory.NOT_FOUND


class OdooValidationError(OdooError):
    category = ErrorCategory.VALIDATION


class OdooConstraintError(OdooValidationError):
    category = ErrorCategory.CONSTRAINT


class OdooRateLimitedError(OdooError):
    category = ErrorCategory.RATE_LIMITED
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class OdooTransientError(OdooError):
    category = ErrorCategory.TRANSIENT
    retryable = True


class OdooServerError(OdooError):
    category = ErrorCategory.SERVER


class OdooProtocolError(OdooError):
    category = ErrorCategory.PROTOCOL


class OdooOutcomeUnknownError(OdooError):
    """A non-idempotent call was sent and its answer was lost: Odoo may or may not have applied it.

    Never retried blindly; the caller reconciles (search by external id or match key).
    """

    category = ErrorCategory.OUTCOME_UNKNOWN


class OdooUnsafeUrlError(OdooNetworkError):
    """The connection URL resolves to an address we may not contact (SSRF guard); never retried."""

    retryable = False

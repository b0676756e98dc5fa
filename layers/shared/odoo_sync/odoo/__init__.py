"""Odoo client: JSON-2, JSON-RPC and XML-RPC behind one interface, one error taxonomy."""

from odoo_sync.odoo.client import OdooClient
from odoo_sync.odoo.detection import ServerInfo
from odoo_sync.odoo.domain import DomainError, validate_domain
from odoo_sync.odoo.errors import (
    ErrorCategory,
    OdooAccessError,
    OdooAuthError,
    OdooConstraintError,
    OdooDatabaseError,
    OdooError,
    OdooNetworkError,
    OdooNotFoundError,
    OdooOutcomeUnknownError,
    OdooProtocolError,
    OdooRateLimitedError,
    OdooServerError,
    OdooTlsError,
    OdooTransientError,
    OdooUnsafeUrlError,
    OdooValidationError,
)
from odoo_sync.odoo.retry import RetryPolicy
from odoo_sync.odoo.settings import OdooConnectionSettings, Protocol

__all__ = [
    "DomainError",
    "ErrorCategory",
    "OdooAccessError",
    "OdooAuthError",
    "OdooClient",
    "OdooConnectionSettings",
    "OdooConstraintError",
    "OdooDatabaseError",
    "OdooError",
    "OdooNetworkError",
    "OdooNotFoundError",
    "OdooOutcomeUnknownError",
    "OdooProtocolError",
    "OdooRateLimitedError",
    "OdooServerError",
    "OdooTlsError",
    "OdooTransientError",
    "OdooUnsafeUrlError",
    "OdooValidationError",
    "Protocol",
    "RetryPolicy",
    "ServerInfo",
    "validate_domain",
]

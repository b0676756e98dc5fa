"""Odoo client: JSON-2, JSON-RPC and XML-RPC behind one interface, one error taxonomy.

The names below load on first use: importing `odoo_sync.odoo.errors` (as the API edge does to
map errors) must not load httpx and the transports for functions that never call Odoo.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_EXPORTS = {
    "DomainError": "odoo_sync.odoo.domain",
    "ErrorCategory": "odoo_sync.odoo.errors",
    "OdooAccessError": "odoo_sync.odoo.errors",
    "OdooAuthError": "odoo_sync.odoo.errors",
    "OdooClient": "odoo_sync.odoo.client",
    "OdooConnectionSettings": "odoo_sync.odoo.settings",
    "OdooConstraintError": "odoo_sync.odoo.errors",
    "OdooDatabaseError": "odoo_sync.odoo.errors",
    "OdooError": "odoo_sync.odoo.errors",
    "OdooNetworkError": "odoo_sync.odoo.errors",
    "OdooNotFoundError": "odoo_sync.odoo.errors",
    "OdooOutcomeUnknownError": "odoo_sync.odoo.errors",
    "OdooProtocolError": "odoo_sync.odoo.errors",
    "OdooRateLimitedError": "odoo_sync.odoo.errors",
    "OdooServerError": "odoo_sync.odoo.errors",
    "OdooTlsError": "odoo_sync.odoo.errors",
    "OdooTransientError": "odoo_sync.odoo.errors",
    "OdooUnsafeUrlError": "odoo_sync.odoo.errors",
    "OdooValidationError": "odoo_sync.odoo.errors",
    "Protocol": "odoo_sync.odoo.settings",
    "RetryPolicy": "odoo_sync.odoo.retry",
    "ServerInfo": "odoo_sync.odoo.detection",
    "validate_domain": "odoo_sync.odoo.domain",
}


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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value

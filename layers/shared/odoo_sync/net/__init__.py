"""Outbound network safety: no request on a tenant's behalf may reach our own network.

`ensure_public_url` checks a URL up front (for a clear error when a tenant saves it);
`guarded_transport` enforces the same rule at connect time, against the addresses actually
dialled, so a DNS answer that changes after the check (DNS rebinding) cannot slip through.
"""

from odoo_sync.net.addresses import address_refusal, ip_of_host, is_allowed_address
from odoo_sync.net.errors import UnsafeUrlError
from odoo_sync.net.resolve import Resolver, system_resolver
from odoo_sync.net.transport import GuardedNetworkBackend, guarded_transport
from odoo_sync.net.urls import ensure_public_url

__all__ = [
    "GuardedNetworkBackend",
    "Resolver",
    "UnsafeUrlError",
    "address_refusal",
    "ensure_public_url",
    "guarded_transport",
    "ip_of_host",
    "is_allowed_address",
    "system_resolver",
]

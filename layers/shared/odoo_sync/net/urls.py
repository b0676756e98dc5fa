"""Static URL check: scheme, host, and every address the host resolves to now."""

from __future__ import annotations

import httpx

from odoo_sync.net.addresses import address_refusal, ip_of_host
from odoo_sync.net.errors import UnsafeUrlError
from odoo_sync.net.resolve import Resolver, system_resolver

ALLOWED_SCHEMES = frozenset({"http", "https"})


def resolve_allowed(host: str, port: int, *, allow_private: bool, resolver: Resolver) -> list[str]:
    """Every address `host` resolves to, all of them allowed; raise UnsafeUrlError otherwise.

    One refused address refuses the host: a name that answers both a public and a private
    address is exactly what a rebinding attack looks like.
    """
    literal = _ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = resolver(host, port)
        except OSError as exc:
            raise UnsafeUrlError(f"cannot resolve host {host!r}: {exc}", host=host) from exc
        if not addresses:
            raise UnsafeUrlError(f"host {host!r} resolves to no address", host=host)
    for address in addresses:
        try:
            reason = address_refusal(address, allow_private=allow_private)
        except ValueError as exc:
            raise UnsafeUrlError(f"host {host!r} resolved to an invalid address", host=host) from exc
        if reason is not None:
            raise UnsafeUrlError(
                f"host {host!r} resolves to {address}, a {reason}; refused", host=host, address=address
            )
    return addresses


def _ip_literal(host: str) -> str | None:
    address = ip_of_host(host)
    return None if address is None else str(address)


def ensure_public_url(
    url: str | httpx.URL, allow_private: bool = False, *, resolver: Resolver | None = None
) -> httpx.URL:
    """Return the parsed URL if it may be contacted; raise UnsafeUrlError if not."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeUrlError(f"invalid URL: {exc}") from exc
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UnsafeUrlError(f"URL scheme must be http or https, not {parsed.scheme or 'missing'!r}")
    host = parsed.host
    if not host:
        raise UnsafeUrlError("URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    resolve_allowed(host, port, allow_private=allow_private, resolver=resolver or system_resolver)
    return parsed

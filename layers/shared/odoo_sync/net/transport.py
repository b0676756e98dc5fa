"""An httpx transport whose every TCP connection goes to an address checked at connect time.

httpcore asks its network backend to connect to (host, port); this backend resolves the host
itself, refuses the connection unless every resolved address is allowed, and dials a checked
address. TLS still uses the URL's host name for SNI and certificate checks (httpcore passes it
to start_tls), and httpx sets the Host header from the URL, so only the dialled IP changes.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable

import certifi
import httpcore
import httpx

from odoo_sync.net.deadline import DeadlineStream, bounded_timeout
from odoo_sync.net.resolve import Resolver, system_resolver
from odoo_sync.net.urls import resolve_allowed


class GuardedNetworkBackend(httpcore.NetworkBackend):
    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        inner: httpcore.NetworkBackend | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolver = resolver or system_resolver
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve_allowed(host, port, allow_private=self._allow_private, resolver=self._resolver)
        last_error: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=bounded_timeout(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return DeadlineStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None  # resolve_allowed never returns an empty list
        raise last_error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed for outbound requests")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx.HTTPTransport with the guarded backend; never uses environment proxies."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
        inner_backend: httpcore.NetworkBackend | None = None,
    ) -> None:
        ssl_context = _ssl_context(verify)
        limits = limits or httpx.Limits(max_connections=20, max_keepalive_connections=10)
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedNetworkBackend(
                allow_private=allow_private, resolver=resolver, inner=inner_backend
            ),
        )


def _ssl_context(verify: ssl.SSLContext | bool) -> ssl.SSLContext:
    if isinstance(verify, ssl.SSLContext):
        return verify
    context = ssl.create_default_context(cafile=certifi.where())
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def guarded_transport(
    allow_private: bool = False,
    *,
    resolver: Resolver | None = None,
    verify: ssl.SSLContext | bool = True,
    limits: httpx.Limits | None = None,
) -> httpx.HTTPTransport:
    """A transport for httpx.Client(transport=...) that refuses non-public addresses at connect time."""
    return GuardedTransport(allow_private=allow_private, resolver=resolver, verify=verify, limits=limits)

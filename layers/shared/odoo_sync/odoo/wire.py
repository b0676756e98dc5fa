"""One HTTP exchange with Odoo: send, read a bounded body, and map transport failures.

Failures before the request left (refused, DNS, connect timeout, TLS) are safe to retry for any
call. Failures after it left (read timeout, connection dropped) are retryable only for
idempotent calls; for anything else Odoo may have committed, so the outcome is unknown.
"""

from __future__ import annotations

import email.utils
import ssl
import time
import zlib
from dataclasses import dataclass
from typing import Any

import httpx

from odoo_sync.net import UnsafeUrlError, deadline
from odoo_sync.odoo.error_mapping import error_from_http
from odoo_sync.odoo.errors import (
    OdooError,
    OdooNetworkError,
    OdooOutcomeUnknownError,
    OdooProtocolError,
    OdooTlsError,
    OdooTransientError,
    OdooUnsafeUrlError,
)
from odoo_sync.odoo.settings import OdooConnectionSettings

USER_AGENT = "odoo-sync/0.1 (+httpx)"


@dataclass(frozen=True)
class WireResponse:
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def content_type(self) -> str:
        value: str = self.headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()


class ResponseTooLargeError(OdooProtocolError):
    pass


class Wire:
    """Sends requests for one connection over a reused httpx client and counts them."""

    def __init__(self, settings: OdooConnectionSettings, client: httpx.Client) -> None:
        self._settings = settings
        self._client = client
        self._timeout = httpx.Timeout(
            connect=settings.connect_timeout_s,
            read=settings.read_timeout_s,
            write=settings.read_timeout_s,
            pool=settings.connect_timeout_s,
        )
        self.calls = 0

    def url(self, path: str) -> str:
        return f"{self._settings.root_url}{path}"

    def send(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool,
    ) -> WireResponse:
        request = self._client.build_request(
            method,
            self.url(path),
            content=content,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", **(headers or {})},
            timeout=self._timeout,
        )
        self.calls += 1
        with deadline.within(self._settings.deadline_s):
            try:
                response = self._client.send(request, stream=True, follow_redirects=False)
            except UnsafeUrlError as exc:
                raise OdooUnsafeUrlError(exc.message) from exc
            except httpx.TransportError as exc:
                raise _transport_error(exc, idempotent=idempotent) from exc
            try:
                body = read_capped(response, self._settings.max_response_bytes)
            except httpx.TransportError as exc:
                raise _transport_error(exc, idempotent=idempotent, after_send=True) from exc
            finally:
                response.close()
        answer = WireResponse(response.status_code, response.headers, body)
        _raise_for_generic_status(answer, idempotent=idempotent)
        return answer


def _transport_error(exc: httpx.TransportError, *, idempotent: bool, after_send: bool = False) -> OdooError:
    if not after_send and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        if _caused_by_tls(exc):
            return OdooTlsError(f"TLS failure: {exc}")
        return OdooNetworkError(f"cannot connect to Odoo: {exc or type(exc).__name__}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.ProxyError):
        return OdooProtocolError(f"request could not be sent: {exc}")
    what = "timed out waiting for Odoo" if isinstance(exc, httpx.TimeoutException) else "connection lost"
    detail = f"{what}: {exc or type(exc).__name__}"
    if idempotent:
        return OdooTransientError(detail)
    return OdooOutcomeUnknownError(f"{detail}; the call may or may not have been applied")


def _caused_by_tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError | ssl.CertificateError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _raise_for_generic_status(answer: WireResponse, *, idempotent: bool) -> None:
    """Statuses that mean the same on every transport: redirects, rate limits, gateways."""
    status = answer.status
    if 300 <= status < 400:
        location = answer.headers.get("location", "")
        raise OdooProtocolError(f"Odoo redirected to {location!r}; use that URL as base_url", code=status)
    if status in (429, 503):
        retry_after = parse_retry_after(answer.headers.get("retry-after"))
        raise error_from_http(status, None, retry_after=retry_after)
    if status in (502, 504):
        if idempotent:
            raise OdooTransientError(f"gateway error HTTP {status}", code=status)
        raise OdooOutcomeUnknownError(
            f"gateway error HTTP {status}; the call may or may not have been applied", code=status
        )


class _Decoder:
    """Bounded content decoding: a small compressed body cannot expand past the cap."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip", "deflate"):
            self._zlib = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)
        elif encoding not in ("", "identity"):
            raise OdooProtocolError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes, room: int) -> bytes:
        if self._zlib is None:
            return data
        try:
            out: bytes = self._zlib.decompress(data, room + 1)
        except zlib.error as exc:
            raise OdooProtocolError(f"corrupt {self._encoding} body: {exc}") from exc
        return out


def read_capped(response: httpx.Response, cap: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise ResponseTooLargeError(f"Odoo's answer is {declared} bytes, above the {cap}-byte limit")
    try:
        loaded = response.content  # an in-memory response (tests, mocks) is decoded already
    except httpx.ResponseNotRead:
        pass
    else:
        if len(loaded) > cap:
            raise ResponseTooLargeError(f"Odoo's answer exceeds the {cap}-byte limit")
        return loaded
    decoder = _Decoder(response.headers.get("content-encoding", "").strip().lower())
    body = bytearray()
    received = 0
    for chunk in response.iter_raw():
        # The network backend enforces the deadline on sockets; this also covers other transports.
        if deadline.expired():
            raise httpx.ReadTimeout("Odoo's answer took longer than the exchange's deadline")
        received += len(chunk)
        if received > cap:
            raise ResponseTooLargeError(f"Odoo's answer exceeds the {cap}-byte limit")
        body += decoder.feed(chunk, cap - len(body))
        if len(body) > cap:
            raise ResponseTooLargeError(f"Odoo's answer exceeds the {cap}-byte limit once decompressed")
    return bytes(body)

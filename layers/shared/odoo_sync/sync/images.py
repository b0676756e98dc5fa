"""Images from a tenant's URL, fetched for Odoo's binary image fields.

The URL is typed by the tenant, so the download goes through the SSRF guard (only public
addresses, checked on the address actually dialled, redirects included), is capped in size and
time, and must say it is an image. Odoo takes images as base64 text.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Protocol

import httpx

from odoo_sync.net import guarded_transport
from odoo_sync.net.errors import UnsafeUrlError
from odoo_sync.sync.issues import InvalidValueError, IssueCode

MAX_IMAGE_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 10.0
MAX_REDIRECTS = 3


class ImageFetcher(Protocol):
    def fetch_base64(self, url: str) -> str:
        """The image at `url` as base64 text; `InvalidValueError` says why it cannot be used."""
        ...


def content_digest(value: str) -> str:
    """What a link's snapshot keeps of an image instead of the image itself."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


class HttpImageFetcher:
    """Downloads through the SSRF guard; one httpx client per fetcher, closed with it."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        max_bytes: int = MAX_IMAGE_BYTES,
        timeout_s: float = TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._max_bytes = max_bytes
        self._total_timeout_s = timeout_s
        self._client = httpx.Client(
            transport=transport or guarded_transport(allow_private),
            timeout=timeout_s,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def fetch_base64(self, url: str) -> str:
        try:
            with self._client.stream("GET", url, headers={"Accept": "image/*"}) as response:
                if response.status_code != httpx.codes.OK:
                    raise _refused(url, f"the server answered HTTP {response.status_code}")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if not kind.startswith("image/"):
                    raise _refused(url, f"not an image (content type {kind or 'missing'!r})")
                body = self._read_capped(response, url)
        except UnsafeUrlError as exc:
            raise _refused(url, f"the address is not allowed: {exc}") from exc
        except httpx.TooManyRedirects as exc:
            raise _refused(url, f"more than {MAX_REDIRECTS} redirects") from exc
        except httpx.HTTPError as exc:
            raise _refused(url, f"download failed: {type(exc).__name__}") from exc
        except (httpx.InvalidURL, UnicodeError) as exc:
            # URLs that look valid can still fail to encode (IDNA labels, NUL bytes).
            raise _refused(url, "the address cannot be used") from exc
        if not body:
            raise _refused(url, "the image is empty")
        return base64.b64encode(body).decode("ascii")

    def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise _refused(url, f"larger than {self._max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        # The client's timeout bounds each read; this bounds the whole download, so a host
        # trickling bytes cannot hold a chunk past the worker's time limit.
        deadline = time.monotonic() + self._total_timeout_s
        for chunk in response.iter_bytes():
            if time.monotonic() > deadline:
                raise _refused(url, f"the download took longer than {self._total_timeout_s:g} s")
            size += len(chunk)
            if size > self._max_bytes:
                raise _refused(url, f"larger than {self._max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _refused(url: str, reason: str) -> InvalidValueError:
    return InvalidValueError(IssueCode.INVALID_URL, f"image {url!r} cannot be used: {reason}", url)

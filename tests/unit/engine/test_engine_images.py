"""Image downloads: only images, capped, through the network guard."""

from __future__ import annotations

import base64

import httpx
import pytest

from odoo_sync.sync.images import HttpImageFetcher, content_digest
from odoo_sync.sync.issues import InvalidValueError

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def fetcher(handler: httpx.MockTransport, max_bytes: int = 1000) -> HttpImageFetcher:
    return HttpImageFetcher(transport=handler, max_bytes=max_bytes)


def answering(status: int = 200, body: bytes = PNG, kind: str = "image/png") -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda _request: httpx.Response(status, content=body, headers={"content-type": kind})
    )


def test_an_image_comes_back_as_base64() -> None:
    assert (
        fetcher(answering()).fetch_base64("https://cdn.example.com/a.png") == base64.b64encode(PNG).decode()
    )


@pytest.mark.parametrize(
    ("transport", "reason"),
    [
        (answering(status=404), "HTTP 404"),
        (answering(kind="text/html"), "not an image"),
        (answering(kind=""), "not an image"),
        (answering(body=b""), "empty"),
        (answering(body=b"x" * 1001), "larger than 1000 bytes"),
    ],
)
def test_what_is_not_a_usable_image_is_an_issue_saying_why(
    transport: httpx.MockTransport, reason: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        fetcher(transport).fetch_base64("https://cdn.example.com/a.png")
    assert caught.value.code.value == "invalid_url"
    assert reason in caught.value.message


def test_a_network_failure_is_an_issue() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(InvalidValueError, match="download failed"):
        fetcher(httpx.MockTransport(refuse)).fetch_base64("https://cdn.example.com/a.png")


def test_private_addresses_are_refused_by_the_guard() -> None:
    guarded = HttpImageFetcher()
    try:
        with pytest.raises(InvalidValueError, match="not allowed"):
            guarded.fetch_base64("http://127.0.0.1:9/a.png")
    finally:
        guarded.close()


def test_digests_differ_with_content() -> None:
    assert content_digest("a") != content_digest("b")
    assert content_digest("a").startswith("sha256:")


@pytest.mark.parametrize("url", ["http://xn--.com/a.png", "http://cdn.example.com/a\x00.png"])
def test_an_address_that_cannot_be_encoded_is_an_issue_not_a_crash(url: str) -> None:
    with pytest.raises(InvalidValueError, match="cannot be used"):
        fetcher(answering()).fetch_base64(url)


def test_a_download_slower_than_the_whole_timeout_is_refused() -> None:
    class Trickle(httpx.SyncByteStream):
        def __iter__(self):
            while True:
                yield b"0" * 10

    slow = httpx.MockTransport(
        lambda _request: httpx.Response(200, stream=Trickle(), headers={"content-type": "image/png"})
    )
    images = HttpImageFetcher(transport=slow, max_bytes=10**12, timeout_s=0.05)

    with pytest.raises(InvalidValueError, match="took longer than"):
        images.fetch_base64("https://cdn.example.com/a.png")

"""SSRF guard: static URL checks and the connect-time check, with an injected resolver (no DNS)."""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import pytest

from odoo_sync.net import (
    GuardedNetworkBackend,
    UnsafeUrlError,
    address_refusal,
    ensure_public_url,
    guarded_transport,
)
from odoo_sync.odoo import OdooClient, OdooConnectionSettings, OdooUnsafeUrlError, RetryPolicy

PUBLIC = "93.184.216.34"


def resolver_for(*addresses: str):
    def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "0.0.0.0",  # noqa: S104
        "::",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "100.64.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.1.1.1",
        "64:ff9b::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
    ],
)
def test_deployed_mode_refuses_non_public_addresses(address: str) -> None:
    assert address_refusal(address) is not None
    with pytest.raises(UnsafeUrlError):
        ensure_public_url("https://odoo.example.com", resolver=resolver_for(address))


@pytest.mark.parametrize("address", [PUBLIC, "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert address_refusal(address) is None
    assert ensure_public_url("https://odoo.example.com:8443/x", resolver=resolver_for(address)).port == 8443


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.5", "::ffff:127.0.0.1"])
def test_local_stack_mode_allows_loopback_and_private(address: str) -> None:
    assert address_refusal(address, allow_private=True) is None


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "fe80::1",
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "fd00:ec2::254",
    ],
)
def test_metadata_and_link_local_stay_refused_even_when_private_is_allowed(address: str) -> None:
    assert address_refusal(address, allow_private=True) is not None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://odoo.example.com",
        "file:///etc/passwd",
        "gopher://odoo.example.com",
        "javascript:alert(1)",
        "http://",
        "odoo.example.com",
        "http://[::ffff:169.254.169.254]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0x7f000001/",
    ],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        ensure_public_url(url, resolver=resolver_for("127.0.0.1"))


def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    with pytest.raises(UnsafeUrlError, match=r"10\.0\.0\.9"):
        ensure_public_url("https://odoo.example.com", resolver=resolver_for(PUBLIC, "10.0.0.9"))


def test_unresolvable_host_is_refused() -> None:
    def failing(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(UnsafeUrlError, match="cannot resolve"):
        ensure_public_url("https://nowhere.invalid", resolver=failing)


class RecordingBackend(httpcore.NetworkBackend):
    """Stands in for sockets: records what would be dialled and the TLS server name."""

    def __init__(self) -> None:
        self.dialled: list[tuple[str, int]] = []
        self.sni: list[str | None] = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        self.dialled.append((host, port))
        backend = self

        class Stream(httpcore.NetworkStream):
            def start_tls(
                self,
                ssl_context: ssl.SSLContext,
                server_hostname: str | None = None,
                timeout: float | None = None,
            ) -> httpcore.NetworkStream:
                backend.sni.append(server_hostname)
                raise httpcore.ConnectError("stop here")

            def close(self) -> None:
                pass

        return Stream()


def test_transport_dials_the_checked_address_and_keeps_the_host_name_for_tls() -> None:
    inner = RecordingBackend()
    backend = GuardedNetworkBackend(resolver=resolver_for(PUBLIC), inner=inner)
    with httpx.Client(transport=guarded_transport()) as client:
        client._transport._pool._network_backend = backend  # type: ignore[attr-defined]
        with pytest.raises(httpx.ConnectError):
            client.get("https://odoo.example.com/web/version")
    assert inner.dialled == [(PUBLIC, 443)]
    assert inner.sni == ["odoo.example.com"]


def test_dns_rebinding_is_caught_at_connect_time() -> None:
    answers = [[PUBLIC], ["169.254.169.254"]]

    def rebinding(host: str, port: int) -> list[str]:
        return answers.pop(0)

    ensure_public_url("https://odoo.example.com", resolver=rebinding)  # the first answer looks fine
    inner = RecordingBackend()
    backend = GuardedNetworkBackend(resolver=rebinding, inner=inner)
    with pytest.raises(UnsafeUrlError, match=r"169\.254\.169\.254"):
        backend.connect_tcp("odoo.example.com", 443)
    assert inner.dialled == []


def test_guarded_transport_refuses_through_httpx_without_opening_a_socket() -> None:
    transport = guarded_transport(resolver=resolver_for("10.1.2.3"))
    with httpx.Client(transport=transport) as client, pytest.raises(UnsafeUrlError):
        client.get("http://internal.example.com/")


def test_client_refuses_the_metadata_service_and_does_not_retry() -> None:
    slept: list[float] = []
    settings = OdooConnectionSettings(base_url="http://169.254.169.254", database="x", secret="k")
    with OdooClient(settings, retry=RetryPolicy(sleep=slept.append)) as client:
        with pytest.raises(OdooUnsafeUrlError, match="link-local"):
            client.server_info()
        assert client.calls == 1
    assert slept == []


def test_client_refuses_loopback_unless_the_local_stack_allows_it() -> None:
    settings = OdooConnectionSettings(base_url="http://127.0.0.1:9", database="x", secret="k")
    with (
        OdooClient(settings, retry=RetryPolicy(sleep=lambda s: None)) as client,
        pytest.raises(OdooUnsafeUrlError),
    ):
        client.server_info()

"""SSRF through the API: numeric host forms at create, and names that resolve inward at connect.

The address policy itself (private, link-local, metadata, mapped and embedded IPv4, NAT64, 6to4)
and the transport's connect-time check are in tests/unit/odoo/test_odoo_net_guard.py. Here the
same rules are checked where a tenant meets them: saving a connection and using it. DNS is
replaced in-process; nothing outside loopback is ever dialled (the inner backend only records).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import pytest

from connections_api.handler import lambda_handler
from odoo_sync.net import UnsafeUrlError, ensure_public_url, ip_of_host
from odoo_sync.net import transport as guarded
from tests.support.api import call

TENANT = "ten_aaaaaaaaaaaaaaaa"
API_KEY = "0123456789abcdef0123456789abcdef01234567"
PUBLIC = "93.184.216.34"

# Every one of these is 169.254.169.254, 127.0.0.1 or 10.0.0.1 to the C resolver, without DNS.
NUMERIC_FORMS = [
    "http://2852039166",  # decimal 169.254.169.254
    "http://0xa9fea9fe",  # hex
    "http://0xa9.0xfe.0xa9.0xfe",
    "http://169.254.43518",  # two-part form
    "http://2130706433:8069",  # decimal 127.0.0.1
    "http://017700000001",  # octal 127.0.0.1
    "http://127.1",
    "http://0x7f.1",
    "http://167772161",  # 10.0.0.1
    "http://0",  # 0.0.0.0
]
MAPPED_AND_METADATA = [
    "http://[::ffff:169.254.169.254]",
    "http://[::ffff:a9fe:a9fe]",
    "http://[::ffff:127.0.0.1]:8069",
    "http://[fd00:ec2::254]",
    "http://[fe80::1]",
    "http://100.100.100.200",
    "http://[64:ff9b::a9fe:a9fe]",
]


def _create(base_url: str) -> Any:
    body = {
        "name": "Odoo",
        "base_url": base_url,
        "database": "acme",
        "auth": {"type": "api_key", "login": "admin", "api_key": API_KEY},
    }
    return call(lambda_handler, "POST", "/v1/connections", body=body, tenant_id=TENANT)


@pytest.mark.parametrize("url", NUMERIC_FORMS + MAPPED_AND_METADATA)
def test_inward_addresses_in_any_spelling_are_refused_when_the_connection_is_saved(aws, url) -> None:
    answer = _create(url)

    assert answer.status in (400, 422), answer.body
    assert answer.body["field"] == "base_url"


@pytest.mark.parametrize("url", NUMERIC_FORMS)
def test_numeric_forms_are_judged_as_the_address_they_name_without_asking_dns(url) -> None:
    def no_dns(host: str, port: int) -> list[str]:
        raise AssertionError(f"{host} was sent to DNS")

    with pytest.raises(UnsafeUrlError):
        ensure_public_url(url, resolver=no_dns)


@pytest.mark.parametrize("host", ["odoo.example.com", "cafe", "0x", "1.2.3.4.5", "example.0x1"])
def test_names_that_only_look_numeric_are_left_to_dns(host) -> None:
    assert ip_of_host(host) is None


class Dialler(httpcore.NetworkBackend):
    """Stands in for sockets: records each address the guard lets through, connects nowhere."""

    def __init__(self) -> None:
        self.dialled: list[str] = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        self.dialled.append(host)
        raise httpcore.ConnectError("connection refused (test backend)")


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> tuple[Dialler, list[list[str]]]:
    """DNS answers popped from a list, and a backend that records what would be dialled."""
    dialler = Dialler()
    answers: list[list[str]] = []

    def resolver(host: str, port: int) -> list[str]:
        return answers.pop(0) if len(answers) > 1 else answers[0]

    original_init = guarded.GuardedNetworkBackend.__init__

    def init(self: guarded.GuardedNetworkBackend, **kwargs: Any) -> None:
        original_init(self, **{**kwargs, "resolver": resolver, "inner": dialler})

    monkeypatch.setattr(guarded.GuardedNetworkBackend, "__init__", init)
    return dialler, answers


def _test_connection(connection_id: str) -> Any:
    return call(
        lambda_handler,
        "POST",
        "/v1/connections/{connection_id}/test",
        {"connection_id": connection_id},
        tenant_id=TENANT,
    )


@pytest.mark.parametrize("inward", ["169.254.169.254", "fd00:ec2::254", "10.0.0.7", "::ffff:127.0.0.1"])
def test_a_name_resolving_inward_is_refused_at_connect_and_nothing_is_dialled(aws, network, inward) -> None:
    dialler, answers = network
    answers.append([inward])
    created = _create("https://odoo.tenant.example")
    assert created.status == 201, created.body  # a name is not resolved when saved: it may change

    tested = _test_connection(created.body["connection_id"])

    assert tested.status == 200, tested.body
    assert tested.body["success"] is False
    assert inward in tested.body["message"] or "refused" in tested.body["message"]
    assert dialler.dialled == []


def test_dns_rebinding_between_two_uses_is_caught_on_the_address_actually_dialled(aws, network) -> None:
    dialler, answers = network
    answers.extend([[PUBLIC], ["169.254.169.254"]])
    created = _create("https://odoo.tenant.example")

    first = _test_connection(created.body["connection_id"])
    second = _test_connection(created.body["connection_id"])

    assert first.body["success"] is False  # the public address was tried (and refused by the stub)
    assert second.body["success"] is False
    assert "169.254.169.254" in second.body["message"]
    assert dialler.dialled == [PUBLIC]  # the metadata address was never dialled


def test_a_name_answering_one_inward_address_among_public_ones_is_refused(aws, network) -> None:
    dialler, answers = network
    answers.append([PUBLIC, "10.0.0.9"])
    created = _create("https://odoo.tenant.example")

    tested = _test_connection(created.body["connection_id"])

    assert tested.body["success"] is False
    assert dialler.dialled == []

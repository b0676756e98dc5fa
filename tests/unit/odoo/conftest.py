"""Fixtures for the Odoo client unit tests (helpers live in odoo_wire_replay)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from odoo_sync.odoo import OdooClient, Protocol, RetryPolicy
from tests.unit.odoo.odoo_wire_replay import Replay, Responder, Sleeps, settings


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(sleeps: Sleeps) -> Iterator[Callable[..., tuple[OdooClient, Replay]]]:
    clients: list[OdooClient] = []

    def build(
        script: list[tuple[str, str, Responder]],
        protocol: Protocol = Protocol.AUTO,
        retry: RetryPolicy | None = None,
        **overrides: Any,
    ) -> tuple[OdooClient, Replay]:
        replay = Replay(list(script))
        policy = retry or RetryPolicy(sleep=sleeps, random=lambda: 1.0)
        client = OdooClient(settings(protocol, **overrides), retry=policy, http=httpx.MockTransport(replay))
        clients.append(client)
        return client, replay

    yield build
    for client in clients:
        client.close()

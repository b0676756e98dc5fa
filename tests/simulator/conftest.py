"""Fixtures for the simulator's own tests."""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from odoo_simulator import OdooSimulator

REPO_ROOT = Path(__file__).resolve().parents[2]
CAPTURES = REPO_ROOT.parent / "shared" / "odoo-wire"


@pytest.fixture(scope="module")
def sim19() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", seed_partners=30, seed_products=10) as sim:
        yield sim


@pytest.fixture(scope="module")
def sim17() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="17", seed_partners=30, seed_products=10) as sim:
        yield sim


class Rpc:
    """A tiny XML-RPC / JSON-RPC / JSON-2 caller for tests (the project's client is tested elsewhere)."""

    def __init__(self, sim: OdooSimulator) -> None:
        self.sim = sim

    def xml(
        self,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None = None,
        *,
        uid: int | None = None,
        secret: str | None = None,
    ) -> Any:
        proxy = xmlrpc.client.ServerProxy(f"{self.sim.url}/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(
            self.sim.database,
            uid or self.sim.admin_uid,
            secret or self.sim.admin_password,
            model,
            method,
            args,
            kwargs or {},
        )

    def jsonrpc(self, service: str, method: str, args: list[Any]) -> dict[str, Any]:
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": 7,
        }
        response = httpx.post(f"{self.sim.url}/jsonrpc", json=body)
        assert response.status_code == 200
        answer: dict[str, Any] = response.json()
        return answer

    def json2(
        self, model: str, method: str, body: Any = None, *, key: str | None = None, timeout: float = 10.0
    ) -> httpx.Response:
        return httpx.post(
            f"{self.sim.url}/json/2/{model}/{method}",
            content=json.dumps(body if body is not None else {}),
            headers={
                "Authorization": f"bearer {key or self.sim.admin_api_key}",
                "Content-Type": "application/json",
                "X-Odoo-Database": self.sim.database,
            },
            timeout=timeout,
        )

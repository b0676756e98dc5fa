"""Replay real Odoo answers captured in the shared odoo-wire directory (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from odoo_sync.odoo import OdooConnectionSettings, Protocol

WIRE_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "odoo-wire"
_DROPPED_HEADERS = {"content-length", "transfer-encoding", "connection"}


@cache
def _capture(file: str) -> dict[str, Any]:
    path = WIRE_DIR / file
    if not path.exists():
        pytest.skip(f"odoo-wire captures not available ({file})", allow_module_level=True)
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def exchange(file: str, name: str) -> dict[str, Any]:
    """The captured exchange whose name starts with `name` (names are unique prefixes here)."""
    exchanges: list[dict[str, Any]] = _capture(file)["exchanges"]
    matches = [e for e in exchanges if e["name"] == name] or [
        e for e in exchanges if e["name"].startswith(name)
    ]
    assert len(matches) == 1, f"{file}: {len(matches)} exchanges named {name!r}"
    return matches[0]


def recorded_response(ex: dict[str, Any]) -> httpx.Response:
    answer = ex["response"]
    headers = [(k, v) for k, v in answer["headers"] if k.lower() not in _DROPPED_HEADERS]
    return httpx.Response(answer["status"], headers=headers, content=answer["body"].encode("utf-8"))


Responder = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class Replay:
    """Answers requests in order from a script of (method, path, response) and keeps the requests."""

    script: list[tuple[str, str, Responder]]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.script, f"unexpected request {request.method} {request.url.path}"
        method, path, responder = self.script.pop(0)
        assert (request.method, request.url.path) == (method, path), (
            f"expected {method} {path}, got {request.method} {request.url.path}"
        )
        if isinstance(responder, Exception):
            raise responder
        if isinstance(responder, httpx.Response):
            return responder
        return responder(request)

    def json_bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def replayed(file: str, name: str) -> tuple[str, str, httpx.Response]:
    ex = exchange(file, name)
    return ex["request"]["method"], ex["request"]["path"], recorded_response(ex)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


@dataclass
class Sleeps:
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def settings(protocol: Protocol = Protocol.AUTO, **overrides: Any) -> OdooConnectionSettings:
    values: dict[str, Any] = {
        "base_url": "https://odoo.example.com",
        "database": "odoo19",
        "login": "admin",
        "secret": "0123456789abcdef0123456789abcdef01234567",
        "protocol": protocol,
    }
    values.update(overrides)
    return OdooConnectionSettings(**values)

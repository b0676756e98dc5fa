"""Seed a demo through the API itself: operator key, tenant, connection, a connection test."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from local_stack.stack import LocalStack

OPERATOR_KEY_PREFIX = "osk_op_"
OPERATOR_KEY_PARAMETER = "OperatorKeyHashParameter"


class DemoError(Exception):
    """The API refused a step of the demo; the message holds its answer."""


@dataclass(frozen=True)
class OdooTarget:
    url: str
    database: str
    login: str
    api_key: str


@dataclass(frozen=True)
class Demo:
    api_url: str
    api_key: str
    tenant_id: str
    connection_id: str
    odoo_url: str
    operator_key: str

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)  # it holds keys


@dataclass(frozen=True)
class SeedResult:
    demo: Demo
    connection_test: dict[str, Any]


def new_operator_key() -> str:
    return OPERATOR_KEY_PREFIX + secrets.token_urlsafe(32)


def install_operator_key(stack: LocalStack, operator_key: str) -> None:
    """The authorizer compares a key's SHA-256 with this parameter; only the digest is stored."""
    stack.client("ssm").put_parameter(
        Name=stack.parameters[OPERATOR_KEY_PARAMETER],
        Value=hashlib.sha256(operator_key.encode()).hexdigest(),
        Type="String",
        Overwrite=True,
    )


def seed(stack: LocalStack, odoo: OdooTarget, timeout_s: float = 120.0) -> SeedResult:
    operator_key = new_operator_key()
    install_operator_key(stack, operator_key)
    with httpx.Client(base_url=stack.api_url, timeout=timeout_s) as api:
        tenant = _expect(
            api.post("/v1/admin/tenants", json={"name": "Demo tenant"}, headers=_bearer(operator_key)), 201
        )
        connection = _expect(
            api.post(
                "/v1/connections",
                json={
                    "name": "Local Odoo simulator",
                    "base_url": odoo.url,
                    "database": odoo.database,
                    "auth": {"type": "api_key", "login": odoo.login, "api_key": odoo.api_key},
                },
                headers=_bearer(tenant["api_key"]),
            ),
            201,
        )
        tested = api.post(
            f"/v1/connections/{connection['connection_id']}/test", headers=_bearer(tenant["api_key"])
        )
    demo = Demo(
        api_url=stack.api_url,
        api_key=tenant["api_key"],
        tenant_id=tenant["tenant_id"],
        connection_id=connection["connection_id"],
        odoo_url=odoo.url,
        operator_key=operator_key,
    )
    return SeedResult(demo=demo, connection_test=_json(tested))


def instructions(demo: Demo, demo_file: Path) -> str:
    auth = f'-H "Authorization: Bearer {demo.api_key}"'
    base = f"{demo.api_url}/v1/connections/{demo.connection_id}"
    return "\n".join(
        [
            f"Odoo Sync API: {demo.api_url}   Odoo: {demo.odoo_url}",
            f"Keys and ids: {demo_file}",
            "",
            "Try:",
            f"  curl -s {auth} {demo.api_url}/v1/connections",
            f"  curl -s -X POST {auth} {base}/test",
            f"  curl -s {auth} '{base}/models?search=partner'",
            f"  curl -s {auth} '{base}/records/res.partner?fields=name,email&limit=5'",
            f"  curl -s -X POST {auth} -H 'Content-Type: application/json' "
            f'-d \'{{"values": {{"name": "Ada Lovelace"}}}}\' {base}/records/res.partner',
            "",
            f"The API's reference: {demo.api_url}/v1/docs   The command line: .venv/bin/odoo-sync --help",
        ]
    )


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _expect(response: httpx.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise DemoError(
            f"{response.request.method} {response.request.url.path} answered {response.status_code}, "
            f"expected {status}: {response.text}"
        )
    return _json(response)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise DemoError(f"{response.request.url.path} answered non-JSON: {response.text[:200]}") from exc
    if not isinstance(body, dict):
        raise DemoError(f"{response.request.url.path} answered {body!r}, expected an object")
    return body

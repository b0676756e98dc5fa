"""What `make run` adds for the console: a few customers to push, one held conflict to fix, and the
lines that tell a newcomer where to click."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from local_stack.demo import Demo, DemoError

CONSOLE_PATH = "/console/"
DEMO_CUSTOMERS = [
    ("c-1001", {"name": "Ada Lovelace", "email": "ada@example.com", "city": "London"}),
    ("c-1002", {"name": "Grace Hopper", "email": "grace@example.com", "city": "Arlington"}),
    ("c-1003", {"name": "Alan Turing", "email": "alan@example.com", "city": "Wilmslow"}),
]
CONFLICT_ID = "c-2001"


def console_url(api_url: str) -> str:
    return api_url.rstrip("/") + CONSOLE_PATH


def seed_console_demo(demo: Demo, timeout_s: float = 120.0) -> None:
    """Customers not yet pushed, and one whose e-mail changed both here and in Odoo: pushing it
    holds a conflict (the presets' policy is `manual`), waiting on the Conflicts page."""
    headers = {"Authorization": f"Bearer {demo.api_key}"}
    with httpx.Client(base_url=demo.api_url, headers=headers, timeout=timeout_s) as api:
        for local_id, data in DEMO_CUSTOMERS:
            _expect(api.put(f"/v1/records/customer/{local_id}", json=data), 200, 201)
        first = {"name": "Marie Curie", "email": "marie@example.com", "city": "Paris"}
        _expect(api.put(f"/v1/records/customer/{CONFLICT_ID}", json=first), 200, 201)
        pushed = _expect(api.post(f"/v1/sync/customer/{CONFLICT_ID}", json={}), 200)
        odoo_record = f"/v1/connections/{demo.connection_id}/records/res.partner/{pushed['odoo_id']}"
        _expect(api.patch(odoo_record, json={"email": "m.curie@sorbonne.example"}), 200)
        _expect(
            api.put(
                f"/v1/records/customer/{CONFLICT_ID}", json={**first, "email": "marie.curie@example.com"}
            ),
            200,
        )
        _expect(api.post(f"/v1/sync/customer/{CONFLICT_ID}", json={}), 200)


def console_instructions(demo: Demo, demo_file: Path, *, seeded: bool) -> str:
    lines = [
        f"Console: {console_url(demo.api_url)}",
        f"  Sign in with the demo tenant's key: {demo.api_key}",
        f"  The operator key (tenants and keys) is in {demo_file} (operator_key).",
    ]
    if seeded:
        lines.append("  Waiting there: three customers to push and one conflict to fix.")
    return "\n".join(lines)


def _expect(response: httpx.Response, *statuses: int) -> Any:
    if response.status_code not in statuses:
        raise DemoError(
            f"{response.request.method} {response.request.url.path} answered {response.status_code}: "
            f"{response.text[:300]}"
        )
    return response.json()

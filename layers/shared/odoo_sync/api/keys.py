"""What the operator's and the tenant admins' key routes share: the request and the answer."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.core.tenants import IssuedApiKey, KeyScope


def _admin_only() -> list[KeyScope]:
    return ["admin"]


class NewApiKey(BaseModel):
    """`{name, scopes}`: scopes are one or more of admin, sync, read (default admin)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="default", min_length=1, max_length=100)
    scopes: list[KeyScope] = Field(default_factory=_admin_only, min_length=1, max_length=3)


def issued_answer(key: IssuedApiKey) -> Response[dict[str, Any]]:
    """201 with the key, shown this once."""
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=key.model_dump(mode="json"),
        headers={"Cache-Control": "no-store"},
    )

"""What the CLI reads from the API, as far as it needs to understand it (extra fields pass by)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

FINISHED = ("completed", "completed_with_errors")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Batch(_Answer):
    batch_id: str
    entity: str
    status: str
    total: int
    succeeded: int
    failed: int
    pending: int
    selecting: bool = False
    direction: str = "to_odoo"

    @property
    def done(self) -> int:
        return self.succeeded + self.failed

    @property
    def finished(self) -> bool:
        return self.status in FINISHED and not self.selecting


class LogEntry(_Answer):
    id: str
    entity: str
    local_id: str
    sync_status: str
    started_at: str
    odoo_id: int | None = None
    sync_type: str | None = None
    sync_direction: str = "to_odoo"
    batch_id: str | None = None
    error_message: str | None = None
    error_details: dict[str, Any] | None = None


class Identity(_Answer):
    """GET /v1/me, where the service has it."""

    role: str | None = None
    tenant_id: str | None = None
    tenant_name: str | None = None
    key_id: str | None = None
    key_name: str | None = None
    scopes: list[str] | None = None

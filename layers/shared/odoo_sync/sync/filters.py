"""Which records a list, a bulk push or a schedule means."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.core.ids import Moment
from odoo_sync.sync.model import LinkStatus

FieldValue = str | int | float | bool


class RecordFilters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    modified_since: Moment | None = None
    has_odoo_id: bool | None = None  # per connection_id
    status: LinkStatus | None = None  # per connection_id
    local_ids: list[str] | None = Field(default=None, min_length=1, max_length=10_000)
    fields: dict[str, FieldValue] = Field(default_factory=dict, max_length=20)  # equality on data fields
    connection_id: str | None = None

    def needs_connection(self) -> bool:
        return self.has_odoo_id is not None or self.status is not None

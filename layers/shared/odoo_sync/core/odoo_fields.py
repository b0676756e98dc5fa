"""What fields an Odoo model has, from fields_get, remembered per connection and model for a while.

Saving a mapping and loading a sync plan both need the target Odoo's fields; asking Odoo every
time would cost a round trip per chunk. The answer is kept in the configuration table for
`max_age` (an hour by default), so a busy connection costs at most one fields_get per model per
hour. Custom fields added in Odoo meanwhile are found by `fields(..., refresh_unless=...)`, which
asks again when the cached answer lacks a field someone names now.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from odoo_sync.core.ids import utc_now
from odoo_sync.sync.transform_core import OdooFieldInfo

if TYPE_CHECKING:
    from odoo_sync.odoo import OdooClient

FIELD_ATTRIBUTES = ["type", "relation", "selection", "required", "readonly", "translate"]
DEFAULT_MAX_AGE = timedelta(hours=1)
# Cached answers live in one DynamoDB item (at most 400 KB); bigger ones are simply not kept.
MAX_CACHED_BYTES = 300_000


@dataclass(frozen=True)
class CachedFields:
    fields_json: str
    fetched_at: datetime


class FieldsCacheRepository(Protocol):
    def get_fields(self, tenant_id: str, connection_id: str, model: str) -> CachedFields | None: ...
    def put_fields(self, tenant_id: str, connection_id: str, model: str, cached: CachedFields) -> None: ...


class OdooFieldsCache:
    def __init__(
        self,
        repository: FieldsCacheRepository,
        *,
        max_age: timedelta = DEFAULT_MAX_AGE,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._max_age = max_age
        self._clock = clock

    def fields(
        self,
        tenant_id: str,
        connection_id: str,
        model: str,
        client: OdooClient,
        *,
        refresh_unless: Iterable[str] = (),
    ) -> dict[str, OdooFieldInfo]:
        """Every field of `model` in this connection's Odoo.

        An unknown model raises Odoo's own error (OdooNotFoundError or similar). When a name in
        `refresh_unless` is missing from a cached answer, Odoo is asked again once.
        """
        cached = self._repository.get_fields(tenant_id, connection_id, model)
        if cached is not None and self._clock() - cached.fetched_at < self._max_age:
            known = _decode(cached.fields_json)
            if all(name in known for name in refresh_unless):
                return known
        described = client.fields_get(model, attributes=FIELD_ATTRIBUTES)
        fields_json = json.dumps(_compact(described), separators=(",", ":"))
        if len(fields_json) <= MAX_CACHED_BYTES:
            self._repository.put_fields(
                tenant_id, connection_id, model, CachedFields(fields_json, self._clock())
            )
        return _decode(fields_json)


def _compact(described: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    compact: dict[str, dict[str, Any]] = {}
    for name, attributes in described.items():
        if not isinstance(attributes, dict):
            continue
        compact[name] = {key: attributes[key] for key in FIELD_ATTRIBUTES if attributes.get(key)}
    return compact


def _decode(fields_json: str) -> dict[str, OdooFieldInfo]:
    raw: dict[str, dict[str, Any]] = json.loads(fields_json)
    return {name: OdooFieldInfo.from_fields_get(name, attributes) for name, attributes in raw.items()}

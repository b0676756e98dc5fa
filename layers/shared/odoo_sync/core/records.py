"""The tenant's own records: stored as sent, one version more per write, listed with filters.

Business validation (e-mail, VAT, required fields...) happens when a record is pushed, where a
rejection is logged with every reason; storing only checks the shape, so that a record that is
wrong today can still be kept and corrected later. A record's link to each Odoo connection
(odoo_id, status, last error) is written by the push path, never by these routes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.core.entity_catalog import EntityCatalog
from odoo_sync.core.ids import iso
from odoo_sync.core.ports import RecordReadWrite
from odoo_sync.errors import InvalidInputError, NotFoundError, ServiceError, UnprocessableError
from odoo_sync.sync.filters import RecordFilters
from odoo_sync.sync.model import LOCAL_FIELD_PATTERN, LOCAL_ID_PATTERN, LinkStatus, LocalRecord

MAX_FIELDS = 200
MAX_RECORD_BYTES = 100_000
MAX_TEXT_LENGTH = 65_536
MAX_LIST_ITEMS = 1_000
MAX_DEPTH = 5
MAX_BATCH = 1_000
# DynamoDB numbers: 38 significant digits, magnitudes from 1e-130 to below 1e126.
_MAX_DIGITS = 38
_MIN_MAGNITUDE = Decimal("1e-130")
_MAX_MAGNITUDE = Decimal("1e126")
_EXACT = Context(prec=400)  # normalising must never round
_FIELD_NAME = re.compile(LOCAL_FIELD_PATTERN)
_LOCAL_ID = re.compile(LOCAL_ID_PATTERN)


class LinkView(BaseModel):
    odoo_id: int | None = None
    status: LinkStatus = LinkStatus.PENDING
    last_synced_at: str | None = None
    last_error: str | None = None
    synced_version: int | None = None


class RecordView(BaseModel):
    """A record as the API shows it: its data, version and sync state per connection."""

    entity: str
    local_id: str
    data: dict[str, Any]
    version: int
    updated_at: str
    links: dict[str, LinkView]

    @classmethod
    def of(cls, record: LocalRecord) -> RecordView:
        return cls(
            entity=record.entity,
            local_id=record.local_id,
            data=record.data,
            version=record.version,
            updated_at=record.updated_at,
            links={
                connection: LinkView.model_validate(link.model_dump(exclude={"snapshot"}))
                for connection, link in record.links.items()
            },
        )


class BatchRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local_id: str = Field(pattern=LOCAL_ID_PATTERN)
    data: dict[str, Any]


class BatchUpsert(BaseModel):
    """Body of POST /v1/records/{entity}/batch."""

    model_config = ConfigDict(extra="forbid")

    records: list[BatchRecord] = Field(min_length=1, max_length=MAX_BATCH)


class BatchItemResult(BaseModel):
    local_id: str
    status: str  # created, updated or error
    version: int | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class Upserted:
    record: LocalRecord

    @property
    def created(self) -> bool:
        return self.record.version == 1


class RecordRepository(RecordReadWrite, Protocol):
    """What DynamoRecordStore offers the routes (the push path uses core.ports.RecordStore)."""

    def put_many(
        self, tenant_id: str, entity: str, records: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[int | ServiceError]:
        """Each record stored with the next version: the new versions (or errors) in order."""
        ...

    def list(
        self, tenant_id: str, entity: str, filters: RecordFilters, limit: int, cursor: str | None
    ) -> tuple[list[LocalRecord], str | None]: ...


class ConnectionResolver(Protocol):
    def resolve_id(self, tenant_id: str, connection_id: str | None) -> str: ...


class RecordService:
    def __init__(
        self, store: RecordRepository, catalog: EntityCatalog, connections: ConnectionResolver
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._connections = connections

    def put(
        self,
        tenant_id: str,
        entity: str,
        local_id: str,
        data: object,
        expected_version: int | None = None,
    ) -> Upserted:
        self._catalog.get(tenant_id, entity)
        checked = _checked_data(data)
        return Upserted(
            self._store.put(tenant_id, entity, local_id, checked, expected_version=expected_version)
        )

    def put_many(self, tenant_id: str, entity: str, batch: BatchUpsert) -> list[BatchItemResult]:
        """Per-record results in the order sent; a bad record does not stop the others."""
        self._catalog.get(tenant_id, entity)
        results: list[BatchItemResult | None] = [None] * len(batch.records)
        accepted: list[tuple[int, str, dict[str, Any]]] = []
        seen: set[str] = set()
        for index, item in enumerate(batch.records):
            problems = record_shape_problems(item.data)
            if item.local_id in seen:
                problems = [("local_id", "appears more than once in this batch")]
            seen.add(item.local_id)
            if problems:
                results[index] = _failed(item.local_id, UnprocessableError(problems))
            else:
                accepted.append((index, item.local_id, item.data))
        written = self._store.put_many(
            tenant_id, entity, [(local_id, data) for _, local_id, data in accepted]
        )
        for (index, local_id, _), outcome in zip(accepted, written, strict=True):
            results[index] = (
                _failed(local_id, outcome)
                if isinstance(outcome, ServiceError)
                else BatchItemResult(
                    local_id=local_id, status="created" if outcome == 1 else "updated", version=outcome
                )
            )
        return [result for result in results if result is not None]

    def get(self, tenant_id: str, entity: str, local_id: str) -> RecordView:
        self._catalog.get(tenant_id, entity)
        record = self._store.get(tenant_id, entity, local_id)
        if record is None:
            raise NotFoundError("record", f"{entity}/{local_id}", field="local_id")
        return RecordView.of(record)

    def list(
        self, tenant_id: str, entity: str, filters: RecordFilters, limit: int, cursor: str | None
    ) -> tuple[list[RecordView], str | None]:
        self._catalog.get(tenant_id, entity)
        if filters.needs_connection() or filters.connection_id is not None:
            connection = self._connections.resolve_id(tenant_id, filters.connection_id)
            filters = filters.model_copy(update={"connection_id": connection})
        records, next_cursor = self._store.list(tenant_id, entity, filters, limit, cursor)
        return [RecordView.of(record) for record in records], next_cursor


def _failed(local_id: str, error: ServiceError) -> BatchItemResult:
    body: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "field": error.field,
        **error.details,
    }
    return BatchItemResult(local_id=local_id, status="error", error=body)


def _checked_data(data: object) -> dict[str, Any]:
    problems = record_shape_problems(data)
    if problems:
        raise UnprocessableError(problems)
    assert isinstance(data, dict)
    return data


# -- shape ---------------------------------------------------------------------------------------


def record_shape_problems(data: object) -> list[tuple[str, str]]:
    """What keeps `data` from being stored, as (field, message); empty when it can be."""
    if not isinstance(data, dict):
        return [("body", "a record is a JSON object of its fields")]
    if len(data) > MAX_FIELDS:
        return [("body", f"a record has at most {MAX_FIELDS} fields, not {len(data)}")]
    problems: list[tuple[str, str]] = []
    for name, value in data.items():
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            problems.append((f"data.{str(name)[:64]}", "not a field name (letters, digits, _; at most 64)"))
            continue
        problem = _value_problem(value, depth=0)
        if problem is not None:
            problems.append((f"data.{name}", problem))
    if not problems and _json_size(data) > MAX_RECORD_BYTES:
        problems.append(("body", f"a record may take at most {MAX_RECORD_BYTES} bytes as JSON"))
    return problems


def _value_problem(value: object, depth: int) -> str | None:  # noqa: PLR0911 - one verdict per kind
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return f"text longer than {MAX_TEXT_LENGTH} characters" if len(value) > MAX_TEXT_LENGTH else None
    if isinstance(value, int | float | Decimal):
        return _number_problem(value)
    if depth >= MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            return f"a list of more than {MAX_LIST_ITEMS} items"
        return next((p for item in value if (p := _value_problem(item, depth + 1)) is not None), None)
    if isinstance(value, dict):
        if len(value) > MAX_FIELDS:
            return f"an object of more than {MAX_FIELDS} keys"
        return next(
            (p for item in value.values() if (p := _value_problem(item, depth + 1)) is not None), None
        )
    return f"{type(value).__name__} is not a JSON value"


def _number_problem(value: int | float | Decimal) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return "not a finite number"
    if number == 0:
        return None
    digits = len(number.normalize(_EXACT).as_tuple().digits)
    if digits > _MAX_DIGITS or not _MIN_MAGNITUDE <= abs(number) < _MAX_MAGNITUDE:
        return f"numbers keep at most {_MAX_DIGITS} digits between 1e-130 and 1e126; send it as text"
    return None


def _json_size(data: Mapping[str, Any]) -> int:
    return len(json.dumps(data, default=str, separators=(",", ":")))


# -- filters -------------------------------------------------------------------------------------


def is_local_id(value: str) -> bool:
    return bool(_LOCAL_ID.match(value))


def record_matches(item: Mapping[str, Any], filters: RecordFilters) -> bool:
    """Whether a stored record (as a dict: updated_at, data, links) passes every filter.

    Field equality compares the values' text, so `field.price=10` (text in a query string)
    matches the number 10 and `true` matches the boolean; objects and lists never match.
    """
    if filters.modified_since is not None and str(item.get("updated_at", "")) < iso(filters.modified_since):
        return False
    data = item.get("data") or {}
    for name, wanted in filters.fields.items():
        if name not in data or _text_of(data[name]) != _text_of(wanted):
            return False
    if not filters.needs_connection():
        return True
    link = (item.get("links") or {}).get(filters.connection_id or "") or {}
    if filters.has_odoo_id is not None and (link.get("odoo_id") is not None) != filters.has_odoo_id:
        return False
    return (
        filters.status is None or str(link.get("status") or LinkStatus.PENDING.value) == filters.status.value
    )


def _text_of(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            return None
        return format(number.normalize(_EXACT), "f")
    if isinstance(value, str):
        return value
    return None


def filter_problems(filters: RecordFilters) -> None:
    """Filters that need a connection must name one (the routes resolve the tenant's only one)."""
    if filters.needs_connection() and filters.connection_id is None:
        raise InvalidInputError("has_odoo_id and status need a connection_id", field="connection_id")


def unique_local_ids(local_ids: Sequence[str]) -> Iterator[str]:
    """Valid ids, each once, in the order given."""
    yield from (local_id for local_id in dict.fromkeys(local_ids) if is_local_id(local_id))

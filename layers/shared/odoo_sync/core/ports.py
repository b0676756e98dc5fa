"""The small interfaces the core's services depend on; DynamoDB adapters implement them in stores/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from odoo_sync.sync.model import LocalRecord, OdooLink, RecordChange, RecordOutcome, SyncLogEntry
from odoo_sync.sync.plan import SyncPlan

if TYPE_CHECKING:
    from odoo_sync.odoo import OdooClient


class RecordStore(Protocol):
    def get_many(self, tenant_id: str, entity: str, local_ids: Sequence[str]) -> list[LocalRecord]:
        """The records that exist, in any order; missing ids are simply absent."""
        ...

    def update_link(
        self, tenant_id: str, entity: str, local_id: str, connection_id: str, link: OdooLink
    ) -> None:
        """Set one connection's link without touching the record's data or other links."""
        ...

    def update_links(
        self, tenant_id: str, entity: str, connection_id: str, links: Mapping[str, OdooLink]
    ) -> None:
        """The same for many records (by local id) at once; records deleted meanwhile are skipped."""
        ...


class ClientSource(Protocol):
    """The Odoo client of a tenant's connection (core.connections.ConnectionService fits)."""

    def client(self, tenant_id: str, connection_id: str) -> OdooClient: ...


class RecordReadWrite(Protocol):
    """One record at a time, as the record routes and conflict resolution use it."""

    def get(self, tenant_id: str, entity: str, local_id: str) -> LocalRecord | None: ...

    def put(
        self,
        tenant_id: str,
        entity: str,
        local_id: str,
        data: dict[str, Any],
        *,
        expected_version: int | None = None,
    ) -> LocalRecord:
        """Store the data with the next version, links kept; with `expected_version`, only if
        that is the stored version (ConflictError otherwise)."""
        ...


class PlanLoader(Protocol):
    def load(self, tenant_id: str, connection_id: str, entity: str, client: OdooClient) -> SyncPlan:
        """Entity, effective mappings, value maps and Odoo fields (fields_get cached per connection)."""
        ...


class PendingLog(Protocol):
    def write(self) -> None:
        """Write the entries (once; nothing if a batch's count already carried them)."""
        ...


class SyncLogWriter(Protocol):
    def append(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> None: ...

    def prepare(self, tenant_id: str, entries: Sequence[SyncLogEntry]) -> PendingLog:
        """The entries, ready to be written by `write()` or with a batch's count."""
        ...


class StatsRecorder(Protocol):
    def record(
        self, tenant_id: str, entity: str, outcomes: Sequence[RecordOutcome], newly_linked: int
    ) -> None:
        """Atomic counter updates (ADD): never a scan of the log."""
        ...


class BatchProgress(Protocol):
    def record_chunk(
        self,
        tenant_id: str,
        batch_id: str,
        entity: str,
        outcomes: Sequence[RecordOutcome],
        *,
        chunk: int,
        newly_linked: int = 0,
        log: PendingLog | None = None,
    ) -> None:
        """Count succeeded/failed once per chunk (its number in the batch), remember failed local ids
        for retry, forget them once they succeed; the statistics are counted with them, and `log`
        written with them (or on its own)."""
        ...


class ChangeSink(Protocol):
    def publish(self, tenant_id: str, changes: Sequence[RecordChange]) -> None:
        """Append to the tenant's change feed (in order) and queue the outbound webhook deliveries."""
        ...


class SlotLeases(Protocol):
    """Leases on a connection's slots (core.lanes): one pusher of a record at a time."""

    def acquire(
        self, tenant_id: str, connection_id: str, slots: Sequence[int], holder: str, seconds: float
    ) -> bool:
        """True when every slot is this holder's now; False (nothing taken) when one is not free."""
        ...

    def release(self, tenant_id: str, connection_id: str, slots: Sequence[int], holder: str) -> None: ...

"""Records whose Odoo record is gone: marked deleted, or (for a shape built from parts) read again.

Kept apart from applying a page (`odoo_sync.core.pull_apply`) because it answers another
question: not "what does Odoo say of these ids" but "which of our links point at ids Odoo no
longer has". It runs after a full delta's id reconciliation, and for the ids a page found gone.
Finding the links reads every link of the entity (there is no index by Odoo id), so it runs only
when some ids are known to be gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol

from odoo_sync.actors import current_actor
from odoo_sync.core.finance_pull import pulled_shape
from odoo_sync.core.ids import iso, new_id
from odoo_sync.core.ports import ChangeSink, ClientSource, PlanLoader, RecordStore, SyncLogWriter
from odoo_sync.core.pull_outcomes import PageState
from odoo_sync.sync.finance_presets import READ_ONLY_ENTITIES
from odoo_sync.sync.model import PullOptions, RecordChange, SyncLogEntry, TriggeredBy
from odoo_sync.sync.pull import deleted
from odoo_sync.sync.pulled_shape import PulledShape


class LinkedIds(Protocol):
    def linked_ids(self, tenant_id: str, entity: str, connection_id: str) -> Iterable[tuple[str, int, str]]:
        """(local id, Odoo id, link status) of every record linked to the connection."""
        ...


# Applies a page to re-read the given subjects of a shape (PageApplier's own flow).
Reapply = Callable[[PageState, PulledShape, Sequence[int]], object]


class PulledDeletions:
    """`core.pull.IdReconciliation`, and the marking of ids a page found gone."""

    def __init__(
        self,
        *,
        records: RecordStore,
        links: LinkedIds,
        plans: PlanLoader,
        connections: ClientSource,
        log: SyncLogWriter,
        changes: ChangeSink | None,
        clock: Callable[[], datetime],
        reapply: Reapply,
    ) -> None:
        self._records = records
        self._links = links
        self._plans = plans
        self._connections = connections
        self._log = log
        self._changes = changes
        self._clock = clock
        self._reapply = reapply

    def reconcile_ids(
        self,
        tenant_id: str,
        connection_id: str,
        entity: str,
        alive: set[int],
        *,
        triggered_by: TriggeredBy,
        batch_id: str | None,
    ) -> int:
        """Mark every linked record whose Odoo id is not in `alive` deleted; answers how many.
        For a pulled shape whose records are built from parts (stock from quants), the records
        whose parts are gone are read again instead; answers how many were."""
        if entity in READ_ONLY_ENTITIES:  # preset names: no tenant entity can take them
            stale = self._reread_stale_parts(tenant_id, connection_id, entity, alive, triggered_by, batch_id)
            if stale is not None:
                return stale
        return self.mark_deleted(
            tenant_id, connection_id, entity, lambda odoo_id: odoo_id not in alive, triggered_by, batch_id
        )

    def mark_deleted(  # noqa: PLR0917 - reconcile_ids' own arguments
        self,
        tenant_id: str,
        connection_id: str,
        entity: str,
        is_gone: Callable[[int], bool],
        triggered_by: TriggeredBy,
        batch_id: str | None,
    ) -> int:
        """Mark the records linked to Odoo ids that are gone deleted; answers how many. Finding
        them reads every link of the entity (no index by Odoo id): done only when ids are gone."""
        missing = {
            local_id: odoo_id
            for local_id, odoo_id, status in self._links.linked_ids(tenant_id, entity, connection_id)
            if is_gone(odoo_id) and status != "deleted"
        }
        if not missing:
            return 0
        now = iso(self._clock())
        decisions = [
            decision
            for record in self._records.get_many(tenant_id, entity, list(missing))
            if (decision := deleted(record, connection_id, now=now)) is not None
        ]
        changes = [
            RecordChange(
                entity=entity,
                local_id=d.local_id,
                connection_id=connection_id,
                odoo_id=d.odoo_id,
                action=d.action,
                applied_at=now,
                triggered_by=triggered_by,
                batch_id=batch_id,
            )
            for d in decisions
            if d.action is not None
        ]
        if changes and self._changes is not None:
            self._changes.publish(tenant_id, changes)
        self._records.update_links(
            tenant_id, entity, connection_id, {d.local_id: d.link for d in decisions if d.link is not None}
        )
        entries = [
            SyncLogEntry(
                id=new_id("log"),
                entity=entity,
                local_id=d.local_id,
                connection_id=connection_id,
                odoo_id=d.odoo_id,
                sync_direction="from_odoo",
                sync_type="update",
                sync_status="success",
                duration_ms=0,
                started_at=now,
                completed_at=now,
                triggered_by=triggered_by,
                batch_id=batch_id,
                error_details={"code": "deleted_in_odoo"},
                actor=current_actor(),
            )
            for d in decisions
        ]
        self._log.append(tenant_id, entries)
        return len(decisions)

    def _reread_stale_parts(  # noqa: PLR0917 - reconcile_ids' own arguments
        self,
        tenant_id: str,
        connection_id: str,
        entity: str,
        alive: set[int],
        triggered_by: TriggeredBy,
        batch_id: str | None,
    ) -> int | None:
        """A shaped entity's id reconciliation; None when it is the usual one (deleted = gone)."""
        client = self._connections.client(tenant_id, connection_id)
        plan = self._plans.load(tenant_id, connection_id, entity, client)
        shape = pulled_shape(plan.entity)
        if shape is None:
            return None
        linked = [local_id for local_id, _, _ in self._links.linked_ids(tenant_id, entity, connection_id)]
        stale = shape.stale_subjects(self._records.get_many(tenant_id, entity, linked), connection_id, alive)
        if stale is None:
            return None
        if stale:
            page = PageState(
                tenant_id, connection_id, entity, plan, client, PullOptions(), triggered_by, batch_id,
                iso(self._clock()), time.monotonic(),
            )  # fmt: skip
            self._reapply(page, shape, stale)
        return len(stale)

"""What applying a page of Odoo records changes: the change feed, the records and their links,
and our external ids in Odoo (`odoo_sync.core.pull_apply` decides, this writes).

The order (changes published first, then records and links, external ids meanwhile) is the page
flow's: see `odoo_sync.core.pull_apply`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from odoo_sync.core.ports import ChangeSink
from odoo_sync.core.pull_deletions import LinkedIds
from odoo_sync.core.pull_outcomes import PageBooks, PageState
from odoo_sync.errors import ConflictError
from odoo_sync.sync.external_ids import save_external_ids
from odoo_sync.sync.model import LocalRecord, OdooLink, RecordChange, SyncAction
from odoo_sync.sync.pull import PullApply
from odoo_sync.sync.pull_mapping import PulledRecord


@dataclass(frozen=True)
class PulledWrite:
    """One record's link, with its data unless `data` is None (the link alone, not versioned);
    data is written only if the record is still at `expected_version` (None: not there yet)."""

    local_id: str
    link: OdooLink
    data: dict[str, Any] | None = None
    expected_version: int | None = None


class PulledRecordWriter(LinkedIds, Protocol):
    def write_many(
        self, tenant_id: str, entity: str, connection_id: str, writes: Sequence[PulledWrite]
    ) -> set[str]:
        """Every write in few requests; answers the local ids not written because their record
        moved (a data write) or disappeared (a link alone) since it was read."""
        ...


class PageWrites:
    """The effects of one page's decisions."""

    def __init__(self, writer: PulledRecordWriter, changes: ChangeSink | None, books: PageBooks) -> None:
        self._writer = writer
        self._changes = changes
        self._books = books

    def publish(
        self,
        page: PageState,
        decisions: Mapping[int, PullApply],
        found: Mapping[str, LocalRecord],
        pulled: Mapping[int, PulledRecord],
    ) -> None:
        changes = [
            RecordChange(
                entity=page.entity,
                local_id=decision.local_id,
                connection_id=page.connection_id,
                odoo_id=odoo_id,
                action=decision.action,
                fields_changed=decision.fields_changed,
                data=decision.data if decision.data is not None else found[decision.local_id].data,
                odoo_write_date=pulled[odoo_id].write_date,
                applied_at=page.started_at,
                triggered_by=page.triggered_by,
                batch_id=page.batch_id,
            )
            for odoo_id, decision in decisions.items()
            if decision.action is not None
        ]
        if changes and self._changes is not None:
            self._changes.publish(page.tenant_id, changes)

    def write(
        self,
        page: PageState,
        decisions: Mapping[int, PullApply],
        found: Mapping[str, LocalRecord],
        pulled: Mapping[int, PulledRecord],
    ) -> ConflictError | None:
        writes: list[PulledWrite] = []
        written: dict[str, tuple[int, PullApply, SyncAction]] = {}
        for odoo_id, decision in decisions.items():
            record = found.get(decision.local_id)
            if decision.skipped is not None or decision.link is None:
                self._books.done(page, odoo_id, decision, SyncAction.UNCHANGED, pulled[odoo_id])
                continue
            previous = record.links.get(page.connection_id) if record is not None else None
            if previous is None or previous.odoo_id != odoo_id:
                page.newly_linked += 1
            link = decision.link
            if decision.data is None and record is not None:
                if not decision.keep_synced_version:
                    link = link.model_copy(update={"synced_version": record.version})
                writes.append(PulledWrite(decision.local_id, link))
                action = SyncAction.UNCHANGED if decision.action is None else SyncAction.UPDATED
            else:
                version = record.version + 1 if record is not None else 1
                if not decision.keep_synced_version:
                    link = link.model_copy(update={"synced_version": version})
                expected = record.version if record is not None else None
                writes.append(PulledWrite(decision.local_id, link, decision.data or {}, expected))
                action = SyncAction.CREATED if decision.create else SyncAction.UPDATED
            written[decision.local_id] = (odoo_id, decision, action)
        losers: set[str] = set()
        if writes:
            losers = self._writer.write_many(page.tenant_id, page.entity, page.connection_id, writes)
        race: ConflictError | None = None
        for write in writes:
            odoo_id, decision, action = written[write.local_id]
            if write.local_id in losers and write.data is not None:
                race = ConflictError(
                    f"record {write.local_id} changed while it was pulled; it will be pulled again",
                    field="local_id",
                )
                self._books.failed(page, odoo_id, write.local_id, race.message, retryable=True)
                continue
            # A link-only write that lost found its record deleted meanwhile: nothing to link.
            self._books.done(page, odoo_id, decision, action, pulled[odoo_id])
        return race

    @staticmethod
    def save_external_ids(
        page: PageState,
        decisions: Mapping[int, PullApply],
    ) -> None:
        """Our external id on every Odoo record a local record is written for (created or matched
        by key), so the next pull (and any push) finds it directly."""
        plan = page.plan
        new = {
            decision.local_id: odoo_id
            for odoo_id, decision in decisions.items()
            if odoo_id not in page.by_external_id and decision.skipped is None and decision.link is not None
        }
        save_external_ids(
            page.client,
            module=plan.xmlid_module,
            entity=plan.entity.name,
            model=plan.entity.odoo_model,
            linked=new,
            warnings=page.warnings,
        )

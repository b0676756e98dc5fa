"""Applying a page of Odoo records to the tenant's records: the page's flow.

Odoo calls for one page: one `read` of the ids (mapped fields, match keys, write_date,
create_date, active), one `read` per related model a lookup needs, one search_read of our
external ids, one create of the external ids of records new to us; for two-way records also the
to_odoo lookups (`odoo_sync.sync.mapping.map_records`).

Order of effects, so a crash anywhere is repaired by redelivery: the changes are published
first (the feed is at-least-once: a redelivered page may publish a change again, with the same
odoo_id and odoo_write_date, but never loses one), then records and links are written
(conditional on the version read; a tenant write in between makes the page run again); our
external ids go to Odoo meanwhile, from the moment the page's decisions are made (Odoo's create
is most of a page's time); then conflicts, log, statistics and batch progress. An external id
names the local record the page chose for an Odoo record, whether or not its write is done yet
(or lost a race and runs again): a redelivered page finds its records through the external ids
or the deterministic local ids, chooses the same, and the versions already applied are skipped
(`odoo_sync.sync.pull.already_applied`).

Ids Odoo no longer has when the page is read (deleted after the search, or right after Odoo
sent its change notice) count as done; a record linked to one is marked deleted at once, as the
id reconciliation of a full delta does (its external id is gone with it, so it is found through
its link), and an id nobody is linked to is just skipped.

What each id came to is told by `odoo_sync.core.pull_outcomes` (outcomes, log, statistics, batch
progress); records the tenant changed too are merged by `odoo_sync.core.pull_merge`; the links to
ids gone from Odoo are settled by `odoo_sync.core.pull_deletions`; the feed, records, links and
external ids are written by `odoo_sync.core.pull_writes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from datetime import datetime

from odoo_sync.core.conflicts import ConflictRecorder
from odoo_sync.core.finance_pull import pulled_shape
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.ports import (
    BatchProgress,
    ChangeSink,
    ClientSource,
    PlanLoader,
    RecordStore,
    StatsRecorder,
    SyncLogWriter,
)
from odoo_sync.core.pull_deletions import PulledDeletions
from odoo_sync.core.pull_merge import TwoWayMerge
from odoo_sync.core.pull_outcomes import PageBooks, PageState, page_outcome
from odoo_sync.core.pull_writes import PageWrites, PulledRecordWriter
from odoo_sync.odoo import OdooError
from odoo_sync.sync.conflicts import Reconciliation
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.mapping import is_record_level
from odoo_sync.sync.model import (
    Direction,
    LocalRecord,
    PullOptions,
    RecordOutcome,
    TriggeredBy,
)
from odoo_sync.sync.pull import PullApply, decide
from odoo_sync.sync.pull_mapping import OdooRecordMapper, PulledRecord, fetch_reverse_lookups
from odoo_sync.sync.pull_matching import (
    candidate_local_id,
    linked_by_external_id,
)
from odoo_sync.sync.pulled_shape import PulledShape, ShapeContext
from odoo_sync.sync.translations import read_translations, translated_mappings


class PageApplier:
    """core.pull.PageApplication."""

    def __init__(  # noqa: PLR0917 - the ports of the pull path, as agreed
        self,
        records: RecordStore,
        writer: PulledRecordWriter,
        plans: PlanLoader,
        connections: ClientSource,
        log: SyncLogWriter,
        stats: StatsRecorder,
        batches: BatchProgress,
        *,
        changes: ChangeSink | None = None,
        conflicts: ConflictRecorder | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._records = records
        self._plans = plans
        self._connections = connections
        self._merge = TwoWayMerge(conflicts)
        self._clock = clock
        self._books = PageBooks(log, stats, batches, clock)
        self._writes = PageWrites(writer, changes, self._books)
        self._deletions = PulledDeletions(
            records=records,
            links=writer,
            plans=plans,
            connections=connections,
            log=log,
            changes=changes,
            clock=clock,
            # Parts gone from a shaped record: the record is read again through this page flow.
            reapply=lambda page, shape, stale: self._apply(page, [], shape, refresh=stale),
        )

    def apply(
        self,
        tenant_id: str,
        connection_id: str,
        entity: str,
        odoo_ids: Sequence[int],
        *,
        options: PullOptions,
        triggered_by: TriggeredBy,
        batch_id: str | None,
        chunk: int = 0,
    ) -> list[RecordOutcome]:
        """One outcome per Odoo id (batch key `odoo:<id>`), in order. Odoo unreachable, or a
        tenant write racing a record, raise after the rest was recorded: the page runs again.
        With a batch, `chunk` is the page's number in it (counted once, whatever SQS does)."""
        client = self._connections.client(tenant_id, connection_id)
        plan = self._plans.load(tenant_id, connection_id, entity, client)
        page = PageState(
            tenant_id, connection_id, entity, plan, client, options, triggered_by, batch_id,
            iso(self._clock()), time.monotonic(), chunk,
        )  # fmt: skip
        wanted = list(dict.fromkeys(int(odoo_id) for odoo_id in odoo_ids))
        shape = pulled_shape(plan.entity)
        outcomes = self._apply(page, wanted, shape)
        if shape is None and page.gone:
            # Deleted in Odoo after it was searched or noticed: a link to it says so now.
            self._deletions.mark_deleted(
                tenant_id, connection_id, entity, page.gone.__contains__, triggered_by, batch_id
            )
        return outcomes

    @property
    def deletions(self) -> PulledDeletions:
        """The id reconciliation (core.pull.IdReconciliation): it reads records again through
        this page flow, so it is built with it."""
        return self._deletions

    def _apply(
        self, page: PageState, wanted: list[int], shape: PulledShape | None, refresh: Sequence[int] = ()
    ) -> list[RecordOutcome]:
        if shape is None:
            pulled, owners, mapper = self._mapped(page, wanted)
        else:
            pulled, owners = self._shaped(page, wanted, shape, refresh)
            mapper = None
        found = self._local_records(page, list(owners.values()))
        # A shaped entity is read-only: Odoo is its system of record, nothing is merged.
        reconciliations = self._merge.reconcile(page, pulled, owners, found) if shape is None else {}
        decisions: dict[int, PullApply] = {}
        for odoo_id, record_values in pulled.items():
            local_id = owners[odoo_id]
            if not record_values.valid:
                self._books.failed(page, odoo_id, local_id, _invalid(record_values))
                continue
            if isinstance(reconciliations.get(odoo_id), str):
                self._books.failed(page, odoo_id, local_id, str(reconciliations[odoo_id]))
                continue
            reconciliation = reconciliations.get(odoo_id)
            decisions[odoo_id] = decide(
                found.get(local_id),
                local_id,
                record_values,
                page.connection_id,
                page.options,
                now=page.started_at,
                reconciliation=reconciliation if isinstance(reconciliation, Reconciliation) else None,
            )
        for odoo_id in wanted:
            if odoo_id not in page.subjects and odoo_id not in page.reported:
                self._books.gone(page, odoo_id)
        with ThreadPoolExecutor(max_workers=1) as odoo:
            saving = (
                odoo.submit(copy_context().run, PageWrites.save_external_ids, page, decisions)
                if shape is None or shape.saves_external_ids
                else None
            )
            self._writes.publish(page, decisions, found, pulled)
            race = self._writes.write(page, decisions, found, pulled)
        if saving is not None:
            saving.result()
        if mapper is not None:
            self._merge.hold(page, decisions, found, pulled, mapper)
        self._books.book(page, wanted)
        if race is not None:
            raise race
        return [outcome for odoo_id in wanted if (outcome := page_outcome(page, odoo_id)) is not None]

    def _mapped(
        self, page: PageState, wanted: list[int]
    ) -> tuple[dict[int, PulledRecord], dict[int, str], OdooRecordMapper]:
        """The generic path: one Odoo row, one local record, through the from_odoo mappings."""
        mapper = OdooRecordMapper(page.plan)
        page.warnings += mapper.warnings
        rows = page.client.read(page.plan.entity.odoo_model, wanted, mapper.read_fields)
        answers = fetch_reverse_lookups(page.client, mapper.reverse_lookups(rows))
        page.warnings += [
            FieldIssue(field="", code="lookup_failed", message=text) for text in answers.failures
        ]
        pulled = {int(row["id"]): mapper.map_row(row, answers.resolver) for row in rows}
        self._translated(page, pulled)
        page.subjects = {odoo_id: odoo_id for odoo_id in pulled}
        return pulled, self._owners(page, wanted, pulled), mapper

    @staticmethod
    def _translated(page: PageState, pulled: Mapping[int, PulledRecord]) -> None:
        """The per-language mapped values: one read per language. A language Odoo refuses
        (19: not installed) leaves those fields as they are, with a warning."""
        mappings = translated_mappings(page.plan, Direction.FROM_ODOO)
        if not mappings or not pulled:
            return
        for lang, lang_mappings in mappings.items():
            try:
                values = read_translations(
                    page.client, page.plan.entity.odoo_model, {lang: lang_mappings}, list(pulled)
                )
            except OdooError as exc:
                if not is_record_level(exc):
                    raise
                page.warnings.append(
                    FieldIssue(field="", code="translation_not_read", message=f"{lang}: {exc.message}")
                )
                continue
            for odoo_id, local_values in values.items():
                if odoo_id in pulled:
                    pulled[odoo_id].values.update(local_values)

    def _shaped(
        self, page: PageState, wanted: list[int], shape: PulledShape, refresh: Sequence[int]
    ) -> tuple[dict[int, PulledRecord], dict[int, str]]:
        """A pulled shape builds the records; the subjects it leaves unowned are matched as usual."""
        context = ShapeContext(
            client=page.client,
            connection_id=page.connection_id,
            xmlid_module=page.plan.xmlid_module,
            local_records=lambda entity, ids: self._records.get_many(page.tenant_id, entity, ids),
            now=page.started_at,
        )
        shaped = shape.read_page(context, wanted, refresh)
        page.warnings += shaped.warnings
        page.subjects = dict(shaped.subjects)
        for odoo_id, (code, message) in shaped.unresolved.items():
            self._books.reported(page, odoo_id, code, message)
        unowned = {
            odoo_id: record for odoo_id, record in shaped.pulled.items() if odoo_id not in shaped.owners
        }
        owners = self._owners(page, list(unowned), unowned) if unowned else {}
        return shaped.pulled, {**owners, **shaped.owners}

    # matching ------------------------------------------------------------------------------------
    def _owners(
        self, page: PageState, wanted: list[int], pulled: Mapping[int, PulledRecord]
    ) -> dict[int, str]:
        """Odoo id -> local id: our external id, else the match-key value, else `odoo-<id>`."""
        plan = page.plan
        owners = linked_by_external_id(
            page.client, plan.xmlid_module, plan.entity.name, plan.entity.odoo_model, wanted
        )
        page.by_external_id = set(owners)
        by_key = {
            odoo_id: candidate_local_id(plan.entity, record.match_values)
            for odoo_id, record in pulled.items()
            if odoo_id not in owners
        }
        candidates = [local_id for local_id in by_key.values() if local_id is not None]
        # The records owned through our external id are read now too: one read for the page.
        existing = self._local_records(page, [*candidates, *owners.values()])
        taken = set(owners.values())
        for odoo_id, local_id in by_key.items():
            chosen = local_id
            if chosen is not None:
                link = existing[chosen].links.get(page.connection_id) if chosen in existing else None
                linked_elsewhere = link is not None and link.odoo_id not in (None, odoo_id)
                if chosen in taken or linked_elsewhere:
                    chosen = None
            owners[odoo_id] = chosen or f"odoo-{odoo_id}"
            taken.add(owners[odoo_id])
        return owners

    def _local_records(self, page: PageState, local_ids: Sequence[str]) -> dict[str, LocalRecord]:
        """The page's local records among `local_ids`, each read from the store once per page."""
        unread = [local_id for local_id in dict.fromkeys(local_ids) if local_id not in page.looked_up]
        if unread:
            page.records.update(
                (record.local_id, record)
                for record in self._records.get_many(page.tenant_id, page.entity, unread)
            )
            page.looked_up.update(unread)
        return {local_id: page.records[local_id] for local_id in local_ids if local_id in page.records}


def _invalid(record: PulledRecord) -> str:
    listed = "; ".join(f"{issue.field or 'record'}: {issue.message}" for issue in record.issues)
    return f"{len(record.issues)} value(s) from Odoo could not be mapped: {listed}"

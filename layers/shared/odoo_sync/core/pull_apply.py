"""Applying a page of Odoo records to the tenant's records, and keeping the books.

Odoo calls for one page: one `read` of the ids (mapped fields, match keys, write_date,
create_date, active), one `read` per related model a lookup needs, one search_read of our
external ids, one create of the external ids of records new to us; for two-way records also the
to_odoo lookups (`odoo_sync.sync.mapping.map_records`).

Order of effects, so a crash anywhere is repaired by redelivery: the changes are published
first (the feed is at-least-once: a redelivered page may publish a change again, with the same
odoo_id and odoo_write_date, but never loses one), then records and links are written
(conditional on the version read; a tenant write in between makes the page run again), then our
external ids go to Odoo, then conflicts, log, statistics and batch progress. A redelivered page
finds its records through the external ids or the deterministic local ids, and the versions
already applied are skipped (`odoo_sync.sync.pull.already_applied`).

Ids Odoo no longer has when the page is read (deleted after the search, or right after Odoo
sent its change notice) count as done; a record linked to one is marked deleted at once, as the
id reconciliation of a full delta does (its external id is gone with it, so it is found through
its link), and an id nobody is linked to is just skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from odoo_sync.actors import current_actor
from odoo_sync.core.conflicts import ConflictRecorder, DetectedConflict
from odoo_sync.core.finance_pull import pulled_shape
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.ports import (
    BatchProgress,
    ChangeSink,
    PlanLoader,
    RecordStore,
    StatsRecorder,
    SyncLogWriter,
)
from odoo_sync.core.pull import batch_key
from odoo_sync.errors import ConflictError
from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.sync.conflicts import FieldComparison, Reconciliation, reconcile
from odoo_sync.sync.external_ids import save_external_ids
from odoo_sync.sync.finance_presets import READ_ONLY_ENTITIES
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.mapping import RecordMapper, is_record_level, map_records
from odoo_sync.sync.model import (
    Direction,
    LocalRecord,
    OdooLink,
    PullOptions,
    RecordChange,
    RecordOutcome,
    SyncAction,
    SyncLogEntry,
    TriggeredBy,
)
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.pull import PullApply, decide, deleted, locally_changed
from odoo_sync.sync.pull_mapping import OdooRecordMapper, PulledRecord, fetch_reverse_lookups
from odoo_sync.sync.pull_matching import (
    candidate_local_id,
    linked_by_external_id,
)
from odoo_sync.sync.pulled_shape import PulledShape, ShapeContext
from odoo_sync.sync.translations import read_translations, translated_mappings

SyncType = Literal["create", "update", "skip"]


class ClientSource(Protocol):
    def client(self, tenant_id: str, connection_id: str) -> OdooClient: ...


@dataclass(frozen=True)
class PulledWrite:
    """One record's link, with its data unless `data` is None (the link alone, not versioned);
    data is written only if the record is still at `expected_version` (None: not there yet)."""

    local_id: str
    link: OdooLink
    data: dict[str, Any] | None = None
    expected_version: int | None = None


class PulledRecordWriter(Protocol):
    def write_many(
        self, tenant_id: str, entity: str, connection_id: str, writes: Sequence[PulledWrite]
    ) -> set[str]:
        """Every write in few requests; answers the local ids not written because their record
        moved (a data write) or disappeared (a link alone) since it was read."""
        ...

    def linked_ids(self, tenant_id: str, entity: str, connection_id: str) -> Iterable[tuple[str, int, str]]:
        """(local id, Odoo id, link status) of every record linked to the connection."""
        ...


@dataclass
class _Page:
    """One page's working state."""

    tenant_id: str
    connection_id: str
    entity: str
    plan: SyncPlan
    client: OdooClient
    options: PullOptions
    triggered_by: TriggeredBy
    batch_id: str | None
    started_at: str
    started: float
    chunk: int = 0
    warnings: list[FieldIssue] = field(default_factory=list)
    outcomes: dict[int, RecordOutcome] = field(default_factory=dict)
    log: list[SyncLogEntry] = field(default_factory=list)
    newly_linked: int = 0
    by_external_id: set[int] = field(default_factory=set)  # Odoo ids found through our external id
    # Page id -> the Odoo record its local record is linked to (itself but for pulled shapes);
    # `outcomes` are per subject, `reported` per page id (gone, or left out by a shape).
    subjects: dict[int, int] = field(default_factory=dict)
    reported: dict[int, RecordOutcome] = field(default_factory=dict)
    gone: set[int] = field(default_factory=set)  # page ids Odoo no longer has
    records: dict[str, LocalRecord] = field(default_factory=dict)  # local records read, by id
    looked_up: set[str] = field(default_factory=set)  # local ids read (found or not)


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
        self._writer = writer
        self._plans = plans
        self._connections = connections
        self._log = log
        self._stats = stats
        self._batches = batches
        self._changes = changes
        self._conflicts = conflicts
        self._clock = clock

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
        page = _Page(
            tenant_id, connection_id, entity, plan, client, options, triggered_by, batch_id,
            iso(self._clock()), time.monotonic(), chunk,
        )  # fmt: skip
        wanted = list(dict.fromkeys(int(odoo_id) for odoo_id in odoo_ids))
        shape = pulled_shape(plan.entity)
        outcomes = self._apply(page, wanted, shape)
        if shape is None and page.gone:
            # Deleted in Odoo after it was searched or noticed: a link to it says so now.
            self._mark_deleted(
                tenant_id, connection_id, entity, page.gone.__contains__, triggered_by, batch_id
            )
        return outcomes

    def _apply(
        self, page: _Page, wanted: list[int], shape: PulledShape | None, refresh: Sequence[int] = ()
    ) -> list[RecordOutcome]:
        if shape is None:
            pulled, owners, mapper = self._mapped(page, wanted)
        else:
            pulled, owners = self._shaped(page, wanted, shape, refresh)
            mapper = None
        found = self._local_records(page, list(owners.values()))
        # A shaped entity is read-only: Odoo is its system of record, nothing is merged.
        reconciliations = self._reconcile(page, pulled, owners, found) if shape is None else {}
        decisions: dict[int, PullApply] = {}
        for odoo_id, record_values in pulled.items():
            local_id = owners[odoo_id]
            if not record_values.valid:
                self._failed(page, odoo_id, local_id, _invalid(record_values))
                continue
            if isinstance(reconciliations.get(odoo_id), str):
                self._failed(page, odoo_id, local_id, str(reconciliations[odoo_id]))
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
                self._gone(page, odoo_id)
        self._publish(page, decisions, found, pulled)
        race = self._write(page, decisions, found, pulled)
        if shape is None or shape.saves_external_ids:
            self._save_external_ids(page, decisions)
        if mapper is not None:
            self._hold(page, decisions, found, pulled, mapper)
        self._book(page, wanted)
        if race is not None:
            raise race
        return [outcome for odoo_id in wanted if (outcome := self._page_outcome(page, odoo_id)) is not None]

    def _mapped(
        self, page: _Page, wanted: list[int]
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
    def _translated(page: _Page, pulled: Mapping[int, PulledRecord]) -> None:
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
        self, page: _Page, wanted: list[int], shape: PulledShape, refresh: Sequence[int]
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
            self._reported(page, odoo_id, code, message)
        unowned = {
            odoo_id: record for odoo_id, record in shaped.pulled.items() if odoo_id not in shaped.owners
        }
        owners = self._owners(page, list(unowned), unowned) if unowned else {}
        return shaped.pulled, {**owners, **shaped.owners}

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
        return self._mark_deleted(
            tenant_id, connection_id, entity, lambda odoo_id: odoo_id not in alive, triggered_by, batch_id
        )

    def _mark_deleted(  # noqa: PLR0917 - reconcile_ids' own arguments
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
            for local_id, odoo_id, status in self._writer.linked_ids(tenant_id, entity, connection_id)
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
        linked = [local_id for local_id, _, _ in self._writer.linked_ids(tenant_id, entity, connection_id)]
        stale = shape.stale_subjects(self._records.get_many(tenant_id, entity, linked), connection_id, alive)
        if stale is None:
            return None
        if stale:
            page = _Page(
                tenant_id, connection_id, entity, plan, client, PullOptions(), triggered_by, batch_id,
                iso(self._clock()), time.monotonic(),
            )  # fmt: skip
            self._apply(page, [], shape, refresh=stale)
        return len(stale)

    # matching ------------------------------------------------------------------------------------
    def _owners(self, page: _Page, wanted: list[int], pulled: Mapping[int, PulledRecord]) -> dict[int, str]:
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

    def _local_records(self, page: _Page, local_ids: Sequence[str]) -> dict[str, LocalRecord]:
        """The page's local records among `local_ids`, each read from the store once per page."""
        unread = [local_id for local_id in dict.fromkeys(local_ids) if local_id not in page.looked_up]
        if unread:
            page.records.update(
                (record.local_id, record)
                for record in self._records.get_many(page.tenant_id, page.entity, unread)
            )
            page.looked_up.update(unread)
        return {local_id: page.records[local_id] for local_id in local_ids if local_id in page.records}

    # two-way ---------------------------------------------------------------------------------------
    def _reconcile(
        self,
        page: _Page,
        pulled: Mapping[int, PulledRecord],
        owners: Mapping[int, str],
        found: Mapping[str, LocalRecord],
    ) -> dict[int, Reconciliation | str]:
        """A three-way merge for records the tenant changed since the last sync (or with open
        conflicts); a string is the reason a record cannot be merged."""
        linked = [owners[i] for i in pulled if owners[i] in found]
        open_fields: dict[str, set[str]] = {}
        if self._conflicts is not None and linked:
            open_fields = self._conflicts.open_fields_many(
                page.tenant_id, page.connection_id, page.entity, linked
            )
        two_way = {
            odoo_id: found[owners[odoo_id]]
            for odoo_id in pulled
            if owners[odoo_id] in found
            and (
                locally_changed(found[owners[odoo_id]], page.connection_id) or owners[odoo_id] in open_fields
            )
        }
        if not two_way:
            return {}
        mapper = RecordMapper(page.plan)
        chunk = map_records(mapper, page.client, list(two_way.values()))
        mapped = {item.local_id: item for item in chunk.records}
        comparison = FieldComparison.for_fields(mapper.field_info, mapper.digits_of)
        results: dict[int, Reconciliation | str] = {}
        for odoo_id, record in two_way.items():
            item = mapped[record.local_id]
            if not item.valid:
                listed = "; ".join(f"{i.field or 'record'}: {i.message}" for i in item.issues)
                results[odoo_id] = (
                    f"the local record changed too and is invalid, so it cannot be merged: {listed}"
                )
                continue
            link = record.links.get(page.connection_id)
            odoo = pulled[odoo_id]
            results[odoo_id] = reconcile(
                link.snapshot if link is not None else None,
                item.vals,
                odoo.odoo_values,
                page.plan.entity.conflicts,
                local_changed_at=_moment(record.updated_at),
                odoo_changed_at=_moment(odoo.write_date),
                open_conflicts=open_fields.get(record.local_id, set()),
                comparison=comparison,
            )
        return results

    def _hold(
        self,
        page: _Page,
        decisions: Mapping[int, PullApply],
        found: Mapping[str, LocalRecord],
        pulled: Mapping[int, PulledRecord],
        mapper: OdooRecordMapper,
    ) -> None:
        if self._conflicts is None:
            return
        local_fields: dict[str, list[str]] = {}
        for inbound in mapper.fields:
            local_fields.setdefault(inbound.source.name, []).append(inbound.mapping.local_field)
        detected = [
            DetectedConflict(
                connection_id=page.connection_id,
                entity=page.entity,
                local_id=decision.local_id,
                odoo_id=odoo_id,
                odoo_field=held.odoo_field,
                local_fields=local_fields.get(held.odoo_field, []),
                base=held.base,
                local=held.local,
                odoo=held.odoo,
                odoo_as_local={
                    name: pulled[odoo_id].values[name]
                    for name in local_fields.get(held.odoo_field, [])
                    if name in pulled[odoo_id].values
                },
            )
            for odoo_id, decision in decisions.items()
            for held in decision.held
        ]
        if detected:
            self._conflicts.hold(page.tenant_id, detected)

    # effects -----------------------------------------------------------------------------------------
    def _publish(
        self,
        page: _Page,
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

    def _write(
        self,
        page: _Page,
        decisions: Mapping[int, PullApply],
        found: Mapping[str, LocalRecord],
        pulled: Mapping[int, PulledRecord],
    ) -> ConflictError | None:
        writes: list[PulledWrite] = []
        written: dict[str, tuple[int, PullApply, SyncAction]] = {}
        for odoo_id, decision in decisions.items():
            record = found.get(decision.local_id)
            if decision.skipped is not None or decision.link is None:
                self._done(page, odoo_id, decision, SyncAction.UNCHANGED, pulled[odoo_id])
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
                self._failed(page, odoo_id, write.local_id, race.message, retryable=True)
                continue
            # A link-only write that lost found its record deleted meanwhile: nothing to link.
            self._done(page, odoo_id, decision, action, pulled[odoo_id])
        return race

    def _save_external_ids(
        self,
        page: _Page,
        decisions: Mapping[int, PullApply],
    ) -> None:
        """Our external id on every Odoo record a local record was created for or matched by key,
        so the next pull (and any push) finds it directly."""
        plan = page.plan
        new = {
            decision.local_id: odoo_id
            for odoo_id, decision in decisions.items()
            if odoo_id not in page.by_external_id
            and decision.skipped is None
            and decision.link is not None
            and page.outcomes[odoo_id].success
        }
        save_external_ids(
            page.client,
            module=plan.xmlid_module,
            entity=plan.entity.name,
            model=plan.entity.odoo_model,
            linked=new,
            warnings=page.warnings,
        )

    # bookkeeping -------------------------------------------------------------------------------------
    def _done(
        self, page: _Page, odoo_id: int, decision: PullApply, action: SyncAction, pulled: PulledRecord
    ) -> None:
        now = iso(self._clock())
        outcome = RecordOutcome(
            local_id=batch_key(odoo_id),
            action=action,
            odoo_id=odoo_id,
            fields_synced=decision.fields_changed,
            warnings=list(page.warnings),
            started_at=page.started_at,
            completed_at=now,
            duration_ms=0,
        )
        page.outcomes[odoo_id] = outcome
        details: dict[str, Any] | None = None
        if decision.skipped is not None:
            details = {"code": decision.skipped}
        elif decision.held or decision.to_odoo:
            details = {"held": [c.odoo_field for c in decision.held], "to_odoo": decision.to_odoo}
        if decision.action is not None:
            details = {**(details or {}), "change": decision.action.value}
        sync_type: SyncType = (
            "skip" if action is SyncAction.UNCHANGED else ("create" if decision.create else "update")
        )
        page.log.append(
            self._entry(
                page,
                decision.local_id,
                odoo_id,
                sync_type,
                "success",
                decision.fields_changed,
                now,
                details=details,
            )
        )

    def _failed(
        self, page: _Page, odoo_id: int, local_id: str, message: str, *, retryable: bool = False
    ) -> None:
        now = iso(self._clock())
        page.outcomes[odoo_id] = RecordOutcome(
            local_id=batch_key(odoo_id),
            action=SyncAction.ERROR,
            odoo_id=odoo_id,
            error_message=message[:2000],
            retryable=retryable,
            started_at=page.started_at,
            completed_at=now,
            duration_ms=0,
        )
        page.log.append(
            self._entry(page, local_id, odoo_id, "update", "error", [], now, error=message[:2000])
        )

    def _gone(self, page: _Page, odoo_id: int) -> None:
        page.gone.add(odoo_id)
        now = iso(self._clock())
        page.reported[odoo_id] = RecordOutcome(
            local_id=batch_key(odoo_id),
            action=SyncAction.UNCHANGED,
            odoo_id=odoo_id,
            started_at=page.started_at,
            completed_at=now,
            duration_ms=0,
        )
        page.log.append(
            self._entry(
                page, batch_key(odoo_id), odoo_id, "skip", "success", [], now, details={"code": "not_in_odoo"}
            )
        )

    def _reported(self, page: _Page, odoo_id: int, code: str, message: str) -> None:
        """A page id a shape could not apply, and why: done (nothing to retry), with a warning."""
        now = iso(self._clock())
        page.reported[odoo_id] = RecordOutcome(
            local_id=batch_key(odoo_id),
            action=SyncAction.UNCHANGED,
            odoo_id=odoo_id,
            warnings=[FieldIssue(field="", code=code, message=message)],
            started_at=page.started_at,
            completed_at=now,
            duration_ms=0,
        )
        page.log.append(
            self._entry(
                page,
                batch_key(odoo_id),
                odoo_id,
                "skip",
                "success",
                [],
                now,
                details={"code": code, "message": message},
            )
        )

    @staticmethod
    def _page_outcome(page: _Page, odoo_id: int) -> RecordOutcome | None:
        """The outcome of one page id: its own, or its subject's under the page id's batch key."""
        if odoo_id in page.reported:
            return page.reported[odoo_id]
        subject = page.subjects.get(odoo_id)
        outcome = page.outcomes.get(subject) if subject is not None else None
        if outcome is None or subject == odoo_id:
            return outcome
        return outcome.model_copy(update={"local_id": batch_key(odoo_id)})

    def _entry(  # noqa: PLR0917 - one log line
        self,
        page: _Page,
        local_id: str,
        odoo_id: int,
        sync_type: SyncType,
        status: Literal["success", "error"],
        fields: list[str],
        now: str,
        *,
        details: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> SyncLogEntry:
        return SyncLogEntry(
            id=new_id("log"),
            entity=page.entity,
            local_id=local_id,
            connection_id=page.connection_id,
            odoo_id=odoo_id,
            sync_direction="from_odoo",
            sync_type=sync_type,
            sync_status=status,
            fields_synced=fields,
            duration_ms=0,
            started_at=page.started_at,
            completed_at=now,
            triggered_by=page.triggered_by,
            batch_id=page.batch_id,
            error_message=error,
            error_details=details,
            actor=current_actor(),
        )

    def _book(self, page: _Page, wanted: Sequence[int]) -> None:
        records = [*page.outcomes.values(), *page.reported.values()]
        # Calls serve the whole page, so each record carries its share of the page's time.
        share = int((time.monotonic() - page.started) * 1000 / max(len(records), 1))
        outcomes = [o.model_copy(update={"duration_ms": share}) for o in records]
        entries = [e.model_copy(update={"duration_ms": share}) for e in page.log]
        log = self._log.prepare(page.tenant_id, entries)
        if page.batch_id is None:
            log.write()
            self._stats.record(page.tenant_id, page.entity, outcomes, page.newly_linked)
            return
        # The batch counts the page's ids (several quants may update one stock record), and the
        # statistics with them, once per page whatever SQS redelivers.
        counted = [
            outcome.model_copy(update={"duration_ms": share})
            for odoo_id in wanted
            if (outcome := self._page_outcome(page, odoo_id)) is not None
        ]
        self._batches.record_chunk(
            page.tenant_id,
            page.batch_id,
            page.entity,
            counted,
            chunk=page.chunk,
            newly_linked=page.newly_linked,
            log=log,  # written with the count: one request for both
        )


def _invalid(record: PulledRecord) -> str:
    listed = "; ".join(f"{issue.field or 'record'}: {issue.message}" for issue in record.issues)
    return f"{len(record.issues)} value(s) from Odoo could not be mapped: {listed}"


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment

"""What a chunk of records became: one RecordOutcome for each record that reached a final state.

Kept apart from the decisions and the calls because an outcome is what the tenant sees (the log
entry, the link and its snapshot, the counters), and it must read the same whichever way the
record got there: created, updated, unchanged, refused by our rules or by Odoo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from odoo_sync.odoo import OdooError
from odoo_sync.sync.mapping import MappedRecord, RecordMapper
from odoo_sync.sync.matching import MatchFailure
from odoo_sync.sync.model import RecordOutcome, SyncAction
from odoo_sync.sync.outcome_base import ChunkTiming, linked_odoo_id, odoo_error_details
from odoo_sync.sync.planner import snapshot
from odoo_sync.sync.push_calls import CallsDone
from odoo_sync.sync.push_plan import ABSENT, ChunkPlan
from odoo_sync.sync.translations import TranslationResult


class RecordOutcomes:
    """Turns the chunk's decisions into one RecordOutcome per record that reached a final state."""

    def __init__(self, connection_id: str, timing: ChunkTiming, mapper: RecordMapper) -> None:
        self.connection_id = connection_id
        self.mapper = mapper
        self.timing = timing

    def build(self, mapped: list[MappedRecord], chunk: ChunkPlan, state: CallsDone) -> list[RecordOutcome]:
        by_id: dict[str, RecordOutcome] = {}
        matching, conflicts = chunk.matching, chunk.conflicts
        for item in mapped:
            if not item.valid:
                by_id[item.local_id] = self._rejected(item, state.auto_create_refused.get(item.local_id))
            elif item.local_id in matching.failures:
                by_id[item.local_id] = self._match_failed(item, matching.failures[item.local_id])
            elif item.local_id in conflicts:
                by_id[item.local_id] = self._match_failed(item, conflicts[item.local_id])
        for create in chunk.creates:
            local_id = create.item.local_id
            if local_id in state.created:
                written = create.item.vals
                by_id[local_id] = self._success(
                    create.item, SyncAction.CREATED, state.created[local_id], written
                )
            elif local_id in state.refused:
                by_id[local_id] = self.odoo_refused(create.item, None, state.refused[local_id])
        for update in chunk.unchanged:
            by_id[update.item.local_id] = self._success(
                update.item,
                SyncAction.UNCHANGED,
                update.match.odoo_id,
                {},
                update.match.current,
                kept_bases=chunk.kept_bases.get(update.item.local_id),
            )
        for update in chunk.updates:
            local_id, odoo_id = update.item.local_id, update.match.odoo_id
            if local_id in state.written:
                by_id[local_id] = self._success(
                    update.item,
                    SyncAction.UPDATED,
                    odoo_id,
                    update.vals,
                    update.match.current,
                    kept_bases=chunk.kept_bases.get(local_id),
                )
            elif local_id in state.refused:
                by_id[local_id] = self.odoo_refused(update.item, odoo_id, state.refused[local_id])
        return [by_id[item.local_id] for item in mapped if item.local_id in by_id]

    def _linked_id(self, item: MappedRecord) -> int | None:
        return linked_odoo_id(item.record, self.connection_id)

    def _success(
        self,
        item: MappedRecord,
        action: SyncAction,
        odoo_id: int,
        written: dict[str, Any],
        current: dict[str, Any] | None = None,
        *,
        kept_bases: Mapping[str, Any] | None = None,
    ) -> RecordOutcome:
        fields_synced = sorted({item.sources.get(name, name) for name in written})
        kept = snapshot(written, current, sorted(item.vals), self.mapper.field_info, item.digests)
        for name, value in (kept_bases or {}).items():
            if value is ABSENT:
                kept.pop(name, None)
            else:
                kept[name] = value
        return RecordOutcome(
            **self.timing.base(item.local_id, action, odoo_id),
            fields_synced=fields_synced,
            snapshot=kept,
            warnings=list(item.warnings),
        )

    def _rejected(self, item: MappedRecord, refusal: OdooError | None = None) -> RecordOutcome:
        """Every issue of the record; when Odoo refused a record it needed created, Odoo's verdict."""
        issues = list(item.issues)
        listed = "; ".join(f"{issue.field or 'record'}: {issue.message}" for issue in issues)
        if refusal is None:
            details, message = {"code": "validation_failed"}, f"{len(issues)} invalid value(s): {listed}"
        else:
            details, message = odoo_error_details(refusal), listed
        return RecordOutcome(
            **self.timing.base(item.local_id, SyncAction.ERROR, self._linked_id(item)),
            error_message=message[:2000],
            error_details={**details, "issues": [issue.model_dump(mode="json") for issue in issues]},
            issues=issues,
            warnings=list(item.warnings),
        )

    def _match_failed(self, item: MappedRecord, failure: MatchFailure) -> RecordOutcome:
        return RecordOutcome(
            **self.timing.base(item.local_id, SyncAction.ERROR, self._linked_id(item)),
            error_message=failure.message,
            error_details={"code": failure.code, "odoo_ids": failure.odoo_ids},
            warnings=list(item.warnings),
        )

    def odoo_refused(self, item: MappedRecord, odoo_id: int | None, error: OdooError) -> RecordOutcome:
        return RecordOutcome(
            **self.timing.base(item.local_id, SyncAction.ERROR, odoo_id or self._linked_id(item)),
            error_message=error.message[:2000],
            error_details=odoo_error_details(error),
            warnings=list(item.warnings),
        )

    def with_translations(
        self, outcome: RecordOutcome, result: TranslationResult, items: Mapping[str, MappedRecord]
    ) -> RecordOutcome:
        """A record's outcome once its per-language values were written, or Odoo refused them."""
        refusal = result.refused.get(outcome.local_id)
        if refusal is not None:
            return self.odoo_refused(items[outcome.local_id], outcome.odoo_id, refusal)
        written = result.written.get(outcome.local_id)
        if not written:
            return outcome
        action = SyncAction.UPDATED if outcome.action is SyncAction.UNCHANGED else outcome.action
        fields_synced = sorted({*outcome.fields_synced, *written})
        return outcome.model_copy(update={"action": action, "fields_synced": fields_synced})

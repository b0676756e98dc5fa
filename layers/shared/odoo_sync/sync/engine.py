"""The push engine: one chunk of records of one entity into one Odoo, in the fewest calls.

    lookups       one search_read per (model, key) the mappings need         (only if any)
    auto-create   one search_read per (model, field) and one create per model for values the
                  tenant lets us create in Odoo (see `odoo_sync.sync.auto_create`)  (only if any)
    match         read of linked ids; ir.model.data for the others;          (each only if needed)
                  one search_read per match key with `in` over the chunk
    create        one create for every new record
    external ids  one ir.model.data create for new and key-matched records
    write         one write per distinct set of changed values
    translations  per language mapped: one read, one write per distinct set of changed values
                  (only if any; see `odoo_sync.sync.translations`)

Each step has its module: matching in `odoo_sync.sync.matching`, what to do with each record in
`odoo_sync.sync.push_plan`, the calls that change Odoo (and how their failures are answered) in
`odoo_sync.sync.push_calls`, and what each record became in `odoo_sync.sync.outcomes`. This module
runs them in order for one chunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.sync.auto_create import AutoCreator
from odoo_sync.sync.chunk_engine import ChunkPushEngine
from odoo_sync.sync.images import ImageFetcher
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.mapping import MappedRecord, RecordMapper, map_records
from odoo_sync.sync.matching import Matcher, MatchResult
from odoo_sync.sync.model import Direction, LocalRecord, RecordOutcome, SyncOptions
from odoo_sync.sync.outcome_base import ChunkResult, ChunkTiming
from odoo_sync.sync.outcomes import RecordOutcomes
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.push_calls import CallsDone, ChunkCalls
from odoo_sync.sync.push_plan import WRITE_DATE, ChunkPlanner, OpenConflicts
from odoo_sync.sync.translations import LinkedValues, push_translations, translated_mappings


class PushEngine(ChunkPushEngine):
    def __init__(
        self,
        client: OdooClient,
        plan: SyncPlan,
        connection_id: str,
        *,
        images: ImageFetcher | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(client, plan, connection_id, clock=clock)
        self.images = images

    def push(
        self,
        records: Sequence[LocalRecord],
        options: SyncOptions,
        *,
        open_conflicts: OpenConflicts | None = None,
    ) -> ChunkResult:
        started_at, started = iso(self.clock()), time.monotonic()
        calls_before = self.client.calls
        mapper = RecordMapper(self.plan, sync_images=options.sync_images, images=self.images)
        chunk_map = map_records(mapper, self.client, records)
        mapped = chunk_map.records
        state = CallsDone()
        if any(item.pending for item in mapped):
            auto_created = AutoCreator(self.client, mapper).complete(mapped, chunk_map.resolver)
            state.auto_create_refused = auto_created.refused
        warnings = list(mapper.warnings)
        warnings += [
            FieldIssue(field="", code="lookup_failed", message=text) for text in chunk_map.lookup_failures
        ]
        valid = [item for item in mapped if item.valid]
        matcher = Matcher(self.client, self.plan, self.connection_id, self._read_fields(mapper), options)
        matching = matcher.match(valid) if valid else MatchResult()
        warnings += matching.warnings
        planner = ChunkPlanner(self.plan, self.connection_id)
        chunk = planner.plan_chunk(valid, matching, mapper, options, open_conflicts or {})
        error = ChunkCalls(self.client, self.plan).execute(chunk, matcher, state, warnings)
        timing = ChunkTiming.since(started_at, iso(self.clock()), started, len(records))
        builder = RecordOutcomes(self.connection_id, timing, mapper)
        outcomes = builder.build(mapped, chunk, state)
        if error is None:
            try:
                outcomes = self._translations(outcomes, mapped, builder)
            except OdooError as exc:
                error = exc
        for outcome in outcomes:
            outcome.warnings.extend(warnings)
        return ChunkResult(
            outcomes=outcomes,
            warnings=warnings,
            calls=self.client.calls - calls_before,
            error=error,
            held=chunk.held,
        )

    def _translations(
        self, outcomes: list[RecordOutcome], mapped: list[MappedRecord], builder: RecordOutcomes
    ) -> list[RecordOutcome]:
        """The per-language values of the records that landed (see `odoo_sync.sync.translations`)."""
        mappings = translated_mappings(self.plan, Direction.TO_ODOO)
        if not mappings:
            return outcomes
        items = {item.local_id: item for item in mapped}
        landed = [
            LinkedValues(outcome.local_id, outcome.odoo_id, items[outcome.local_id].values)
            for outcome in outcomes
            if outcome.success and outcome.odoo_id is not None
        ]
        result = push_translations(self.client, self.model, mappings, landed)
        return [builder.with_translations(outcome, result, items) for outcome in outcomes]

    def _read_fields(self, mapper: RecordMapper) -> list[str]:
        """The mapped fields, and write_date (in the same read) to tell which side changed last."""
        fields = mapper.written_fields
        if WRITE_DATE in self.plan.odoo_fields.get(self.model, {}) and WRITE_DATE not in fields:
            fields = [*fields, WRITE_DATE]
        return fields

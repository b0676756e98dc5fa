"""The push engine's calls that change Odoo: the creates, our external ids, then the writes.

Kept apart because this is where Odoo can fail, and each failure has its own answer. Odoo
refusing a write or a create for what was sent (validation, constraint, access) is bisected so
that the good records land and only the bad ones fail with Odoo's message. A create whose answer
was lost is reconciled at once through the match keys; what cannot be found then is left for a
later attempt (Odoo may still be running the lost call, so creating again now could make a twin),
and that attempt matches whatever did land. Odoo being unavailable ends the chunk with the error,
after the external ids of what was created are saved (`create_then_save_external_ids`, which the
order engine runs too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from odoo_sync.odoo import (
    OdooAccessError,
    OdooClient,
    OdooError,
    OdooOutcomeUnknownError,
    OdooProtocolError,
)
from odoo_sync.sync.external_ids import save_external_ids
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.mapping import is_record_level
from odoo_sync.sync.matching import Matcher, MatchResult, key_value
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.planner import WriteGroup, group_writes
from odoo_sync.sync.push_plan import ChunkPlan, PlannedCreate


@dataclass
class CallsDone:
    """What the calls did, by local id; records in none of these have no final state yet."""

    created: dict[str, int] = field(default_factory=dict)
    reconciled: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    refused: dict[str, OdooError] = field(default_factory=dict)
    unknown: list[PlannedCreate] = field(default_factory=list)
    unknown_cause: OdooOutcomeUnknownError | None = None
    auto_create_refused: dict[str, OdooError] = field(default_factory=dict)  # local id -> Odoo's refusal


def create_then_save_external_ids(
    client: OdooClient,
    plan: SyncPlan,
    create: Callable[[], None],
    *,
    matching: MatchResult,
    created: dict[str, int],
    warnings: list[FieldIssue],
) -> OdooError | None:
    """Run a chunk's creates, which fill `created` (local id -> Odoo id), then save our external
    ids on what they created and on what was found by match key, even when the creates failed
    half-way. Saved before the error ends the chunk, they let the chunk's next attempt (after a
    crash, a timeout or Odoo going away) find those records instead of creating them again: one
    Odoo record per local record. Answers Odoo's error, if any."""
    error: OdooError | None = None
    try:
        create()
    except OdooError as exc:
        error = exc
    save_external_ids(
        client,
        module=plan.xmlid_module,
        entity=plan.entity.name,
        model=plan.entity.odoo_model,
        linked=matching.external_ids_to_save(created),
        warnings=warnings,
    )
    return error


class ChunkCalls:
    def __init__(self, client: OdooClient, plan: SyncPlan) -> None:
        self.client = client
        self.plan = plan
        self.model = plan.entity.odoo_model

    def execute(
        self, chunk: ChunkPlan, matcher: Matcher, state: CallsDone, warnings: list[FieldIssue]
    ) -> OdooError | None:
        error = create_then_save_external_ids(
            self.client,
            self.plan,
            partial(self._create, chunk.creates, matcher, state),
            matching=chunk.matching,
            created=state.created,
            warnings=warnings,
        )
        if error is not None:
            return error
        try:
            groups = group_writes([(u.item.local_id, u.match.odoo_id, u.vals) for u in chunk.updates])
            for group in groups:
                self._write(group, state)
        except OdooError as exc:
            return exc
        return state.unknown_cause if state.unknown else None

    def _create(self, batch: list[PlannedCreate], matcher: Matcher, state: CallsDone) -> None:
        if not batch:
            return
        try:
            ids = self.client.create(self.model, [create.vals for create in batch])
        except OdooOutcomeUnknownError as exc:
            self._reconcile(batch, exc, matcher, state)
            return
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            # An ACL refusal holds for the whole model: no point splitting.
            if len(batch) == 1 or isinstance(exc, OdooAccessError):
                state.refused.update({create.item.local_id: exc for create in batch})
                return
            middle = len(batch) // 2
            self._create(batch[:middle], matcher, state)
            self._create(batch[middle:], matcher, state)
            return
        if len(ids) != len(batch):
            raise OdooProtocolError(f"create of {len(batch)} records returned {len(ids)} ids")
        for create, odoo_id in zip(batch, ids, strict=True):
            state.created[create.item.local_id] = odoo_id

    def _reconcile(
        self, batch: list[PlannedCreate], cause: OdooOutcomeUnknownError, matcher: Matcher, state: CallsDone
    ) -> None:
        """After a lost create answer: what Odoo has under the records' match keys was created by it
        (nothing had them when matched). A failing search raises: the chunk is tried again."""
        remaining = list(batch)
        for key in self.plan.entity.match_keys:
            wanted = {
                value: create
                for create in remaining
                if (value := key_value(create.item, key.local_field, key.odoo_field)) is not None
            }
            if not wanted:
                continue
            rows = matcher.search_by_key(key.odoo_field, list(wanted))
            for value, create in wanted.items():
                found = rows.get(value, [])
                if len(found) == 1:
                    state.created[create.item.local_id] = int(found[0]["id"])
                    state.reconciled.add(create.item.local_id)
            remaining = [create for create in remaining if create.item.local_id not in state.created]
        if remaining:
            state.unknown.extend(remaining)
            state.unknown_cause = cause

    def _write(self, group: WriteGroup, state: CallsDone) -> None:
        try:
            self.client.write(self.model, group.odoo_ids, group.vals)
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            if len(group.odoo_ids) == 1:
                state.refused[group.local_ids[0]] = exc
                return
            middle = len(group.odoo_ids) // 2
            for part in (slice(None, middle), slice(middle, None)):
                self._write(WriteGroup(group.vals, group.odoo_ids[part], group.local_ids[part]), state)
            return
        state.written.update(group.local_ids)

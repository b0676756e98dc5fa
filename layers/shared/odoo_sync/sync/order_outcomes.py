"""What a chunk of orders became: the orders in flight, the plan of Odoo calls, what the calls
did, and the outcome of each order (created, updated, unchanged, refused by Odoo or by our rules)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from odoo_sync.core.ids import iso
from odoo_sync.odoo import OdooError
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.mapping import MappedRecord, RecordMapper
from odoo_sync.sync.matching import Match, MatchResult
from odoo_sync.sync.model import RecordOutcome, SyncAction
from odoo_sync.sync.order_lines import LineInput
from odoo_sync.sync.order_presets import LINES_FIELD
from odoo_sync.sync.outcome_base import ChunkTiming, linked_odoo_id, odoo_error_details
from odoo_sync.sync.planner import snapshot

ORDER_LINES = "order_line"


@dataclass
class PendingOrder:
    item: MappedRecord
    lines: list[LineInput] | None = None  # None: the record has no `lines`, Odoo's are kept
    line_vals: list[dict[str, Any]] = field(default_factory=list)
    customer: str | None = None
    confirm: bool = False

    @property
    def local_id(self) -> str:
        return self.item.local_id


@dataclass
class OrderPlan:
    creates: list[tuple[PendingOrder, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[PendingOrder, Match, dict[str, Any]]] = field(default_factory=list)
    unchanged: list[tuple[PendingOrder, Match]] = field(default_factory=list)
    refused: dict[str, RecordOutcome] = field(default_factory=dict)


@dataclass
class OrderCallsDone:
    created: dict[str, int] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)
    confirmed: set[str] = field(default_factory=set)
    refused: dict[str, OdooError] = field(default_factory=dict)


class OrderOutcomes:
    def __init__(  # noqa: PLR0917 - one chunk's context
        self,
        clock: Callable[[], datetime],
        connection_id: str,
        mapper: RecordMapper,
        started_at: str,
        started: float,
        count: int,
    ) -> None:
        self.connection_id = connection_id
        self.mapper = mapper
        self.timing = ChunkTiming.since(started_at, iso(clock()), started, count)

    def build(
        self, orders: list[PendingOrder], matching: MatchResult, plan: OrderPlan, done: OrderCallsDone
    ) -> list[RecordOutcome]:
        by_id: dict[str, RecordOutcome] = dict(plan.refused)
        for order in orders:
            if not order.item.valid:
                by_id[order.local_id] = self._rejected(order)
            elif order.local_id in matching.failures:
                failure = matching.failures[order.local_id]
                by_id[order.local_id] = self._error(
                    order, None, failure.message, {"code": failure.code, "odoo_ids": failure.odoo_ids}
                )
        for order, _ in plan.creates:
            self._settle(by_id, order, done.created.get(order.local_id), SyncAction.CREATED, done, None)
        for order, match, vals in plan.updates:
            written = match.odoo_id if order.local_id in done.written else None
            self._settle(
                by_id, order, written, SyncAction.UPDATED, done, match, vals, fallback_id=match.odoo_id
            )
        for order, match in plan.unchanged:
            self._settle(by_id, order, match.odoo_id, SyncAction.UNCHANGED, done, match, {})
        return [by_id[order.local_id] for order in orders if order.local_id in by_id]

    def _settle(  # noqa: PLR0917 - one order's context
        self,
        by_id: dict[str, RecordOutcome],
        order: PendingOrder,
        odoo_id: int | None,
        action: SyncAction,
        done: OrderCallsDone,
        match: Match | None,
        written: Mapping[str, Any] | None = None,
        *,
        fallback_id: int | None = None,
    ) -> None:
        refusal = done.refused.get(order.local_id)
        if refusal is not None:
            by_id[order.local_id] = self._odoo_refused(order, odoo_id or fallback_id, refusal)
        elif odoo_id is not None:
            by_id[order.local_id] = self._success(
                order, action, odoo_id, order.item.vals if written is None else written, match
            )

    def _success(
        self,
        order: PendingOrder,
        action: SyncAction,
        odoo_id: int,
        written: Mapping[str, Any],
        match: Match | None,
    ) -> RecordOutcome:
        header = {name: value for name, value in written.items() if name != ORDER_LINES}
        synced = {order.item.sources.get(name, name) for name in header}
        if ORDER_LINES in written or (action is SyncAction.CREATED and order.lines is not None):
            synced.add(LINES_FIELD)
        kept = snapshot(
            header, match.current if match else None, sorted(order.item.vals), self.mapper.field_info
        )
        return RecordOutcome(
            **self.timing.base(order.local_id, action, odoo_id),
            fields_synced=sorted(synced),
            snapshot=kept,
            warnings=list(order.item.warnings),
        )

    def _linked_id(self, order: PendingOrder) -> int | None:
        return linked_odoo_id(order.item.record, self.connection_id)

    def _rejected(self, order: PendingOrder) -> RecordOutcome:
        issues = list(order.item.issues)
        listed = "; ".join(f"{issue.field or 'record'}: {issue.message}" for issue in issues)
        details = {"code": "validation_failed", "issues": [issue.model_dump(mode="json") for issue in issues]}
        return self._error(
            order, self._linked_id(order), f"{len(issues)} invalid value(s): {listed}", details, issues
        )

    def _odoo_refused(self, order: PendingOrder, odoo_id: int | None, error: OdooError) -> RecordOutcome:
        return self._error(order, odoo_id or self._linked_id(order), error.message, odoo_error_details(error))

    def _error(
        self,
        order: PendingOrder,
        odoo_id: int | None,
        message: str,
        details: dict[str, Any],
        issues: list[FieldIssue] | None = None,
    ) -> RecordOutcome:
        return RecordOutcome(
            **self.timing.base(order.local_id, SyncAction.ERROR, odoo_id),
            error_message=message[:2000],
            error_details=details,
            issues=issues or [],
            warnings=list(order.item.warnings),
        )

    @staticmethod
    def locked(clock: Callable[[], datetime], order: PendingOrder, match: Match) -> RecordOutcome:
        name = match.current.get("name") or match.odoo_id
        message = (
            f"order {name} is confirmed and locked in Odoo; its changes were not sent "
            "(unlock it in Odoo to change it)"
        )
        now = iso(clock())
        return RecordOutcome(
            local_id=order.local_id,
            action=SyncAction.ERROR,
            odoo_id=match.odoo_id,
            error_message=message,
            error_details={"code": "order_locked", "state": match.current.get("state")},
            warnings=list(order.item.warnings),
            started_at=now,
            completed_at=now,
            duration_ms=0,
        )

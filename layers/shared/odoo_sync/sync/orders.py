"""The order engine: sales orders (sale.order) with their lines, one chunk in the fewest calls.

    header lookups   one search_read per model the header mappings name (currency, pricelist)
    lines            one search_read each for products, units and taxes the chunk names
    customers        none when linked; a push of the customer entity for the others
    match            read of linked orders; ir.model.data and `origin` for the others
    current lines    one search_read of the matched orders' lines
    create           one create for every new order, lines included as (0, 0, vals)
    external ids     one ir.model.data create
    write            one per changed order: header and line commands together
    confirm          one action_confirm for the orders that ask for it

An order with any unresolved reference (customer, product, unit, tax, currency, pricelist) is
rejected with every reason and nothing of it is sent, not even its customer. An existing order's
lines are compared with Odoo's (read once): changed lines are updated (1, id, vals), new ones
created (0, 0, vals), removed ones deleted (2, id), so a second sync never duplicates a line.
Lines are paired by product, in order; section and note lines made in Odoo are left alone. A
confirmed and locked order (or `done` before 17) is refused before anything is sent; what else
Odoo refuses on a confirmed order comes back as Odoo's message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.odoo import OdooClient, OdooError, OdooOutcomeUnknownError
from odoo_sync.sync.chunk_engine import ChunkPushEngine
from odoo_sync.sync.issues import FieldIssue, IssueCode
from odoo_sync.sync.mapping import MappedRecord, RecordMapper, is_record_level, map_records
from odoo_sync.sync.matching import Matcher, MatchResult
from odoo_sync.sync.model import LocalRecord, SyncOptions
from odoo_sync.sync.order_commands import LINE_NUMBERS, is_locked, line_commands
from odoo_sync.sync.order_lines import LineFields, ReferenceResolver, parse_lines
from odoo_sync.sync.order_outcomes import ORDER_LINES, OrderCallsDone, OrderOutcomes, OrderPlan, PendingOrder
from odoo_sync.sync.order_presets import CONFIRM_FIELD, CUSTOMER_FIELD, LINES_FIELD
from odoo_sync.sync.outcome_base import ChunkResult
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.planner import changed_values, create_values, read_value
from odoo_sync.sync.push_calls import create_then_save_external_ids
from odoo_sync.sync.push_plan import OpenConflicts

PARTNER = "partner_id"
ORDER_DATE = "date_order"
_QUOTATION_STATES = ("draft", "sent")


class CustomerDirectory(Protocol):
    """The tenant's customers as this connection knows them."""

    def odoo_ids(self, local_ids: Sequence[str]) -> dict[str, int | None]:
        """Per customer record that exists: its Odoo id, None when not in this Odoo yet. Unknown
        local ids are absent."""
        ...

    def push(self, local_ids: Sequence[str]) -> dict[str, int | str]:
        """Push these customers now (creating or matching them in Odoo): the Odoo id, or why not."""
        ...


class OrderPushEngine(ChunkPushEngine):
    def __init__(
        self,
        client: OdooClient,
        plan: SyncPlan,
        connection_id: str,
        customers: CustomerDirectory,
        *,
        company_id: int | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(client, plan, connection_id, clock=clock)
        self.customers = customers
        self.company_id = company_id
        self.line_fields = LineFields.of(plan.odoo_fields)

    def push(
        self,
        records: Sequence[LocalRecord],
        options: SyncOptions,
        *,
        open_conflicts: OpenConflicts | None = None,
    ) -> ChunkResult:
        started_at, started = iso(self.clock()), time.monotonic()
        calls_before = self.client.calls
        mapper = RecordMapper(self.plan)
        chunk_map = map_records(mapper, self.client, records)
        warnings = list(mapper.warnings)
        warnings += [
            FieldIssue(field="", code="lookup_failed", message=text) for text in chunk_map.lookup_failures
        ]
        orders = [self._order(item) for item in chunk_map.records]
        self._resolve(orders, warnings)
        valid = [order for order in orders if order.item.valid]
        matcher = Matcher(self.client, self.plan, self.connection_id, self._read_fields(mapper))
        matching = matcher.match([order.item for order in valid]) if valid else MatchResult()
        warnings += matching.warnings
        current_lines = self._current_lines(matching)
        plan = self._plan(valid, matching, current_lines, mapper, options)
        done = OrderCallsDone()
        error = self._execute(plan, matching, done, warnings)
        outcomes = OrderOutcomes(
            self.clock, self.connection_id, mapper, started_at, started, len(records)
        ).build(orders, matching, plan, done)
        for outcome in outcomes:
            outcome.warnings.extend(warnings)
        return ChunkResult(
            outcomes=outcomes, warnings=warnings, calls=self.client.calls - calls_before, error=error
        )

    # resolution --------------------------------------------------------------------------------
    def _order(self, item: MappedRecord) -> PendingOrder:
        data = item.record.data if isinstance(item.record.data, Mapping) else {}
        order = PendingOrder(item=item, confirm=item.values.get(CONFIRM_FIELD) is True)
        customer = data.get(CUSTOMER_FIELD)
        order.customer = customer.strip() if isinstance(customer, str) and customer.strip() else None
        if LINES_FIELD in data:
            order.lines, issues = parse_lines(data[LINES_FIELD])
            item.issues.extend(issues)
        return order

    def _resolve(self, orders: list[PendingOrder], warnings: list[FieldIssue]) -> None:
        """Customers and lines of the whole chunk; every reason goes on its order."""
        wanted = sorted({order.customer for order in orders if order.customer})
        known = self.customers.odoo_ids(wanted) if wanted else {}
        for order in orders:
            if order.customer is not None and order.customer not in known:
                order.item.issues.append(
                    FieldIssue(
                        field=CUSTOMER_FIELD,
                        code=IssueCode.NOT_FOUND_IN_ODOO.value,
                        message=f"no customer record {order.customer!r}",
                        value=order.customer,
                    )
                )
        resolver = ReferenceResolver(self.client, self.line_fields, self.plan.value_maps, self.company_id)
        refs = resolver.fetch(line for order in orders for line in order.lines or ())
        warnings += [FieldIssue(field="", code="lookup_failed", message=text) for text in refs.failures]
        for order in orders:
            for line in order.lines or ():
                vals, issues = resolver.line_values(line, refs)
                order.line_vals.append(vals)
                order.item.issues.extend(issues)
        self._push_customers([order for order in orders if order.item.valid], known)

    def _push_customers(self, orders: list[PendingOrder], known: Mapping[str, int | None]) -> None:
        """Customers not in Odoo yet are pushed only for orders that are otherwise complete."""
        missing = sorted(
            {order.customer for order in orders if order.customer and known.get(order.customer) is None}
        )
        pushed = self.customers.push(missing) if missing else {}
        for order in orders:
            if order.customer is None:
                continue
            odoo_id = known.get(order.customer) or pushed.get(order.customer)
            if isinstance(odoo_id, int):
                order.item.vals[PARTNER] = odoo_id
                order.item.sources[PARTNER] = CUSTOMER_FIELD
                continue
            reason = odoo_id if isinstance(odoo_id, str) else "it could not be pushed"
            order.item.issues.append(
                FieldIssue(
                    field=CUSTOMER_FIELD,
                    code="customer_not_synced",
                    message=f"customer {order.customer!r} is not in Odoo: {reason}",
                    value=order.customer,
                )
            )
            order.item.vals.clear()

    def _read_fields(self, mapper: RecordMapper) -> list[str]:
        own = self.plan.odoo_fields.get(self.model, {})
        extra = {"name", "state", PARTNER, ORDER_LINES, "locked"}
        return sorted({*mapper.written_fields, *(name for name in extra if name in own)})

    def _current_lines(self, matching: MatchResult) -> dict[int, list[dict[str, Any]]]:
        ids = sorted({match.odoo_id for match in matching.matches.values()})
        if not ids:
            return {}
        fields = [
            "order_id",
            "product_id",
            "display_type",
            *LINE_NUMBERS,
            "name",
            self.line_fields.uom,
            self.line_fields.taxes,
        ]
        rows = self.client.search_read("sale.order.line", [["order_id", "in", ids]], fields)
        by_order: dict[int, list[dict[str, Any]]] = {odoo_id: [] for odoo_id in ids}
        for row in sorted(rows, key=lambda r: int(r["id"])):
            order_id = read_value(row.get("order_id"), "many2one")
            if isinstance(order_id, int) and order_id in by_order:
                by_order[order_id].append(row)
        return by_order

    # planning ----------------------------------------------------------------------------------
    def _plan(
        self,
        valid: list[PendingOrder],
        matching: MatchResult,
        current_lines: Mapping[int, list[dict[str, Any]]],
        mapper: RecordMapper,
        options: SyncOptions,
    ) -> OrderPlan:
        plan = OrderPlan()
        for order in valid:
            if order.local_id in matching.failures:
                continue
            match = matching.matches.get(order.local_id)
            if match is None:
                vals = create_values(order.item.vals, mapper.field_info)
                if order.lines is not None:
                    vals[ORDER_LINES] = [[0, 0, line] for line in order.line_vals]
                plan.creates.append((order, vals))
                continue
            wanted = dict(order.item.vals)
            if match.current.get("state") not in _QUOTATION_STATES:
                wanted.pop(ORDER_DATE, None)  # Odoo stamps the order date when it confirms
            header = (
                wanted
                if options.force_update
                else changed_values(wanted, match.current, mapper.field_info, mapper.digits_of)
            )
            commands = (
                line_commands(order.line_vals, current_lines.get(match.odoo_id, []), self.line_fields)
                if order.lines is not None
                else []
            )
            vals = {**header, **({ORDER_LINES: commands} if commands else {})}
            if not vals:
                plan.unchanged.append((order, match))
            elif is_locked(match.current):
                plan.refused[order.local_id] = OrderOutcomes.locked(self.clock, order, match)
            else:
                plan.updates.append((order, match, vals))
        return plan

    # execution ---------------------------------------------------------------------------------
    def _execute(
        self, plan: OrderPlan, matching: MatchResult, done: OrderCallsDone, warnings: list[FieldIssue]
    ) -> OdooError | None:
        error = create_then_save_external_ids(
            self.client,
            self.plan,
            partial(self._create, plan.creates, done),
            matching=matching,
            created=done.created,
            warnings=warnings,
        )
        if error is not None:
            return error
        try:
            for order, match, vals in plan.updates:
                self._write(order, match.odoo_id, vals, done)
            self._confirm(self._to_confirm(plan, done), done)
        except OdooError as exc:
            return exc
        return None

    def _create(self, creates: list[tuple[PendingOrder, dict[str, Any]]], done: OrderCallsDone) -> None:
        if not creates:
            return
        try:
            ids = self.client.create(self.model, [vals for _, vals in creates])
        except OdooOutcomeUnknownError:
            raise  # the chunk runs again and finds what landed by its origin
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            if len(creates) == 1:
                done.refused[creates[0][0].local_id] = exc
                return
            for one in creates:  # find which orders Odoo refuses
                self._create([one], done)
            return
        done.created.update(
            {order.local_id: odoo_id for (order, _), odoo_id in zip(creates, ids, strict=True)}
        )

    def _write(self, order: PendingOrder, odoo_id: int, vals: dict[str, Any], done: OrderCallsDone) -> None:
        try:
            self.client.write(self.model, [odoo_id], vals)
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            done.refused[order.local_id] = exc
            return
        done.written.add(order.local_id)

    def _to_confirm(self, plan: OrderPlan, done: OrderCallsDone) -> dict[str, int]:
        wanted: dict[str, int] = {}
        for order, _ in plan.creates:
            if order.confirm and order.local_id in done.created:
                wanted[order.local_id] = done.created[order.local_id]
        for order, match, _ in plan.updates:
            if (
                order.confirm
                and order.local_id in done.written
                and match.current.get("state") in _QUOTATION_STATES
            ):
                wanted[order.local_id] = match.odoo_id
        for order, match in plan.unchanged:
            if order.confirm and match.current.get("state") in _QUOTATION_STATES:
                wanted[order.local_id] = match.odoo_id
        return wanted

    def _confirm(self, wanted: dict[str, int], done: OrderCallsDone) -> None:
        if not wanted:
            return
        try:
            self.client.execute(self.model, "action_confirm", [sorted(wanted.values())])
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            if len(wanted) == 1:
                done.refused.update(dict.fromkeys(wanted, exc))
                return
            for local_id, odoo_id in wanted.items():
                self._confirm({local_id: odoo_id}, done)
            return
        done.confirmed.update(wanted)

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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from odoo_sync.core.ids import iso, utc_now
from odoo_sync.odoo import OdooClient, OdooError, OdooOutcomeUnknownError
from odoo_sync.sync.engine import ChunkResult, odoo_error_details
from odoo_sync.sync.external_ids import save_external_ids
from odoo_sync.sync.issues import FieldIssue, IssueCode
from odoo_sync.sync.mapping import MappedRecord, RecordMapper, is_record_level, map_records
from odoo_sync.sync.matching import Match, Matcher, MatchResult
from odoo_sync.sync.model import LocalRecord, RecordOutcome, SyncAction, SyncOptions
from odoo_sync.sync.order_lines import LineFields, LineInput, ReferenceResolver, parse_lines
from odoo_sync.sync.order_presets import CONFIRM_FIELD, CUSTOMER_FIELD, LINES_FIELD
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.planner import changed_values, create_values, read_value, same_value, snapshot

ORDER_LINES = "order_line"
PARTNER = "partner_id"
ORDER_DATE = "date_order"
_QUOTATION_STATES = ("draft", "sent")
_LINE_NUMBERS = ("product_uom_qty", "price_unit", "discount")


class CustomerDirectory(Protocol):
    """The tenant's customers as this connection knows them."""

    def odoo_ids(self, local_ids: Sequence[str]) -> dict[str, int | None]:
        """Per customer record that exists: its Odoo id, None when not in this Odoo yet. Unknown
        local ids are absent."""
        ...

    def push(self, local_ids: Sequence[str]) -> dict[str, int | str]:
        """Push these customers now (creating or matching them in Odoo): the Odoo id, or why not."""
        ...


@dataclass
class _Order:
    item: MappedRecord
    lines: list[LineInput] | None = None  # None: the record has no `lines`, Odoo's are kept
    line_vals: list[dict[str, Any]] = field(default_factory=list)
    customer: str | None = None
    confirm: bool = False

    @property
    def local_id(self) -> str:
        return self.item.local_id


@dataclass
class _Plan:
    creates: list[tuple[_Order, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[_Order, Match, dict[str, Any]]] = field(default_factory=list)
    unchanged: list[tuple[_Order, Match]] = field(default_factory=list)
    refused: dict[str, RecordOutcome] = field(default_factory=dict)


@dataclass
class _Done:
    created: dict[str, int] = field(default_factory=dict)
    written: set[str] = field(default_factory=set)
    confirmed: set[str] = field(default_factory=set)
    refused: dict[str, OdooError] = field(default_factory=dict)


class OrderPushEngine:
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
        self.client = client
        self.plan = plan
        self.model = plan.entity.odoo_model
        self.connection_id = connection_id
        self.customers = customers
        self.company_id = company_id
        self.clock = clock
        self.line_fields = LineFields.of(plan.odoo_fields)

    def push(
        self,
        records: Sequence[LocalRecord],
        options: SyncOptions,
        *,
        open_conflicts: Mapping[str, Collection[str]] | None = None,
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
        done = _Done()
        error = self._execute(plan, matching, done, warnings)
        outcomes = _Outcomes(self, mapper, started_at, started, len(records)).build(
            orders, matching, plan, done
        )
        for outcome in outcomes:
            outcome.warnings.extend(warnings)
        return ChunkResult(
            outcomes=outcomes, warnings=warnings, calls=self.client.calls - calls_before, error=error
        )

    # resolution --------------------------------------------------------------------------------
    def _order(self, item: MappedRecord) -> _Order:
        data = item.record.data if isinstance(item.record.data, Mapping) else {}
        order = _Order(item=item, confirm=item.values.get(CONFIRM_FIELD) is True)
        customer = data.get(CUSTOMER_FIELD)
        order.customer = customer.strip() if isinstance(customer, str) and customer.strip() else None
        if LINES_FIELD in data:
            order.lines, issues = parse_lines(data[LINES_FIELD])
            item.issues.extend(issues)
        return order

    def _resolve(self, orders: list[_Order], warnings: list[FieldIssue]) -> None:
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

    def _push_customers(self, orders: list[_Order], known: Mapping[str, int | None]) -> None:
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
            *_LINE_NUMBERS,
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
        valid: list[_Order],
        matching: MatchResult,
        current_lines: Mapping[int, list[dict[str, Any]]],
        mapper: RecordMapper,
        options: SyncOptions,
    ) -> _Plan:
        plan = _Plan()
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
                plan.refused[order.local_id] = _Outcomes.locked(self, order, match)
            else:
                plan.updates.append((order, match, vals))
        return plan

    # execution ---------------------------------------------------------------------------------
    def _execute(
        self, plan: _Plan, matching: MatchResult, done: _Done, warnings: list[FieldIssue]
    ) -> OdooError | None:
        error: OdooError | None = None
        try:
            if plan.creates:
                self._create(plan.creates, done)
        except OdooError as exc:
            error = exc
        save_external_ids(
            self.client,
            module=self.plan.xmlid_module,
            entity=self.plan.entity.name,
            model=self.model,
            linked=matching.external_ids_to_save(done.created),
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

    def _create(self, creates: list[tuple[_Order, dict[str, Any]]], done: _Done) -> None:
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

    def _write(self, order: _Order, odoo_id: int, vals: dict[str, Any], done: _Done) -> None:
        try:
            self.client.write(self.model, [odoo_id], vals)
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            done.refused[order.local_id] = exc
            return
        done.written.add(order.local_id)

    def _to_confirm(self, plan: _Plan, done: _Done) -> dict[str, int]:
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

    def _confirm(self, wanted: dict[str, int], done: _Done) -> None:
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


def is_locked(current: Mapping[str, Any]) -> bool:
    """Confirmed and locked (17+), or `done` (Odoo's locked state before 17)."""
    state = current.get("state")
    return state == "done" or (state == "sale" and current.get("locked") is True)


def line_commands(
    wanted: Sequence[dict[str, Any]], current: Sequence[dict[str, Any]], fields: LineFields
) -> list[list[Any]]:
    """The x2many commands that make Odoo's lines the wanted ones: lines are paired by product in
    order; a paired line is updated with what differs, the others created or deleted."""
    existing = [row for row in current if not row.get("display_type")]
    used: set[int] = set()
    commands: list[list[Any]] = []
    for vals in wanted:
        row = next(
            (
                r
                for r in existing
                if int(r["id"]) not in used
                and read_value(r.get("product_id"), "many2one") == vals.get("product_id")
            ),
            None,
        )
        if row is None:
            commands.append([0, 0, dict(vals)])
            continue
        used.add(int(row["id"]))
        changed = {
            name: value
            for name, value in vals.items()
            if not _same_line_value(name, value, row.get(name), fields)
        }
        if changed:
            commands.append([1, int(row["id"]), changed])
    commands += [[2, int(row["id"]), 0] for row in existing if int(row["id"]) not in used]
    return commands


def _same_line_value(name: str, new: Any, current: Any, fields: LineFields) -> bool:
    if name == fields.taxes:
        wanted = new[0][2] if isinstance(new, list) and new and isinstance(new[0], list) else new
        return sorted(wanted or []) == sorted(read_value(current, "many2many"))
    if name in ("product_id", fields.uom):
        return bool(new == read_value(current, "many2one"))
    if name in _LINE_NUMBERS:
        return round(float(new or 0), 6) == round(float(current or 0), 6)
    return bool(same_value(new, current, None))


class _Outcomes:
    def __init__(
        self, engine: OrderPushEngine, mapper: RecordMapper, started_at: str, started: float, count: int
    ) -> None:
        self.engine = engine
        self.mapper = mapper
        self.started_at = started_at
        self.completed_at = iso(engine.clock())
        self.duration_ms = int((time.monotonic() - started) * 1000 / max(count, 1))

    def build(
        self, orders: list[_Order], matching: MatchResult, plan: _Plan, done: _Done
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
        order: _Order,
        odoo_id: int | None,
        action: SyncAction,
        done: _Done,
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

    def _base(self, local_id: str, action: SyncAction, odoo_id: int | None) -> dict[str, Any]:
        return {
            "local_id": local_id,
            "action": action,
            "odoo_id": odoo_id,
            "started_at": self.started_at,
            "completed_at": self.completed_at,
            "duration_ms": self.duration_ms,
        }

    def _success(
        self, order: _Order, action: SyncAction, odoo_id: int, written: Mapping[str, Any], match: Match | None
    ) -> RecordOutcome:
        header = {name: value for name, value in written.items() if name != ORDER_LINES}
        synced = {order.item.sources.get(name, name) for name in header}
        if ORDER_LINES in written or (action is SyncAction.CREATED and order.lines is not None):
            synced.add(LINES_FIELD)
        kept = snapshot(
            header, match.current if match else None, sorted(order.item.vals), self.mapper.field_info
        )
        return RecordOutcome(
            **self._base(order.local_id, action, odoo_id),
            fields_synced=sorted(synced),
            snapshot=kept,
            warnings=list(order.item.warnings),
        )

    def _linked_id(self, order: _Order) -> int | None:
        link = order.item.record.links.get(self.engine.connection_id)
        return link.odoo_id if link is not None else None

    def _rejected(self, order: _Order) -> RecordOutcome:
        issues = list(order.item.issues)
        listed = "; ".join(f"{issue.field or 'record'}: {issue.message}" for issue in issues)
        details = {"code": "validation_failed", "issues": [issue.model_dump(mode="json") for issue in issues]}
        return self._error(
            order, self._linked_id(order), f"{len(issues)} invalid value(s): {listed}", details, issues
        )

    def _odoo_refused(self, order: _Order, odoo_id: int | None, error: OdooError) -> RecordOutcome:
        return self._error(order, odoo_id or self._linked_id(order), error.message, odoo_error_details(error))

    def _error(
        self,
        order: _Order,
        odoo_id: int | None,
        message: str,
        details: dict[str, Any],
        issues: list[FieldIssue] | None = None,
    ) -> RecordOutcome:
        return RecordOutcome(
            **self._base(order.local_id, SyncAction.ERROR, odoo_id),
            error_message=message[:2000],
            error_details=details,
            issues=issues or [],
            warnings=list(order.item.warnings),
        )

    @staticmethod
    def locked(engine: OrderPushEngine, order: _Order, match: Match) -> RecordOutcome:
        name = match.current.get("name") or match.odoo_id
        message = (
            f"order {name} is confirmed and locked in Odoo; its changes were not sent "
            "(unlock it in Odoo to change it)"
        )
        now = iso(engine.clock())
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

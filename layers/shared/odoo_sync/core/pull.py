"""Pulling from Odoo: imports by domain and delta polling with a cursor (Odoo's change notices:
`odoo_sync.core.notice_apply`).

Starting a pull searches ids only (one search per 50,000 ids, keyed on id, never limit/offset:
offset paging skips records that move between pages), stores the batch, then sends one
PullPageMessage per page through the queue; the worker reads each page in one call and applies
it (`odoo_sync.core.pull_apply`). Progress, logs and statistics are the pushes' own; a batch
counts each Odoo record under the key `odoo:<id>`.

Delta ("changed since") reads `write_date >= cursor - overlap`:
- Odoo stamps write_date with the transaction's START: a long transaction (a 3000-record import
  took 8.4 s: captured) commits after later short writes yet keeps an older write_date, so a
  poller that only asks for "after the newest write_date seen" misses it. The overlap re-reads
  the last minutes (15 by default) and dedup by (id, write_date) against the links makes
  re-reading harmless (`odoo_sync.sync.pull`).
- `>=` with a second-precision value: the column keeps microseconds while the API shows seconds;
  17 treats `=` as matching nothing and `>` as still matching the same second, 19 matches `=`
  and excludes it with `>`. `>=` includes the boundary second on both; dedup drops repeats.
- Archived records are asked for too (`active in (True, False)`, which Odoo reads like the
  context `active_test=False`) where the model has an active field, so archiving reaches the
  tenant; deleted records leave no trace in Odoo, so `full=True` adds an id reconciliation.
- The cursor moves after the pages were applied, not when the delta starts: the delta names
  itself pending with the newest write_date it found, and its last page commits that value if
  the batch had no failures. A failed page (or record) leaves the cursor where it was, so the
  next delta reads the same window again (dedup skips what was applied) and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from odoo_sync.actors import current_actor
from odoo_sync.core import ports
from odoo_sync.core.batches import (
    PULL_KEY_PREFIX,
    Batch,
    BatchDirection,
    BatchStatus,
    BatchStore,
    ConnectionLookup,
    EntityLookup,
    new_batch_id,
    pull_page_messages,
    send_batch_messages,
)
from odoo_sync.core.ids import Moment, iso, utc_now
from odoo_sync.core.lanes import lane_count
from odoo_sync.core.ports import PlanLoader
from odoo_sync.core.pull_queries import changed_since, newest_write_date, search_ids
from odoo_sync.errors import InvalidInputError
from odoo_sync.odoo.domain import DomainError, validate_domain
from odoo_sync.sync.finance_presets import default_domain
from odoo_sync.sync.model import (
    ENTITY_NAME_PATTERN,
    PullOptions,
    PullPageMessage,
    RecordOutcome,
    TriggeredBy,
)

DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 5_000
MAX_RECORDS_PER_PULL = 500_000
DEFAULT_OVERLAP = timedelta(minutes=15)
ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"


def batch_key(odoo_id: int) -> str:
    """How a pull batch counts one Odoo record (the local id may not exist yet)."""
    return f"{PULL_KEY_PREFIX}{odoo_id}"


class ImportRequest(BaseModel):
    """`POST /v1/import`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str = Field(pattern=ENTITY_NAME_PATTERN)
    connection_id: str | None = Field(default=None, pattern=r"^con_[0-9a-f]{16}$")
    odoo_filters: list[Any] = Field(default_factory=list, description="An Odoo domain, checked as data")
    create_missing: bool = True
    update_existing: bool = True
    batch_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    modified_since: Moment | None = None

    @field_validator("odoo_filters")
    @classmethod
    def _domain(cls, value: list[Any]) -> list[Any]:
        try:
            return validate_domain(value)
        except DomainError as exc:
            raise ValueError(f"not a valid Odoo domain: {exc}") from exc


class ImportSubmission(BaseModel):
    batch_id: str
    records_found: int
    pages: int
    status: BatchStatus
    deleted: int = 0  # records found gone from Odoo by a full delta's id reconciliation


class DeltaCursor(BaseModel):
    model_config = ConfigDict(extra="ignore")

    cursor: str | None = None
    pending_batch: str | None = None
    pending_cursor: str | None = None
    pending_last_chunk: int | None = None


class CursorStore(Protocol):
    def get(self, tenant_id: str, connection_id: str, entity: str) -> DeltaCursor: ...

    def begin(
        self, tenant_id: str, connection_id: str, entity: str, *, batch_id: str, value: str, last_chunk: int
    ) -> None: ...

    def commit(self, tenant_id: str, connection_id: str, entity: str, *, batch_id: str) -> bool: ...


class PageQueue(Protocol):
    def send(self, messages: Sequence[PullPageMessage], attempt: int = 0) -> int: ...


class ClientSource(ConnectionLookup, ports.ClientSource, Protocol):
    """The connection a request names, resolved, and its Odoo client."""


class PageApplication(Protocol):
    """What the worker side offers (core.pull_apply.PageApplier)."""

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
    ) -> list[RecordOutcome]: ...


class IdReconciliation(Protocol):
    """A full delta's search for linked records gone from Odoo (core.pull_deletions.PulledDeletions)."""

    def reconcile_ids(
        self,
        tenant_id: str,
        connection_id: str,
        entity: str,
        alive: set[int],
        *,
        triggered_by: TriggeredBy,
        batch_id: str | None,
    ) -> int: ...


class PullService:
    def __init__(  # noqa: PLR0917 - the ports of the pull path
        self,
        entities: EntityLookup,
        connections: ClientSource,
        plans: PlanLoader,
        batches: BatchStore,
        queue: PageQueue,
        cursors: CursorStore,
        pages: PageApplication,
        deletions: IdReconciliation,
        *,
        overlap: timedelta = DEFAULT_OVERLAP,
        max_records: int = MAX_RECORDS_PER_PULL,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._entities = entities
        self._connections = connections
        self._plans = plans
        self._batches = batches
        self._queue = queue
        self._cursors = cursors
        self._pages = pages
        self._deletions = deletions
        self._overlap = overlap
        self._max_records = max_records
        self._clock = clock

    # starting ----------------------------------------------------------------------------------
    def start_import(
        self, tenant_id: str, request: ImportRequest, triggered_by: TriggeredBy = TriggeredBy.IMPORT
    ) -> ImportSubmission:
        """Search the ids the domain selects (ordered by id), queue them a page at a time."""
        definition = self._entities.get(tenant_id, request.entity)
        connection = self._connections.resolve(tenant_id, request.connection_id)
        connection_id, lanes = connection.connection_id, lane_count(connection.max_in_flight)
        client = self._connections.client(tenant_id, connection_id)
        # An entity's own selection (invoices: customer invoices and credit notes) and the tenant's.
        domain = [*default_domain(definition), *request.odoo_filters]
        if request.modified_since is not None:
            domain = [["write_date", ">=", odoo_datetime(request.modified_since)], *domain]
        whole = not request.odoo_filters and request.modified_since is None
        # Read before the ids: whatever changes meanwhile is newer, so the next delta reads it.
        newest = newest_write_date(client, definition.odoo_model, domain) if whole else None
        ids = list(search_ids(client, definition.odoo_model, domain, self._max_records))
        options = PullOptions(create_missing=request.create_missing, update_existing=request.update_existing)
        batch, messages = self._batch(
            tenant_id, connection_id, request.entity, ids, (request.batch_size, lanes), options, triggered_by
        )
        # An import of the whole entity leaves the delta cursor where it stopped, as a delta
        # does: the next delta then reads the changes since, not the whole import again.
        self._enqueue(batch, messages, newest)
        return ImportSubmission(
            batch_id=batch.batch_id, records_found=len(ids), pages=len(messages), status=batch.status
        )

    def start_delta(
        self,
        tenant_id: str,
        connection_id: str | None,
        entity: str,
        *,
        full: bool,
        batch_size: int = DEFAULT_PAGE_SIZE,
        triggered_by: TriggeredBy,
        overlap: timedelta | None = None,
    ) -> ImportSubmission:
        """Queue what changed in Odoo since the entity's cursor (everything the first time).

        With `full`, an id reconciliation runs first: linked records whose Odoo id Odoo no longer
        has are marked deleted (the link's status, a DELETED change in the feed, a log entry);
        the tenant's record and its data are kept: deleting them is the tenant's decision.
        """
        if not 1 <= batch_size <= MAX_PAGE_SIZE:
            raise InvalidInputError(f"batch_size must be between 1 and {MAX_PAGE_SIZE}", field="batch_size")
        definition = self._entities.get(tenant_id, entity)
        resolved = self._connections.resolve(tenant_id, connection_id)
        connection, lanes = resolved.connection_id, lane_count(resolved.max_in_flight)
        client = self._connections.client(tenant_id, connection)
        plan = self._plans.load(tenant_id, connection, entity, client)
        model = definition.odoo_model
        archived = [["active", "in", [True, False]]] if "active" in plan.odoo_fields.get(model, {}) else []
        cursor = self._cursors.get(tenant_id, connection, entity)
        window: list[Any] = []
        if cursor.cursor is not None:
            since = parse_odoo_datetime(cursor.cursor) - (overlap if overlap is not None else self._overlap)
            window = [["write_date", ">=", since.strftime(ODOO_DATETIME)]]
        rows = changed_since(
            client, model, [*window, *archived, *default_domain(definition)], self._max_records
        )
        ids = [int(row["id"]) for row in rows]
        newest = max((str(row["write_date"]) for row in rows if row.get("write_date")), default=None)
        options = PullOptions(create_missing=True, update_existing=True, created_after=cursor.cursor)
        batch, messages = self._batch(
            tenant_id, connection, entity, ids, (batch_size, lanes), options, triggered_by
        )
        gone = 0
        if full:
            alive = set(search_ids(client, model, archived, self._max_records))
            gone = self._deletions.reconcile_ids(
                tenant_id, connection, entity, alive, triggered_by=triggered_by, batch_id=None
            )
        self._enqueue(batch, messages, newest)
        return ImportSubmission(
            batch_id=batch.batch_id,
            records_found=len(ids),
            pages=len(messages),
            status=batch.status,
            deleted=gone,
        )

    # the worker ----------------------------------------------------------------------------------
    def apply_page(self, message: PullPageMessage) -> list[RecordOutcome]:
        """Apply one page; the last page of a delta moves its cursor (when nothing failed)."""
        with ThreadPoolExecutor(max_workers=1) as store:
            # A delta names itself pending before its pages are queued: the cursor is read while
            # the page applies (the commit checks it again).
            tenant, connection, entity = message.tenant_id, message.connection_id, message.entity
            cursor = store.submit(copy_context().run, self._cursors.get, tenant, connection, entity)
            outcomes = self._pages.apply(
                message.tenant_id,
                message.connection_id,
                message.entity,
                message.odoo_ids,
                options=message.options,
                triggered_by=message.triggered_by,
                batch_id=message.batch_id,
                chunk=message.chunk,
            )
        self._commit_cursor(message, cursor.result())
        return outcomes

    # internals ------------------------------------------------------------------------------------
    def _commit_cursor(self, message: PullPageMessage, cursor: DeltaCursor) -> None:
        if cursor.pending_batch != message.batch_id:
            return
        # The pages run in the connection's lanes at once (and a retry numbers its pages afresh):
        # any page may be the one that completes the batch, the last-numbered one included.
        batch = self._batches.get(message.tenant_id, message.batch_id)
        if batch is None or batch.failed or batch.pending:
            return  # the next delta reads the window again
        self._cursors.commit(
            message.tenant_id, message.connection_id, message.entity, batch_id=message.batch_id
        )

    def _batch(  # noqa: PLR0917 - one batch's context
        self,
        tenant_id: str,
        connection_id: str,
        entity: str,
        ids: Sequence[int],
        sizes: tuple[int, int],
        options: PullOptions,
        triggered_by: TriggeredBy,
    ) -> tuple[Batch, list[PullPageMessage]]:
        """`sizes`: records per page, and the connection's lanes."""
        page_size, lanes = sizes
        now = iso(self._clock())
        batch = Batch(
            batch_id=new_batch_id(),
            tenant_id=tenant_id,
            entity=entity,
            connection_id=connection_id,
            total=len(ids),
            batch_size=page_size,
            direction=BatchDirection.FROM_ODOO,
            pull_options=options,
            triggered_by=triggered_by,
            created_at=now,
            finished_at=None if ids else now,
            actor=current_actor(),
            lanes=lanes,
        )
        self._batches.create(batch)
        return batch, pull_page_messages(batch, ids, triggered_by=triggered_by)

    def _enqueue(self, batch: Batch, messages: list[PullPageMessage], newest: str | None) -> None:
        """Queue the pages. With `newest` (the newest write_date read), the batch first names
        itself the entity's pending delta: its last page moves the cursor there, only if nothing
        failed (`_commit_cursor`)."""
        if not messages:
            return
        if newest is not None:
            self._cursors.begin(
                batch.tenant_id,
                batch.connection_id,
                batch.entity,
                batch_id=batch.batch_id,
                value=newest,
                last_chunk=messages[-1].chunk,
            )
        send_batch_messages(self._queue.send, self._batches, batch, messages)


def odoo_datetime(moment: datetime) -> str:
    """Odoo's domain format for a datetime: naive UTC to the second (17 silently drops offsets)."""
    return moment.astimezone(UTC).strftime(ODOO_DATETIME)


def parse_odoo_datetime(value: str) -> datetime:
    """Odoo's `YYYY-MM-DD HH:MM:SS[.ffffff]` (naive UTC) as an aware datetime."""
    text = value.strip().replace("T", " ")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(f"not an Odoo datetime: {value!r}", field="cursor") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

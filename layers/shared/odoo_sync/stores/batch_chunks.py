"""Counting a chunk's records into its batch: once each, whatever SQS redelivers, in one request.

Items (operations table):
  pk=TENANT#<tenant>#BATCH#<batch>  sk=CHUNK#<chunk>       the records this chunk counted: done, failed
  pk=TENANT#<tenant>#BATCH#<batch>  sk=FAILED#<local_id>   a failed record (state failed | retrying)

A chunk (one queue message: its number is unique in the batch, retries included) remembers which
of its records it counted done and which failed. Counting writes, in ONE transaction: that chunk
item (on the condition that it is as read: absent, or at the version read), the batch's counters
and the statistics counters (stores/stats.py), plus a FAILED# item per record that failed (a
retry lists them) or one that failed before and succeeds now, and the chunk's page of the sync
log (stores/sync_log.py). A redelivered chunk finds its
records in its chunk item and counts nothing twice; two deliveries at once cannot both commit.

Records that succeed, the usual case, cost no item of their own: 1 request per chunk. The first
delivery of a chunk (no chunk item yet) does not even read: it writes on the condition that the
chunk item is absent, and reads only when that condition fails (a redelivery). A retry chunk
(numbered from RETRY_CHUNK_BASE on) reads its records' FAILED# items: they are `retrying`.

The batch's counters record `last_progress_at`; the batch finished when its counters last moved
to complete, so its `finished_at` is that moment (derived when read: no request to find out).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.core.batches import RETRY_CHUNK_BASE
from odoo_sync.errors import StorageError
from odoo_sync.stores.batching import batch_get
from odoo_sync.stores.stats import DynamoStats
from odoo_sync.stores.sync_log import LogPage
from odoo_sync.stores.tenants import tenant_pk
from odoo_sync.sync.model import RecordOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

FAILED = "FAILED#"
CHUNK = "CHUNK#"
_MAX_TRANSACTION_ITEMS = 100
_ERROR_MESSAGE_CHARS = 500


class RecordState(StrEnum):
    NONE = "none"
    FAILED = "failed"
    RETRYING = "retrying"
    DONE = "done"


class ChunkMovedError(Exception):
    """The chunk item changed since it was read (another delivery): read again."""


class BatchMissingError(Exception):
    pass


class StatsMovedError(Exception):
    """A statistics item's last_sync_at is later than this chunk's: count without moving it."""


def batch_key(tenant_id: str, batch_id: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"BATCH#{batch_id}"}


def records_pk(tenant_id: str, batch_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#BATCH#{batch_id}"


def chunk_sk(chunk: int) -> str:
    return f"{CHUNK}{chunk:012d}"


@dataclass
class ChunkState:
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    version: int = 0  # 0: no chunk item yet

    @classmethod
    def of(cls, item: Mapping[str, Any] | None) -> ChunkState:
        if not item:
            return cls()
        return cls(
            done=[str(v) for v in item.get("done") or []],
            failed=[str(v) for v in item.get("failed") or []],
            version=int(str(item.get("version", 1))),
        )


@dataclass
class Change:
    """One record newly counted: where it goes in the chunk, the counters, its FAILED# item."""

    outcome: RecordOutcome
    to_done: bool
    from_failed: bool = False  # it was counted failed in this chunk before
    record_item: dict[str, Any] | None = None  # a Put/Update/Delete of its FAILED# item

    @property
    def succeeded(self) -> int:
        return 1 if self.to_done else 0

    @property
    def failed(self) -> int:
        return (0 if self.to_done else 1) - (1 if self.from_failed else 0)


class ChunkCounter:
    """DynamoBatches.record_chunk's work."""

    def __init__(self, table: Table, stats: DynamoStats, clock: Callable[[], str]) -> None:
        self._table = table
        self._stats = stats
        self._now = clock

    def count(
        self,
        tenant_id: str,
        batch_id: str,
        entity: str,
        outcomes: Sequence[RecordOutcome],
        *,
        chunk: int,
        newly_linked: int,
        attempts: int,
        log: LogPage | None = None,
    ) -> None:
        """Count the outcomes; `log` (its page not written yet) is written in the first
        transaction, and marked written."""
        latest = {outcome.local_id: outcome for outcome in outcomes}
        retry = chunk >= RETRY_CHUNK_BASE
        for attempt in range(attempts):
            # A first delivery finds no chunk item: it writes without reading (the condition checks).
            state = ChunkState() if attempt == 0 and not retry else self._read(tenant_id, batch_id, chunk)
            needed = [
                local_id
                for local_id, outcome in latest.items()
                if (local_id in state.failed and outcome.success)
                or (retry and local_id not in state.done and local_id not in state.failed)
            ]
            records = self._record_states(tenant_id, batch_id, needed) if needed else {}
            changes = self._plan(tenant_id, batch_id, latest, state, records, retry=retry)
            if not changes:
                return
            try:
                self._apply(tenant_id, batch_id, entity, chunk, state, changes, newly_linked, log)
                return
            except ChunkMovedError:
                continue
        raise StorageError("the batch's progress kept changing; the chunk will be retried")

    def states(
        self, tenant_id: str, batch_id: str, chunk: int, local_ids: Sequence[str]
    ) -> dict[str, RecordState]:
        """Each record's state as this chunk counted it (or as its FAILED# item says)."""
        state = self._read(tenant_id, batch_id, chunk)
        records = self._record_states(tenant_id, batch_id, local_ids)
        found: dict[str, RecordState] = {}
        for local_id in local_ids:
            if local_id in state.done:
                found[local_id] = RecordState.DONE
            else:
                found[local_id] = records.get(local_id, RecordState.NONE)
        return found

    # -- reading -------------------------------------------------------------------------------------

    def _read(self, tenant_id: str, batch_id: str, chunk: int) -> ChunkState:
        key = {"pk": records_pk(tenant_id, batch_id), "sk": chunk_sk(chunk)}
        try:
            item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise StorageError("storage failed to read the batch's progress") from exc
        return ChunkState.of(item)

    def _record_states(
        self, tenant_id: str, batch_id: str, local_ids: Sequence[str]
    ) -> dict[str, RecordState]:
        pk = records_pk(tenant_id, batch_id)
        keys = [{"pk": pk, "sk": f"{FAILED}{local_id}"} for local_id in dict.fromkeys(local_ids)]
        names = {"#state": "state"}
        items = batch_get(self._table, keys, "read the batch's records", projection="sk, #state", names=names)
        states: dict[str, RecordState] = {}
        for item in items:
            states[str(item["sk"]).removeprefix(FAILED)] = RecordState(str(item.get("state", "failed")))
        return states

    # -- planning ------------------------------------------------------------------------------------

    def _plan(
        self,
        tenant_id: str,
        batch_id: str,
        latest: Mapping[str, RecordOutcome],
        state: ChunkState,
        records: Mapping[str, RecordState],
        *,
        retry: bool,
    ) -> list[Change]:
        pk = records_pk(tenant_id, batch_id)
        now = self._now()
        done, failed = set(state.done), set(state.failed)
        changes: list[Change] = []
        for local_id, outcome in latest.items():
            key = {"pk": pk, "sk": f"{FAILED}{local_id}"}
            record = records.get(local_id, RecordState.NONE)
            if local_id in done:
                continue  # counted done by an earlier delivery: it stays done
            if local_id in failed:
                # Counted failed before: a success now moves it, unless a retry owns it already.
                if outcome.success and record is not RecordState.RETRYING:
                    item = None
                    if record is RecordState.FAILED:
                        item = self._delete_in_state(key, RecordState.FAILED)
                    changes.append(Change(outcome, to_done=True, from_failed=True, record_item=item))
                continue
            if retry:
                if record is not RecordState.RETRYING:
                    continue  # not re-queued by a retry (counted elsewhere): nothing to count here
                item = (
                    self._delete_in_state(key, RecordState.RETRYING)
                    if outcome.success
                    else self._failed_again(key, outcome, now)
                )
                changes.append(Change(outcome, to_done=outcome.success, record_item=item))
                continue
            item = None if outcome.success else self._put_failed(key, outcome, now)
            changes.append(Change(outcome, to_done=outcome.success, record_item=item))
        return changes

    # -- writing -------------------------------------------------------------------------------------

    def _apply(  # noqa: PLR0917 - one chunk's whole state
        self,
        tenant_id: str,
        batch_id: str,
        entity: str,
        chunk: int,
        state: ChunkState,
        changes: list[Change],
        newly_linked: int,
        log: LogPage | None,
    ) -> None:
        done, failed, version = list(state.done), list(state.failed), state.version
        fixed = (
            2 + self._stats.items_per_update + (len(log.items) if log is not None and not log.written else 0)
        )
        step = _MAX_TRANSACTION_ITEMS - fixed
        group: list[Change] = []
        slots = 0
        groups: list[list[Change]] = []
        for change in changes:
            if group and slots + (1 if change.record_item else 0) > step:
                groups.append(group)
                group, slots = [], 0
            group.append(change)
            slots += 1 if change.record_item else 0
        groups.append(group)
        for number, part in enumerate(groups):
            for change in part:
                local_id = change.outcome.local_id
                if change.from_failed:
                    failed.remove(local_id)
                (done if change.to_done else failed).append(local_id)
            linked = newly_linked if number == 0 else 0
            page = log if number == 0 and log is not None and not log.written else None
            self._transact(tenant_id, batch_id, entity, chunk, version, done, failed, part, linked, page)
            if page is not None:
                page.written = True
            version += 1

    def _transact(  # noqa: PLR0917 - one transaction's whole content
        self,
        tenant_id: str,
        batch_id: str,
        entity: str,
        chunk: int,
        version: int,
        done: list[str],
        failed: list[str],
        changes: list[Change],
        newly_linked: int,
        log: LogPage | None,
    ) -> None:
        now = self._now()
        chunk_item: dict[str, Any] = {
            "Put": {
                "TableName": self._table.name,
                "Item": {
                    "pk": records_pk(tenant_id, batch_id),
                    "sk": chunk_sk(chunk),
                    "done": list(done),
                    "failed": list(failed),
                    "version": version + 1,
                },
                "ConditionExpression": "attribute_not_exists(pk)" if version == 0 else "version = :read",
                **({"ExpressionAttributeValues": {":read": version}} if version else {}),
            }
        }
        counters = {
            "Update": {
                "TableName": self._table.name,
                "Key": batch_key(tenant_id, batch_id),
                "UpdateExpression": (
                    "ADD succeeded :s, failed :f "
                    "SET started_at = if_not_exists(started_at, :now), last_progress_at = :now"
                ),
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {
                    ":s": sum(c.succeeded for c in changes),
                    ":f": sum(c.failed for c in changes),
                    ":now": now,
                },
            }
        }
        records = [change.record_item for change in changes if change.record_item is not None]
        if log is not None:  # the chunk's log page, written with its count
            records += [{"Put": {"TableName": log.log.table_name, "Item": item}} for item in log.items]
        # An id the batch was given that names no record is a failure of the batch, not a sync.
        counted = [c.outcome for c in changes if (c.outcome.error_details or {}).get("code") != "not_found"]
        for moves_last_sync in (True, False):
            stats = self._stats.updates(
                tenant_id, entity, counted, newly_linked, moves_last_sync=moves_last_sync
            )
            try:
                self._write([chunk_item, counters, *records, *stats], stats_from=2 + len(records))
                return
            except StatsMovedError:
                continue

    def _write(self, items: list[dict[str, Any]], *, stats_from: int) -> None:
        try:
            self._table.meta.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            codes = [str(reason.get("Code")) for reason in exc.response.get("CancellationReasons", [])]
            if codes and codes[0] == "ConditionalCheckFailed":
                raise ChunkMovedError from exc
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                raise BatchMissingError from exc
            if "ConditionalCheckFailed" in codes[2:stats_from] or "TransactionConflict" in codes:
                raise ChunkMovedError from exc  # a record's state moved, or a writer raced: read again
            if "ConditionalCheckFailed" in codes[stats_from:]:
                raise StatsMovedError from exc
            raise StorageError("storage failed to update the batch's progress") from exc
        except BotoCoreError as exc:
            raise StorageError("storage failed to update the batch's progress") from exc

    def _put_failed(self, key: dict[str, str], outcome: RecordOutcome, now: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table.name,
                "Item": {**key, "state": RecordState.FAILED.value, **_error(outcome, now)},
            }
        }

    def _delete_in_state(self, key: dict[str, str], state: RecordState) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self._table.name,
                "Key": key,
                "ConditionExpression": "#state = :state",
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": {":state": state.value},
            }
        }

    def _failed_again(self, key: dict[str, str], outcome: RecordOutcome, now: str) -> dict[str, Any]:
        error = _error(outcome, now)
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": key,
                "UpdateExpression": "SET #state = :failed, error_message = :message, failed_at = :at",
                "ConditionExpression": "#state = :retrying",
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": {
                    ":failed": RecordState.FAILED.value,
                    ":retrying": RecordState.RETRYING.value,
                    ":message": error["error_message"],
                    ":at": now,
                },
            }
        }


def _error(outcome: RecordOutcome, now: str) -> dict[str, str]:
    return {"error_message": (outcome.error_message or "failed")[:_ERROR_MESSAGE_CHARS], "failed_at": now}

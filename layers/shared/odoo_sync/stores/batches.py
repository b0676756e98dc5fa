"""Batches and their progress in the operations table.

Items:
  pk=TENANT#<tenant>                 sk=BATCH#<batch>       the batch and its counters
  pk=TENANT#<tenant>#BATCH#<batch>   sk=CHUNK#<chunk>       the records one chunk counted (done, failed)
  pk=TENANT#<tenant>#BATCH#<batch>   sk=FAILED#<local_id>   a failed record (state failed | retrying)

Each record is counted once per chunk, whatever SQS redelivers: the chunk item, the counters and
the statistics are written in one conditional transaction (stores/batch_chunks.py). A retry
re-queues failed records in new chunks (numbered from RETRY_CHUNK_BASE on): their FAILED# items
say `retrying` until the retry chunk counts them. A batch is finished when its counters reach
its total (and selection has ended); `finished_at` is the moment they last moved
(`last_progress_at`), derived when the batch is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.core.batches import Batch, BatchStatus
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.core.ports import PendingLog
from odoo_sync.errors import ConflictError, NotFoundError, StorageError
from odoo_sync.stores.batch_chunks import (
    FAILED,
    BatchMissingError,
    ChunkCounter,
    RecordState,
    batch_key,
    records_pk,
)
from odoo_sync.stores.batching import batch_get
from odoo_sync.stores.dynamodb import (
    ConditionFailedError,
    decode_cursor,
    encode_cursor,
    storage_errors,
    strip_keys,
    to_item,
)
from odoo_sync.stores.stats import DynamoStats
from odoo_sync.stores.sync_log import LogPage
from odoo_sync.sync.model import RecordOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

__all__ = ["DynamoBatches", "RecordState", "batch_key", "records_pk"]

_MAX_TRANSACTION_ITEMS = 100
_RACE_ATTEMPTS = 4
_LOG_IN_TRANSACTION_BYTES = 1_500_000  # a transaction takes 4 MB; larger pages go on their own


class DynamoBatches:
    """core.ports.BatchProgress for the workers, core.batches.BatchStore for the routes."""

    def __init__(
        self,
        table: Table,
        *,
        stats: DynamoStats | None = None,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`stats`: the statistics counters a chunk's count also adds to (same table by default)."""
        self._table = table
        self._clock = clock
        self._sleep = sleep
        self._counter = ChunkCounter(table, stats or DynamoStats(table), lambda: iso(self._clock()))

    # -- the routes -------------------------------------------------------------------------------

    def create(self, batch: Batch) -> None:
        try:
            with storage_errors("store the batch"):
                item = to_item(batch, **batch_key(batch.tenant_id, batch.batch_id))
                # Absent, not null: started_at and finished_at are set by "if not exists" updates.
                self._table.put_item(
                    Item={name: value for name, value in item.items() if value is not None},
                    ConditionExpression="attribute_not_exists(pk)",
                )
        except ConditionFailedError as exc:
            raise ConflictError("a batch with this id already exists", field="batch_id") from exc

    def get(self, tenant_id: str, batch_id: str) -> Batch | None:
        with storage_errors("read the batch"):
            item = self._table.get_item(Key=batch_key(tenant_id, batch_id), ConsistentRead=True).get("Item")
        if not item:
            return None
        batch = Batch.model_validate(strip_keys(item))
        if batch.finished_at is None and batch.status not in (BatchStatus.QUEUED, BatchStatus.RUNNING):
            # Finished when its counters last moved: that is when they reached the total.
            batch = batch.model_copy(update={"finished_at": batch.last_progress_at or batch.created_at})
        return batch

    def shrink_total(self, tenant_id: str, batch_id: str, by: int) -> None:
        if by <= 0:
            return
        with storage_errors("update the batch"):
            self._table.update_item(
                Key=batch_key(tenant_id, batch_id),
                UpdateExpression="ADD #total :minus SET last_progress_at = :now",
                ExpressionAttributeNames={"#total": "total"},
                ExpressionAttributeValues={":minus": -by, ":now": iso(self._clock())},
            )

    def record_slice(
        self, tenant_id: str, batch_id: str, slice_number: int, queued: int, *, last: bool
    ) -> bool:
        selection = ", selecting = :false" if last else ""
        try:
            with storage_errors("count the selected records"):
                self._table.update_item(
                    Key=batch_key(tenant_id, batch_id),
                    UpdateExpression=(
                        f"SET next_slice = :next, last_progress_at = :now{selection} ADD #total :queued"
                    ),
                    # Counted once per slice: a redelivered selection step finds it counted.
                    ConditionExpression="attribute_exists(pk) AND next_slice = :slice",
                    ExpressionAttributeNames={"#total": "total"},
                    ExpressionAttributeValues={
                        ":next": slice_number + 1,
                        ":slice": slice_number,
                        ":queued": queued,
                        ":now": iso(self._clock()),
                        **({":false": False} if last else {}),
                    },
                )
        except ConditionFailedError:
            return False
        return True

    def end_selection(self, tenant_id: str, batch_id: str) -> None:
        with storage_errors("end the selection"):
            self._table.update_item(
                Key=batch_key(tenant_id, batch_id),
                UpdateExpression="SET selecting = :false, last_progress_at = :now",
                ExpressionAttributeValues={":false": False, ":now": iso(self._clock())},
            )

    def failed_local_ids(
        self, tenant_id: str, batch_id: str, limit: int, cursor: str | None
    ) -> tuple[list[str], str | None]:
        pk = records_pk(tenant_id, batch_id)
        start = decode_cursor(cursor, partition_key=pk)
        found: list[str] = []
        last_key: dict[str, Any] | None = None
        while len(found) < limit:
            query: dict[str, Any] = {
                "KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with(FAILED),
                "FilterExpression": Attr("state").eq(RecordState.FAILED.value),
                "ProjectionExpression": "pk, sk",
                "Limit": limit,
            }
            if start is not None:
                query["ExclusiveStartKey"] = start
            with storage_errors("list the failed records"):
                page = self._table.query(**query)
            for item in page.get("Items", []):
                found.append(str(item["sk"]).removeprefix(FAILED))
                last_key = {"pk": pk, "sk": item["sk"]}
                if len(found) == limit:
                    break
            start = page.get("LastEvaluatedKey")
            if start is None:
                return found, encode_cursor(last_key) if len(found) == limit else None
        return found, encode_cursor(last_key)

    def failed_among(self, tenant_id: str, batch_id: str, local_ids: Sequence[str]) -> set[str]:
        pk = records_pk(tenant_id, batch_id)
        items = self._batch_get([{"pk": pk, "sk": f"{FAILED}{local_id}"} for local_id in local_ids])
        return {
            str(item["sk"]).removeprefix(FAILED)
            for item in items
            if item.get("state") == RecordState.FAILED.value
        }

    def start_retry(self, tenant_id: str, batch_id: str) -> int:
        try:
            with storage_errors("count the retry"):
                answer = self._table.update_item(
                    Key=batch_key(tenant_id, batch_id),
                    UpdateExpression="ADD retries :one",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":one": 1},
                    ReturnValues="UPDATED_NEW",
                )
        except ConditionFailedError as exc:
            raise NotFoundError("batch", batch_id, field="batch_id") from exc
        return int(answer["Attributes"]["retries"])  # type: ignore[arg-type]

    def mark_retrying(self, tenant_id: str, batch_id: str, local_ids: Sequence[str]) -> None:
        try:
            self._switch(tenant_id, batch_id, local_ids, RecordState.FAILED, RecordState.RETRYING)
        except ConditionFailedError as exc:
            raise ConflictError("some of these records are already being retried", field="local_ids") from exc

    def unmark_retrying(self, tenant_id: str, batch_id: str, local_ids: Sequence[str]) -> None:
        try:
            self._switch(tenant_id, batch_id, local_ids, RecordState.RETRYING, RecordState.FAILED)
        except ConditionFailedError as exc:
            raise ConflictError("these records are no longer being retried", field="local_ids") from exc

    # -- the workers (core.ports.BatchProgress) ---------------------------------------------------

    def record_chunk(
        self,
        tenant_id: str,
        batch_id: str,
        entity: str,
        outcomes: Sequence[RecordOutcome],
        *,
        chunk: int,
        newly_linked: int = 0,
        log: PendingLog | None = None,
    ) -> None:
        """`log`: the chunk's log entries; a page of ours rides in the count's transaction."""
        page = log if isinstance(log, LogPage) and log.size <= _LOG_IN_TRANSACTION_BYTES else None
        if log is not None and page is None:
            log.write()
        try:
            if outcomes:
                self._counter.count(
                    tenant_id,
                    batch_id,
                    entity,
                    outcomes,
                    chunk=chunk,
                    newly_linked=newly_linked,
                    attempts=_RACE_ATTEMPTS,
                    log=page,
                )
        except BatchMissingError as exc:
            raise NotFoundError("batch", batch_id, field="batch_id") from exc
        if page is not None:
            page.write()  # nothing left to count (a redelivery): the entries go on their own

    def note_failure(self, tenant_id: str, batch_id: str, key: str, now: float) -> tuple[float, int]:
        """A chunk (or selection step) of the batch failed as a whole at `now` (epoch seconds): when
        it first failed and how many times it has, this one included (core.recovery decides)."""
        with storage_errors("note the chunk's failure"):
            answer = self._table.update_item(
                Key={"pk": records_pk(tenant_id, batch_id), "sk": f"RETRY#{key}"},
                UpdateExpression="SET first_failed_at = if_not_exists(first_failed_at, :now) ADD failures :n",
                ExpressionAttributeValues={":now": Decimal(str(round(now, 3))), ":n": 1},
                ReturnValues="ALL_NEW",
            )
        stored = answer["Attributes"]
        return float(str(stored["first_failed_at"])), int(str(stored["failures"]))

    def record_states(
        self, tenant_id: str, batch_id: str, local_ids: Sequence[str], *, chunk: int
    ) -> dict[str, RecordState]:
        """Each record's state as `chunk` counted it (failed ones as their FAILED# item says)."""
        return self._counter.states(tenant_id, batch_id, chunk, local_ids)

    # -- internals --------------------------------------------------------------------------------

    def _transact_items(self, items: list[dict[str, Any]], batch_item_index: int) -> None:
        try:
            self._table.meta.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            codes = [reason.get("Code") for reason in reasons]
            if len(codes) > batch_item_index and codes[batch_item_index] == "ConditionalCheckFailed":
                raise BatchMissingError from exc
            if "ConditionalCheckFailed" in codes:
                raise ConditionFailedError("update the batch's progress") from exc
            raise StorageError("storage failed to update the batch's progress") from exc
        except BotoCoreError as exc:
            raise StorageError("storage failed to update the batch's progress") from exc

    def _switch(
        self, tenant_id: str, batch_id: str, local_ids: Sequence[str], old: RecordState, new: RecordState
    ) -> None:
        pk = records_pk(tenant_id, batch_id)
        step = _MAX_TRANSACTION_ITEMS - 1
        for start in range(0, len(local_ids), step):
            group = local_ids[start : start + step]
            items: list[dict[str, Any]] = [
                {
                    "Update": {
                        "TableName": self._table.name,
                        "Key": {"pk": pk, "sk": f"{FAILED}{local_id}"},
                        "UpdateExpression": "SET #state = :new",
                        "ConditionExpression": "#state = :old",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {":new": new.value, ":old": old.value},
                    }
                }
                for local_id in group
            ]
            # Re-queued records are pending again: failed goes down, and the batch is not finished.
            delta = -len(group) if new is RecordState.RETRYING else len(group)
            counters = {
                "Update": {
                    "TableName": self._table.name,
                    "Key": batch_key(tenant_id, batch_id),
                    "UpdateExpression": "ADD failed :delta SET last_progress_at = :now",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":delta": delta, ":now": iso(self._clock())},
                }
            }
            try:
                self._transact_items([*items, counters], batch_item_index=len(items))
            except BatchMissingError as exc:
                raise NotFoundError("batch", batch_id, field="batch_id") from exc

    def _batch_get(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        return batch_get(self._table, keys, "read the batch's records")

"""Batches and their progress in the operations table.

Items:
  pk=TENANT#<tenant>                 sk=BATCH#<batch>       the batch and its counters
  pk=TENANT#<tenant>#BATCH#<batch>   sk=FAILED#<local_id>   a failed record (state failed | retrying)
  pk=TENANT#<tenant>#BATCH#<batch>   sk=DONE#<local_id>     a record the batch pushed successfully

Each record is counted once per batch: its state item and the counter change are written in one
transaction, conditional on the state read just before. A redelivered chunk finds its records
already done or failed and changes nothing; a record that failed and later succeeds moves from
failed to succeeded. `finished_at` is set once per completion, by whichever writer sees the
counters reach the total.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.core.batches import Batch
from odoo_sync.core.ids import iso, utc_now
from odoo_sync.errors import ConflictError, NotFoundError, StorageError
from odoo_sync.stores.dynamodb import (
    ConditionFailedError,
    decode_cursor,
    encode_cursor,
    storage_errors,
    strip_keys,
    to_item,
)
from odoo_sync.stores.tenants import tenant_pk
from odoo_sync.sync.model import RecordOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_BATCH_SK = "BATCH#"
_FAILED = "FAILED#"
_DONE = "DONE#"
_MAX_TRANSACTION_ITEMS = 100
_MAX_BATCH_GET_KEYS = 100
_RACE_ATTEMPTS = 3
_IO_ATTEMPTS = 6
_ERROR_MESSAGE_CHARS = 500


class RecordState(StrEnum):
    NONE = "none"
    FAILED = "failed"
    RETRYING = "retrying"
    DONE = "done"


@dataclass
class _RecordChange:
    items: list[dict[str, Any]]
    succeeded: int = 0
    failed: int = 0


@dataclass
class _Plan:
    changes: list[_RecordChange] = field(default_factory=list)


class _BatchMissingError(Exception):
    pass


def batch_key(tenant_id: str, batch_id: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"{_BATCH_SK}{batch_id}"}


def records_pk(tenant_id: str, batch_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#BATCH#{batch_id}"


class DynamoBatches:
    """core.ports.BatchProgress for the workers, core.batches.BatchStore for the routes."""

    def __init__(
        self,
        table: Table,
        *,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._table = table
        self._clock = clock
        self._sleep = sleep

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
        return Batch.model_validate(strip_keys(item)) if item else None

    def shrink_total(self, tenant_id: str, batch_id: str, by: int) -> None:
        if by <= 0:
            return
        with storage_errors("update the batch"):
            self._table.update_item(
                Key=batch_key(tenant_id, batch_id),
                UpdateExpression="ADD #total :minus",
                ExpressionAttributeNames={"#total": "total"},
                ExpressionAttributeValues={":minus": -by},
            )
        self._finish_if_done(tenant_id, batch_id)

    def record_slice(
        self, tenant_id: str, batch_id: str, slice_number: int, queued: int, *, last: bool
    ) -> bool:
        selection = ", selecting = :false" if last else ""
        try:
            with storage_errors("count the selected records"):
                self._table.update_item(
                    Key=batch_key(tenant_id, batch_id),
                    UpdateExpression=f"SET next_slice = :next{selection} ADD #total :queued",
                    # Counted once per slice: a redelivered selection step finds it counted.
                    ConditionExpression="attribute_exists(pk) AND next_slice = :slice",
                    ExpressionAttributeNames={"#total": "total"},
                    ExpressionAttributeValues={
                        ":next": slice_number + 1,
                        ":slice": slice_number,
                        ":queued": queued,
                        **({":false": False} if last else {}),
                    },
                )
        except ConditionFailedError:
            return False
        self._finish_if_done(tenant_id, batch_id)
        return True

    def end_selection(self, tenant_id: str, batch_id: str) -> None:
        with storage_errors("end the selection"):
            self._table.update_item(
                Key=batch_key(tenant_id, batch_id),
                UpdateExpression="SET selecting = :false",
                ExpressionAttributeValues={":false": False},
            )
        self._finish_if_done(tenant_id, batch_id)

    def failed_local_ids(
        self, tenant_id: str, batch_id: str, limit: int, cursor: str | None
    ) -> tuple[list[str], str | None]:
        pk = records_pk(tenant_id, batch_id)
        start = decode_cursor(cursor, partition_key=pk)
        found: list[str] = []
        last_key: dict[str, Any] | None = None
        while len(found) < limit:
            query: dict[str, Any] = {
                "KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with(_FAILED),
                "FilterExpression": Attr("state").eq(RecordState.FAILED.value),
                "ProjectionExpression": "pk, sk",
                "Limit": limit,
            }
            if start is not None:
                query["ExclusiveStartKey"] = start
            with storage_errors("list the failed records"):
                page = self._table.query(**query)
            for item in page.get("Items", []):
                found.append(str(item["sk"]).removeprefix(_FAILED))
                last_key = {"pk": pk, "sk": item["sk"]}
                if len(found) == limit:
                    break
            start = page.get("LastEvaluatedKey")
            if start is None:
                return found, encode_cursor(last_key) if len(found) == limit else None
        return found, encode_cursor(last_key)

    def failed_among(self, tenant_id: str, batch_id: str, local_ids: Sequence[str]) -> set[str]:
        pk = records_pk(tenant_id, batch_id)
        items = self._batch_get([{"pk": pk, "sk": f"{_FAILED}{local_id}"} for local_id in local_ids])
        return {
            str(item["sk"]).removeprefix(_FAILED)
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
        self._finish_if_done(tenant_id, batch_id)

    # -- the workers (core.ports.BatchProgress) ---------------------------------------------------

    def record_chunk(
        self, tenant_id: str, batch_id: str, entity: str, outcomes: Sequence[RecordOutcome]
    ) -> None:
        latest = {outcome.local_id: outcome for outcome in outcomes}
        for attempt in range(1, _RACE_ATTEMPTS + 1):
            states = self.record_states(tenant_id, batch_id, list(latest))
            plan = self._plan(tenant_id, batch_id, latest, states)
            try:
                self._apply(tenant_id, batch_id, plan)
                break
            except _BatchMissingError as exc:
                raise NotFoundError("batch", batch_id, field="batch_id") from exc
            except ConditionFailedError as exc:
                # Another delivery of the same records moved them meanwhile: read again.
                if attempt == _RACE_ATTEMPTS:
                    raise StorageError(
                        "the batch's progress kept changing; the chunk will be retried"
                    ) from exc
        self._finish_if_done(tenant_id, batch_id)

    def record_states(
        self, tenant_id: str, batch_id: str, local_ids: Sequence[str]
    ) -> dict[str, RecordState]:
        pk = records_pk(tenant_id, batch_id)
        keys = [
            {"pk": pk, "sk": f"{prefix}{local_id}"} for local_id in local_ids for prefix in (_FAILED, _DONE)
        ]
        states = dict.fromkeys(local_ids, RecordState.NONE)
        for item in self._batch_get(keys):
            sk = str(item["sk"])
            if sk.startswith(_DONE):
                states[sk.removeprefix(_DONE)] = RecordState.DONE
            else:
                local_id = sk.removeprefix(_FAILED)
                if states.get(local_id) is not RecordState.DONE:
                    states[local_id] = RecordState(str(item.get("state", RecordState.FAILED.value)))
        return states

    # -- internals --------------------------------------------------------------------------------

    def _plan(
        self,
        tenant_id: str,
        batch_id: str,
        outcomes: dict[str, RecordOutcome],
        states: dict[str, RecordState],
    ) -> _Plan:
        pk = records_pk(tenant_id, batch_id)
        now = iso(self._clock())
        plan = _Plan()
        for local_id, outcome in outcomes.items():
            state = states[local_id]
            failed_key = {"pk": pk, "sk": f"{_FAILED}{local_id}"}
            done_item = {"pk": pk, "sk": f"{_DONE}{local_id}", "done_at": now}
            if state is RecordState.DONE:
                continue
            if outcome.success:
                items = [self._put_new(done_item)]
                if state is not RecordState.NONE:
                    items.append(self._delete_in_state(failed_key, state))
                plan.changes.append(
                    _RecordChange(items, succeeded=1, failed=-1 if state is RecordState.FAILED else 0)
                )
            elif state is RecordState.NONE:
                failed_item = {**failed_key, "state": RecordState.FAILED.value, **_error(outcome, now)}
                plan.changes.append(_RecordChange([self._put_new(failed_item)], failed=1))
            elif state is RecordState.RETRYING:
                plan.changes.append(_RecordChange([self._failed_again(failed_key, outcome, now)], failed=1))
        return plan

    def _apply(self, tenant_id: str, batch_id: str, plan: _Plan) -> None:
        group: list[_RecordChange] = []
        size = 0
        for change in plan.changes:
            if size + len(change.items) >= _MAX_TRANSACTION_ITEMS:
                self._transact(tenant_id, batch_id, group)
                group, size = [], 0
            group.append(change)
            size += len(change.items)
        if group:
            self._transact(tenant_id, batch_id, group)

    def _transact(self, tenant_id: str, batch_id: str, changes: list[_RecordChange]) -> None:
        counters = {
            "Update": {
                "TableName": self._table.name,
                "Key": batch_key(tenant_id, batch_id),
                "UpdateExpression": (
                    "ADD succeeded :s, failed :f SET started_at = if_not_exists(started_at, :now)"
                ),
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {
                    ":s": sum(c.succeeded for c in changes),
                    ":f": sum(c.failed for c in changes),
                    ":now": iso(self._clock()),
                },
            }
        }
        items = [item for change in changes for item in change.items]
        self._transact_items([*items, counters], batch_item_index=len(items))

    def _transact_items(self, items: list[dict[str, Any]], batch_item_index: int) -> None:
        try:
            self._table.meta.client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            codes = [reason.get("Code") for reason in reasons]
            if len(codes) > batch_item_index and codes[batch_item_index] == "ConditionalCheckFailed":
                raise _BatchMissingError from exc
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
                        "Key": {"pk": pk, "sk": f"{_FAILED}{local_id}"},
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
                    "UpdateExpression": "ADD failed :delta REMOVE finished_at",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":delta": delta},
                }
            }
            try:
                self._transact_items([*items, counters], batch_item_index=len(items))
            except _BatchMissingError as exc:
                raise NotFoundError("batch", batch_id, field="batch_id") from exc

    def _finish_if_done(self, tenant_id: str, batch_id: str) -> None:
        batch = self.get(tenant_id, batch_id)
        if batch is None or batch.finished_at is not None or batch.pending > 0 or batch.selecting:
            return
        try:
            with storage_errors("finish the batch"):
                self._table.update_item(
                    Key=batch_key(tenant_id, batch_id),
                    UpdateExpression="SET finished_at = :now",
                    # Only the counters as read: a concurrent change re-checks for itself.
                    ConditionExpression=(
                        "attribute_not_exists(finished_at) AND succeeded = :s AND failed = :f AND #total = :t"
                        " AND (attribute_not_exists(selecting) OR selecting = :false)"
                    ),
                    ExpressionAttributeNames={"#total": "total"},
                    ExpressionAttributeValues={
                        ":now": iso(self._clock()),
                        ":s": batch.succeeded,
                        ":f": batch.failed,
                        ":t": batch.total,
                        ":false": False,
                    },
                )
        except ConditionFailedError:
            return

    def _batch_get(self, keys: list[dict[str, str]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), _MAX_BATCH_GET_KEYS):
            found.extend(self._batch_get_page(keys[start : start + _MAX_BATCH_GET_KEYS]))
        return found

    def _batch_get_page(self, keys: list[dict[str, str]]) -> Iterator[dict[str, Any]]:
        request: dict[str, Any] = {self._table.name: {"Keys": keys, "ConsistentRead": True}}
        for attempt in range(_IO_ATTEMPTS):
            with storage_errors("read the batch's records"):
                answer = self._table.meta.client.batch_get_item(RequestItems=request)
            yield from answer.get("Responses", {}).get(self._table.name, [])
            request = dict(answer.get("UnprocessedKeys") or {})
            if not request:
                return
            self._sleep(min(2.0, 0.05 * 2**attempt))
        raise StorageError("storage kept refusing to read the batch's records")

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table.name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk)",
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

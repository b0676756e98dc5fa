"""Schedules in the configuration table, and the sparse index the tick queries for due ones.

  pk=TENANT#<tenant_id>  sk=SCHEDULE#<schedule_id>   the schedule, one attribute per field
                                                    (filters as JSON text, so numbers keep their type)
  due_shard=DUE#<0..3>  due_at=<next_run_at>        only while enabled: index DueSchedules

The tick asks each shard for `due_at <= now` (a query, oldest first). Disabling a schedule
removes both attributes, so a disabled schedule is not even in the index; the shard (from the
schedule id) spreads the index's writes over several partitions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from odoo_sync.core.bulk import BulkFilters
from odoo_sync.core.schedule_runs import RunOutcome
from odoo_sync.core.schedules import DueSchedule, Schedule
from odoo_sync.errors import ConflictError
from odoo_sync.stores.dynamodb import (
    ConditionFailedError,
    query_page,
    storage_errors,
    strip_keys,
)
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

DUE_INDEX = "DueSchedules"
DUE_SHARDS = 4
_SK_PREFIX = "SCHEDULE#"
_DUE_PREFIX = "DUE#"
# The tick's fields: a tenant's edit never writes them, so it cannot undo a run being recorded.
_RUN_FIELDS = frozenset({"last_run_at", "last_batch_ids", "last_error", "pushed_since"})
_FIXED_FIELDS = frozenset({"schedule_id", "tenant_id", "created_at", "created_by"})


class DynamoScheduleStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def put_new(self, schedule: Schedule) -> None:
        try:
            with storage_errors("store the schedule"):
                self._table.put_item(Item=_item(schedule), ConditionExpression="attribute_not_exists(pk)")
        except ConditionFailedError as exc:
            raise ConflictError("a schedule with this id already exists", field="schedule_id") from exc

    def get(self, tenant_id: str, schedule_id: str) -> Schedule | None:
        with storage_errors("read the schedule"):
            item = self._table.get_item(Key=_key(tenant_id, schedule_id), ConsistentRead=True).get("Item")
        return _schedule(item) if item else None

    def list(self, tenant_id: str, limit: int, cursor: str | None) -> tuple[list[Schedule], str | None]:
        page, next_cursor = query_page(
            self._table, tenant_pk(tenant_id), _SK_PREFIX, limit, cursor, action="list schedules"
        )
        return [_schedule(item) for item in page], next_cursor

    def update_definition(self, schedule: Schedule, expected_version: int) -> None:
        item = _item(schedule)
        fields = sorted(set(item) - _RUN_FIELDS - _FIXED_FIELDS - {"pk", "sk", "due_shard", "due_at"})
        names = {f"#{field}": field for field in fields}
        values: dict[str, Any] = {f":{field}": item[field] for field in fields}
        sets = [f"#{field} = :{field}" for field in fields]
        if "due_at" in item:
            sets += ["due_shard = :due_shard", "due_at = :due_at"]
            values |= {":due_shard": item["due_shard"], ":due_at": item["due_at"]}
            expression = "SET " + ", ".join(sets)
        else:
            expression = "SET " + ", ".join(sets) + " REMOVE due_shard, due_at"
        values[":expected"] = expected_version
        try:
            with storage_errors("update the schedule"):
                self._table.update_item(
                    Key=_key(schedule.tenant_id, schedule.schedule_id),
                    UpdateExpression=expression,
                    ConditionExpression="attribute_exists(pk) AND #version = :expected",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
        except ConditionFailedError as exc:
            raise ConflictError(
                "the schedule was changed or deleted meanwhile; read it again", field="schedule_id"
            ) from exc

    def delete(self, tenant_id: str, schedule_id: str) -> bool:
        with storage_errors("delete the schedule"):
            answer = self._table.delete_item(Key=_key(tenant_id, schedule_id), ReturnValues="ALL_OLD")
        return "Attributes" in answer

    def due(self, now: str, limit: int) -> Iterator[DueSchedule]:
        found = 0
        for shard in range(DUE_SHARDS):
            query: dict[str, Any] = {
                "IndexName": DUE_INDEX,
                "KeyConditionExpression": Key("due_shard").eq(f"{_DUE_PREFIX}{shard}")
                & Key("due_at").lte(now),
            }
            while found < limit:
                with storage_errors("find due schedules"):
                    page = self._table.query(**query, Limit=limit - found)
                for item in page.get("Items", []):
                    found += 1
                    yield DueSchedule(tenant_id=str(item["tenant_id"]), schedule_id=str(item["schedule_id"]))
                if "LastEvaluatedKey" not in page:
                    break
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def claim(self, tenant_id: str, schedule_id: str, seen_next_run_at: str, next_run_at: str) -> bool:
        try:
            with storage_errors("advance the schedule"):
                self._table.update_item(
                    Key=_key(tenant_id, schedule_id),
                    UpdateExpression="SET next_run_at = :next, due_at = :next",
                    ConditionExpression="is_enabled = :enabled AND next_run_at = :seen",
                    ExpressionAttributeValues={
                        ":next": next_run_at,
                        ":seen": seen_next_run_at,
                        ":enabled": True,
                    },
                )
        except ConditionFailedError:
            return False
        return True

    def record_run(self, tenant_id: str, schedule_id: str, outcome: RunOutcome) -> None:
        sets = ["last_run_at = :at", "last_batch_ids = :ids", "last_error = :error"]
        if outcome.pushed:
            sets.append("pushed_since = :at")
        try:
            with storage_errors("record the schedule's run"):
                self._table.update_item(
                    Key=_key(tenant_id, schedule_id),
                    UpdateExpression="SET " + ", ".join(sets),
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={
                        ":at": outcome.started_at,
                        ":ids": outcome.batch_ids,
                        ":error": outcome.error,
                    },
                )
        except ConditionFailedError:
            return  # deleted while it started: nothing left to record on


def due_shard(schedule_id: str) -> str:
    return f"{_DUE_PREFIX}{int(schedule_id[-1], 16) % DUE_SHARDS}"


def _key(tenant_id: str, schedule_id: str) -> dict[str, str]:
    return {"pk": tenant_pk(tenant_id), "sk": f"{_SK_PREFIX}{schedule_id}"}


def _item(schedule: Schedule) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(schedule.model_dump_json(exclude={"filters"}))
    item = {
        **_key(schedule.tenant_id, schedule.schedule_id),
        **body,
        "filters": schedule.filters.model_dump_json(),
    }
    if schedule.is_enabled and schedule.next_run_at is not None:
        item |= {"due_shard": due_shard(schedule.schedule_id), "due_at": schedule.next_run_at}
    return item


def _schedule(item: dict[str, Any]) -> Schedule:
    body = strip_keys(item)
    body["filters"] = BulkFilters.model_validate_json(str(body.get("filters") or "{}"))
    return Schedule.model_validate(body)

"""Conflicts in the operations table, one partition per tenant.

Items (pk=TENANT#<tenant>#CONFLICTS):
  sk=ID#<conflict_id>                                           the conflict, by its id
  sk=OPEN#<entity>#<connection>#<local_id>#<odoo_field>         a copy while it is open
  sk=RESOLVED#<entity>#<resolved_at>#<conflict_id>              a copy once resolved

The OPEN item's key is the field itself, so there is at most one open conflict per (connection,
entity, record, field): a second detection finds the key taken and refreshes that conflict's
values instead of opening another (conditional writes, no read-then-write race). Resolving moves
the copy from OPEN to RESOLVED in the same transaction that closes the conflict, conditional on
it being open, so two resolutions never both succeed. Lists read the OPEN or RESOLVED range of
the tenant's partition (by entity when asked), never a scan. No key part may hold '#' (entity
names, connection ids, local ids and Odoo field names cannot).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from odoo_sync.actors import Actor
from odoo_sync.core.conflicts import Conflict, ConflictQuery, DetectedConflict, Resolution
from odoo_sync.core.ids import iso, new_id, utc_now
from odoo_sync.core.warm_cache import CONFLICTS, changed, generation
from odoo_sync.errors import ConflictError, InvalidInputError, StorageError
from odoo_sync.stores.dynamodb import ConditionFailedError, decode_cursor, encode_cursor, storage_errors
from odoo_sync.stores.tenants import tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

OPEN_FIELDS_MAX_AGE_S = 5.0
_ID = "ID#"
_OPEN = "OPEN#"
_RESOLVED = "RESOLVED#"
_RACE_ATTEMPTS = 3
_OPEN_PER_READ = 1_000
# What a repeated detection refreshes; the id, the first detection time and the status stay.
_REFRESHED = (
    "odoo_id",
    "local_fields",
    "base",
    "local_value",
    "odoo_value",
    "odoo_as_local",
    "last_detected_at",
)


def conflicts_pk(tenant_id: str) -> str:
    return f"{tenant_pk(tenant_id)}#CONFLICTS"


def open_sk(connection_id: str, entity: str, local_id: str, odoo_field: str) -> str:
    return f"{_OPEN}{entity}#{connection_id}#{local_id}#{odoo_field}"


class DynamoConflicts:
    """core.conflicts.ConflictRepository (and so the ConflictRecorder the sync paths use)."""

    def __init__(self, table: Table, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._table = table
        self._clock = clock
        self._open: dict[tuple[str, str, str], tuple[float, int, dict[str, set[str]]]] = {}
        self._open_lock = threading.Lock()

    # -- recording ------------------------------------------------------------------------------

    def hold(self, tenant_id: str, conflicts: Sequence[DetectedConflict]) -> None:
        for found in conflicts:
            self._hold_one(tenant_id, found)

    def _hold_one(self, tenant_id: str, found: DetectedConflict) -> None:
        pk = conflicts_pk(tenant_id)
        open_key = {
            "pk": pk,
            "sk": open_sk(found.connection_id, found.entity, found.local_id, found.odoo_field),
        }
        for _ in range(_RACE_ATTEMPTS):
            conflict = Conflict.detected(found, new_id("cfl"), iso(utc_now()))
            try:
                self._transact(
                    [
                        self._put_new({"pk": pk, "sk": f"{_ID}{conflict.conflict_id}"}, conflict),
                        self._put_new(open_key, conflict),
                    ],
                    "record the conflict",
                )
                return
            except ConditionFailedError:
                pass  # this field already has an open conflict: refresh it
            with storage_errors("read the conflict"):
                current = self._table.get_item(Key=open_key, ConsistentRead=True).get("Item")
            if current is None:
                continue  # resolved meanwhile: open a new one
            try:
                self._refresh(pk, open_key, str(current["conflict_id"]), conflict)
                return
            except ConditionFailedError:
                continue
        raise StorageError("storage failed to record the conflict: it kept changing meanwhile")

    def _refresh(self, pk: str, open_key: dict[str, str], conflict_id: str, fresh: Conflict) -> None:
        values = _dynamo(fresh.model_dump(mode="json", include=set(_REFRESHED)))
        update = {
            "UpdateExpression": "SET " + ", ".join(f"#{name} = :{name}" for name in _REFRESHED),
            "ConditionExpression": "#status = :open AND #conflict_id = :id",
            "ExpressionAttributeNames": {
                **{f"#{name}": name for name in _REFRESHED},
                "#status": "status",
                "#conflict_id": "conflict_id",
            },
            "ExpressionAttributeValues": {
                **{f":{name}": values[name] for name in _REFRESHED},
                ":open": "open",
                ":id": conflict_id,
            },
        }
        self._transact(
            [
                {"Update": {"TableName": self._table.name, "Key": key, **update}}
                for key in ({"pk": pk, "sk": f"{_ID}{conflict_id}"}, open_key)
            ],
            "refresh the conflict",
        )

    def open_fields(self, tenant_id: str, connection_id: str, entity: str, local_id: str) -> set[str]:
        prefix = f"{_OPEN}{entity}#{connection_id}#{local_id}#"
        return {str(item["odoo_field"]) for item in self._range(conflicts_pk(tenant_id), prefix)}

    def open_fields_many(
        self, tenant_id: str, connection_id: str, entity: str, local_ids: Sequence[str]
    ) -> dict[str, set[str]]:
        """One query over the entity's open conflicts on the connection (few, by nature), kept
        OPEN_FIELDS_MAX_AGE_S seconds for the chunks that follow (forgotten at once when this
        process records or resolves a conflict of the tenant). A conflict another worker holds
        meanwhile is seen by the next chunk: the window is of the order of the one between a
        chunk's read and its write to Odoo, which exists anyway."""
        wanted = set(local_ids)
        if not wanted:
            return {}
        key, now, current = (
            (tenant_id, connection_id, entity),
            self._clock(),
            generation(CONFLICTS, tenant_id),
        )
        with self._open_lock:
            kept = self._open.get(key)
        if kept is not None and now - kept[0] < OPEN_FIELDS_MAX_AGE_S and kept[1] == current:
            every = kept[2]
        else:
            every = {}
            for item in self._range(conflicts_pk(tenant_id), f"{_OPEN}{entity}#{connection_id}#"):
                every.setdefault(str(item["local_id"]), set()).add(str(item["odoo_field"]))
            with self._open_lock:
                self._open[key] = (now, current, every)
        return {local_id: set(fields) for local_id, fields in every.items() if local_id in wanted}

    def _range(self, pk: str, prefix: str) -> Iterator[dict[str, Any]]:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with(prefix),
            "ProjectionExpression": "local_id, odoo_field",
            "ConsistentRead": True,
            "Limit": _OPEN_PER_READ,
        }
        while True:
            with storage_errors("read open conflicts"):
                page = self._table.query(**query)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- the routes -----------------------------------------------------------------------------

    def get(self, tenant_id: str, conflict_id: str) -> Conflict | None:
        with storage_errors("read the conflict"):
            item = self._table.get_item(
                Key={"pk": conflicts_pk(tenant_id), "sk": f"{_ID}{conflict_id}"}, ConsistentRead=True
            ).get("Item")
        return _conflict(item) if item else None

    def page(self, tenant_id: str, query: ConflictQuery) -> tuple[list[Conflict], str | None]:
        """Open ones by entity, connection and record; resolved ones newest first per entity."""
        pk = conflicts_pk(tenant_id)
        prefix = _OPEN if query.status == "open" else _RESOLVED
        if query.entity is not None:
            prefix += f"{query.entity}#"
        request: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with(prefix),
            "Limit": query.limit,
            "ScanIndexForward": query.status == "open",
        }
        start = decode_cursor(query.cursor, partition_key=pk)
        if start is not None:
            if not start["sk"].startswith(prefix):
                raise InvalidInputError("the cursor belongs to another list", field="cursor")
            request["ExclusiveStartKey"] = start
        with storage_errors("list conflicts"):
            page = self._table.query(**request)
        items = [_conflict(item) for item in page.get("Items", [])]
        return items, encode_cursor(page.get("LastEvaluatedKey"))

    def mark_resolved(
        self, tenant_id: str, conflict: Conflict, resolution: Resolution, resolved_by: Actor | None = None
    ) -> Conflict:
        pk = conflicts_pk(tenant_id)
        resolved = conflict.model_copy(
            update={"status": "resolved", "resolution": resolution, "resolved_by": resolved_by}
        )
        resolved_sk = f"{_RESOLVED}{conflict.entity}#{resolution.resolved_at}#{conflict.conflict_id}"
        open_key = {
            "pk": pk,
            "sk": open_sk(conflict.connection_id, conflict.entity, conflict.local_id, conflict.odoo_field),
        }
        by_id = {"pk": pk, "sk": f"{_ID}{conflict.conflict_id}"}
        try:
            self._transact(
                [
                    {
                        "Update": {
                            "TableName": self._table.name,
                            "Key": by_id,
                            "UpdateExpression": (
                                "SET #status = :resolved, #resolution = :resolution, resolved_by = :by"
                            ),
                            "ConditionExpression": "#status = :open",
                            "ExpressionAttributeNames": {"#status": "status", "#resolution": "resolution"},
                            "ExpressionAttributeValues": {
                                ":resolved": "resolved",
                                ":open": "open",
                                ":resolution": _dynamo(resolution.model_dump(mode="json")),
                                ":by": resolved_by.model_dump(mode="json") if resolved_by else None,
                            },
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self._table.name,
                            "Key": open_key,
                            "ConditionExpression": "#conflict_id = :id",
                            "ExpressionAttributeNames": {"#conflict_id": "conflict_id"},
                            "ExpressionAttributeValues": {":id": conflict.conflict_id},
                        }
                    },
                    self._put_new({"pk": pk, "sk": resolved_sk}, resolved),
                ],
                "resolve the conflict",
            )
        except ConditionFailedError as exc:
            raise ConflictError("the conflict is already resolved", field="conflict_id") from exc
        return resolved

    def _transact(self, items: list[Any], action: str) -> None:
        try:
            with storage_errors(action):
                self._table.meta.client.transact_write_items(TransactItems=items)
        finally:
            for item in items:  # what this process knows of the tenant's open conflicts is stale
                ((_, body),) = item.items()
                key = body.get("Key") or body.get("Item") or {}
                changed(CONFLICTS, str(key.get("pk", "")).removeprefix("TENANT#").removesuffix("#CONFLICTS"))

    def _put_new(self, key: dict[str, str], conflict: Conflict) -> dict[str, Any]:
        """A transaction Put of the conflict under `key`, only if the key is free."""
        return {
            "Put": {
                "TableName": self._table.name,
                "Item": {**key, **_dynamo(conflict.model_dump(mode="json"))},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }


def _dynamo(value: Any) -> Any:
    """JSON values as boto3 takes them: floats become Decimals."""
    return json.loads(json.dumps(value), parse_float=Decimal)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _conflict(item: dict[str, Any]) -> Conflict:
    body = {key: value for key, value in _plain(item).items() if key not in ("pk", "sk")}
    return Conflict.model_validate(body)

"""Sync statistics as counters in the operations table, kept as pushes happen.

Items (one per entity):
  pk=TENANT#<tenant>  sk=STATS#ENTITY#<entity>
    total_syncs, successful_syncs, failed_syncs, duration_ms_total, records_with_odoo_id (ADD)
    last_sync_at (only ever moves forward)

Reading them is one query of the tenant's STATS# items; the log is never scanned. The tenant's
totals are summed from its entities' when read rather than kept in an item of their own that every
count would write too (an entity's item is never deleted, so the sum keeps all history; the
`STATS#ALL` item earlier versions kept is no longer read). A batch chunk's count rides in the
transaction that counts the chunk into its batch (stores/batch_chunks.py).

Time series for charts (`GET /v1/stats/timeseries`), one item per tenant and UTC hour:
  pk=TENANT#<tenant>  sk=SERIES#<yyyy-mm-ddThh>
    total_syncs, successful_syncs, failed_syncs, duration_ms_total, and the same four per entity
    as `<entity>#total_syncs` ... (ADD, in the same request as the counters above, in the hour
    the outcomes finished)
Days are summed from hours when read (a day is 24 items at most).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from pydantic import BaseModel

from odoo_sync.stores.dynamodb import ConditionFailedError, storage_errors
from odoo_sync.stores.tenants import tenant_pk
from odoo_sync.sync.model import RecordOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_STATS = "STATS#"
_STATS_PER_READ = 500
_ENTITY = "STATS#ENTITY#"
SERIES_PREFIX = "SERIES#"
SERIES_COUNTERS = ("total_syncs", "successful_syncs", "failed_syncs", "duration_ms_total")
_SERIES_VALUES = (":total", ":ok", ":failed", ":duration")
_HOUR_FORMAT = "%Y-%m-%dT%H"
_ADD = (
    "ADD total_syncs :total, successful_syncs :ok, failed_syncs :failed, "
    "duration_ms_total :duration, records_with_odoo_id :linked"
)


class Counters(BaseModel):
    total_syncs: int = 0
    successful_syncs: int = 0
    failed_syncs: int = 0
    duration_ms_total: int = 0
    records_with_odoo_id: int = 0
    last_sync_at: str | None = None

    def view(self) -> dict[str, Any]:
        total = self.total_syncs
        return {
            "total_syncs": total,
            "successful_syncs": self.successful_syncs,
            "failed_syncs": self.failed_syncs,
            "success_rate": round(self.successful_syncs / total, 4) if total else None,
            "avg_duration_ms": round(self.duration_ms_total / total, 1) if total else None,
            "last_sync_at": self.last_sync_at,
            "records_with_odoo_id": self.records_with_odoo_id,
        }


class DynamoStats:
    """core.ports.StatsRecorder, and `read` for `GET /v1/stats`.

    A batch chunk's counters ride in the transaction that counts the chunk into its batch
    (stores/batch_chunks.py, through `updates`), so a redelivered chunk counts nothing twice and a
    chunk costs one request for batch progress and statistics together. Other syncs (one record
    pushed now, an Odoo change notice) write the same updates, an item at a time.
    """

    def __init__(self, table: Table) -> None:
        self._table = table

    @property
    def items_per_update(self) -> int:
        """How many counter items one count updates at most (each an item of a transaction)."""
        return len(_counter_keys("t", "e")) + 1  # and the hour's series item

    def record(
        self, tenant_id: str, entity: str, outcomes: Sequence[RecordOutcome], newly_linked: int
    ) -> None:
        if not outcomes and not newly_linked:
            return
        # Each counter item alone: a transaction of them would bill twice the write units, and
        # these counts (one record pushed now, an Odoo change) have no batch to be exact against.
        moving = self.updates(tenant_id, entity, outcomes, newly_linked, moves_last_sync=True)
        plain = self.updates(tenant_id, entity, outcomes, newly_linked, moves_last_sync=False)
        for first, fallback in zip(moving, plain, strict=True):
            try:
                with storage_errors("count the syncs"):
                    self._table.meta.client.update_item(**first["Update"])
            except ConditionFailedError:
                with storage_errors("count the syncs"):  # another count moved last_sync_at past ours
                    self._table.meta.client.update_item(**fallback["Update"])

    def updates(
        self,
        tenant_id: str,
        entity: str,
        outcomes: Sequence[RecordOutcome],
        newly_linked: int,
        *,
        moves_last_sync: bool = True,
    ) -> list[dict[str, Any]]:
        """The transaction items adding these outcomes to the entity's counters and the hour's.

        With `moves_last_sync`, each also moves last_sync_at forward, on the condition that it is
        not later already (a cancelled transaction is then written again without it)."""
        succeeded = sum(1 for outcome in outcomes if outcome.success)
        values: dict[str, Any] = {
            ":total": len(outcomes),
            ":ok": succeeded,
            ":failed": len(outcomes) - succeeded,
            ":duration": sum(outcome.duration_ms for outcome in outcomes),
            ":linked": newly_linked,
        }
        latest = max((outcome.completed_at for outcome in outcomes), default=None)
        update: dict[str, Any] = {"UpdateExpression": _ADD, "ExpressionAttributeValues": values}
        if moves_last_sync and latest is not None:
            update = {
                "UpdateExpression": f"{_ADD} SET last_sync_at = :latest",
                "ConditionExpression": "attribute_not_exists(last_sync_at) OR last_sync_at <= :latest",
                "ExpressionAttributeValues": {**values, ":latest": latest},
            }
        updates = [
            {"Update": {"TableName": self._table.name, "Key": key, **update}}
            for key in _counter_keys(tenant_id, entity)
        ]
        if outcomes:
            updates.append(self._hour_update(tenant_id, entity, values, latest))
        return updates

    def _hour_update(
        self, tenant_id: str, entity: str, values: dict[str, Any], latest: str | None
    ) -> dict[str, Any]:
        """The hour's overall and per-entity counters at once, in the hour the outcomes finished."""
        finished = datetime.fromisoformat(latest) if latest else datetime.now(UTC)
        names: dict[str, str] = {}
        parts: list[str] = []
        for index, (counter, placeholder) in enumerate(zip(SERIES_COUNTERS, _SERIES_VALUES, strict=True)):
            names[f"#a{index}"] = counter
            names[f"#e{index}"] = f"{entity}#{counter}"
            parts += [f"#a{index} {placeholder}", f"#e{index} {placeholder}"]
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"pk": tenant_pk(tenant_id), "sk": series_sk(finished)},
                "UpdateExpression": "ADD " + ", ".join(parts),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {key: values[key] for key in _SERIES_VALUES},
            }
        }

    def hours(self, tenant_id: str, first: datetime, last: datetime) -> list[dict[str, Any]]:
        """The hour items from `first` to `last` (both hours included), oldest first."""
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(tenant_pk(tenant_id))
            & Key("sk").between(series_sk(first), series_sk(last))
        }
        while True:
            with storage_errors("read the statistics"):
                page = self._table.query(**query)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def read(self, tenant_id: str) -> dict[str, Any]:
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(tenant_pk(tenant_id)) & Key("sk").begins_with(_STATS),
            "Limit": _STATS_PER_READ,
        }
        while True:
            with storage_errors("read the statistics"):
                page = self._table.query(**query)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        per_entity: dict[str, Counters] = {}
        for item in items:
            sk = str(item["sk"])
            if sk.startswith(_ENTITY):
                values = {k: v for k, v in item.items() if k not in ("pk", "sk")}
                per_entity[sk.removeprefix(_ENTITY)] = Counters.model_validate(values)
        views = {entity: counters.view() for entity, counters in sorted(per_entity.items())}
        return {**_summed(per_entity.values()).view(), "per_entity": views}


def _counter_keys(tenant_id: str, entity: str) -> list[dict[str, str]]:
    """The counter items one count adds to: the entity's (the tenant's totals are their sum)."""
    return [{"pk": tenant_pk(tenant_id), "sk": f"{_ENTITY}{entity}"}]


def _summed(entities: Iterable[Counters]) -> Counters:
    """The tenant's counters: its entities' added up, the latest of their last syncs."""
    total = Counters()
    for counters in entities:
        total.total_syncs += counters.total_syncs
        total.successful_syncs += counters.successful_syncs
        total.failed_syncs += counters.failed_syncs
        total.duration_ms_total += counters.duration_ms_total
        total.records_with_odoo_id += counters.records_with_odoo_id
        latest = [moment for moment in (total.last_sync_at, counters.last_sync_at) if moment]
        total.last_sync_at = max(latest, default=None)
    return total


def series_sk(moment: datetime) -> str:
    return SERIES_PREFIX + moment.astimezone(UTC).strftime(_HOUR_FORMAT)


def hour_of(sk: str) -> datetime:
    return datetime.strptime(sk.removeprefix(SERIES_PREFIX), _HOUR_FORMAT).replace(tzinfo=UTC)

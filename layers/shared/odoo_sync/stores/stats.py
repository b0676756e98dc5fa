"""Sync statistics as counters in the operations table, kept as pushes happen.

Items (one for the tenant, one per entity):
  pk=TENANT#<tenant>  sk=STATS#ALL | STATS#ENTITY#<entity>
    total_syncs, successful_syncs, failed_syncs, duration_ms_total, records_with_odoo_id (ADD)
    last_sync_at (only ever moves forward)

Reading them is one query of the tenant's STATS# items; the log is never scanned.

Time series for charts (`GET /v1/stats/timeseries`), one item per tenant and UTC hour:
  pk=TENANT#<tenant>  sk=SERIES#<yyyy-mm-ddThh>
    total_syncs, successful_syncs, failed_syncs, duration_ms_total, and the same four per entity
    as `<entity>#total_syncs` ... (ADD, one update per recorded chunk, in the hour it finished)
Days are summed from hours when read (a day is 24 items at most).
"""

from __future__ import annotations

from collections.abc import Sequence
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
_ALL = "STATS#ALL"
_ENTITY = "STATS#ENTITY#"
SERIES_PREFIX = "SERIES#"
SERIES_COUNTERS = ("total_syncs", "successful_syncs", "failed_syncs", "duration_ms_total")
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
    """core.ports.StatsRecorder, and `read` for `GET /v1/stats`."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def record(
        self, tenant_id: str, entity: str, outcomes: Sequence[RecordOutcome], newly_linked: int
    ) -> None:
        if not outcomes and not newly_linked:
            return
        succeeded = sum(1 for outcome in outcomes if outcome.success)
        values: dict[str, Any] = {
            ":total": len(outcomes),
            ":ok": succeeded,
            ":failed": len(outcomes) - succeeded,
            ":duration": sum(outcome.duration_ms for outcome in outcomes),
            ":linked": newly_linked,
        }
        latest = max((outcome.completed_at for outcome in outcomes), default=None)
        for sk in (_ALL, f"{_ENTITY}{entity}"):
            self._add({"pk": tenant_pk(tenant_id), "sk": sk}, values, latest)
        if outcomes:
            self._add_to_hour(tenant_id, entity, values, latest)

    def _add_to_hour(self, tenant_id: str, entity: str, values: dict[str, Any], latest: str | None) -> None:
        """One more request per recorded chunk: the hour's overall and per-entity counters at once."""
        finished = datetime.fromisoformat(latest) if latest else datetime.now(UTC)
        names: dict[str, str] = {}
        parts: list[str] = []
        for index, (counter, placeholder) in enumerate(
            zip(SERIES_COUNTERS, (":total", ":ok", ":failed", ":duration"), strict=True)
        ):
            names[f"#a{index}"] = counter
            names[f"#e{index}"] = f"{entity}#{counter}"
            parts += [f"#a{index} {placeholder}", f"#e{index} {placeholder}"]
        with storage_errors("count the syncs"):
            self._table.update_item(
                Key={"pk": tenant_pk(tenant_id), "sk": series_sk(finished)},
                UpdateExpression="ADD " + ", ".join(parts),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: values[k] for k in (":total", ":ok", ":failed", ":duration")},
            )

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
            "KeyConditionExpression": Key("pk").eq(tenant_pk(tenant_id)) & Key("sk").begins_with(_STATS)
        }
        while True:
            with storage_errors("read the statistics"):
                page = self._table.query(**query)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        overall = Counters()
        per_entity: dict[str, dict[str, Any]] = {}
        for item in items:
            counters = Counters.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})
            sk = str(item["sk"])
            if sk == _ALL:
                overall = counters
            elif sk.startswith(_ENTITY):
                per_entity[sk.removeprefix(_ENTITY)] = counters.view()
        return {**overall.view(), "per_entity": dict(sorted(per_entity.items()))}

    def _add(self, key: dict[str, str], values: dict[str, Any], latest: str | None) -> None:
        """One update in the usual case: ADD and move last_sync_at forward together.

        When last_sync_at is already later (another worker finished after this one), the
        condition fails and the counters are added alone.
        """
        if latest is not None:
            try:
                with storage_errors("count the syncs"):
                    self._table.update_item(
                        Key=key,
                        UpdateExpression=f"{_ADD} SET last_sync_at = :latest",
                        ConditionExpression="attribute_not_exists(last_sync_at) OR last_sync_at < :latest",
                        ExpressionAttributeValues={**values, ":latest": latest},
                    )
                return
            except ConditionFailedError:
                pass
        with storage_errors("count the syncs"):
            self._table.update_item(Key=key, UpdateExpression=_ADD, ExpressionAttributeValues=values)


def series_sk(moment: datetime) -> str:
    return SERIES_PREFIX + moment.astimezone(UTC).strftime(_HOUR_FORMAT)


def hour_of(sk: str) -> datetime:
    return datetime.strptime(sk.removeprefix(SERIES_PREFIX), _HOUR_FORMAT).replace(tzinfo=UTC)

"""Sync history (`GET /v1/logs`) and statistics (`GET /v1/stats`, `GET /v1/stats/timeseries`), per tenant."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field, ValidationError

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import stats, sync_log
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.batches import BATCH_ID_PATTERN
from odoo_sync.core.ids import Moment, utc_now
from odoo_sync.core.timeseries import Granularity, SeriesWindow, series, time_zone
from odoo_sync.errors import InvalidInputError
from odoo_sync.stores.stats import SERIES_COUNTERS, hour_of
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import ENTITY_NAME_PATTERN, LOCAL_ID_PATTERN, SyncLogEntry

logger = Logger()
app = build_resolver()


class SyncCounts(BaseModel):
    total_syncs: int = Field(description="Record operations counted (pushes and pulls)")
    successful_syncs: int = Field(description="Of which succeeded")
    failed_syncs: int = Field(description="Of which failed")
    success_rate: float | None = Field(description="successful / total, 0..1; null before the first")
    avg_duration_ms: float | None = Field(description="Mean time per record operation; null before the first")
    last_sync_at: str | None = Field(description="When the latest operation finished (UTC, ISO 8601)")
    records_with_odoo_id: int = Field(description="Records that got an Odoo link through a sync")


class SyncStats(SyncCounts):
    """Counters kept as syncs happen (never a scan): overall, and per entity."""

    per_entity: dict[str, SyncCounts] = Field(description="The same counters for each entity")


@app.get(
    "/v1/logs",
    summary="Sync history, newest first, by status, entity, batch, record and time",
    description="One entry per record operation (push, pull, conflict resolution) with its outcome, "
    "the fields written and, on failure, the message and details. Entries expire after the retention "
    "period. A batch's failures: `batch_id=...&status=error`.",
    responses=documented((200, Listing[SyncLogEntry], "A page of log entries, newest first")),
)
def list_logs(
    *,
    status: Annotated[
        Literal["success", "error"] | None, Query(description="Only operations that succeeded, or failed")
    ] = None,
    entity: Annotated[
        str | None, Query(pattern=ENTITY_NAME_PATTERN, description="Only this entity's")
    ] = None,
    batch_id: Annotated[str | None, Query(pattern=BATCH_ID_PATTERN, description="Only this batch's")] = None,
    local_id: Annotated[
        str | None, Query(pattern=LOCAL_ID_PATTERN, description="Only this record's (needs entity)")
    ] = None,
    since: Annotated[Moment | None, Query(description="Started at or after (ISO 8601 with zone)")] = None,
    until: Annotated[Moment | None, Query(description="Started at or before (ISO 8601 with zone)")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many")] = 50,
    cursor: Annotated[str | None, Query(max_length=2048, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    if local_id is not None and entity is None:
        raise InvalidInputError(
            "local_id needs entity: a local id is unique only within its entity", field="entity"
        )
    if since is not None and until is not None and since > until:
        raise InvalidInputError("since must not be after until", field="since")
    try:
        wanted = LogQuery(
            status=status,
            entity=entity,
            batch_id=batch_id,
            local_id=local_id,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
        )
    except ValidationError as exc:  # the checks above and the route's own cover every field
        raise InvalidInputError(str(exc.errors()[0]["msg"])) from exc
    items, next_cursor = sync_log().query(tenant_id(app), wanted)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


@app.get(
    "/v1/stats",
    summary="Sync statistics from counters kept as pushes happen, overall and per entity",
    description="Totals, success rate, mean duration and the latest sync, overall and per entity, "
    "read from counters updated with each operation.",
    responses=documented((200, SyncStats, "The tenant's statistics")),
)
def get_stats() -> dict[str, Any]:
    return stats().read(tenant_id(app))


class SeriesCounts(BaseModel):
    total_syncs: int = Field(description="Record operations that finished in the bucket")
    successful_syncs: int = Field(description="Of which succeeded")
    failed_syncs: int = Field(description="Of which failed")
    success_rate: float | None = Field(description="successful / total, 0..1; null for an empty bucket")
    avg_duration_ms: float | None = Field(description="Mean time per operation; null for an empty bucket")


class SeriesPoint(SeriesCounts):
    start: str = Field(description="The bucket's first moment (UTC, ISO 8601)")
    per_entity: dict[str, SeriesCounts] | None = Field(
        default=None, description="Without `entity`: the same counts for each entity that ran"
    )


class TimeSeries(BaseModel):
    """Every bucket of the window, oldest first, zeros where nothing ran."""

    granularity: Literal["hour", "day"] = Field(description="The bucket size")
    tz: str = Field(description="The time zone whose days the `day` buckets are (UTC unless asked)")
    since: str = Field(description="The first bucket's start (UTC, ISO 8601)")
    until: str = Field(description="The end of the last bucket (UTC, ISO 8601)")
    entity: str | None = Field(description="The entity asked for; null for all")
    points: list[SeriesPoint] = Field(description="One per bucket")


@app.get(
    "/v1/stats/timeseries",
    summary="Syncs over time, per hour or per day: counts, success rate and mean duration",
    description=(
        "Every bucket from `since` to `until` is present, oldest first, with zeros where nothing "
        "ran: `{granularity, tz, since, until, entity, points: [{start, total_syncs, successful_syncs, "
        "failed_syncs, success_rate, avg_duration_ms, per_entity?}]}`. `success_rate` and "
        "`avg_duration_ms` are null for an empty bucket. Without `entity` each point also splits "
        "its counts `per_entity`. Defaults: the last 24 hours (`hour`) or 30 days (`day`); at most "
        "744 hours or 366 days at a time. Days are UTC days unless `tz` names a time zone: then "
        "each starts at that zone's midnight (23 or 25 hours long when the clocks change); every "
        "moment in the answer stays in UTC. Read from hourly counters kept as syncs finish (one "
        "query), never from the log."
    ),
    responses=documented((200, TimeSeries, "The series")),
)
def get_timeseries(
    *,
    granularity: Annotated[
        Literal["hour", "day"], Query(description="Buckets of an hour or a day (of `tz`)")
    ] = "hour",
    tz: Annotated[
        str | None,
        Query(max_length=64, description="IANA time zone of the days, e.g. Europe/Brussels (default UTC)"),
    ] = None,
    since: Annotated[
        Moment | None, Query(description="From this moment (ISO 8601; default: see above)")
    ] = None,
    until: Annotated[Moment | None, Query(description="Up to this moment (ISO 8601; default: now)")] = None,
    entity: Annotated[
        str | None, Query(pattern=ENTITY_NAME_PATTERN, description="Only this entity's counts")
    ] = None,
) -> dict[str, Any]:
    window = SeriesWindow.of(Granularity(granularity), since, until, utc_now(), time_zone(tz))
    items = stats().hours(tenant_id(app), window.first, window.last_hour)
    hours = []
    for item in items:
        counters = {
            str(name): int(value)
            for name, value in item.items()
            if name not in ("pk", "sk") and str(name).rpartition("#")[2] in SERIES_COUNTERS
        }
        hours.append((hour_of(str(item["sk"])), counters))
    return series(window, hours, entity)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

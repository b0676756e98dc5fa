"""Sync history (`GET /v1/logs`) and statistics (`GET /v1/stats`), both per tenant."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from odoo_sync.api.dependencies import stats, sync_log
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.batches import BATCH_ID_PATTERN
from odoo_sync.core.ids import Moment
from odoo_sync.errors import InvalidInputError
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import ENTITY_NAME_PATTERN, LOCAL_ID_PATTERN

logger = Logger()
app = build_resolver()


@app.get("/v1/logs", summary="Sync history, newest first, by status, entity, batch, record and time")
def list_logs(
    *,
    status: Annotated[Literal["success", "error"] | None, Query()] = None,
    entity: Annotated[str | None, Query(pattern=ENTITY_NAME_PATTERN)] = None,
    batch_id: Annotated[str | None, Query(pattern=BATCH_ID_PATTERN)] = None,
    local_id: Annotated[str | None, Query(pattern=LOCAL_ID_PATTERN)] = None,
    since: Annotated[Moment | None, Query()] = None,
    until: Annotated[Moment | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
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


@app.get("/v1/stats", summary="Sync statistics from counters kept as pushes happen, overall and per entity")
def get_stats() -> dict[str, Any]:
    return stats().read(tenant_id(app))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

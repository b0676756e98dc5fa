"""Conflicts held for a decision: list them, show one, resolve one."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import conflict_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.conflicts import CONFLICT_ID_PATTERN, Conflict, ConflictQuery, ResolveRequest
from odoo_sync.sync.model import ENTITY_NAME_PATTERN

logger = Logger()
app = build_resolver()

CONFLICT_ID = Annotated[str, Path(pattern=CONFLICT_ID_PATTERN, description="Conflict id")]


@app.get(
    "/v1/conflicts",
    summary="Conflicts, open (default) or resolved, optionally of one entity",
    description="A field changed on both sides to different values, under a `manual` rule (or "
    "`newest_wins` without both times), is held as one open conflict per connection, entity, record "
    "and field until resolved. Open ones come by entity and record, resolved ones newest first.",
    responses=documented((200, Listing[Conflict], "A page of conflicts")),
)
def list_conflicts(
    *,
    entity: Annotated[
        str | None, Query(pattern=ENTITY_NAME_PATTERN, description="Only this entity's")
    ] = None,
    status: Annotated[
        Literal["open", "resolved"], Query(description="Open (waiting for a decision) or resolved")
    ] = "open",
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many")] = 50,
    cursor: Annotated[str | None, Query(max_length=2048, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    query = ConflictQuery(entity=entity, status=status, limit=limit, cursor=cursor)
    items, next_cursor = conflict_service().query(tenant_id(app), query)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


@app.get(
    "/v1/conflicts/<conflict_id>",
    summary="One conflict: the field, the values on each side, its state",
    description="The Odoo field, the local fields it maps, the agreed value before (`base`), each "
    "side's value (as Odoo holds them), when it was seen, and how it was resolved.",
    responses=documented((200, Conflict, "The conflict")),
)
def get_conflict(conflict_id: CONFLICT_ID) -> dict[str, Any]:
    return conflict_service().get(tenant_id(app), conflict_id).model_dump(mode="json")


@app.post(
    "/v1/conflicts/<conflict_id>/resolve",
    summary="Decide a conflict: the local value, Odoo's, or a value given; the losing side takes it",
    description="The winning value is written to the other side (Odoo through the connection, the "
    "local record through the entity's from_odoo mapping), agreed in the link's snapshot and logged. "
    "409 when already resolved; `value` only with `winner: value`. Takes `Idempotency-Key`.",
    responses=documented((200, Conflict, "The conflict, resolved")),
)
def resolve_conflict(conflict_id: CONFLICT_ID, body: Annotated[ResolveRequest, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        resolved = conflict_service().resolve(tenant, conflict_id, body)
        logger.info(
            "conflict resolved",
            extra={"conflict_id": conflict_id, "winner": body.winner, "entity": resolved.entity},
        )
        return Response(
            status_code=HTTPStatus.OK,
            content_type=content_types.APPLICATION_JSON,
            body=resolved.model_dump(mode="json"),
        )

    return idempotently(app, tenant, f"conflict-resolve#{conflict_id}", work)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

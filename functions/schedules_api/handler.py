"""Schedule routes: a tenant's recurring syncs (create, list, show, replace, remove, toggle, run now)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import schedule_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.schedules import (
    SCHEDULE_ID_PATTERN,
    RunAnswer,
    ScheduleInput,
    ScheduleView,
    ToggleInput,
)

logger = Logger()
app = build_resolver()

SCHEDULE_ID = Annotated[str, Path(pattern=SCHEDULE_ID_PATTERN, description="Schedule id")]


@app.post(
    "/v1/schedules",
    summary="Create a schedule: a cron (5 fields) in a time zone, and what to sync",
    description="A 5-field cron read in the schedule's time zone (DST-correct); direction to_odoo, "
    "from_odoo or bidirectional; incremental or full. Each slot starts at most once; missed slots "
    "run once. Takes `Idempotency-Key`.",
    responses=documented((201, ScheduleView, "The schedule with its next run")),
)
def create_schedule(body: Annotated[ScheduleInput, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        schedule = schedule_service().create(tenant, body)
        logger.info(
            "schedule created",
            extra={"schedule_id": schedule.schedule_id, "next_run_at": schedule.next_run_at},
        )
        return _json(HTTPStatus.CREATED, ScheduleView.of(schedule).model_dump(mode="json"))

    return idempotently(app, tenant, "create-schedule", work)


@app.get(
    "/v1/schedules",
    summary="List the tenant's schedules",
    description="A page of schedules with their next and last runs; follow `next` with `cursor`.",
    responses=documented((200, Listing[ScheduleView], "A page of schedules")),
)
def list_schedules(
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many")] = 50,
    cursor: Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    items, next_cursor = schedule_service().list(tenant_id(app), limit, cursor)
    return {"items": [ScheduleView.of(item).model_dump(mode="json") for item in items], "next": next_cursor}


@app.get(
    "/v1/schedules/<schedule_id>",
    summary="Show a schedule, its next run and its last run",
    description="The schedule as saved, when it runs next and what its last run started or why it failed.",
)
def get_schedule(schedule_id: SCHEDULE_ID) -> ScheduleView:
    return ScheduleView.of(schedule_service().get(tenant_id(app), schedule_id))


@app.put(
    "/v1/schedules/<schedule_id>",
    summary="Replace a schedule; its next run counts from now",
    description="Every setting is replaced by the body's. Takes `Idempotency-Key`.",
    responses=documented((200, ScheduleView, "The schedule as replaced")),
)
def replace_schedule(schedule_id: SCHEDULE_ID, body: Annotated[ScheduleInput, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        schedule = schedule_service().replace(tenant, schedule_id, body)
        logger.info("schedule replaced", extra={"schedule_id": schedule_id})
        return _json(HTTPStatus.OK, ScheduleView.of(schedule).model_dump(mode="json"))

    return idempotently(app, tenant, f"replace-schedule#{schedule_id}", work)


@app.delete(
    "/v1/schedules/<schedule_id>",
    summary="Remove a schedule; it never runs again",
    description="Batches it already started go on. Takes `Idempotency-Key`.",
    responses=documented((204, None, "Removed")),
)
def delete_schedule(schedule_id: SCHEDULE_ID) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        schedule_service().delete(tenant, schedule_id)
        logger.info("schedule deleted", extra={"schedule_id": schedule_id})
        return Response(status_code=HTTPStatus.NO_CONTENT)

    return idempotently(app, tenant, f"delete-schedule#{schedule_id}", work)


@app.patch(
    "/v1/schedules/<schedule_id>/toggle",
    summary="Enable or disable a schedule (flips without a body); enabling counts the next run from now",
    description="With `{is_enabled}` sets it, without a body flips it. A disabled schedule never "
    "starts and cannot be run now. Takes `Idempotency-Key`.",
    responses=documented((200, ScheduleView, "The schedule, enabled or disabled")),
)
def toggle_schedule(
    schedule_id: SCHEDULE_ID, body: Annotated[ToggleInput | None, Body()] = None
) -> Response[Any]:
    tenant = tenant_id(app)
    wanted = body.is_enabled if body is not None else None

    def work() -> Response[Any]:
        schedule = schedule_service().toggle(tenant, schedule_id, wanted)
        logger.info("schedule toggled", extra={"schedule_id": schedule_id, "is_enabled": schedule.is_enabled})
        return _json(HTTPStatus.OK, ScheduleView.of(schedule).model_dump(mode="json"))

    return idempotently(app, tenant, f"toggle-schedule#{schedule_id}", work)


@app.post(
    "/v1/schedules/<schedule_id>/run",
    summary="Run a schedule now (its next run stays); 202 with the batch id (both, for bidirectional)",
    description="Starts the schedule's sync at once, as its next slot would; follow the batches with "
    "GET /v1/batches/{batch_id}. 409 when the schedule is disabled. Takes `Idempotency-Key`.",
    responses=documented((202, RunAnswer, "The run started: its batch ids")),
)
def run_schedule(schedule_id: SCHEDULE_ID) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        answer = schedule_service().run_now(tenant, schedule_id)
        logger.info(
            "schedule run started",
            extra={"schedule_id": schedule_id, "batch_ids": answer.batch_ids, "error": answer.error},
        )
        return _json(HTTPStatus.ACCEPTED, answer.model_dump(mode="json"))

    return idempotently(app, tenant, f"run-schedule#{schedule_id}", work)


def _json(status: HTTPStatus, body: dict[str, Any]) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

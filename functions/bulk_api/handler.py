"""Bulk push routes: start a batch through the queue, follow its progress, retry its failed records."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import batch_list, bulk_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.batches import BATCH_ID_PATTERN, BatchView
from odoo_sync.core.bulk import BulkSubmission, BulkSyncRequest, RetryRequest, RetrySubmission

logger = Logger()
app = build_resolver()

BATCH_ID = Annotated[str, Path(pattern=BATCH_ID_PATTERN, description="Batch id")]


@app.post(
    "/v1/bulk-sync",
    summary="Push the records the filters select, in chunks through the queue; 202 with the batch id",
    description="Selects the entity's records (filters: modified_since, has_odoo_id, status, local_ids, "
    "field values) and pushes them in chunks of `batch_size` through the FIFO queue, one connection's "
    "chunks at a time. Follow the batch with GET /v1/batches/{batch_id}. Takes `Idempotency-Key`.",
    responses=documented(
        (202, BulkSubmission, "Records selected and queued: the batch to follow"),
        (200, BulkSubmission, "Nothing selected: the batch is already completed"),
    ),
)
def bulk_sync(body: Annotated[BulkSyncRequest, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        submitted = bulk_service().submit(tenant, body)
        logger.info(
            "batch submitted",
            extra={
                "batch_id": submitted.batch_id,
                "records": submitted.records_queued,
                "entity": body.entity,
            },
        )
        # Nothing selected: nothing accepted for later, the (already completed) batch answers 200.
        status = HTTPStatus.ACCEPTED if submitted.records_queued else HTTPStatus.OK
        return _json(status, submitted.model_dump(mode="json"))

    return idempotently(app, tenant, "bulk-sync", work)


@app.get(
    "/v1/batches",
    summary="The tenant's batches, newest first: pushes, imports and scheduled runs with their counts",
    description=(
        "`{items: [batch as in GET /v1/batches/{batch_id}], next}`; pass `next` as `cursor` for the "
        "following page. One query per page: batch ids begin with the second they were started."
    ),
    responses=documented((200, Listing[BatchView], "A page of batches, newest first")),
)
def list_batches(
    *,
    limit: Annotated[int, Query(ge=1, le=100, description="Batches per page")] = 20,
    cursor: Annotated[str | None, Query(max_length=2048, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    items, next_cursor = batch_list().recent(tenant_id(app), limit, cursor)
    return {"items": [BatchView.of(batch).model_dump(mode="json") for batch in items], "next": next_cursor}


@app.get(
    "/v1/batches/<batch_id>",
    summary="A batch's progress: status, total, succeeded, failed, pending",
    description="Counts are exact (each record counted once, redelivery included). While `selecting`, "
    "`total` is what was selected so far. Its failed records and their reasons are in "
    "GET /v1/logs?batch_id=...&status=error.",
)
def get_batch(batch_id: BATCH_ID) -> BatchView:
    return BatchView.of(bulk_service().get(tenant_id(app), batch_id))


@app.post(
    "/v1/batches/<batch_id>/retry",
    summary="Re-queue a finished batch's failed records (all, or the local_ids given)",
    description="The same batch runs again for those records; its `retries` goes up by one. "
    "Takes `Idempotency-Key`.",
    responses=documented((202, RetrySubmission, "The failed records queued again")),
)
def retry_batch(batch_id: BATCH_ID, body: Annotated[RetryRequest | None, Body()] = None) -> Response[Any]:
    tenant = tenant_id(app)
    wanted = body.local_ids if body is not None else None

    def work() -> Response[Any]:
        submitted = bulk_service().retry(tenant, batch_id, wanted)
        logger.info(
            "batch retried",
            extra={"batch_id": batch_id, "records": submitted.records_queued, "retry": submitted.retry},
        )
        return _json(HTTPStatus.ACCEPTED, submitted.model_dump(mode="json"))

    return idempotently(app, tenant, f"batch-retry#{batch_id}", work)


def _json(status: HTTPStatus, body: dict[str, Any]) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

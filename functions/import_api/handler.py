"""Import from Odoo: search the records an Odoo domain selects and pull them in pages through the queue."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.answers import documented
from odoo_sync.api.dependencies import pull_service
from odoo_sync.api.idempotency import idempotently
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.pull import ImportRequest, ImportSubmission

logger = Logger()
app = build_resolver()


@app.post(
    "/v1/import",
    summary="Pull the Odoo records a domain selects into the tenant's records; 202 with the batch id",
    description="The domain (`odoo_filters`, an Odoo domain checked as data) is searched once; the ids "
    "go through the queue in pages, each read in one call and applied with the entity's from_odoo "
    "mappings. Follow the batch with GET /v1/batches/{batch_id}. Takes `Idempotency-Key`.",
    responses=documented(
        (202, ImportSubmission, "Records found and queued: the batch to follow"),
        (200, ImportSubmission, "Nothing found: the batch is already completed"),
    ),
)
def start_import(body: Annotated[ImportRequest, Body()]) -> Response[Any]:
    tenant = tenant_id(app)

    def work() -> Response[Any]:
        submitted = pull_service().start_import(tenant, body)
        logger.info(
            "import submitted",
            extra={"batch_id": submitted.batch_id, "records": submitted.records_found, "entity": body.entity},
        )
        # Nothing found: nothing accepted for later, the (already completed) batch answers 200.
        status = HTTPStatus.ACCEPTED if submitted.records_found else HTTPStatus.OK
        return Response(
            status_code=status,
            content_type=content_types.APPLICATION_JSON,
            body=submitted.model_dump(mode="json"),
        )

    return idempotently(app, tenant, "import", work)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

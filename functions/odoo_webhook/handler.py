"""POST /v1/webhooks/odoo/{token}: Odoo's webhook automations call here, with no API key.

Odoo waits for this answer inside its user's save, so the answer is quick: the token is looked up
by its hash, the connection's per-minute budget is counted, the change is queued, 202. The token
never appears in a log line.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from odoo_sync.api.answers import documented
from odoo_sync.api.dependencies import webhook_receiver
from odoo_sync.api.resolver import build_resolver, error_response
from odoo_sync.core.odoo_webhooks import (
    MAX_NOTICE_BYTES,
    PayloadTooLargeError,
    UnknownWebhookError,
    WebhookRateLimitedError,
)
from odoo_sync.errors import InvalidInputError

logger = Logger()
app = build_resolver()


class WebhookReceipt(BaseModel):
    queued: bool = Field(description="False when the connection does not sync that model (ignored)")


@app.post(
    "/v1/webhooks/odoo/<token>",
    summary="Odoo notifies a change; 202 once it is queued",
    description="Called by the webhook rules Odoo Sync sets up in the tenant's Odoo, with no API key: "
    "the token names the tenant and connection. The worker re-reads the record from Odoo, so "
    "duplicate and out-of-order notices are harmless. Unknown token 404, body over 256 KiB 413, not "
    "JSON or naming no record 400, over the connection's budget per minute 429 with Retry-After.",
    responses=documented((202, WebhookReceipt, "Queued (or ignored)")),
)
def receive(token: Annotated[str, Path(description="The connection's webhook token")]) -> Response[Any]:
    event = app.current_event
    source = event.request_context.identity.source_ip
    try:
        receipt = webhook_receiver().receive(token, event.decoded_body or "")
    except UnknownWebhookError:
        logger.warning("webhook with an unknown token refused", extra={"source_ip": source})
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such webhook")
    except WebhookRateLimitedError as exc:
        logger.warning("webhook notices over the connection's budget refused", extra={"source_ip": source})
        return error_response(
            HTTPStatus.TOO_MANY_REQUESTS, exc.code, exc.message, retry_after_s=exc.retry_after_s
        )
    except PayloadTooLargeError as exc:
        return error_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, exc.code, exc.message, field=exc.field)
    except InvalidInputError as exc:
        logger.info("webhook body refused", extra={"reason": exc.message, "source_ip": source})
        return error_response(HTTPStatus.BAD_REQUEST, exc.code, exc.message, field=exc.field)
    where = {"tenant_id": receipt.tenant_id, "connection_id": receipt.connection_id, "model": receipt.model}
    if receipt.queued:
        logger.info("odoo change queued", extra={**where, "odoo_id": receipt.record_id})
    else:
        logger.debug("odoo change for a model not synced ignored", extra=where)
    return Response(
        status_code=HTTPStatus.ACCEPTED,
        content_type=content_types.APPLICATION_JSON,
        body={"queued": receipt.queued},
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Refused before anything decodes it: Odoo's payload is a few hundred bytes.
    if len(event.get("body") or "") > MAX_NOTICE_BYTES * 4 // 3 + 4:
        too_large = error_response(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "payload_too_large",
            f"the body may be at most {MAX_NOTICE_BYTES} bytes",
            field="body",
        )
        return ResponseBuilder[APIGatewayProxyEvent](too_large).build(APIGatewayProxyEvent(event))
    return app.resolve(event, context)

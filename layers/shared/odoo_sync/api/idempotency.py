"""`Idempotency-Key` on mutating routes, on Powertools idempotency with DynamoDB.

A repeated key with the same body replays the first answer (status and body) without doing the
work again; the same key with another body is refused; a key whose first request is still
running answers 409. Keys are scoped to the tenant and the operation, so two tenants (or two
routes) never share answers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from odoo_sync.errors import ConflictError, InvalidInputError
from odoo_sync.settings import service_settings

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
ANSWERS_KEPT_S = 24 * 3600

Answer = Response[Any]


@cache
def _persistence() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=service_settings().idempotency_table)


def idempotently(
    app: APIGatewayRestResolver, tenant_id: str, operation: str, work: Callable[[], Answer]
) -> Answer:
    """Run `work` once per (tenant, operation, Idempotency-Key); without the header, just run it."""
    key = app.current_event.headers.get(HEADER)
    if key is None:
        return work()
    if not KEY_PATTERN.match(key):
        raise InvalidInputError(f"{HEADER} must be 1 to 255 printable characters", field=HEADER)
    request = {
        "scope": f"{tenant_id}#{operation}#{key}",
        "body_sha256": hashlib.sha256((app.current_event.body or "").encode()).hexdigest(),
    }
    config = IdempotencyConfig(
        event_key_jmespath="scope",
        payload_validation_jmespath="body_sha256",
        expires_after_seconds=ANSWERS_KEPT_S,
    )
    # Lets Powertools expire an in-progress record when the function times out mid-request.
    config.register_lambda_context(app.lambda_context)

    @idempotent_function(  # type: ignore[untyped-decorator]  # Powertools ships it untyped
        data_keyword_argument="request", persistence_store=_persistence(), config=config
    )
    def _once(request: dict[str, str]) -> dict[str, Any]:
        answer = work()
        return {"status": answer.status_code, "body": answer.body}

    try:
        stored = _once(request=request)
    except IdempotencyValidationError as exc:
        raise ConflictError(f"this {HEADER} was used with a different body", field=HEADER) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise ConflictError(
            f"a request with this {HEADER} is still running; retry later", field=HEADER
        ) from exc
    if stored["body"] is None:  # 204 No Content
        return Response(status_code=stored["status"])
    return Response(
        status_code=stored["status"], content_type=content_types.APPLICATION_JSON, body=stored["body"]
    )

"""Who is calling: read only from the authorizer's context, never from the request itself."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from odoo_sync.errors import ForbiddenError

TENANT_ROLE = "tenant"
OPERATOR_ROLE = "operator"


def tenant_id(app: APIGatewayRestResolver) -> str:
    context = _authorizer_context(app)
    tenant = context.get("tenant_id")
    if context.get("role") != TENANT_ROLE or not isinstance(tenant, str) or not tenant:
        raise ForbiddenError("this route needs a tenant API key")
    return tenant


def require_operator(app: APIGatewayRestResolver) -> None:
    if _authorizer_context(app).get("role") != OPERATOR_ROLE:
        raise ForbiddenError("this route needs the operator key")


def _authorizer_context(app: APIGatewayRestResolver) -> dict[str, object]:
    context = app.current_event.request_context.authorizer.raw_event
    return context if isinstance(context, dict) else {}

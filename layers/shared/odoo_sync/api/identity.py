"""Who is calling: read only from the authorizer's context, never from the request itself."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from odoo_sync.core.authorization import OPERATOR_ROLE, TENANT_ROLE, Principal
from odoo_sync.errors import ForbiddenError

__all__ = ["OPERATOR_ROLE", "TENANT_ROLE", "principal", "principal_of_event", "require_operator", "tenant_id"]


def tenant_id(app: APIGatewayRestResolver) -> str:
    context = _authorizer_context(app)
    tenant = context.get("tenant_id")
    if context.get("role") != TENANT_ROLE or not isinstance(tenant, str) or not tenant:
        raise ForbiddenError("this route needs a tenant API key")
    return tenant


def require_operator(app: APIGatewayRestResolver) -> None:
    if _authorizer_context(app).get("role") != OPERATOR_ROLE:
        raise ForbiddenError("this route needs the operator key")


def principal(app: APIGatewayRestResolver) -> Principal:
    """The calling key's principal (403 when the authorizer named none)."""
    found = Principal.from_context(_authorizer_context(app))
    if found is None:
        raise ForbiddenError("this route needs an API key")
    return found


def principal_of_event(event: dict[str, Any]) -> Principal | None:
    """The principal in a raw API Gateway proxy event, before any resolver has parsed it."""
    request_context = event.get("requestContext")
    context = request_context.get("authorizer") if isinstance(request_context, dict) else None
    return Principal.from_context(context) if isinstance(context, dict) else None


def _authorizer_context(app: APIGatewayRestResolver) -> dict[str, object]:
    context = app.current_event.request_context.authorizer.raw_event
    return context if isinstance(context, dict) else {}

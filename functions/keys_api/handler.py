"""Who am I (`GET /v1/me`, any key) and a tenant's own API keys (its admin keys manage them)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import tenant_service
from odoo_sync.api.identity import principal, tenant_id
from odoo_sync.api.keys import NewApiKey, issued_answer
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.authorization import Scope
from odoo_sync.core.tenants import KEY_ID_PATTERN, ApiKeyView, IssuedApiKey

logger = Logger()
app = build_resolver()

KeyId = Annotated[str, Path(pattern=KEY_ID_PATTERN, description="API key id")]


class Me(BaseModel):
    """The calling key: whose it is and what it may do (tenant fields are null for the operator)."""

    role: str = Field(description="tenant, or operator for the operator's key")
    tenant_id: str | None = Field(description="The key's tenant; null for the operator")
    tenant_name: str | None = Field(description="The tenant's name; null for the operator")
    key_id: str = Field(description="The key's id (`operator` for the operator's key)")
    key_name: str = Field(description="The name the key was given when it was issued")
    scopes: list[str] = Field(
        description="What the key may do: admin, sync, read (they nest), or operator for the operator"
    )


@app.get(
    "/v1/me",
    summary="The calling key: its tenant (or the operator), its name and its scopes",
    description="Any valid key may ask. Tools call it to check a key and to offer only what its "
    "scopes allow (docs/security.md).",
)
def me() -> Me:
    caller = principal(app)
    return Me(
        role=caller.role,
        tenant_id=caller.tenant_id,
        tenant_name=caller.tenant_name,
        key_id=caller.key_id,
        key_name=caller.key_name,
        scopes=[scope.value for scope in caller.scopes],
    )


@app.get(
    "/v1/api-keys",
    summary="The tenant's API keys (never the secrets); needs an admin key",
    description="Oldest first, revoked keys included (with `revoked_at`). Neither a key nor its hash "
    "is ever answered.",
    responses=documented((200, Listing[ApiKeyView], "A page of the tenant's keys")),
)
def list_api_keys(
    limit: Annotated[int, Query(ge=1, le=100, description="Keys per page")] = 50,
    cursor: Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    items, next_cursor = tenant_service().list_api_keys(tenant_id(app), limit, cursor)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


@app.post(
    "/v1/api-keys",
    summary="Issue another key with scopes (default admin); the key is shown once",
    description="`{name, scopes}`, scopes one or more of admin, sync, read. The answer carries the key "
    "this once (`Cache-Control: no-store`) and is never stored for `Idempotency-Key` replays.",
    responses=documented((201, IssuedApiKey, "The new key, shown once")),
)
def create_api_key(body: Annotated[NewApiKey, Body()]) -> Response[dict[str, Any]]:
    key = tenant_service().issue_api_key(tenant_id(app), body.name, [Scope(scope) for scope in body.scopes])
    logger.info("api key issued", extra={"issued_key_id": key.key_id, "scopes": key.scopes})
    return issued_answer(key)


@app.delete(
    "/v1/api-keys/<key_id>",
    summary="Revoke one of the tenant's keys (not the one calling)",
    description="The key stops working for every new authorizer decision at once; a route it called "
    "in the last minute may still be served from the authorizer's cache until then. Revoking the "
    "calling key answers 409 `cannot_revoke_own_key`; revoking a revoked key answers 204 again.",
    responses=documented((204, None, "Revoked")),
)
def revoke_api_key(key_id: KeyId) -> Response[None]:
    tenant_service().revoke_api_key(tenant_id(app), key_id, by_key_id=principal(app).key_id)
    logger.info("api key revoked", extra={"revoked_key_id": key_id})
    return Response(status_code=204)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

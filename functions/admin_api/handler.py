"""Operator routes: tenants, and their API keys (issued with scopes, listed, revoked)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import tenant_service
from odoo_sync.api.identity import require_operator
from odoo_sync.api.keys import NewApiKey, issued_answer
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.authorization import Scope
from odoo_sync.core.tenants import (
    KEY_ID_PATTERN,
    TENANT_ID_PATTERN,
    ApiKeyView,
    IssuedApiKey,
    TenantStatus,
    TenantSummary,
)

logger = Logger()
app = build_resolver()

TenantId = Annotated[str, Path(pattern=TENANT_ID_PATTERN, description="Tenant id")]
KeyId = Annotated[str, Path(pattern=KEY_ID_PATTERN, description="API key id")]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Cursor = Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")]


class NewTenant(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="The tenant's name, for people")


@app.get(
    "/v1/admin/tenants",
    summary="List the tenants, oldest first",
    description="Operator only. One query per page of the operator's list of tenants (never a scan).",
    responses=documented((200, Listing[TenantSummary], "A page of tenants")),
)
def list_tenants(limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    require_operator(app)
    items, next_cursor = tenant_service().list_tenants(limit, cursor)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


class CreatedTenant(BaseModel):
    """A new tenant and its first API key; the key is in this answer only."""

    tenant_id: str = Field(description="The tenant's id")
    name: str = Field(description="The tenant's name")
    status: TenantStatus = Field(description="active or suspended")
    created_at: str = Field(description="When it was created (UTC, ISO 8601)")
    api_key: str = Field(description="The tenant's first API key: shown once, stored only as its hash")
    key_id: str = Field(description="The key's id (to tell keys apart; not a secret)")
    scopes: list[str] = Field(description="The first key's scopes: always admin")


@app.post(
    "/v1/admin/tenants",
    summary="Create a tenant and its first API key (shown once)",
    description="Operator only. The key is in this answer and nowhere else: store it now. Only its "
    "SHA-256 is kept.",
    responses=documented((201, CreatedTenant, "The tenant and its first key")),
)
def create_tenant(body: Annotated[NewTenant, Body()]) -> Response[dict[str, Any]]:
    require_operator(app)
    tenant, key = tenant_service().create_tenant(body.name)
    logger.info("tenant created", extra={"tenant_id": tenant.tenant_id})
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body={
            **tenant.model_dump(mode="json"),
            "api_key": key.api_key,
            "key_id": key.key_id,
            "scopes": key.scopes,
        },
    )


@app.post(
    "/v1/admin/tenants/<tenant_id>/api-keys",
    summary="Issue an API key to a tenant with scopes (default admin); the key is shown once",
    description="Operator only. Keys of a tenant work side by side, e.g. to replace one without a gap.",
    responses=documented((201, IssuedApiKey, "The new key, shown once")),
)
def create_api_key(tenant_id: TenantId, body: Annotated[NewApiKey, Body()]) -> Response[dict[str, Any]]:
    require_operator(app)
    key = tenant_service().issue_api_key(tenant_id, body.name, [Scope(scope) for scope in body.scopes])
    logger.info("api key issued", extra={"issued_to": tenant_id, "issued_key_id": key.key_id})
    return issued_answer(key)


@app.get(
    "/v1/admin/tenants/<tenant_id>/api-keys",
    summary="A tenant's API keys (never the secrets)",
    description="Operator only. Oldest first, revoked keys included (with `revoked_at`).",
    responses=documented((200, Listing[ApiKeyView], "A page of the tenant's keys")),
)
def list_api_keys(tenant_id: TenantId, limit: Limit = 50, cursor: Cursor = None) -> dict[str, Any]:
    require_operator(app)
    items, next_cursor = tenant_service().list_api_keys(tenant_id, limit, cursor)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


@app.delete(
    "/v1/admin/tenants/<tenant_id>/api-keys/<key_id>",
    summary="Revoke a tenant's API key",
    description="Operator only. The key stops working for every new authorizer decision at once "
    "(docs/security.md: the authorizer's one-minute cache).",
    responses=documented((204, None, "Revoked")),
)
def revoke_api_key(tenant_id: TenantId, key_id: KeyId) -> Response[None]:
    require_operator(app)
    tenant_service().revoke_api_key(tenant_id, key_id)
    logger.info("api key revoked", extra={"revoked_for": tenant_id, "revoked_key_id": key_id})
    return Response(status_code=204)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

"""Operator routes: create tenants and issue their API keys."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.api.answers import documented
from odoo_sync.api.dependencies import tenant_service
from odoo_sync.api.identity import require_operator
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.tenants import IssuedApiKey, TenantStatus

logger = Logger()
app = build_resolver()

TENANT_ID_PATTERN = r"^ten_[0-9a-f]{16}$"


class NewTenant(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="The tenant's name, for people")


class NewApiKey(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="default", min_length=1, max_length=100, description="What the key is for")


class CreatedTenant(BaseModel):
    """A new tenant and its first API key; the key is in this answer only."""

    tenant_id: str = Field(description="The tenant's id")
    name: str = Field(description="The tenant's name")
    status: TenantStatus = Field(description="active or suspended")
    created_at: str = Field(description="When it was created (UTC, ISO 8601)")
    api_key: str = Field(description="The tenant's first API key: shown once, stored only as its hash")
    key_id: str = Field(description="The key's id (to tell keys apart; not a secret)")


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
        body={**tenant.model_dump(mode="json"), "api_key": key.api_key, "key_id": key.key_id},
    )


@app.post(
    "/v1/admin/tenants/<tenant_id>/api-keys",
    summary="Issue another API key to a tenant (shown once)",
    description="Operator only. Keys of a tenant work side by side, e.g. to replace one without a gap.",
    responses=documented((201, IssuedApiKey, "The new key, shown once")),
)
def create_api_key(
    tenant_id: Annotated[str, Path(pattern=TENANT_ID_PATTERN, description="Tenant id")],
    body: Annotated[NewApiKey, Body()],
) -> Response[dict[str, Any]]:
    require_operator(app)
    key = tenant_service().issue_api_key(tenant_id, body.name)
    logger.info("api key issued", extra={"tenant_id": tenant_id, "key_id": key.key_id})
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=key.model_dump())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

"""Connection routes: register, list, show, replace, remove and test a tenant's Odoo connections."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.answers import Listing, documented
from odoo_sync.api.dependencies import connection_service, webhook_tokens
from odoo_sync.api.identity import tenant_id
from odoo_sync.api.resolver import build_resolver, resolve
from odoo_sync.core.connection_test import ConnectionTestResult, check_connection
from odoo_sync.core.connections import ConnectionInput, ConnectionReplacement, ConnectionView
from odoo_sync.odoo import OdooClient

logger = Logger()
app = build_resolver()

CONNECTION_ID = Annotated[str, Path(pattern=r"^con_[0-9a-f]{16}$", description="Connection id")]


@app.post(
    "/v1/connections",
    summary="Register an Odoo connection; the secret is encrypted, never returned",
    description="An Odoo from 14 up: URL, port, database and either an API key (JSON-2 on 19+, the "
    "password slot of RPC before) or login and password. The secret is sealed with KMS envelope "
    "encryption; no answer ever carries it. Test it next with POST /v1/connections/{id}/test.",
    responses=documented((201, ConnectionView, "The connection, without its secret")),
)
def create_connection(body: Annotated[ConnectionInput, Body()]) -> Response[dict[str, Any]]:
    view = connection_service().create(tenant_id(app), body)
    logger.info("connection created", extra={"connection_id": view.connection_id})
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=view.model_dump(mode="json")
    )


@app.get(
    "/v1/connections",
    summary="List the tenant's connections",
    description="A page of connections (never a secret); follow `next` with `cursor` for more.",
    responses=documented((200, Listing[ConnectionView], "A page of connections")),
)
def list_connections(
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many")] = 50,
    cursor: Annotated[str | None, Query(max_length=1024, description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    items, next_cursor = connection_service().list(tenant_id(app), limit, cursor)
    return {"items": [item.model_dump(mode="json") for item in items], "next": next_cursor}


@app.get(
    "/v1/connections/<connection_id>",
    summary="Show a connection (never its secret)",
    description="Its settings, the kind of secret it holds and its version; another tenant's id is 404.",
)
def get_connection(connection_id: CONNECTION_ID) -> ConnectionView:
    return connection_service().get(tenant_id(app), connection_id)


@app.put(
    "/v1/connections/<connection_id>",
    summary="Replace a connection; omit `auth` to keep the secret",
    description="Every setting is replaced by the body's; without `auth` the stored secret stays.",
)
def replace_connection(
    connection_id: CONNECTION_ID, body: Annotated[ConnectionReplacement, Body()]
) -> ConnectionView:
    view = connection_service().replace(tenant_id(app), connection_id, body)
    logger.info("connection replaced", extra={"connection_id": connection_id})
    return view


@app.delete(
    "/v1/connections/<connection_id>",
    summary="Remove a connection and its encrypted secret",
    description="The connection and its sealed secret are deleted; nothing is changed in Odoo.",
    responses=documented((204, None, "Removed")),
)
def delete_connection(connection_id: CONNECTION_ID) -> Response[None]:
    connection_service().delete(tenant_id(app), connection_id)
    logger.info("connection deleted", extra={"connection_id": connection_id})
    return Response(status_code=204)


@app.post(
    "/v1/connections/<connection_id>/test",
    summary="Test network, TLS, version and protocol, authentication, database and access rights",
    description="Answers 200 whether or not the test passes: `success`, and on failure the `category` "
    "(network, tls, auth, database, access, protocol) with Odoo's own message; also the Odoo version, "
    "the protocol detected, the access rights on the models a sync needs, and warnings such as an API "
    "key about to expire.",
)
def test_connection(connection_id: CONNECTION_ID) -> ConnectionTestResult:
    result = check_connection(
        connection_service(), tenant_id(app), connection_id, OdooClient, webhook_tokens()
    )
    logger.info("connection tested", extra={"connection_id": connection_id, "success": result.success})
    return result


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

"""The API describes itself: its OpenAPI document and a page to read it, both without a key."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.reference_page import published_document_text, published_page
from odoo_sync.api.resolver import build_resolver, resolve

logger = Logger()
app = build_resolver()

CACHE = {"Cache-Control": "public, max-age=300"}


@app.get(
    "/v1/openapi.json",
    summary="The OpenAPI 3 document of every route of this API",
    description="The machine-readable description of the whole API, as built from the code when it was "
    "deployed. No key needed: it holds no tenant's data.",
    responses={
        200: {
            "description": "An OpenAPI 3.1 document",
            "content": {"application/json": {"schema": {"type": "object", "description": "OpenAPI 3.1"}}},
        }
    },
)
def openapi_document() -> Response[str]:
    return Response(
        status_code=200, content_type="application/json", body=published_document_text(), headers=CACHE
    )


@app.get(
    "/v1/docs",
    summary="The API reference as a page for people",
    description="Every route, its parameters, body and answers, and every schema, rendered from the "
    "OpenAPI document on the server: a self-contained page that needs no other download.",
    responses={
        200: {
            "description": "An HTML page",
            "content": {"text/html": {"schema": {"type": "string", "description": "HTML"}}},
        }
    },
)
def reference_page() -> Response[str]:
    return Response(
        status_code=200, content_type="text/html; charset=utf-8", body=published_page(), headers=CACHE
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context)

"""GET /v1/openapi.json and GET /v1/docs through the docs function's handler, with no key."""

from __future__ import annotations

import json
import re

from docs_api.handler import lambda_handler
from odoo_sync.api.reference_page import DOCUMENT_FILE, render_page
from tests.support.api import call
from tests.support.events import LambdaContextStub, api_event


def test_the_document_is_served_as_published_without_a_tenant() -> None:
    answer = call(lambda_handler, "GET", "/v1/openapi.json", tenant_id=None, role="none")

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.raw == DOCUMENT_FILE.read_text(encoding="utf-8")
    assert answer.body["openapi"].startswith("3.")


def test_the_page_shows_every_route_and_schema_and_loads_nothing_from_elsewhere() -> None:
    document = json.loads(DOCUMENT_FILE.read_text(encoding="utf-8"))
    event = api_event("GET", "/v1/docs", tenant_id=None, role="none")
    answer = lambda_handler(event, LambdaContextStub())  # type: ignore[arg-type]

    page = answer["body"]
    assert answer["statusCode"] == 200
    assert answer["multiValueHeaders"]["Content-Type"] == ["text/html; charset=utf-8"]
    for path in document["paths"]:
        assert f'<span class="path">{path}</span>' in page
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert re.findall(r'(?:src|href)="(?:https?:)?//', page) == []
    assert "<script" not in page


def test_text_from_the_document_is_escaped() -> None:
    page = render_page(
        {
            "info": {"title": "<b>x</b>", "description": "a & b"},
            "tags": [{"name": "T", "description": ""}],
            "paths": {
                "/v1/x": {"get": {"tags": ["T"], "summary": "<script>alert(1)</script>", "responses": {}}}
            },
            "components": {"schemas": {}},
        }
    )

    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &amp; b" in page

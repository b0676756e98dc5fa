"""The change feed and webhook subscription routes document every parameter and answer field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from changes_api.handler import app
from explorer_api.handler import app as explorer_app

DOCUMENT: dict[str, Any] = json.loads(app.get_openapi_json_schema())
SCHEMAS: dict[str, Any] = DOCUMENT.get("components", {}).get("schemas", {})
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _undescribed(schema: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """Every property, at any depth, that has no description."""
    ref = schema.get("$ref")
    if ref is not None:
        if ref in seen:
            return []
        seen = seen | {ref}
    schema = _resolve(schema)
    missing: list[str] = []
    for variant in schema.get("anyOf", []) + schema.get("allOf", []):
        missing += _undescribed(variant, where, seen)
    if "items" in schema:
        missing += _undescribed(schema["items"], f"{where}[]", seen)
    for name, prop in schema.get("properties", {}).items():
        if not (prop.get("description") or _resolve(prop).get("description")):
            missing.append(f"{where}.{name}")
        missing += _undescribed(prop, f"{where}.{name}", seen)
    return missing


def test_every_route_of_the_feed_and_the_subscriptions_is_there() -> None:
    assert {(method, path) for method, path, _ in OPERATIONS} == {
        ("GET", "/v1/changes"),
        ("POST", "/v1/webhook-subscriptions"),
        ("GET", "/v1/webhook-subscriptions"),
        ("GET", "/v1/webhook-subscriptions/{subscription_id}"),
        ("DELETE", "/v1/webhook-subscriptions/{subscription_id}"),
        ("POST", "/v1/webhook-subscriptions/{subscription_id}/rotate-secret"),
        ("GET", "/v1/webhook-subscriptions/{subscription_id}/deliveries"),
    }


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_each_route_describes_itself_and_every_parameter(method, path, operation) -> None:
    assert len(operation.get("description", "")) > 40, (method, path)
    for parameter in operation.get("parameters", []):
        assert parameter.get("description"), (method, path, parameter["name"])


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_every_answer_field_and_body_field_is_described(method, path, operation) -> None:
    missing: list[str] = []
    for status, response in operation["responses"].items():
        for content in response.get("content", {}).values():
            missing += _undescribed(content["schema"], f"{status}", set())
    for content in operation.get("requestBody", {}).get("content", {}).values():
        missing += _undescribed(content["schema"], "body", set())
    assert missing == [], (method, path)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_errors_are_documented_with_their_shape(method, path, operation) -> None:
    errors = {status: r for status, r in operation["responses"].items() if status.startswith(("4", "5"))}

    assert "422" in errors
    for response in errors.values():
        schema = _resolve(response["content"]["application/json"]["schema"])
        assert {"code", "message", "field"} <= set(schema["properties"]), (method, path)


def test_the_feed_documents_its_paging_answer() -> None:
    feed = next(operation for method, path, operation in OPERATIONS if path == "/v1/changes")
    page = _resolve(feed["responses"]["200"]["content"]["application/json"]["schema"])

    assert set(page["properties"]) == {"items", "next", "has_more"}
    assert {p["name"] for p in feed["parameters"]} == {"entity", "cursor", "limit"}
    assert "has_more" in feed["description"]
    assert "`next`" in feed["description"]


def test_the_record_update_route_documents_the_envelope_and_bare_fields() -> None:
    document = json.loads(explorer_app.get_openapi_json_schema())
    update = document["paths"]["/v1/connections/{connection_id}/records/{model}/{record_id}"]["patch"]

    assert '{"values": {...}}' in update["description"]
    assert "bare fields" in update["description"]
    assert "422" in update["description"]

"""One OpenAPI 3 document of every route of every function of template.yaml.

Each API function's resolver (Powertools) generates the document of its own routes; merged and
completed with what only the template knows (which routes need no key) and what every route shares
(the bearer key, the error answer), they describe the whole API.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from api_reference.field_notes import notes_for
from odoo_sync.api.answers import ErrorAnswer

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
SCHEMA_REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": SCHEMA_REF.format(model="ErrorAnswer")}
# Powertools documents its own validation answer; ours is ErrorAnswer (odoo_sync.api.resolver).
POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")

DESCRIPTION = """\
Odoo Sync keeps a tenant's systems in step with the tenant's own Odoo.

Every route takes a key, `Authorization: Bearer <key>`, except the few marked as needing none:
a tenant key for the tenant's routes, the operator key for `/v1/admin/*`. Bodies and answers are
JSON; a refusal answers an `ErrorAnswer` (`code`, `message`, `field`). Paths are relative to the
API's base URL (the stack's `ApiUrl` output, which ends with the stage).
"""


@dataclass(frozen=True)
class TemplateRoute:
    method: str  # upper case
    path: str
    handler_module: str
    function: str  # the template's logical id
    needs_key: bool


def template_routes(template: Path = TEMPLATE) -> list[TemplateRoute]:
    """Every API Gateway route of the template, with the function and module that serve it."""
    sam = yaml_parse(template.read_text(encoding="utf-8"))
    routes: list[TemplateRoute] = []
    for name, resource in sam["Resources"].items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = resource.get("Properties", {})
        module = str(properties.get("Handler", "")).rsplit(".", 1)[0]
        for event in (properties.get("Events") or {}).values():
            if event.get("Type") != "Api":
                continue
            spec = event["Properties"]
            authorizer = (spec.get("Auth") or {}).get("Authorizer")
            routes.append(
                TemplateRoute(spec["Method"].upper(), spec["Path"], module, name, authorizer != "NONE")
            )
    return sorted(routes, key=lambda route: (route.path, HTTP_METHODS.index(route.method.lower())))


def build_document(template: Path = TEMPLATE) -> dict[str, Any]:
    routes = template_routes(template)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Odoo Sync API", "version": "1", "description": DESCRIPTION},
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A tenant key (osk_live_...) or, on /v1/admin, the operator key",
                }
            },
        },
        "security": [{"apiKey": []}],
    }
    tags: dict[str, tuple[str, str]] = {}
    for module_name in sorted({route.handler_module for route in routes}):
        module = importlib.import_module(module_name)
        tags[module_name] = _tag(module_name, module.__doc__)
        part = json.loads(module.app.get_openapi_json_schema())
        for path, operations in part.get("paths", {}).items():
            document["paths"].setdefault(path, {}).update(operations)
        for name, schema in part.get("components", {}).get("schemas", {}).items():
            known = document["components"]["schemas"].setdefault(name, schema)
            if known != schema:
                raise ValueError(f"two functions define the schema {name} differently")
    for route in routes:
        operation = document["paths"].get(route.path, {}).get(route.method.lower())
        if operation is not None:
            _complete(operation, route, tags[route.handler_module])
    _add_error_answer(document["components"]["schemas"])
    _describe_fields(document["components"]["schemas"])
    document["components"]["schemas"] = dict(sorted(document["components"]["schemas"].items()))
    document["paths"] = {
        path: {method: operations[method] for method in HTTP_METHODS if method in operations}
        for path, operations in sorted(document["paths"].items())
    }
    document["tags"] = [{"name": name, "description": about} for name, about in sorted(set(tags.values()))]
    return document


def _tag(module_name: str, doc: str | None) -> tuple[str, str]:
    """A function's routes share a tag: its package's name, described by its docstring's first line."""
    name = module_name.split(".", 1)[0].removesuffix("_api").replace("_", " ").capitalize()
    lines = (doc or "").strip().splitlines()
    return name, lines[0] if lines else ""


def _complete(operation: dict[str, Any], route: TemplateRoute, tag: tuple[str, str]) -> None:
    operation["tags"] = [tag[0]]
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, answer in list(responses.items()):
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("$ref", "").rsplit("/", 1)[-1] == "HTTPValidationError":
            answer["description"] = "The request is invalid: every problem, each with its field"
            answer["content"] = {"application/json": {"schema": ERROR_REF}}
        if answer.get("content") == {}:
            del answer["content"]
        responses[status] = answer
    if route.needs_key:
        responses.setdefault("401", _error("No key, or a key that is not valid"))
        responses.setdefault("403", _error("This key may not call this route"))
    else:
        operation["security"] = []
    responses.setdefault("default", _error("Refused or failed: see the code and message"))
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: _status_order(item[0])))


def _status_order(status: str) -> tuple[int, int]:
    """Successes first, then errors by status, `default` last."""
    if not status.isdigit():
        return (2, 0)
    return (0 if int(status) < 400 else 1, int(status))


def _describe_fields(schemas: dict[str, Any]) -> None:
    for name, schema in schemas.items():
        notes = notes_for(name)
        for field, spec in schema.get("properties", {}).items():
            if not spec.get("description") and field in notes:
                spec["description"] = notes[field]


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _add_error_answer(schemas: dict[str, Any]) -> None:
    for name in POWERTOOLS_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schema = ErrorAnswer.model_json_schema(ref_template=SCHEMA_REF)
    schemas.update(schema.pop("$defs", {}))
    schemas["ErrorAnswer"] = schema

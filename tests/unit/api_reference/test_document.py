"""The published OpenAPI document: current, complete, and covering exactly the template's routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import api_reference.__main__ as cli
from api_reference import build_document, template_routes
from api_reference.field_notes import FIELD_NOTES

NO_BODY = {"204"}


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    return cli.generated()


@pytest.fixture(scope="module")
def document(generated: dict[Path, str]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(generated[cli.DOCUMENT])
    return parsed


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, methods in document["paths"].items() for m, op in methods.items()]


@pytest.mark.parametrize("target", [cli.DOCUMENT, cli.REFERENCE], ids=lambda p: p.name)
def test_the_committed_document_and_reference_are_what_the_code_makes(generated, target) -> None:
    assert target.read_text(encoding="utf-8") == generated[target], "stale: run `make openapi`"


def test_every_route_of_the_template_is_documented_and_nothing_else(document) -> None:
    declared = {(route.method, route.path) for route in template_routes()}
    documented = {(method, path) for method, path, _ in operations(document)}

    assert declared - documented == set(), "in template.yaml, missing from the document"
    assert documented - declared == set(), "in the document, not served by template.yaml"


def test_every_operation_has_a_summary_a_description_and_a_tag(document) -> None:
    lacking = [
        f"{method} {path}"
        for method, path, op in operations(document)
        if not op.get("summary") or not op.get("description") or not op.get("tags")
    ]
    assert lacking == []


def test_every_parameter_is_described(document) -> None:
    lacking = [
        f"{method} {path} {parameter['name']}"
        for method, path, op in operations(document)
        for parameter in op.get("parameters", [])
        if not parameter.get("description")
    ]
    assert lacking == []


def test_every_answer_has_a_schema_and_no_body_is_an_open_dict(document) -> None:
    lacking = []
    for method, path, op in operations(document):
        for status, answer in op["responses"].items():
            if status in NO_BODY:
                assert "content" not in answer, f"{method} {path} {status}"
                continue
            schemas = [value.get("schema") for value in answer.get("content", {}).values()]
            if not schemas or any(_open(schema) for schema in schemas):
                lacking.append(f"{method} {path} {status}")
    assert lacking == []


def _open(schema: dict[str, Any] | None) -> bool:
    """No schema, `{}`, or an object that says nothing of its fields."""
    if not schema:
        return True
    if schema.get("type") == "object" and not schema.get("properties") and not schema.get("description"):
        return not isinstance(schema.get("additionalProperties"), dict)
    return False


def test_every_success_answer_is_documented_with_its_real_status(document) -> None:
    created = {
        ("POST", "/v1/connections"),
        ("POST", "/v1/admin/tenants"),
        ("POST", "/v1/schedules"),
        ("POST", "/v1/webhook-subscriptions"),
    }
    accepted = {("POST", "/v1/bulk-sync"), ("POST", "/v1/schedules/{schedule_id}/run")}
    for method, path, op in operations(document):
        if (method, path) in created:
            assert "201" in op["responses"], path
        if (method, path) in accepted:
            assert "202" in op["responses"], path
        if method == "DELETE" and path != "/v1/connections/{connection_id}/automation":
            assert "204" in op["responses"], path


def test_routes_without_a_key_are_the_templates_and_every_other_takes_one(document) -> None:
    open_routes = {(r.method, r.path) for r in template_routes() if not r.needs_key}
    for method, path, op in operations(document):
        if (method, path) in open_routes:
            assert op["security"] == [], path
            assert "401" not in op["responses"]
        else:
            assert "security" not in op, path  # the document's default: the bearer key
            assert op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "ErrorAnswer"
            )
    assert open_routes >= {("GET", "/v1/openapi.json"), ("GET", "/v1/docs")}


def test_validation_errors_are_documented_in_the_shape_the_api_answers(document) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert {"code", "message", "field", "errors"} <= set(schemas["ErrorAnswer"]["properties"])
    # Sync-one's 422 is also the record's refusal, a shape that admits the validation answer's fields.
    shapes = {
        op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        for _, _, op in operations(document)
        if "422" in op["responses"]
    }
    assert shapes == {"ErrorAnswer", "SyncRefused"}


def test_check_mode_fails_on_a_stale_file_and_names_it(monkeypatch, tmp_path, capsys) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr(cli, "DOCUMENT", stale)
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setattr(cli, "REFERENCE", tmp_path / "api.md")

    assert cli.main(["--check"]) == 1
    assert "openapi.json" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == "{}\n"  # --check writes nothing

    assert cli.main([]) == 0
    assert cli.main(["--check"]) == 0


def test_a_template_route_without_a_resolver_route_is_left_out_and_so_caught(tmp_path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        """
Resources:
  Docs:
    Type: AWS::Serverless::Function
    Properties:
      Handler: docs_api.handler.lambda_handler
      Events:
        Page:
          Type: Api
          Properties: {Path: /v1/docs, Method: get, Auth: {Authorizer: NONE}}
        Ghost:
          Type: Api
          Properties: {Path: /v1/ghost, Method: get}
""",
        encoding="utf-8",
    )
    built = build_document(template)

    assert [r.path for r in template_routes(template)] == ["/v1/docs", "/v1/ghost"]
    assert "/v1/ghost" not in built["paths"]  # so the coverage test above would fail


def _answer_schemas(document: dict[str, Any]) -> set[str]:
    """Every schema an answer refers to, directly or through another schema."""
    schemas = document["components"]["schemas"]
    found: set[str] = set()
    todo = [ref for _, _, op in operations(document) for ref in _refs(op["responses"])]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo += _refs(schemas[name])
    return found


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v.rsplit("/", 1)[-1] for k, v in node.items() if k == "$ref"] + [
            ref for k, v in node.items() if k != "$ref" for ref in _refs(v)
        ]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def test_every_field_of_every_answer_is_described(document) -> None:
    schemas = document["components"]["schemas"]
    lacking = [
        f"{name}.{field}"
        for name in sorted(_answer_schemas(document))
        for field, spec in schemas[name].get("properties", {}).items()
        if not spec.get("description")
    ]
    assert lacking == [], "describe them on the model, or in api_reference/field_notes.py"


def test_no_field_note_is_left_for_a_field_that_is_gone(document) -> None:
    schemas = document["components"]["schemas"]
    stale = [
        f"{name}.{field}"
        for name, notes in FIELD_NOTES.items()
        for field in notes
        if not any(
            field in schemas[key].get("properties", {})
            for key in (name, f"{name}-Output", f"{name}-Input")
            if key in schemas
        )
    ]
    assert stale == []

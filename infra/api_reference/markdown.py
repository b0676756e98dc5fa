"""docs/api.md: the OpenAPI document as a Markdown reference (routes by tag, then every schema)."""

from __future__ import annotations

from typing import Any

HEADER = """\
# API reference

Generated from the OpenAPI document by `make openapi`; do not edit by hand. The same document is
served by the API itself at `GET /v1/openapi.json`, and as a page at `GET /v1/docs`, without a key.
How errors, paging, conflicts and `Idempotency-Key` work: [concepts.md](concepts.md) and
[api-conventions.md](api-conventions.md).
"""


def render(document: dict[str, Any]) -> str:
    lines = [HEADER]
    about = document["info"].get("description", "").strip()
    if about:
        lines += [about, ""]
    operations = list(_operations(document))
    for tag in document.get("tags", []):
        mine = [op for op in operations if tag["name"] in op[2].get("tags", [])]
        if not mine:
            continue
        lines += [f"## {tag['name']}", ""]
        if tag.get("description"):
            lines += [tag["description"], ""]
        lines += ["| route | what |", "|---|---|"]
        lines += [
            f"| `{method.upper()} {path}` | {_cell(op.get('summary', ''))} |" for method, path, op in mine
        ]
        lines.append("")
        for method, path, op in mine:
            lines += _operation(method, path, op)
    lines += ["## Schemas", ""]
    for name, schema in document["components"]["schemas"].items():
        lines += _schema(name, schema)
    return "\n".join(lines).rstrip() + "\n"


def _operations(document: dict[str, Any]) -> Any:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _operation(method: str, path: str, op: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", "", op.get("summary", ""), ""]
    if op.get("description"):
        lines += [op["description"], ""]
    if op.get("security") == []:
        lines += ["No key needed.", ""]
    if op.get("parameters"):
        lines += ["| parameter | in | type | required | description |", "|---|---|---|---|---|"]
        for parameter in op["parameters"]:
            lines.append(
                f"| `{parameter['name']}` | {parameter['in']} | {_type(parameter.get('schema', {}))} | "
                f"{'yes' if parameter.get('required') else 'no'} | "
                f"{_cell(parameter.get('description', ''))} |"
            )
        lines.append("")
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        required = "" if op["requestBody"].get("required") else " (optional)"
        lines += [f"Body{required}: {_type(body)}", ""]
    lines += ["| answer | body | when |", "|---|---|---|"]
    for status, answer in op.get("responses", {}).items():
        content = answer.get("content", {})
        shapes = ", ".join(
            f"{_type(value['schema'])}" + ("" if kind == "application/json" else f" ({kind})")
            for kind, value in content.items()
            if "schema" in value
        )
        lines.append(f"| {status} | {shapes or 'none'} | {_cell(answer.get('description', ''))} |")
    return [*lines, ""]


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    if "enum" in schema:
        return [*lines, "One of: " + ", ".join(f"`{value}`" for value in schema["enum"]), ""]
    properties = schema.get("properties", {})
    if not properties:
        return [*lines, f"Type: {_type(schema)}", ""]
    required = set(schema.get("required", []))
    lines += ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in properties.items():
        lines.append(
            f"| `{field}` | {_type(spec)} | {'yes' if field in required else 'no'} | "
            f"{_cell(spec.get('description', ''))} |"
        )
    return [*lines, ""]


def _type(schema: dict[str, Any]) -> str:  # noqa: PLR0911 - one answer per kind of schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "enum" in schema:
        return " \\| ".join(f"`{value}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return " or ".join(_type(part) for part in schema[combinator])
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {_type(schema['additionalProperties'])}"
    return str(kind) if kind else "any"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")

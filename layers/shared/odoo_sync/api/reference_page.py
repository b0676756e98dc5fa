"""The published OpenAPI document (built by `make openapi` into this package) and its HTML page.

The page is rendered here, on the server, from the document alone: no script, no stylesheet or
font from elsewhere, so it reads the same offline.
"""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

DOCUMENT_FILE = Path(__file__).with_name("openapi.json")
_CODE_SPAN = re.compile(r"`([^`]+)`")
STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;display:flex}
nav{width:17rem;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f5f8;
padding:1rem;box-sizing:border-box;font-size:13px}
nav a{display:block;color:#1d2330;text-decoration:none;padding:1px 0;overflow-wrap:anywhere}
nav h2{font-size:12px;text-transform:uppercase;color:#667;margin:1rem 0 .3rem}
main{padding:1rem 2rem 4rem;max-width:60rem}
h1{margin-top:.5rem}
section.op{border-top:1px solid #dde;padding-top:.6rem;margin-top:1.4rem}
code,.path{font-family:ui-monospace,Menlo,monospace;font-size:13px}
.method{display:inline-block;min-width:3.7rem;text-align:center;border-radius:3px;color:#fff;
font:bold 12px ui-monospace,monospace;padding:2px 4px;margin-right:.4rem}
.get{background:#2f7d4f}.post{background:#2a5db0}.put{background:#8a5a00}.patch{background:#7a4bb0}
.delete{background:#b03a2e}
table{border-collapse:collapse;margin:.4rem 0 .8rem;font-size:13px}
td,th{border:1px solid #dde;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f4f5f8}
.nokey{color:#8a5a00;font-size:13px}
"""


@cache
def published_document_text() -> str:
    return DOCUMENT_FILE.read_text(encoding="utf-8")


@cache
def published_page() -> str:
    document: dict[str, Any] = json.loads(published_document_text())
    return render_page(document)


def render_page(document: dict[str, Any]) -> str:
    info = document.get("info", {})
    operations = [
        (method, path, operation)
        for path, methods in document.get("paths", {}).items()
        for method, operation in methods.items()
    ]
    nav: list[str] = []
    body: list[str] = [f"<h1>{escape(info.get('title', 'API'))}</h1>"]
    body += [f"<p>{_text(paragraph)}</p>" for paragraph in info.get("description", "").split("\n\n")]
    body.append('<p>The document itself: <a href="openapi.json"><code>GET /v1/openapi.json</code></a>.</p>')
    for tag in document.get("tags", []):
        mine = [op for op in operations if tag["name"] in op[2].get("tags", [])]
        if not mine:
            continue
        nav.append(f"<h2>{escape(tag['name'])}</h2>")
        body.append(f"<h2>{escape(tag['name'])}</h2><p>{escape(tag.get('description', ''))}</p>")
        for method, path, operation in mine:
            anchor = _anchor(method, path)
            nav.append(f'<a href="#{anchor}">{method.upper()} {escape(path)}</a>')
            body.append(_operation(anchor, method, path, operation))
    nav.append('<h2>Schemas</h2><a href="#schemas">All schemas</a>')
    body.append('<h2 id="schemas">Schemas</h2>')
    schemas = document.get("components", {}).get("schemas", {})
    body += [_schema(name, schema) for name, schema in schemas.items()]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(info.get('title', 'API'))}</title><style>{STYLE}</style></head>"
        f"<body><nav>{''.join(nav)}</nav><main>{''.join(body)}</main></body></html>\n"
    )


def _text(text: str) -> str:
    """Escaped, with the document's `code` spans shown as code."""
    return _CODE_SPAN.sub(r"<code>\1</code>", escape(text))


def _anchor(method: str, path: str) -> str:
    return f"{method}-" + "".join(c if c.isalnum() else "-" for c in path).strip("-")


def _operation(anchor: str, method: str, path: str, operation: dict[str, Any]) -> str:
    parts = [
        f'<section class="op" id="{anchor}"><h3><span class="method {method}">{method.upper()}</span>'
        f'<span class="path">{escape(path)}</span></h3>',
        f"<p><b>{_text(operation.get('summary', ''))}</b></p>",
    ]
    if operation.get("description"):
        parts.append(f"<p>{_text(operation['description'])}</p>")
    if operation.get("security") == []:
        parts.append('<p class="nokey">No key needed.</p>')
    if operation.get("parameters"):
        rows = "".join(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
            f"<td>{_type(p.get('schema', {}))}</td><td>{'yes' if p.get('required') else 'no'}</td>"
            f"<td>{_text(p.get('description', ''))}</td></tr>"
            for p in operation["parameters"]
        )
        parts.append(
            "<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th>description</th></tr>"
            f"{rows}</table>"
        )
    request = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "schema" in request:
        optional = "" if operation["requestBody"].get("required") else " (optional)"
        parts.append(f"<p>Body{optional}: {_type(request['schema'])}</p>")
    rows = ""
    for status, answer in operation.get("responses", {}).items():
        shapes = ", ".join(
            _type(value["schema"]) + ("" if kind == "application/json" else f" ({escape(kind)})")
            for kind, value in answer.get("content", {}).items()
            if "schema" in value
        )
        rows += (
            f"<tr><td>{escape(status)}</td><td>{shapes or 'none'}</td>"
            f"<td>{_text(answer.get('description', ''))}</td></tr>"
        )
    parts.append(f"<table><tr><th>answer</th><th>body</th><th>when</th></tr>{rows}</table></section>")
    return "".join(parts)


def _schema(name: str, schema: dict[str, Any]) -> str:
    parts = [f'<section id="schema-{escape(name)}"><h3>{escape(name)}</h3>']
    if schema.get("description"):
        parts.append(f"<p>{_text(schema['description'])}</p>")
    if "enum" in schema:
        values = ", ".join(f"<code>{escape(str(v))}</code>" for v in schema["enum"])
        parts.append(f"<p>One of: {values}</p>")
    elif schema.get("properties"):
        required = set(schema.get("required", []))
        rows = "".join(
            f"<tr><td><code>{escape(field)}</code></td><td>{_type(spec)}</td>"
            f"<td>{'yes' if field in required else 'no'}</td>"
            f"<td>{_text(spec.get('description', ''))}</td></tr>"
            for field, spec in schema["properties"].items()
        )
        parts.append(
            f"<table><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>{rows}</table>"
        )
    else:
        parts.append(f"<p>Type: {_type(schema)}</p>")
    return "".join(parts) + "</section>"


def _type(schema: dict[str, Any]) -> str:  # noqa: PLR0911 - one answer per kind of schema
    if "$ref" in schema:
        name = escape(schema["$ref"].rsplit("/", 1)[-1])
        return f'<a href="#schema-{name}">{name}</a>'
    if "enum" in schema:
        return " | ".join(f"<code>{escape(str(v))}</code>" for v in schema["enum"])
    if "const" in schema:
        return f"<code>{escape(str(schema['const']))}</code>"
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            return " or ".join(_type(part) for part in schema[combinator])
    kind = schema.get("type")
    if kind == "array":
        return "list of " + _type(schema.get("items", {}))
    if isinstance(kind, list):
        return " or ".join(escape(str(k)) for k in kind)
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "object of " + _type(schema["additionalProperties"])
    return escape(str(kind)) if kind else "any"

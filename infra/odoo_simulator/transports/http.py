"""Response value and the HTML pages Werkzeug/Odoo answer with."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = HTML_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    mutating: bool = False  # a committed write: "drop after commit" may swallow this answer


def json_response(value: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, json.dumps(value).encode(), JSON_TYPE, headers or [])


def werkzeug_page(status: int, title: str, description: str) -> Response:
    body = (
        "<!doctype html>\n<html lang=en>\n"
        f"<title>{status} {title}</title>\n<h1>{title}</h1>\n<p>{description}</p>\n"
    )
    return Response(status, body.encode(), HTML_TYPE)


def not_found_page() -> Response:
    """Odoo's website 404 page (shortened): what a path unknown to this version answers."""
    body = (
        '<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset="utf-8"/>\n'
        "        <title>Odoo</title>\n    </head>\n    <body>\n"
        "        <h1>404: Page not found!</h1>\n"
        "        <p>The page you were looking for could not be found.</p>\n    </body>\n</html>"
    )
    return Response(404, body.encode(), "text/html;charset=utf-8")


def no_database_page() -> Response:
    body = (
        "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
        "<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n"
        "<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n"
        "<!-- Alternatively, use the X-Odoo-Database header. -->\n"
    )
    return Response(404, body.encode(), HTML_TYPE)


def method_not_allowed() -> Response:
    response = werkzeug_page(405, "Method Not Allowed", "The method is not allowed for the requested URL.")
    response.headers.append(("Allow", "POST, OPTIONS"))
    return response


def wrong_content_type(path: str, route_type: str, status: int) -> Response:
    detail = (
        f"Request inferred type is compatible with [&#39;http&#39;] but &#39;{html.escape(path)}&#39; "
        f"is type=&#39;{route_type}&#39;."
    )
    if status == 415:
        detail += "<br><br>Please verify the Content-Type request header and try again."
        return werkzeug_page(415, "Unsupported Media Type", detail)
    return werkzeug_page(400, "Bad Request", detail)

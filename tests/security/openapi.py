"""The API as one OpenAPI document, and as a WSGI app that answers through the real handlers.

The document is the one api_reference builds (each function's resolver, merged). The WSGI app
plays API Gateway: it finds the template route of a request, builds the proxy event (the
authorizer's context included) and calls that route's handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from api_reference import build_document
from tests.security.world import Route, api_routes
from tests.support.events import LambdaContextStub, api_event

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def merged_openapi() -> dict[str, Any]:
    """The document `make openapi` publishes, built afresh from the code."""
    return build_document()


class ApiGatewayWsgi:
    """WSGI in front of the handlers, as the tenant (or, on /v1/admin, the operator) calling."""

    def __init__(self, tenant_id: str, routes: Iterable[Route] | None = None) -> None:
        self._tenant_id = tenant_id
        self._routes = [(route, _pattern(route.path)) for route in (routes or api_routes())]
        self.calls: list[tuple[str, str, int]] = []

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        method = environ["REQUEST_METHOD"]
        path = unquote(environ.get("PATH_INFO", ""))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace") if length else None
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        status, answer_headers, answer_body = self._answer(
            method, path, environ.get("QUERY_STRING", ""), body, headers
        )
        self.calls.append((method, path, status))
        start_response(f"{status} X", list(answer_headers.items()))
        return [answer_body.encode("utf-8")]

    def _answer(
        self, method: str, path: str, query: str, body: str | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], str]:
        for route, pattern in self._routes:
            matched = pattern.fullmatch(path)
            if matched and route.method == method:
                admin = path.startswith("/v1/admin/")
                event = api_event(
                    method,
                    route.path,
                    matched.groupdict() or None,
                    body=body,
                    query=query,
                    headers=headers,
                    tenant_id=None if admin else self._tenant_id,
                    role="operator" if admin else "tenant",
                )
                answer = route.handler(event, LambdaContextStub())
                merged = {**answer.get("headers", {})}
                merged.update({k: v[-1] for k, v in answer.get("multiValueHeaders", {}).items()})
                return int(answer["statusCode"]), merged, answer.get("body") or ""
        # API Gateway answers unknown routes itself, before any function runs.
        return 403, {"Content-Type": "application/json"}, '{"message":"Missing Authentication Token"}'


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(path)))

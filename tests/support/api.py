"""Calling a function's handler the way API Gateway does, and reading its answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support.events import LambdaContextStub, api_event

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class ApiAnswer:
    status: int
    body: Any
    headers: dict[str, str]
    raw: str


def call(
    handler: Handler, method: str, resource: str, path_parameters: dict[str, str] | None = None, **kwargs: Any
) -> ApiAnswer:
    answer = handler(api_event(method, resource, path_parameters, **kwargs), LambdaContextStub())
    raw = answer.get("body") or ""
    headers = {
        **answer.get("headers", {}),
        **{k: v[-1] for k, v in answer.get("multiValueHeaders", {}).items()},
    }
    is_json = "json" in headers.get("Content-Type", "application/json")  # the docs page is HTML
    body = (json.loads(raw) if is_json else raw) if raw else None
    return ApiAnswer(status=answer["statusCode"], body=body, headers=headers, raw=raw)

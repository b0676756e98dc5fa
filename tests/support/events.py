"""Events as API Gateway sends them, built from the canonical fixtures in tests/events."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

EVENTS = Path(__file__).resolve().parents[1] / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


def api_event(
    method: str,
    resource: str,
    path_parameters: dict[str, str] | None = None,
    *,
    body: Any = None,
    query: str = "",
    tenant_id: str | None = "ten_0123456789abcdef",
    role: str = "tenant",
    headers: dict[str, str] | None = None,
    scopes: str | None = None,
    key_id: str = "key_0123456789abcdef",
    key_name: str = "test key",
) -> dict[str, Any]:
    """A REST API proxy event for `resource` (e.g. /v1/connections/{connection_id}), with the
    authorizer's context of a key (an admin tenant key, or the operator's, unless told)."""
    event = copy.deepcopy(load_event("api_gateway_rest.json"))
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    event.update(
        resource=resource,
        path=path,
        httpMethod=method,
        pathParameters=path_parameters,
        body=body if body is None or isinstance(body, str) else json.dumps(body),
    )
    pairs = parse_qsl(query, keep_blank_values=True)
    event["queryStringParameters"] = dict(pairs) or None
    event["multiValueQueryStringParameters"] = _multi(pairs) or None
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    context = event["requestContext"]
    context.update(httpMethod=method, resourcePath=resource, path=f"/dev{path}")
    if scopes is None:
        scopes = "operator" if role == "operator" else "admin"
    if role == "operator":
        key_id = key_name = "operator"
    context["authorizer"] = {
        "principalId": tenant_id or role,
        "role": role,
        "key_id": key_id,
        "key_name": key_name,
        "scopes": scopes,
    }
    if tenant_id:
        context["authorizer"]["tenant_id"] = tenant_id
    return event


def authorizer_event(
    authorization: str | None,
    method: str = "GET",
    path: str = "/v1/connections",
    resource: str | None = None,
) -> dict[str, Any]:
    """A REQUEST authorizer event for `path` (as sent), whose route is `resource` (as declared)."""
    event = copy.deepcopy(load_event("authorizer_request.json"))
    event["methodArn"] = re.sub(r"/dev/.*$", f"/dev/{method}{path}", event["methodArn"])
    event.update(path=path, resource=resource or path, httpMethod=method)
    event["requestContext"].update(resourcePath=resource or path, httpMethod=method, path=f"/dev{path}")
    for container in (event["headers"], event["multiValueHeaders"]):
        container.pop("Authorization")
    if authorization is not None:
        event["headers"]["Authorization"] = authorization
        event["multiValueHeaders"]["Authorization"] = [authorization]
    return event


@dataclass
class LambdaContextStub:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    return multi

"""API Gateway's REST (v1) Lambda proxy formats: the request event, authorizer event, response."""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from local_stack.api.routes import RouteMatch
from local_stack.moto_server import ACCOUNT_ID

PROXY_RESPONSE_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})


class MalformedResponseError(ValueError):
    """The function's answer is not a Lambda proxy response (API Gateway answers 502)."""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # as sent, still percent-encoded
    query: str  # raw query string, without '?'
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"
    host: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        found = [value for key, value in self.headers if key.lower() == name.lower()]
        return found[-1] if found else None

    def query_values(self, name: str) -> list[str]:
        return [value for key, value in parse_qsl(self.query, keep_blank_values=True) if key == name]


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass(frozen=True)
class RequestInfo:
    """What API Gateway knows about a request before it calls anything."""

    request: HttpRequest
    match: RouteMatch
    request_id: str
    method_arn: str
    region: str
    received_at: float = field(default_factory=time.time)


def request_context(info: RequestInfo) -> dict[str, Any]:
    route, request = info.match.route, info.request
    when = datetime.fromtimestamp(info.received_at, tz=UTC)
    return {
        "accountId": ACCOUNT_ID,
        "apiId": route.api.api_id,
        "domainName": request.host,
        "domainPrefix": request.host.split(".")[0],
        "extendedRequestId": info.request_id,
        "httpMethod": request.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": request.header("User-Agent"),
            "userArn": None,
        },
        "path": f"/{route.api.stage}{request.path}",
        "protocol": "HTTP/1.1",
        "requestId": info.request_id,
        "requestTime": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(info.received_at * 1000),
        "resourceId": route.api.api_id[:6],
        "resourcePath": route.resource,
        "stage": route.api.stage,
    }


def proxy_event(info: RequestInfo, authorizer: dict[str, Any] | None) -> dict[str, Any]:
    request, route = info.request, info.match.route
    headers, multi_headers = _headers(request)
    query, multi_query = _query(request.query)
    context = request_context(info)
    if authorizer is not None:
        context["authorizer"] = authorizer
    body, encoded = _body(request, route.api.binary_media_types)
    return {
        "resource": route.resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": info.match.path_parameters or None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    }


def authorizer_event(info: RequestInfo, kind: str, token: str | None) -> dict[str, Any]:
    if kind == "TOKEN":
        return {"type": "TOKEN", "authorizationToken": token, "methodArn": info.method_arn}
    request = info.request
    headers, multi_headers = _headers(request)
    query, multi_query = _query(request.query)
    return {
        "type": "REQUEST",
        "methodArn": info.method_arn,
        "resource": info.match.route.resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": info.match.path_parameters,
        "stageVariables": {},
        "requestContext": request_context(info),
    }


def http_response(answer: Any) -> HttpResponse:
    """Turn a proxy response into HTTP, by API Gateway's rules (else MalformedResponseError)."""
    if not isinstance(answer, dict):
        raise MalformedResponseError("the function must return an object")
    unknown = set(answer) - PROXY_RESPONSE_KEYS
    if unknown:
        raise MalformedResponseError(f"unexpected keys {sorted(unknown)}")
    status = answer.get("statusCode")
    if isinstance(status, bool) or not isinstance(status, int | str) or not str(status).isdigit():
        raise MalformedResponseError(f"statusCode must be an integer, got {status!r}")
    body = answer.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponseError("body must be a string")
    payload = (body or "").encode()
    if answer.get("isBase64Encoded") and body:
        try:
            payload = base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            raise MalformedResponseError("isBase64Encoded is set but body is not base64") from exc
    headers = _response_headers(answer.get("headers"), answer.get("multiValueHeaders"))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(int(status), headers, payload)


def _response_headers(single: Any, multi: Any) -> list[tuple[str, str]]:
    """Headers and multiValueHeaders merge; a name in both takes multiValueHeaders' values."""
    if single is not None and not isinstance(single, dict):
        raise MalformedResponseError("headers must be an object")
    if multi is not None and not isinstance(multi, dict):
        raise MalformedResponseError("multiValueHeaders must be an object")
    merged: dict[str, tuple[str, list[str]]] = {}
    for name, value in (single or {}).items():
        merged[name.lower()] = (name, [_header_value(value)])
    for name, values in (multi or {}).items():
        if not isinstance(values, list):
            raise MalformedResponseError("multiValueHeaders values must be lists")
        merged[name.lower()] = (name, [_header_value(v) for v in values])
    return [(name, value) for name, values in merged.values() for value in values]


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponseError(f"header values must be strings, got {value!r}")


def _headers(request: HttpRequest) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in request.headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def _query(raw: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        single[name] = value
        multi.setdefault(name, []).append(value)
    return single, multi


def _body(request: HttpRequest, binary_media_types: tuple[str, ...]) -> tuple[str | None, bool]:
    if not request.body:
        return None, False
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if not _is_binary(content_type, binary_media_types):
        try:
            return request.body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(request.body).decode("ascii"), True


def _is_binary(content_type: str, binary_media_types: tuple[str, ...]) -> bool:
    for media_type in binary_media_types:
        kind = media_type.replace("~1", "/").lower()
        if kind in ("*/*", content_type) or (kind.endswith("/*") and content_type.startswith(kind[:-1])):
            return True
    return False

"""One request through API Gateway: route, authorize, invoke, answer."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from local_stack.api.events import (
    HttpRequest,
    HttpResponse,
    MalformedResponseError,
    RequestInfo,
    authorizer_event,
    http_response,
    proxy_event,
)
from local_stack.api.policy import Decision, InvalidPolicyError, evaluate, method_arn
from local_stack.api.routes import AuthorizerSpec, GatewayResponse, RestApi, RouteTable
from local_stack.invoker import FunctionError, LambdaInvoker
from local_stack.moto_server import ACCOUNT_ID

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
_DEFAULT_RESPONSES: dict[str, tuple[int, str | None, str]] = {
    # type: (status, message, x-amzn-ErrorType)
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource", "AccessDeniedException"),
    "MISSING_AUTHENTICATION_TOKEN": (
        403,
        "Missing Authentication Token",
        "MissingAuthenticationTokenException",
    ),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
}
_TEMPLATE_VARIABLE = re.compile(
    r"\$context\.(error\.messageString|error\.message|error\.responseType|requestId|authorizer\.\w+)"
)


@dataclass(frozen=True)
class _Authorized:
    principal_id: str
    context: dict[str, str]
    policy: Any
    expires_at: float


class _DeniedError(Exception):
    def __init__(self, kind: str, message: str | None = None, authorizer: dict[str, str] | None = None):
        super().__init__(kind)
        self.kind = kind
        self.message = message
        self.authorizer = authorizer  # the authorizer's context, for $context.authorizer.* in templates


class ApiGateway:
    def __init__(
        self, apis: list[RestApi], invoker: LambdaInvoker, region: str, cache_authorizers: bool = True
    ):
        self.table = RouteTable(apis)
        # Gateway responses for requests no route claims come from the API, when there is one.
        self.default_api = apis[0] if len(apis) == 1 else None
        self._invoker = invoker
        self._region = region
        self._cache_authorizers = cache_authorizers
        self._cache: dict[tuple[str, tuple[str, ...]], _Authorized] = {}
        self._cache_lock = threading.Lock()
        # Lambda runs each concurrent request in an instance of its own; here one module serves
        # them all, and a resolver keeps the request it is answering in module state (Powertools'
        # app.context), so a function answers one request at a time, as one instance would.
        self._function_locks: dict[str, threading.Lock] = {}

    def clear_authorizer_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        match = self.table.match(request.method, request.path)
        if match is None:
            return self.gateway_response(self.default_api, "MISSING_AUTHENTICATION_TOKEN", request_id)
        api = match.route.api
        if len(request.body) > MAX_REQUEST_BYTES:
            return self.gateway_response(api, "REQUEST_TOO_LARGE", request_id)
        info = RequestInfo(
            request=request,
            match=match,
            request_id=request_id,
            method_arn=method_arn(
                self._region,
                ACCOUNT_ID,
                api.api_id,
                stage=api.stage,
                method=request.method,
                path=request.path,
            ),
            region=self._region,
        )
        authorizer_context: dict[str, Any] | None = None
        if match.route.authorizer is not None:
            try:
                authorizer_context = self._authorize(match.route.authorizer, info)
            except _DeniedError as denied:
                return self.gateway_response(api, denied.kind, request_id, denied.message, denied.authorizer)
        return self._integrate(info, authorizer_context)

    def _integrate(self, info: RequestInfo, authorizer_context: dict[str, Any] | None) -> HttpResponse:
        """The Lambda proxy integration: invoke, then check the answer as API Gateway does."""
        function = info.match.route.function
        try:
            event = proxy_event(info, authorizer_context)
            with self._function_locks.setdefault(function, threading.Lock()):
                answer = self._invoker.invoke(function, event, info.request_id)
            response = http_response(answer)
        except FunctionError as exc:
            if exc.error_type == "RequestEntityTooLargeException":
                return self.gateway_response(info.match.route.api, "REQUEST_TOO_LARGE", info.request_id)
            return _internal_error(info.request_id)
        except MalformedResponseError:
            return _internal_error(info.request_id)
        headers = [*response.headers, ("x-amzn-RequestId", info.request_id)]
        return HttpResponse(response.status, headers, response.body)

    def gateway_response(
        self,
        api: RestApi | None,
        kind: str,
        request_id: str,
        message: str | None = None,
        authorizer: dict[str, str] | None = None,
    ) -> HttpResponse:
        """A response API Gateway makes itself; the template's GatewayResponses override defaults."""
        status, default_message, error_type = _DEFAULT_RESPONSES[kind]
        message = message if message is not None else default_message
        configured = _configured(api, kind, status)
        body = json.dumps({"message": message})
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)]
        if configured is not None:
            status = configured.status or status
            if configured.template is not None:
                body = _render(configured.template, message, kind, request_id, authorizer or {})
            headers.extend(configured.headers.items())
        headers.append(("x-amzn-RequestId", request_id))
        return HttpResponse(status, headers, body.encode())

    def _authorize(self, spec: AuthorizerSpec, info: RequestInfo) -> dict[str, Any]:
        identity = _identity(spec, info)
        if identity is None:
            raise _DeniedError("UNAUTHORIZED")  # API Gateway answers without calling the authorizer
        key = (spec.name, identity)
        cached = self._cached(key)
        if cached is None:
            cached = self._call_authorizer(spec, info)
            if self._cache_authorizers and spec.ttl_s > 0:
                with self._cache_lock:
                    self._cache[key] = cached
        try:
            decision = evaluate(cached.policy, info.method_arn)
        except InvalidPolicyError as exc:
            raise _DeniedError("AUTHORIZER_CONFIGURATION_ERROR") from exc
        # A denial's gateway response may read the authorizer's context ($context.authorizer.*).
        context = {**cached.context, "principalId": cached.principal_id}
        if decision is Decision.EXPLICIT_DENY:
            raise _DeniedError(
                "ACCESS_DENIED",
                "User is not authorized to access this resource with an explicit deny",
                context,
            )
        if decision is Decision.IMPLICIT_DENY:
            raise _DeniedError("ACCESS_DENIED", authorizer=context)
        return {**cached.context, "principalId": cached.principal_id, "integrationLatency": 0}

    def _cached(self, key: tuple[str, tuple[str, ...]]) -> _Authorized | None:
        with self._cache_lock:
            entry = self._cache.get(key)
            if entry is not None and entry.expires_at <= time.monotonic():
                del self._cache[key]
                entry = None
        return entry

    def _call_authorizer(self, spec: AuthorizerSpec, info: RequestInfo) -> _Authorized:
        token = info.request.header(spec.identity_headers[0]) if spec.identity_headers else None
        try:
            answer = self._invoker.invoke(spec.function, authorizer_event(info, spec.kind, token))
        except FunctionError as exc:
            if exc.error_message == "Unauthorized":
                raise _DeniedError("UNAUTHORIZED") from exc
            raise _DeniedError("AUTHORIZER_CONFIGURATION_ERROR") from exc
        if not isinstance(answer, dict) or not isinstance(answer.get("principalId"), str):
            raise _DeniedError("AUTHORIZER_CONFIGURATION_ERROR")
        context = answer.get("context") or {}
        if not isinstance(context, dict) or not all(_is_scalar(value) for value in context.values()):
            raise _DeniedError("AUTHORIZER_CONFIGURATION_ERROR")  # nested values are refused by API Gateway
        try:
            evaluate(answer.get("policyDocument"), info.method_arn)
        except InvalidPolicyError as exc:
            raise _DeniedError("AUTHORIZER_CONFIGURATION_ERROR") from exc
        return _Authorized(
            principal_id=answer["principalId"],
            context={key: _stringified(value) for key, value in context.items()},
            policy=answer["policyDocument"],
            expires_at=time.monotonic() + spec.ttl_s,
        )


def _identity(spec: AuthorizerSpec, info: RequestInfo) -> tuple[str, ...] | None:
    """The authorizer's cache key, or None when a source is missing (API Gateway answers 401)."""
    request = info.request
    values: list[str] = []
    for header in spec.identity_headers:
        value = request.header(header)
        if not value:
            return None
        values.append(value)
    for name in spec.identity_query:
        found = request.query_values(name)
        if not found or not found[-1]:
            return None
        values.append(found[-1])
    context = {"httpMethod": request.method, "resourcePath": info.match.route.resource}
    values.extend(context[name] for name in spec.identity_context)
    return tuple(values)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _stringified(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _configured(api: RestApi | None, kind: str, status: int) -> GatewayResponse | None:
    if api is None:
        return None
    family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
    return api.gateway_responses.get(kind) or api.gateway_responses.get(family)


def _render(
    template: str, message: str | None, kind: str, request_id: str, authorizer: dict[str, str]
) -> str:
    """Simple substitution, as API Gateway's (non-VTL) gateway response templates: values go in as
    they are, unescaped; an authorizer property the context lacks is empty."""
    values = {
        "error.messageString": json.dumps(message),
        "error.message": message or "",
        "error.responseType": kind,
        "requestId": request_id,
        **{f"authorizer.{name}": value for name, value in authorizer.items()},
    }
    return _TEMPLATE_VARIABLE.sub(lambda match: values.get(match.group(1), ""), template)


def _internal_error(request_id: str) -> HttpResponse:
    # A failed or malformed Lambda proxy answer is API Gateway's 502, not a gateway response.
    return HttpResponse(
        502,
        [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "InternalServerErrorException"),
            ("x-amzn-RequestId", request_id),
        ],
        b'{"message": "Internal server error"}',
    )

"""The REST APIs of the translated template: routes, authorizers, gateway responses.

Read from the OpenAPI body SAM generates for each AWS::ApiGateway::RestApi, which is exactly what
API Gateway would be given, so SAM's own rules (DefaultAuthorizer, `Authorizer: NONE`, ...) apply.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from local_stack.resources import Deployment, local_api_id
from local_stack.template import Template, TemplateError

log = logging.getLogger("local_stack")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ANY_METHOD = "ANY"
_SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)\.(?:Arn|Alias)\}")
_IDENTITY_SOURCE = re.compile(r"method\.request\.(header|querystring)\.(.+)")
_CONTEXT_SOURCE = re.compile(r"context\.(.+)")
# The request context variables an identity source may name that the local gateway knows.
CONTEXT_IDENTITY_VARIABLES = ("httpMethod", "resourcePath")


@dataclass(frozen=True)
class AuthorizerSpec:
    name: str
    function: str
    kind: Literal["REQUEST", "TOKEN"]
    identity_headers: tuple[str, ...]
    identity_query: tuple[str, ...]
    ttl_s: int
    # Context variables in the cache key (e.g. httpMethod, resourcePath: one answer per route).
    identity_context: tuple[str, ...] = ()


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    template: str | None  # the application/json response template
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    api: RestApi
    resource: str  # as declared, e.g. /v1/connections/{connection_id}
    method: str  # upper case, or ANY
    function: str
    authorizer: AuthorizerSpec | None

    @property
    def segments(self) -> tuple[str, ...]:
        return _segments(self.resource)


@dataclass(eq=False)
class RestApi:
    logical_id: str
    api_id: str
    stage: str
    gateway_responses: dict[str, GatewayResponse]
    binary_media_types: tuple[str, ...]
    routes: list[Route] = field(default_factory=list)


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_parameters: dict[str, str]


def stage_expressions(template: Template) -> dict[str, Any]:
    """Stage names may be intrinsics (usually !Ref Stage); resolve them with the stack."""
    wanted: dict[str, Any] = {}
    for name, resource in template.of_type("AWS::ApiGateway::Stage").items():
        props = resource.get("Properties", {})
        api = props.get("RestApiId", {}).get("Ref") if isinstance(props.get("RestApiId"), dict) else None
        if api is not None:
            wanted[f"stage:{api}"] = props.get("StageName", name)
    return wanted


def rest_apis(template: Template, deployment: Deployment) -> list[RestApi]:
    functions = set(template.of_type("AWS::Lambda::Function"))
    apis: list[RestApi] = []
    for name, resource in template.of_type("AWS::ApiGateway::RestApi").items():
        body = resource.get("Properties", {}).get("Body")
        if not isinstance(body, dict):
            raise TemplateError(f"{name}: only inline (SAM-generated or DefinitionBody) OpenAPI runs locally")
        authorizers = _authorizers(name, body, functions)
        api = RestApi(
            logical_id=name,
            api_id=local_api_id(name),
            stage=deployment.resolved.get(f"stage:{name}", "Prod"),
            gateway_responses=_gateway_responses(body),
            binary_media_types=tuple(
                body.get("x-amazon-apigateway-binary-media-types")
                or resource["Properties"].get("BinaryMediaTypes")
                or ()
            ),
        )
        api.routes.extend(_routes(api, body, functions, authorizers))
        apis.append(api)
    return apis


class RouteTable:
    """Finds the route for a request the way API Gateway does: literal segments beat parameters."""

    def __init__(self, apis: list[RestApi]) -> None:
        self._routes: list[Route] = []
        seen: dict[tuple[tuple[str, ...], str], Route] = {}
        for api in apis:
            for route in api.routes:
                key = (tuple("{}" if s.startswith("{") else s for s in route.segments), route.method)
                if key in seen:
                    other = seen[key]
                    raise TemplateError(
                        f"{route.method} {route.resource} is served by both {other.api.logical_id} "
                        f"and {api.logical_id}; one port cannot serve both"
                    )
                seen[key] = route
                self._routes.append(route)

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    def match(self, method: str, path: str) -> RouteMatch | None:
        segments = _segments(path)
        candidates: list[tuple[tuple[int, ...], RouteMatch]] = []
        for route in self._routes:
            if route.method not in (method, ANY_METHOD):
                continue
            parameters = _match_segments(route.segments, segments)
            if parameters is None:
                continue
            rank = (*(_segment_rank(s) for s in route.segments), route.method == ANY_METHOD)
            candidates.append((rank, RouteMatch(route, parameters)))
        if not candidates:
            return None
        return min(candidates, key=lambda item: item[0])[1]


def _segments(path: str) -> tuple[str, ...]:
    stripped = path.strip("/")
    return tuple(stripped.split("/")) if stripped else ()


def _segment_rank(segment: str) -> int:
    if segment.endswith("+}"):
        return 2
    return 1 if segment.startswith("{") else 0


def _match_segments(pattern: tuple[str, ...], actual: tuple[str, ...]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for index, part in enumerate(pattern):
        if part.startswith("{") and part.endswith("+}"):
            rest = actual[index:]
            if not rest or index != len(pattern) - 1:
                return None
            parameters[part[1:-2]] = "/".join(rest)
            return parameters
        if index >= len(actual) or not actual[index]:
            return None
        if part.startswith("{") and part.endswith("}"):
            parameters[part[1:-1]] = actual[index]
        elif part != actual[index]:
            return None
    return parameters if len(actual) == len(pattern) else None


def _routes(
    api: RestApi, body: dict[str, Any], functions: set[str], authorizers: dict[str, AuthorizerSpec]
) -> list[Route]:
    global_security = body.get("security")
    routes: list[Route] = []
    for resource, operations in (body.get("paths") or {}).items():
        for method_key, operation in operations.items():
            method = ANY_METHOD if method_key == "x-amazon-apigateway-any-method" else method_key.upper()
            if method not in (*HTTP_METHODS, ANY_METHOD):
                continue
            integration = operation.get("x-amazon-apigateway-integration") or {}
            if integration.get("type") != "aws_proxy":
                log.warning(
                    "%s %s %s: only Lambda proxy integrations run locally; skipped",
                    api.logical_id,
                    method,
                    resource,
                )
                continue
            function = _referenced_function(integration.get("uri"), functions, f"{method} {resource}")
            security = operation.get("security", global_security) or []
            names = [name for requirement in security for name in requirement if name in authorizers]
            routes.append(Route(api, resource, method, function, authorizers[names[0]] if names else None))
    return routes


def _authorizers(api: str, body: dict[str, Any], functions: set[str]) -> dict[str, AuthorizerSpec]:
    schemes = body.get("securityDefinitions") or (body.get("components") or {}).get("securitySchemes") or {}
    found: dict[str, AuthorizerSpec] = {}
    for name, scheme in schemes.items():
        config = scheme.get("x-amazon-apigateway-authorizer")
        if not config:
            continue
        kind = str(config.get("type", "token")).upper()
        if kind not in ("REQUEST", "TOKEN"):
            raise TemplateError(f"{api}: authorizer {name} of type {kind} does not run locally")
        headers: list[str] = []
        query: list[str] = []
        context: list[str] = []
        for source in str(config.get("identitySource") or "").split(","):
            matched = _IDENTITY_SOURCE.fullmatch(source.strip())
            if matched:
                (headers if matched.group(1) == "header" else query).append(matched.group(2))
            elif (variable := _CONTEXT_SOURCE.fullmatch(source.strip())) is not None:
                if variable.group(1) not in CONTEXT_IDENTITY_VARIABLES:
                    raise TemplateError(f"{api}: identity source {source.strip()} does not run locally")
                context.append(variable.group(1))
        if kind == "TOKEN" and not headers:
            headers.append(scheme.get("name", "Authorization"))
        found[name] = AuthorizerSpec(
            name=name,
            function=_referenced_function(config.get("authorizerUri"), functions, f"authorizer {name}"),
            kind="REQUEST" if kind == "REQUEST" else "TOKEN",
            identity_headers=tuple(headers),
            identity_query=tuple(query),
            ttl_s=int(config.get("authorizerResultTtlInSeconds", 300)),
            identity_context=tuple(context),
        )
    return found


def _gateway_responses(body: dict[str, Any]) -> dict[str, GatewayResponse]:
    responses: dict[str, GatewayResponse] = {}
    for kind, spec in (body.get("x-amazon-apigateway-gateway-responses") or {}).items():
        headers = {
            key.removeprefix("gatewayresponse.header."): str(value).strip("'")
            for key, value in (spec.get("responseParameters") or {}).items()
            if key.startswith("gatewayresponse.header.")
        }
        templates = spec.get("responseTemplates") or {}
        status = spec.get("statusCode")
        responses[kind] = GatewayResponse(
            status=int(status) if status is not None else 0,
            template=templates.get("application/json"),
            headers=headers,
        )
    return responses


def _referenced_function(uri: Any, functions: set[str], where: str) -> str:
    names = {name for name in _references(uri) if name in functions}
    if len(names) != 1:
        raise TemplateError(f"{where}: cannot tell which function of this template it invokes ({uri!r})")
    return names.pop()


def _references(node: Any) -> set[str]:
    if isinstance(node, str):
        return set(_SUB_REFERENCE.findall(node))
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node)) if node else set()
    if isinstance(node, dict):
        found: set[str] = set()
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value.split(".")[0] if isinstance(value, str) else value[0])
            else:
                found |= _references(value)
        return found
    return set()

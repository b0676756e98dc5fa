"""Scoped keys, route by route over every route of template.yaml.

Each route's scope is decided in EXPECTED below: a route added to the template without a decision
here fails the first test. Then, for every route and every kind of key (read, sync, admin, the
operator), the real authorizer is asked about the route and its policy is judged against the
method ARN the way API Gateway judges it; a denial must name the scope the route needs, and the
function behind the route, called with that key's context anyway, must refuse it with the very
body the gateway's ACCESS_DENIED template renders (the handlers' second lock).
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext

from authorizer.handler import lambda_handler as authorizer
from local_stack.api.policy import Decision, evaluate
from odoo_sync.api.dependencies import tenant_service
from odoo_sync.core.authorization import PUBLIC_ROUTES, Scope, required_scope
from odoo_sync.security.api_keys import generate_operator_key, hash_key
from tests.security.world import Route, api_routes
from tests.support.api import call
from tests.support.aws import template_resources
from tests.support.events import LambdaContextStub, authorizer_event

ANY_KEY = "any key"
PUBLIC = "public"

# The decision for every route: a scope, ANY_KEY (any valid key) or PUBLIC (no key at all).
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/v1/admin/tenants"): "operator",
    ("POST", "/v1/admin/tenants"): "operator",
    ("GET", "/v1/admin/tenants/{tenant_id}/api-keys"): "operator",
    ("POST", "/v1/admin/tenants/{tenant_id}/api-keys"): "operator",
    ("DELETE", "/v1/admin/tenants/{tenant_id}/api-keys/{key_id}"): "operator",
    ("GET", "/v1/me"): ANY_KEY,
    ("GET", "/v1/api-keys"): "admin",
    ("POST", "/v1/api-keys"): "admin",
    ("DELETE", "/v1/api-keys/{key_id}"): "admin",
    ("GET", "/v1/batches/{batch_id}"): "read",
    ("POST", "/v1/batches/{batch_id}/retry"): "sync",
    ("POST", "/v1/bulk-sync"): "sync",
    ("GET", "/v1/changes"): "read",
    ("GET", "/v1/conflicts"): "read",
    ("GET", "/v1/conflicts/{conflict_id}"): "read",
    ("POST", "/v1/conflicts/{conflict_id}/resolve"): "admin",
    ("GET", "/v1/connections"): "read",
    ("POST", "/v1/connections"): "admin",
    ("DELETE", "/v1/connections/{connection_id}"): "admin",
    ("GET", "/v1/connections/{connection_id}"): "read",
    ("PUT", "/v1/connections/{connection_id}"): "admin",
    ("DELETE", "/v1/connections/{connection_id}/automation"): "admin",
    ("GET", "/v1/connections/{connection_id}/automation"): "read",
    ("POST", "/v1/connections/{connection_id}/automation"): "admin",
    ("POST", "/v1/connections/{connection_id}/automation/token"): "admin",
    ("POST", "/v1/connections/{connection_id}/call/{model}/{method}"): "admin",
    ("GET", "/v1/connections/{connection_id}/external-ids/{xmlid}"): "read",
    ("GET", "/v1/connections/{connection_id}/models"): "read",
    ("GET", "/v1/connections/{connection_id}/models/{model}/fields"): "read",
    ("GET", "/v1/connections/{connection_id}/records/{model}"): "read",
    ("POST", "/v1/connections/{connection_id}/records/{model}"): "admin",
    ("DELETE", "/v1/connections/{connection_id}/records/{model}/{record_id}"): "admin",
    ("GET", "/v1/connections/{connection_id}/records/{model}/{record_id}"): "read",
    ("PATCH", "/v1/connections/{connection_id}/records/{model}/{record_id}"): "admin",
    ("PUT", "/v1/connections/{connection_id}/records/{model}/{record_id}/external-id"): "admin",
    ("POST", "/v1/connections/{connection_id}/test"): "admin",
    ("GET", "/v1/entities"): "read",
    ("POST", "/v1/entities"): "admin",
    ("DELETE", "/v1/entities/{entity}"): "admin",
    ("GET", "/v1/entities/{entity}"): "read",
    ("PUT", "/v1/entities/{entity}/conflicts"): "admin",
    ("GET", "/v1/field-mappings"): "read",
    ("POST", "/v1/field-mappings"): "admin",
    ("DELETE", "/v1/field-mappings/{mapping_id}"): "admin",
    ("POST", "/v1/import"): "sync",
    ("GET", "/v1/logs"): "read",
    ("GET", "/v1/records/{entity}"): "read",
    ("POST", "/v1/records/{entity}/batch"): "sync",
    ("GET", "/v1/records/{entity}/{local_id}"): "read",
    ("PUT", "/v1/records/{entity}/{local_id}"): "sync",
    ("GET", "/v1/schedules"): "read",
    ("POST", "/v1/schedules"): "admin",
    ("DELETE", "/v1/schedules/{schedule_id}"): "admin",
    ("GET", "/v1/schedules/{schedule_id}"): "read",
    ("PUT", "/v1/schedules/{schedule_id}"): "admin",
    ("POST", "/v1/schedules/{schedule_id}/run"): "admin",
    ("PATCH", "/v1/schedules/{schedule_id}/toggle"): "admin",
    ("GET", "/v1/stats"): "read",
    ("GET", "/v1/stats/timeseries"): "read",
    ("GET", "/v1/batches"): "read",
    ("GET", "/v1/openapi.json"): PUBLIC,
    ("GET", "/v1/docs"): PUBLIC,
    ("POST", "/v1/sync/{entity}/{local_id}"): "sync",
    ("GET", "/v1/value-maps/{kind}"): "read",
    ("PUT", "/v1/value-maps/{kind}"): "admin",
    ("GET", "/v1/webhook-subscriptions"): "read",
    ("POST", "/v1/webhook-subscriptions"): "admin",
    ("DELETE", "/v1/webhook-subscriptions/{subscription_id}"): "admin",
    ("GET", "/v1/webhook-subscriptions/{subscription_id}"): "read",
    ("GET", "/v1/webhook-subscriptions/{subscription_id}/deliveries"): "read",
    ("POST", "/v1/webhook-subscriptions/{subscription_id}/rotate-secret"): "admin",
    ("POST", "/v1/webhooks/odoo/{token}"): PUBLIC,
}

# What each kind of key may call.
ALLOWED = {
    "read": {"read", ANY_KEY},
    "sync": {"read", "sync", ANY_KEY},
    "admin": {"read", "sync", "admin", ANY_KEY},
    "operator": {"operator", ANY_KEY},
}
KEYED_ROUTES = [route for route in api_routes() if (route.method, route.path) not in PUBLIC_ROUTES]
# Every (route, kind of key) the authorizer denies; a route not yet decided counts as denied to all.
DENIED = [
    (route, kind)
    for route in KEYED_ROUTES
    for kind, allowed in ALLOWED.items()
    if EXPECTED.get((route.method, route.path), "undecided") not in allowed
]
OPERATOR_PARAMETER = "/odoo-sync/operator-key-sha256"
SAMPLE_VALUES = {
    "tenant_id": "ten_00000000deadbeef",
    "key_id": "key_00000000deadbeef",
    "connection_id": "con_00000000deadbeef",
    "batch_id": "bat_00000000deadbeef",
    "conflict_id": "cfl_00000000deadbeef",
    "schedule_id": "sch_00000000deadbeef",
    "subscription_id": "sub_00000000deadbeef",
    "mapping_id": "map_00000000deadbeef",
    "entity": "customer",
    "local_id": "c-1",
    "model": "res.partner",
    "record_id": "7",
    "method": "search_count",
    "xmlid": "base.main_company",
    "kind": "category",
    "token": "t" * 43,
}


def _declared_routes() -> set[tuple[str, str]]:
    return {(route.method, route.path) for route in api_routes()}


def _routes_without_the_authorizer() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for properties in template_resources("AWS::Serverless::Function").values():
        for event in (properties.get("Events") or {}).values():
            spec = event.get("Properties", {})
            if event.get("Type") == "Api" and (spec.get("Auth") or {}).get("Authorizer") == "NONE":
                found.add((spec["Method"].upper(), spec["Path"]))
    return found


def test_every_route_of_the_template_has_a_scope_decision() -> None:
    undecided = _declared_routes() - set(EXPECTED)
    gone = set(EXPECTED) - _declared_routes()

    assert undecided == set(), "decide the scope of these routes in EXPECTED (and check the rule)"
    assert gone == set(), "these routes left the template: drop them from EXPECTED"


def test_the_routes_served_without_a_key_are_exactly_the_public_ones() -> None:
    assert _routes_without_the_authorizer() == set(PUBLIC_ROUTES)


@pytest.mark.parametrize("route", KEYED_ROUTES, ids=str)
def test_the_route_table_gives_each_route_its_decided_scope(route: Route) -> None:
    decided = required_scope(route.method, route.path)

    assert (decided.value if decided is not None else ANY_KEY) == EXPECTED[(route.method, route.path)]


# -- the authorizer and the functions, per route and kind of key ---------------------------------


@pytest.fixture(scope="module")
def keys(module_aws: Any) -> dict[str, str]:
    """A tenant with a key of each scope, and the operator key."""
    tenant, admin = tenant_service().create_tenant("Scoped Ltd")
    made = {
        scope: tenant_service().issue_api_key(tenant.tenant_id, f"{scope} key", [Scope(scope)]).api_key
        for scope in ("read", "sync")
    }
    operator = generate_operator_key()
    boto3.client("ssm").put_parameter(Name=OPERATOR_PARAMETER, Value=hash_key(operator), Type="String")
    parameters.clear_caches()  # the authorizer keeps the operator's hash for minutes
    return {**made, "admin": admin.api_key, "operator": operator}


def _concrete(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda match: SAMPLE_VALUES[match.group(1)], path)


def _ask_authorizer(key: str, route: Route) -> dict[str, Any]:
    event = authorizer_event(f"Bearer {key}", route.method, _concrete(route.path), resource=route.path)
    return authorizer(event, cast(LambdaContext, LambdaContextStub()))


def _gateway_body(context: dict[str, Any]) -> dict[str, Any]:
    """What API Gateway answers for an ACCESS_DENIED, by the template's own gateway response."""
    [api] = template_resources("AWS::Serverless::Api").values()
    template = api["GatewayResponses"]["ACCESS_DENIED"]["ResponseTemplates"]["application/json"]
    rendered = re.sub(r"\$context\.authorizer\.(\w+)", lambda m: str(context.get(m.group(1), "")), template)
    body: dict[str, Any] = json.loads(rendered)
    return body


@pytest.mark.parametrize("kind", list(ALLOWED))
@pytest.mark.parametrize("route", KEYED_ROUTES, ids=str)
def test_each_kind_of_key_is_allowed_exactly_its_scopes_routes(keys, route: Route, kind: str) -> None:
    expected = EXPECTED.get((route.method, route.path), "undecided")
    answer = _ask_authorizer(keys[kind], route)
    arn = authorizer_event(None, route.method, _concrete(route.path))["methodArn"]

    decision = evaluate(answer["policyDocument"], arn)

    if expected in ALLOWED[kind]:
        assert decision is Decision.ALLOW
        assert "required_scope" not in answer["context"]
    else:
        assert decision is Decision.EXPLICIT_DENY
        assert answer["context"]["required_scope"] == expected
        body = _gateway_body(answer["context"])
        assert body["code"] == "insufficient_scope"
        assert body["required_scope"] == expected
        assert body["field"] is None
        assert body["message"]


@pytest.mark.parametrize(("route", "kind"), DENIED, ids=str)
def test_the_function_refuses_a_denied_key_with_the_gateways_own_answer(
    keys, route: Route, kind: str
) -> None:
    context = _ask_authorizer(keys[kind], route)["context"]
    parameters = {name: SAMPLE_VALUES[name] for name in route.parameters}
    role = context["role"]

    answer = call(
        route.handler,
        route.method,
        route.path,
        parameters,
        body={"name": "should not be made"},
        tenant_id=context.get("tenant_id"),
        role=role,
        scopes=context["scopes"],
        key_id=context["key_id"],
        key_name=context["key_name"],
    )

    assert answer.status == 403
    assert answer.body == _gateway_body(context)


def test_a_policy_fits_every_id_of_its_route_and_no_other_route(keys) -> None:
    """API Gateway caches the answer per key and route: it must hold for any id on that route."""
    route = next(r for r in api_routes() if (r.method, r.path) == ("GET", "/v1/connections/{connection_id}"))
    policy = _ask_authorizer(keys["read"], route)["policyDocument"]
    other_id = authorizer_event(None, "GET", "/v1/connections/con_ffffffffffffffff")["methodArn"]
    other_method = authorizer_event(None, "DELETE", "/v1/connections/con_ffffffffffffffff")["methodArn"]

    assert evaluate(policy, other_id) is Decision.ALLOW
    assert evaluate(policy, other_method) is Decision.IMPLICIT_DENY

"""`GET /v1/me` and a tenant's own keys (`/v1/api-keys`), through the handler as API Gateway calls it."""

from __future__ import annotations

import json
from typing import cast

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from keys_api.handler import lambda_handler
from odoo_sync.api.dependencies import tenant_service
from odoo_sync.core.authorization import Scope
from odoo_sync.core.tenants import IssuedApiKey, Tenant
from odoo_sync.security.api_keys import hash_key
from tests.support.api import ApiAnswer, call
from tests.support.events import LambdaContextStub, api_event

ME = "/v1/me"
KEYS = "/v1/api-keys"
KEY = "/v1/api-keys/{key_id}"


def _as(tenant: Tenant, key: IssuedApiKey, method: str, resource: str, params=None, **kwargs) -> ApiAnswer:
    """The call with the authorizer's context of this key, as the real authorizer makes it."""
    principal = tenant_service().principal_for_key(key.api_key)
    assert principal is not None
    event = api_event(method, resource, params, tenant_id=tenant.tenant_id, **kwargs)
    event["requestContext"]["authorizer"] = {**principal.context(), "principalId": principal.principal_id}
    answer = lambda_handler(event, cast(LambdaContext, LambdaContextStub()))
    raw = answer.get("body") or ""
    return ApiAnswer(answer["statusCode"], json.loads(raw) if raw else None, answer.get("headers", {}), raw)


@pytest.fixture
def acme(aws) -> tuple[Tenant, IssuedApiKey]:
    return tenant_service().create_tenant("Acme Field Service")


def test_me_tells_a_tenant_key_who_it_is(acme):
    tenant, _ = acme
    read = tenant_service().issue_api_key(tenant.tenant_id, "dashboard", [Scope.READ])

    answer = _as(tenant, read, "GET", ME)

    assert answer.status == 200
    assert answer.body == {
        "role": "tenant",
        "tenant_id": tenant.tenant_id,
        "tenant_name": "Acme Field Service",
        "key_id": read.key_id,
        "key_name": "dashboard",
        "scopes": ["read"],
    }


def test_me_tells_the_operator_it_has_no_tenant(aws):
    answer = call(lambda_handler, "GET", ME, tenant_id=None, role="operator")

    assert answer.status == 200
    assert answer.body == {
        "role": "operator",
        "tenant_id": None,
        "tenant_name": None,
        "key_id": "operator",
        "key_name": "operator",
        "scopes": ["operator"],
    }


def test_an_admin_key_issues_a_read_key_shown_once(acme):
    tenant, admin = acme

    answer = _as(tenant, admin, "POST", KEYS, body={"name": "dashboard", "scopes": ["read"]})

    assert answer.status == 201
    assert set(answer.body) == {"key_id", "name", "scopes", "api_key", "created_at"}
    assert answer.body["scopes"] == ["read"]
    principal = tenant_service().principal_for_key(answer.body["api_key"])
    assert principal is not None
    assert principal.tenant_id == tenant.tenant_id
    listed = _as(tenant, admin, "GET", KEYS).body["items"]
    assert answer.body["api_key"] not in json.dumps(listed)
    made = next(item for item in listed if item["key_id"] == answer.body["key_id"])
    assert made["created_by"] == {"type": "api_key", "key_id": admin.key_id, "key_name": "default"}


def test_scopes_are_kept_once_each_in_a_stable_order(acme):
    tenant, admin = acme

    answer = _as(tenant, admin, "POST", KEYS, body={"name": "both", "scopes": ["read", "sync", "read"]})

    assert answer.body["scopes"] == ["sync", "read"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": []}, "scopes"),
        ({"name": "x", "scopes": ["superuser"]}, "scopes.0"),
        ({"name": "x", "scopes": ["operator"]}, "scopes.0"),
        ({"name": "", "scopes": ["read"]}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "x", "tenant_id": "ten_00000000deadbeef"}, "tenant_id"),
    ],
)
def test_a_bad_key_request_is_422_naming_the_field(acme, body, field):
    tenant, admin = acme

    answer = _as(tenant, admin, "POST", KEYS, body=body)

    assert answer.status == 422
    assert answer.body["field"] == field
    assert len(_as(tenant, admin, "GET", KEYS).body["items"]) == 1


def test_the_list_pages_and_never_shows_a_secret_or_its_hash(acme):
    tenant, admin = acme
    made = [tenant_service().issue_api_key(tenant.tenant_id, f"k{n}", [Scope.SYNC]) for n in range(4)]

    first = _as(tenant, admin, "GET", KEYS, query="limit=3")
    second = _as(tenant, admin, "GET", KEYS, query=f"limit=3&cursor={first.body['next']}")

    listed = first.body["items"] + second.body["items"]
    assert second.body["next"] is None
    assert sorted(item["key_id"] for item in listed) == sorted([admin.key_id, *(k.key_id for k in made)])
    for key in [admin, *made]:
        for raw in (first.raw, second.raw):
            assert key.api_key not in raw
            assert hash_key(key.api_key) not in raw


def test_an_admin_key_revokes_another_key_at_once(acme):
    tenant, admin = acme
    other = tenant_service().issue_api_key(tenant.tenant_id, "ci", [Scope.SYNC])

    answer = _as(tenant, admin, "DELETE", KEY, {"key_id": other.key_id})

    assert answer.status == 204
    assert tenant_service().principal_for_key(other.api_key) is None
    revoked = next(i for i in _as(tenant, admin, "GET", KEYS).body["items"] if i["key_id"] == other.key_id)
    assert revoked["revoked_at"] is not None


def test_a_key_cannot_revoke_itself(acme):
    tenant, admin = acme

    answer = _as(tenant, admin, "DELETE", KEY, {"key_id": admin.key_id})

    assert answer.status == 409
    assert answer.body["code"] == "cannot_revoke_own_key"
    assert answer.body["field"] == "key_id"
    assert tenant_service().principal_for_key(admin.api_key) is not None


def test_another_tenants_key_is_404_and_stays_alive(acme):
    tenant, admin = acme
    _, foreign = tenant_service().create_tenant("Other")

    answer = _as(tenant, admin, "DELETE", KEY, {"key_id": foreign.key_id})

    assert answer.status == 404
    assert tenant_service().principal_for_key(foreign.api_key) is not None


def test_an_unknown_key_id_is_404_and_a_malformed_one_422(acme):
    tenant, admin = acme

    unknown = _as(tenant, admin, "DELETE", KEY, {"key_id": "key_00000000deadbeef"})
    malformed = _as(tenant, admin, "DELETE", KEY, {"key_id": "not-a-key"})

    assert (unknown.status, malformed.status) == (404, 422)
    assert malformed.body["field"] == "key_id"


@pytest.mark.parametrize(
    ("method", "resource", "params"),
    [("GET", KEYS, None), ("POST", KEYS, None), ("DELETE", KEY, {"key_id": "key_00000000deadbeef"})],
)
@pytest.mark.parametrize("scope", [Scope.READ, Scope.SYNC])
def test_only_admin_keys_manage_keys(acme, method, resource, params, scope):
    tenant, _ = acme
    limited = tenant_service().issue_api_key(tenant.tenant_id, "limited", [scope])

    answer = _as(tenant, limited, method, resource, params, body={"name": "x"})

    assert answer.status == 403
    assert answer.body == {
        "code": "insufficient_scope",
        "message": f"this route needs the admin scope; this key has {scope.value}",
        "field": None,
        "required_scope": "admin",
    }


def test_the_operator_is_refused_the_tenant_key_routes(aws):
    answer = call(lambda_handler, "GET", KEYS, tenant_id=None, role="operator")

    assert answer.status == 403
    assert answer.body["required_scope"] == "admin"

"""Scoped keys through the local API Gateway and the real template: the authorizer's per-route
answers, their cache (key + method + resource path), the ACCESS_DENIED gateway response, revocation.
"""

from __future__ import annotations

from typing import Any

import pytest

from local_stack import LocalStack
from local_stack.demo import Demo
from tests.integration.local_stack.conftest import invocations_of
from tests.support.service_stack import api_client, ok, service_fixtures

pytestmark = pytest.mark.slow


service = service_fixtures(seed_partners=5, seed_products=5)
sim, stack, demo = service.sim, service.stack, service.demo


def issue(demo: Demo, name: str, scopes: list[str]) -> dict[str, Any]:
    with api_client(demo, demo.operator_key) as operator:
        path = f"/v1/admin/tenants/{demo.tenant_id}/api-keys"
        body: dict[str, Any] = ok(operator.post(path, json={"name": name, "scopes": scopes}), 201)
        return body


def authorizer_calls(stack: LocalStack) -> int:
    return len(invocations_of(stack, "AuthorizerFunction"))


def test_a_read_key_reads_and_is_refused_a_push_by_the_gateway_with_our_error(stack, demo):
    read = issue(demo, "dashboard", ["read"])
    pushes = len(invocations_of(stack, "BulkFunction"))

    with api_client(demo, read["api_key"]) as api:
        listed = ok(api.get("/v1/connections"))
        me = ok(api.get("/v1/me"))
        refused = api.post("/v1/bulk-sync", json={"entity": "customer"})

    assert [item["connection_id"] for item in listed["items"]] == [demo.connection_id]
    assert (me["role"], me["tenant_id"], me["key_id"], me["scopes"]) == (
        "tenant",
        demo.tenant_id,
        read["key_id"],
        ["read"],
    )
    assert me["tenant_name"] == "Demo tenant"
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "insufficient_scope",
        "message": "this route needs the sync scope; this key has read",
        "field": None,
        "required_scope": "sync",
    }
    assert len(invocations_of(stack, "BulkFunction")) == pushes  # the function never ran


def test_the_authorizer_answers_once_per_key_and_route_then_the_cache_does(stack, demo):
    read = issue(demo, "cached", ["read"])
    before = authorizer_calls(stack)

    with api_client(demo, read["api_key"]) as api:
        for connection_id in (demo.connection_id, "con_00000000deadbeef", demo.connection_id):
            api.get(f"/v1/connections/{connection_id}")
        first_route = authorizer_calls(stack) - before
        api.get("/v1/connections")
        api.get("/v1/connections")
        api.delete(f"/v1/connections/{demo.connection_id}")  # denied, and the denial is cached too
        api.delete("/v1/connections/con_00000000deadbeef")

    assert first_route == 1  # three calls, two ids, one route
    assert authorizer_calls(stack) - before == 3  # GET one, GET list, DELETE one


def test_a_sync_key_pushes_and_its_batch_names_it(stack, demo):
    sync = issue(demo, "ci pipeline", ["sync"])

    with api_client(demo, sync["api_key"]) as api:
        submitted = api.post("/v1/bulk-sync", json={"entity": "customer"})
        assert submitted.status_code in (200, 202), submitted.text
        shown = ok(api.get(f"/v1/batches/{submitted.json()['batch_id']}"))
        refused = api.post("/v1/field-mappings", json={})

    assert shown["actor"] == {"type": "api_key", "key_id": sync["key_id"], "key_name": "ci pipeline"}
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "admin"


def test_a_revoked_key_is_refused_on_every_route_not_in_the_cache_and_on_all_once_it_expires(stack, demo):
    doomed = issue(demo, "doomed", ["read"])
    with api_client(demo, doomed["api_key"]) as api:
        ok(api.get("/v1/stats"))

    with api_client(demo, demo.api_key) as admin:
        assert admin.delete(f"/v1/api-keys/{doomed['key_id']}").status_code == 204
        listed = ok(admin.get("/v1/api-keys"))["items"]
    with api_client(demo, doomed["api_key"]) as api:
        still_cached = api.get("/v1/stats")
        new_route = api.get("/v1/entities")
        stack.gateway.clear_authorizer_cache()  # what the TTL (60 s) does
        expired = api.get("/v1/stats")

    assert next(item for item in listed if item["key_id"] == doomed["key_id"])["revoked_at"] is not None
    assert still_cached.status_code == 200  # documented: up to the TTL on a route it just used
    assert (new_route.status_code, expired.status_code) == (401, 401)


def test_an_admin_key_cannot_revoke_itself_through_the_gateway(demo):
    with api_client(demo, demo.api_key) as admin:
        me = ok(admin.get("/v1/me"))
        refused = admin.delete(f"/v1/api-keys/{me['key_id']}")

    assert refused.status_code == 409
    assert refused.json()["code"] == "cannot_revoke_own_key"


def test_the_operator_lists_tenants_and_is_kept_off_tenant_routes(demo):
    with api_client(demo, demo.operator_key) as operator:
        tenants = ok(operator.get("/v1/admin/tenants"))
        me = ok(operator.get("/v1/me"))
        refused = operator.get("/v1/connections")

    assert demo.tenant_id in [item["tenant_id"] for item in tenants["items"]]
    assert (me["role"], me["tenant_id"], me["scopes"]) == ("operator", None, ["operator"])
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "read"

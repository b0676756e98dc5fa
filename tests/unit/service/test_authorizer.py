from __future__ import annotations

from typing import Any, cast

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.typing import LambdaContext

from authorizer.handler import lambda_handler
from odoo_sync.api.dependencies import tenant_service
from odoo_sync.core.authorization import Scope
from odoo_sync.core.tenants import TenantStatus
from odoo_sync.security.api_keys import generate_operator_key, hash_key
from odoo_sync.stores.dynamodb import table
from tests.support.events import LambdaContextStub, authorizer_event

OPERATOR_PARAMETER = "/odoo-sync/operator-key-sha256"
BASE = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev"


@pytest.fixture
def operator_key(aws) -> str:
    key = generate_operator_key()
    boto3.client("ssm").put_parameter(Name=OPERATOR_PARAMETER, Value=hash_key(key), Type="String")
    parameters.clear_caches()
    return key


@pytest.fixture(autouse=True)
def _fresh_operator_hash():
    parameters.clear_caches()
    yield
    parameters.clear_caches()


def _authorize(
    header: str | None, method: str = "GET", path: str = "/v1/connections", resource: str | None = None
) -> dict[str, Any]:
    event = authorizer_event(header, method, path, resource)
    return lambda_handler(event, cast(LambdaContext, LambdaContextStub()))


def _statements(policy: dict[str, Any]) -> dict[str, list[str]]:
    return {s["Effect"]: s["Resource"] for s in policy["policyDocument"]["Statement"]}


def test_a_tenant_key_is_allowed_the_route_it_asked_for_by_its_pattern(aws):
    tenant, key = tenant_service().create_tenant("Acme")

    policy = _authorize(
        f"Bearer {key.api_key}",
        "GET",
        "/v1/connections/con_0123456789abcdef",
        "/v1/connections/{connection_id}",
    )

    assert policy["principalId"] == tenant.tenant_id
    assert policy["context"] == {
        "role": "tenant",
        "tenant_id": tenant.tenant_id,
        "tenant_name": "Acme",
        "key_id": key.key_id,
        "key_name": "default",
        "scopes": "admin",
    }
    # Cached per key and route: the pattern covers every connection id of that route.
    assert _statements(policy) == {"Allow": [f"{BASE}/GET/v1/connections/*"]}


def test_a_read_key_is_denied_a_write_with_the_scope_it_needs(aws):
    tenant, _ = tenant_service().create_tenant("Acme")
    read = tenant_service().issue_api_key(tenant.tenant_id, "dashboard", [Scope.READ])

    policy = _authorize(f"Bearer {read.api_key}", "POST", "/v1/bulk-sync")

    assert _statements(policy) == {"Deny": [f"{BASE}/POST/v1/bulk-sync"]}
    assert policy["context"]["required_scope"] == "sync"
    assert policy["context"]["denied_message"] == "this route needs the sync scope; this key has read"
    assert policy["context"]["scopes"] == "read"


def test_a_sync_key_may_push_but_not_change_settings(aws):
    tenant, _ = tenant_service().create_tenant("Acme")
    sync = tenant_service().issue_api_key(tenant.tenant_id, "integration", [Scope.SYNC])

    push = _authorize(
        f"Bearer {sync.api_key}", "POST", "/v1/records/customer/batch", "/v1/records/{entity}/batch"
    )
    settings = _authorize(f"Bearer {sync.api_key}", "POST", "/v1/field-mappings")

    assert list(_statements(push)) == ["Allow"]
    assert list(_statements(settings)) == ["Deny"]
    assert settings["context"]["required_scope"] == "admin"


def test_a_key_stored_before_scopes_existed_is_admin(aws):
    _, key = tenant_service().create_tenant("Acme")
    for item in table(aws.config_table).scan()["Items"]:
        if item.get("key_id") == key.key_id:
            table(aws.config_table).update_item(
                Key={"pk": item["pk"], "sk": item["sk"]}, UpdateExpression="REMOVE scopes, created_by"
            )

    policy = _authorize(
        f"Bearer {key.api_key}", "DELETE", "/v1/connections/c", "/v1/connections/{connection_id}"
    )

    assert list(_statements(policy)) == ["Allow"]
    assert policy["context"]["scopes"] == "admin"


def test_the_bearer_scheme_is_case_insensitive(aws):
    tenant, key = tenant_service().create_tenant("Acme")

    assert _authorize(f"bearer {key.api_key}")["principalId"] == tenant.tenant_id


def test_the_operator_key_is_allowed_admin_routes_and_me(operator_key):
    admin = _authorize(f"Bearer {operator_key}", "POST", "/v1/admin/tenants")
    me = _authorize(f"Bearer {operator_key}", "GET", "/v1/me")

    assert admin["context"] == {
        "role": "operator",
        "key_id": "operator",
        "key_name": "operator",
        "scopes": "operator",
    }
    assert _statements(admin) == {"Allow": [f"{BASE}/POST/v1/admin/tenants"]}
    assert list(_statements(me)) == ["Allow"]


def test_the_operator_key_is_denied_tenant_routes(operator_key):
    policy = _authorize(f"Bearer {operator_key}", "GET", "/v1/connections")

    assert list(_statements(policy)) == ["Deny"]
    assert policy["context"]["required_scope"] == "read"
    assert policy["context"]["denied_message"] == "this route needs a tenant key with the read scope"


def test_a_tenant_key_is_denied_the_operator_routes(aws):
    _, key = tenant_service().create_tenant("Acme")

    policy = _authorize(f"Bearer {key.api_key}", "GET", "/v1/admin/tenants")

    assert list(_statements(policy)) == ["Deny"]
    assert policy["context"]["required_scope"] == "operator"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer osk_live_not-a-real-key",
        "Bearer osk_op_not-the-operator-key",
        "Bearer some other words",
        "Bearer " + "x" * 500,
    ],
)
def test_anything_but_a_known_key_is_unauthorized(operator_key, header):
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        _authorize(header)


def test_an_operator_key_is_refused_when_no_hash_is_configured(aws):
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        _authorize(f"Bearer {generate_operator_key()}")


def test_a_suspended_tenants_key_is_refused(aws):
    tenant, key = tenant_service().create_tenant("Acme")
    table(aws.config_table).update_item(
        Key={"pk": f"TENANT#{tenant.tenant_id}", "sk": "TENANT"},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": TenantStatus.SUSPENDED.value},
    )

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        _authorize(f"Bearer {key.api_key}")


def test_a_revoked_key_is_refused_at_the_next_evaluation(aws):
    tenant, admin = tenant_service().create_tenant("Acme")
    other = tenant_service().issue_api_key(tenant.tenant_id, "ci", [Scope.SYNC])
    assert _authorize(f"Bearer {other.api_key}")["context"]["key_id"] == other.key_id

    tenant_service().revoke_api_key(tenant.tenant_id, other.key_id, by_key_id=admin.key_id)

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        _authorize(f"Bearer {other.api_key}")
    assert _authorize(f"Bearer {admin.api_key}")["context"]["key_id"] == admin.key_id


def test_only_the_hash_of_a_key_is_stored(aws):
    _, key = tenant_service().create_tenant("Acme")

    items = table(aws.config_table).scan()["Items"]
    assert key.api_key not in repr(items)
    assert any(item["pk"] == f"APIKEY#{hash_key(key.api_key)}" for item in items)


def test_an_evaluation_costs_two_dynamodb_reads_the_key_read_consistently(aws):
    _, key = tenant_service().create_tenant("Acme")
    events = table(aws.config_table).meta.client.meta.events
    calls: list[tuple[str, str, bool]] = []

    def count(event_name: str, params: dict[str, Any], **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        partition = str(params.get("Key", {}).get("pk", "")).split("#", maxsplit=1)[0]
        calls.append((operation, partition, bool(params.get("ConsistentRead"))))

    events.register("provide-client-params.dynamodb.*", count)
    try:
        _authorize(f"Bearer {key.api_key}", "POST", "/v1/bulk-sync")
    finally:
        events.unregister("provide-client-params.dynamodb.*", count)

    assert calls == [("GetItem", "APIKEY", True), ("GetItem", "TENANT", False)]

from __future__ import annotations

from typing import Any, cast

import boto3
import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from authorizer.handler import lambda_handler
from odoo_sync.api.dependencies import tenant_service
from odoo_sync.core.tenants import TenantStatus
from odoo_sync.security.api_keys import generate_operator_key, hash_key
from odoo_sync.stores.dynamodb import table
from tests.support.events import LambdaContextStub, authorizer_event

OPERATOR_PARAMETER = "/odoo-sync/operator-key-sha256"


@pytest.fixture
def operator_key(aws) -> str:
    key = generate_operator_key()
    boto3.client("ssm").put_parameter(Name=OPERATOR_PARAMETER, Value=hash_key(key), Type="String")
    return key


def _authorize(header: str | None, method: str = "GET", path: str = "/v1/connections") -> dict[str, Any]:
    return lambda_handler(authorizer_event(header, method, path), cast(LambdaContext, LambdaContextStub()))


def _statements(policy: dict[str, Any]) -> dict[str, list[str]]:
    return {s["Effect"]: s["Resource"] for s in policy["policyDocument"]["Statement"]}


def test_a_tenant_key_is_allowed_everywhere_but_the_admin_routes(aws):
    tenant, key = tenant_service().create_tenant("Acme")

    policy = _authorize(f"Bearer {key.api_key}")

    assert policy["principalId"] == tenant.tenant_id
    assert policy["context"] == {"role": "tenant", "tenant_id": tenant.tenant_id}
    statements = _statements(policy)
    assert statements["Allow"] == ["arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/*/*"]
    assert statements["Deny"] == ["arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/*/v1/admin/*"]


def test_the_bearer_scheme_is_case_insensitive(aws):
    tenant, key = tenant_service().create_tenant("Acme")

    assert _authorize(f"bearer {key.api_key}")["principalId"] == tenant.tenant_id


def test_the_operator_key_is_allowed_only_on_admin_routes(operator_key):
    policy = _authorize(f"Bearer {operator_key}", "POST", "/v1/admin/tenants")

    assert policy["context"] == {"role": "operator"}
    assert _statements(policy) == {
        "Allow": ["arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/*/v1/admin/*"]
    }


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


def test_only_the_hash_of_a_key_is_stored(aws):
    _, key = tenant_service().create_tenant("Acme")

    items = table(aws.config_table).scan()["Items"]
    assert key.api_key not in repr(items)
    assert any(item["pk"] == f"APIKEY#{hash_key(key.api_key)}" for item in items)

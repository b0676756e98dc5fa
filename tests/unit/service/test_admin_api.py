from __future__ import annotations

import pytest

from admin_api.handler import lambda_handler
from odoo_sync.api.dependencies import tenant_service
from tests.support.api import call

TENANTS = "/v1/admin/tenants"
KEYS = "/v1/admin/tenants/{tenant_id}/api-keys"


def _as_operator(**kwargs):
    return {"tenant_id": None, "role": "operator", **kwargs}


def test_the_operator_creates_a_tenant_and_sees_its_key_once(aws):
    answer = call(lambda_handler, "POST", TENANTS, body={"name": "  Acme Field Service "}, **_as_operator())

    assert answer.status == 201
    assert answer.body["name"] == "Acme Field Service"
    assert answer.body["tenant_id"].startswith("ten_")
    assert answer.body["api_key"].startswith("osk_live_")
    found = tenant_service().tenant_for_key(answer.body["api_key"])
    assert found is not None
    assert found.tenant_id == answer.body["tenant_id"]


def test_a_tenant_key_cannot_create_tenants(aws):
    answer = call(lambda_handler, "POST", TENANTS, body={"name": "Acme"})

    assert answer.status == 403
    assert answer.body["code"] == "forbidden"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Acme", "plan": "gold"}, "plan"),
    ],
)
def test_a_bad_tenant_is_refused_with_the_field_at_fault(aws, body, field):
    answer = call(lambda_handler, "POST", TENANTS, body=body, **_as_operator())

    assert answer.status == 422
    assert answer.body["code"] == "validation_error"
    assert answer.body["field"] == field


def test_a_body_that_is_not_json_is_refused(aws):
    answer = call(lambda_handler, "POST", TENANTS, body="{not json", **_as_operator())

    assert answer.status == 400
    assert answer.body["code"] == "invalid_json"
    assert answer.body["field"] is None


def test_the_operator_issues_another_key_that_works(aws):
    tenant, first = tenant_service().create_tenant("Acme")

    answer = call(
        lambda_handler, "POST", KEYS, {"tenant_id": tenant.tenant_id}, body={"name": "ci"}, **_as_operator()
    )

    assert answer.status == 201
    assert answer.body["api_key"] != first.api_key
    found = tenant_service().tenant_for_key(answer.body["api_key"])
    assert found is not None
    assert found.tenant_id == tenant.tenant_id


def test_a_key_for_an_unknown_tenant_is_404(aws):
    answer = call(
        lambda_handler,
        "POST",
        KEYS,
        {"tenant_id": "ten_00000000deadbeef"},
        body={"name": "ci"},
        **_as_operator(),
    )

    assert answer.status == 404
    assert answer.body["field"] == "tenant_id"


def test_a_malformed_tenant_id_is_refused(aws):
    answer = call(
        lambda_handler, "POST", KEYS, {"tenant_id": "ten_XYZ"}, body={"name": "ci"}, **_as_operator()
    )

    assert answer.status == 422
    assert answer.body["field"] == "tenant_id"


def test_an_unknown_route_is_a_json_404(aws):
    answer = call(
        lambda_handler, "POST", "/v1/admin/tenants/{tenant_id}/other", {"tenant_id": "x"}, **_as_operator()
    )

    assert answer.status == 404
    assert answer.body["code"] == "not_found"

from __future__ import annotations

from typing import Any

import pytest

from admin_api.handler import lambda_handler
from odoo_sync.api.dependencies import tenant_service
from odoo_sync.security.api_keys import hash_key
from odoo_sync.stores.dynamodb import encode_cursor, table
from tests.support.api import call

TENANTS = "/v1/admin/tenants"
KEYS = "/v1/admin/tenants/{tenant_id}/api-keys"
KEY = "/v1/admin/tenants/{tenant_id}/api-keys/{key_id}"
OPERATOR_ACTOR = {"type": "api_key", "key_id": "operator", "key_name": "operator"}


def _as_operator(**kwargs):
    return {"tenant_id": None, "role": "operator", **kwargs}


def test_the_operator_creates_a_tenant_and_sees_its_admin_key_once(aws):
    answer = call(lambda_handler, "POST", TENANTS, body={"name": "  Acme Field Service "}, **_as_operator())

    assert answer.status == 201
    assert answer.body["name"] == "Acme Field Service"
    assert answer.body["tenant_id"].startswith("ten_")
    assert answer.body["api_key"].startswith("osk_live_")
    assert answer.body["scopes"] == ["admin"]
    principal = tenant_service().principal_for_key(answer.body["api_key"])
    assert principal is not None
    assert (principal.tenant_id, principal.key_id) == (answer.body["tenant_id"], answer.body["key_id"])


def test_a_tenant_key_cannot_create_tenants(aws):
    answer = call(lambda_handler, "POST", TENANTS, body={"name": "Acme"})

    assert answer.status == 403
    assert answer.body["code"] == "insufficient_scope"
    assert answer.body["required_scope"] == "operator"
    assert tenant_service().list_tenants(10, None)[0] == []


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


def test_the_operator_lists_tenants_oldest_first_a_page_at_a_time(aws):
    made = [
        call(lambda_handler, "POST", TENANTS, body={"name": f"T{n}"}, **_as_operator()).body for n in range(5)
    ]

    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        answer = call(
            lambda_handler,
            "GET",
            TENANTS,
            query="limit=2" + (f"&cursor={cursor}" if cursor else ""),
            **_as_operator(),
        )
        assert answer.status == 200
        pages.append(answer.body["items"])
        cursor = answer.body["next"]
        if cursor is None:
            break

    listed = [item for page in pages for item in page]
    assert [len(page) for page in pages][:2] == [2, 2]
    assert sorted(item["tenant_id"] for item in listed) == sorted(t["tenant_id"] for t in made)
    assert listed == sorted(listed, key=lambda item: (item["created_at"], item["tenant_id"]))
    assert set(listed[0]) == {"tenant_id", "name", "created_at"}


def test_a_tenant_cursor_from_elsewhere_is_refused(aws):
    forged = encode_cursor({"pk": "TENANT#ten_aaaaaaaaaaaaaaaa", "sk": "TENANT"})  # another partition

    answer = call(lambda_handler, "GET", TENANTS, query=f"cursor={forged}", **_as_operator())

    assert answer.status == 400
    assert answer.body["field"] == "cursor"


def test_the_operator_issues_a_key_with_scopes_that_works(aws):
    tenant, first = tenant_service().create_tenant("Acme")

    answer = call(
        lambda_handler,
        "POST",
        KEYS,
        {"tenant_id": tenant.tenant_id},
        body={"name": "dashboard", "scopes": ["read"]},
        **_as_operator(),
    )

    assert answer.status == 201
    assert set(answer.body) == {"key_id", "name", "scopes", "api_key", "created_at"}
    assert (answer.body["name"], answer.body["scopes"]) == ("dashboard", ["read"])
    assert answer.body["api_key"] != first.api_key
    assert answer.headers["Cache-Control"] == "no-store"
    principal = tenant_service().principal_for_key(answer.body["api_key"])
    assert principal is not None
    assert (principal.tenant_id, [s.value for s in principal.scopes]) == (tenant.tenant_id, ["read"])


def test_a_key_without_scopes_is_admin(aws):
    tenant, _ = tenant_service().create_tenant("Acme")

    answer = call(
        lambda_handler, "POST", KEYS, {"tenant_id": tenant.tenant_id}, body={"name": "ci"}, **_as_operator()
    )

    assert answer.body["scopes"] == ["admin"]


@pytest.mark.parametrize(
    ("scopes", "field"),
    [
        ([], "scopes"),
        (["write"], "scopes.0"),
        (["operator"], "scopes.0"),
        ("admin", "scopes"),
        ([1], "scopes.0"),
    ],
)
def test_bad_scopes_are_refused_naming_the_field(aws, scopes, field):
    tenant, _ = tenant_service().create_tenant("Acme")

    answer = call(
        lambda_handler,
        "POST",
        KEYS,
        {"tenant_id": tenant.tenant_id},
        body={"name": "ci", "scopes": scopes},
        **_as_operator(),
    )

    assert answer.status == 422
    assert answer.body["code"] == "validation_error"
    assert answer.body["field"] == field
    assert tenant_service().list_api_keys(tenant.tenant_id, 10, None)[0][1:] == []


def test_the_operator_lists_a_tenants_keys_without_any_secret(aws):
    tenant, first = tenant_service().create_tenant("Acme")
    tenant_service().issue_api_key(tenant.tenant_id, "ci")

    answer = call(lambda_handler, "GET", KEYS, {"tenant_id": tenant.tenant_id}, **_as_operator())

    assert answer.status == 200
    assert answer.body["next"] is None
    assert sorted(item["name"] for item in answer.body["items"]) == ["ci", "default"]
    for item in answer.body["items"]:
        assert set(item) == {"key_id", "name", "scopes", "created_at", "created_by", "revoked_at"}
    assert first.api_key not in answer.raw
    assert hash_key(first.api_key) not in answer.raw
    assert "osk_live_" not in answer.raw
    created = next(item for item in answer.body["items"] if item["name"] == "ci")
    assert created["created_by"] == {"type": "system"}  # made by the service directly here


def test_a_key_issued_through_the_route_names_the_operator_as_its_maker(aws):
    tenant, _ = tenant_service().create_tenant("Acme")
    call(lambda_handler, "POST", KEYS, {"tenant_id": tenant.tenant_id}, body={"name": "ci"}, **_as_operator())

    listed = call(lambda_handler, "GET", KEYS, {"tenant_id": tenant.tenant_id}, **_as_operator()).body[
        "items"
    ]

    assert next(item for item in listed if item["name"] == "ci")["created_by"] == OPERATOR_ACTOR


def test_the_operator_revokes_a_key_and_it_stops_working(aws):
    tenant, first = tenant_service().create_tenant("Acme")

    answer = call(
        lambda_handler,
        "DELETE",
        KEY,
        {"tenant_id": tenant.tenant_id, "key_id": first.key_id},
        **_as_operator(),
    )

    assert answer.status == 204
    assert tenant_service().principal_for_key(first.api_key) is None
    [listed] = call(lambda_handler, "GET", KEYS, {"tenant_id": tenant.tenant_id}, **_as_operator()).body[
        "items"
    ]
    assert listed["revoked_at"] is not None
    again = call(
        lambda_handler,
        "DELETE",
        KEY,
        {"tenant_id": tenant.tenant_id, "key_id": first.key_id},
        **_as_operator(),
    )
    assert again.status == 204  # revoked already: nothing changes


def test_a_key_of_another_tenant_is_404_for_that_tenant(aws):
    acme, _ = tenant_service().create_tenant("Acme")
    _, other_key = tenant_service().create_tenant("Other")

    answer = call(
        lambda_handler,
        "DELETE",
        KEY,
        {"tenant_id": acme.tenant_id, "key_id": other_key.key_id},
        **_as_operator(),
    )

    assert answer.status == 404
    assert answer.body["field"] == "key_id"
    assert tenant_service().principal_for_key(other_key.api_key) is not None


@pytest.mark.parametrize(("method", "resource"), [("POST", KEYS), ("GET", KEYS)])
def test_keys_of_an_unknown_tenant_are_404(aws, method, resource):
    answer = call(
        lambda_handler,
        method,
        resource,
        {"tenant_id": "ten_00000000deadbeef"},
        body={"name": "ci"} if method == "POST" else None,
        **_as_operator(),
    )

    assert answer.status == 404
    assert answer.body["field"] == "tenant_id"


@pytest.mark.parametrize(
    ("resource", "parameters", "field"),
    [
        (KEYS, {"tenant_id": "ten_XYZ"}, "tenant_id"),
        (KEY, {"tenant_id": "ten_00000000deadbeef", "key_id": "key_XYZ"}, "key_id"),
    ],
)
def test_malformed_ids_are_refused(aws, resource, parameters, field):
    method = "POST" if resource == KEYS else "DELETE"

    answer = call(lambda_handler, method, resource, parameters, body={"name": "ci"}, **_as_operator())

    assert answer.status == 422
    assert answer.body["field"] == field


def test_an_unknown_route_is_a_json_404(aws):
    answer = call(
        lambda_handler, "POST", "/v1/admin/tenants/{tenant_id}/other", {"tenant_id": "x"}, **_as_operator()
    )

    assert answer.status == 404
    assert answer.body["code"] == "not_found"


def test_tenants_made_before_the_list_existed_join_it_once(aws):
    made = [tenant_service().create_tenant(f"Old {n}")[0] for n in range(3)]
    config = table(aws.config_table)
    for tenant in made[:2]:  # as stored before the operator's list existed
        config.delete_item(Key={"pk": "TENANTS", "sk": f"TENANT#{tenant.created_at}#{tenant.tenant_id}"})
    assert len(tenant_service().list_tenants(10, None)[0]) == 1

    added = tenant_service().list_unlisted_tenants()
    again = tenant_service().list_unlisted_tenants()

    listed = call(lambda_handler, "GET", TENANTS, **_as_operator()).body["items"]
    assert (added, again) == (2, 0)
    assert sorted(item["tenant_id"] for item in listed) == sorted(t.tenant_id for t in made)

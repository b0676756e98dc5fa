from __future__ import annotations

import json
from typing import Any

import pytest

from connections_api.handler import lambda_handler
from odoo_sync.api.dependencies import connection_service
from odoo_sync.stores.dynamodb import table
from tests.support.api import call

COLLECTION = "/v1/connections"
ONE = "/v1/connections/{connection_id}"
TENANT_A = "ten_aaaaaaaaaaaaaaaa"
TENANT_B = "ten_bbbbbbbbbbbbbbbb"
API_KEY = "0123456789abcdef0123456789abcdef01234567"


def _connection(**overrides):
    body = {
        "name": "Acme Odoo",
        "base_url": "https://acme.example.com/",
        "database": "acme",
        "auth": {"type": "api_key", "login": "admin", "api_key": API_KEY},
    }
    body.update(overrides)
    return body


def _create(tenant=TENANT_A, **overrides):
    answer = call(lambda_handler, "POST", COLLECTION, body=_connection(**overrides), tenant_id=tenant)
    assert answer.status == 201, answer.body
    return answer.body


def test_a_connection_is_created_and_shown_without_its_secret(aws):
    created = _create()

    assert created["connection_id"].startswith("con_")
    assert created["base_url"] == "https://acme.example.com"
    assert created["auth_type"] == "api_key"
    assert created["login"] == "admin"
    assert created["protocol"] == "auto"
    shown = call(lambda_handler, "GET", ONE, {"connection_id": created["connection_id"]}, tenant_id=TENANT_A)
    assert shown.status == 200
    assert shown.body == created
    assert API_KEY not in shown.raw
    assert API_KEY not in json.dumps(created)


def test_the_secret_is_stored_encrypted(aws):
    _create()

    stored: list[dict[str, Any]] = table(aws.config_table).scan()["Items"]
    assert API_KEY not in repr(stored)
    assert any("encrypted_data_key" in item.get("secret", {}) for item in stored)


def test_the_secret_never_reaches_the_logs(aws, capsys):
    created = _create()
    call(lambda_handler, "GET", COLLECTION, tenant_id=TENANT_A)
    call(
        lambda_handler,
        "PUT",
        ONE,
        {"connection_id": created["connection_id"]},
        tenant_id=TENANT_A,
        body=_connection(auth={"type": "password", "login": "admin", "password": "hunter2-password"}),
    )

    logs = capsys.readouterr()
    assert API_KEY not in logs.out + logs.err
    assert "hunter2-password" not in logs.out + logs.err


def test_connections_are_listed_in_pages(aws):
    created = {_create(name=f"Odoo {n}")["connection_id"] for n in range(5)}

    first = call(lambda_handler, "GET", COLLECTION, query="limit=3", tenant_id=TENANT_A)
    second = call(
        lambda_handler, "GET", COLLECTION, query=f"limit=3&cursor={first.body['next']}", tenant_id=TENANT_A
    )

    assert len(first.body["items"]) == 3
    assert second.body["next"] is None
    assert {c["connection_id"] for c in first.body["items"] + second.body["items"]} == created


def test_a_tenant_never_sees_another_tenants_connections(aws):
    theirs = _create(tenant=TENANT_A)["connection_id"]
    _create(tenant=TENANT_B)

    listed = call(lambda_handler, "GET", COLLECTION, tenant_id=TENANT_B)
    assert theirs not in {c["connection_id"] for c in listed.body["items"]}
    for method, body in (("GET", None), ("PUT", _connection()), ("DELETE", None)):
        answer = call(lambda_handler, method, ONE, {"connection_id": theirs}, body=body, tenant_id=TENANT_B)
        assert answer.status == 404, method
    test = call(lambda_handler, "POST", ONE + "/test", {"connection_id": theirs}, tenant_id=TENANT_B)
    assert test.status == 404
    assert call(lambda_handler, "GET", ONE, {"connection_id": theirs}, tenant_id=TENANT_A).status == 200


def test_a_cursor_from_another_tenant_is_refused(aws):
    for n in range(3):
        _create(name=f"Odoo {n}")
    page = call(lambda_handler, "GET", COLLECTION, query="limit=1", tenant_id=TENANT_A)

    answer = call(lambda_handler, "GET", COLLECTION, query=f"cursor={page.body['next']}", tenant_id=TENANT_B)

    assert answer.status == 400
    assert answer.body["field"] == "cursor"


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "eyJwayI6IDF9"])
def test_a_garbled_cursor_is_refused(aws, cursor):
    answer = call(lambda_handler, "GET", COLLECTION, query=f"cursor={cursor}", tenant_id=TENANT_A)

    assert answer.status == 400
    assert answer.body["code"] == "invalid_input"


def test_replacing_without_auth_keeps_the_secret(aws):
    created = _create()
    cid = created["connection_id"]

    answer = call(
        lambda_handler,
        "PUT",
        ONE,
        {"connection_id": cid},
        tenant_id=TENANT_A,
        body={k: v for k, v in _connection(name="Renamed").items() if k != "auth"},
    )

    assert answer.status == 200
    assert answer.body["name"] == "Renamed"
    assert answer.body["auth_type"] == "api_key"
    assert answer.body["version"] == created["version"] + 1
    settings = connection_service().odoo_settings(TENANT_A, cid)
    assert settings.secret.get_secret_value() == API_KEY


def test_replacing_the_credential_switches_the_auth_type(aws):
    cid = _create()["connection_id"]

    answer = call(
        lambda_handler,
        "PUT",
        ONE,
        {"connection_id": cid},
        tenant_id=TENANT_A,
        body=_connection(auth={"type": "password", "login": "bob", "password": "pw"}),
    )

    assert answer.body["auth_type"] == "password"
    assert answer.body["login"] == "bob"


def test_a_deleted_connection_is_gone(aws):
    cid = _create()["connection_id"]

    assert call(lambda_handler, "DELETE", ONE, {"connection_id": cid}, tenant_id=TENANT_A).status == 204
    assert call(lambda_handler, "GET", ONE, {"connection_id": cid}, tenant_id=TENANT_A).status == 404
    assert call(lambda_handler, "DELETE", ONE, {"connection_id": cid}, tenant_id=TENANT_A).status == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"base_url": "ftp://acme.example.com"}, "base_url"),
        ({"base_url": "acme.example.com"}, "base_url"),
        ({"base_url": "https://user:pw@acme.example.com"}, "base_url"),
        ({"base_url": "https://acme.example.com/?db=x"}, "base_url"),
        ({"base_url": "https://acme.example.com:99999"}, "base_url"),
        ({"port": 0}, "port"),
        ({"port": 8069, "base_url": "https://acme.example.com:443"}, None),
        ({"database": ""}, "database"),
        ({"database": "acme; DROP"}, "database"),
        ({"protocol": "soap"}, "protocol"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"auth": {"type": "token", "token": "x"}}, "auth"),
        ({"auth": {"type": "api_key"}}, "auth.api_key.api_key"),
        ({"auth": {"type": "api_key", "api_key": "short"}}, "auth.api_key.api_key"),
        ({"auth": {"type": "password", "password": "pw"}}, "auth.password.login"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_connection_is_refused_with_the_field_at_fault(aws, overrides, field):
    answer = call(lambda_handler, "POST", COLLECTION, body=_connection(**overrides), tenant_id=TENANT_A)

    assert answer.status == 422, answer.body
    assert answer.body["code"] == "validation_error"
    if field:
        assert answer.body["field"] == field
    assert API_KEY not in answer.raw


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254", "http://10.0.0.8:8069", "http://127.0.0.1:8069", "http://[::1]"]
)
def test_private_addresses_are_refused_when_deployed(aws, url):
    answer = call(lambda_handler, "POST", COLLECTION, body=_connection(base_url=url), tenant_id=TENANT_A)

    assert answer.status == 400
    assert answer.body["field"] == "base_url"


def test_a_connection_id_of_the_wrong_shape_is_refused(aws):
    answer = call(lambda_handler, "GET", ONE, {"connection_id": "con_NOT-HEX"}, tenant_id=TENANT_A)

    assert answer.status == 422
    assert answer.body["field"] == "connection_id"


def test_a_request_without_a_tenant_is_forbidden(aws):
    answer = call(lambda_handler, "GET", COLLECTION, tenant_id=None, role="operator")

    assert answer.status == 403


def test_an_oversized_body_is_refused(aws):
    answer = call(
        lambda_handler, "POST", COLLECTION, body=_connection(name="x" * 1_100_000), tenant_id=TENANT_A
    )

    assert answer.status == 413
    assert answer.body["code"] == "payload_too_large"


def test_max_in_flight_is_two_unless_set_and_can_be_changed(aws):
    created = _create()
    path = {"connection_id": created["connection_id"]}

    replaced = call(lambda_handler, "PUT", ONE, path, body=_connection(max_in_flight=5), tenant_id=TENANT_A)

    assert created["max_in_flight"] == 2
    assert replaced.status == 200, replaced.body
    assert replaced.body["max_in_flight"] == 5
    assert call(lambda_handler, "GET", ONE, path, tenant_id=TENANT_A).body["max_in_flight"] == 5


@pytest.mark.parametrize("value", [0, 11, -1, "two"])
def test_max_in_flight_outside_1_to_10_is_refused(aws, value):
    answer = call(
        lambda_handler, "POST", COLLECTION, body=_connection(max_in_flight=value), tenant_id=TENANT_A
    )

    assert answer.status == 422
    assert "max_in_flight" in json.dumps(answer.body)

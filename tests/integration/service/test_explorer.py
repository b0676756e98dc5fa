"""The explorer routes against the simulator, over real HTTP."""

from __future__ import annotations

import json

import pytest

from explorer_api.handler import lambda_handler
from tests.support.api import call

BASE = "/v1/connections/{connection_id}"


def _call(link, method, resource, params=None, **kwargs):
    path_parameters = {"connection_id": link.connection_id, **(params or {})}
    return call(lambda_handler, method, BASE + resource, path_parameters, tenant_id=link.tenant_id, **kwargs)


def test_models_are_listed_and_searched(linked):
    answer = _call(linked, "GET", "/models", query="search=partner")

    assert answer.status == 200
    assert "res.partner" in {m["model"] for m in answer.body["items"]}
    assert all("partner" in (m["model"] + m["name"]).lower() for m in answer.body["items"])


def test_models_page_with_next(linked):
    first = _call(linked, "GET", "/models", query="limit=2")

    assert len(first.body["items"]) == 2
    second = _call(linked, "GET", "/models", query=f"limit=2&offset={first.body['next']}")
    assert {m["model"] for m in second.body["items"]}.isdisjoint({m["model"] for m in first.body["items"]})


def test_fields_describe_types_and_relations(linked):
    answer = _call(linked, "GET", "/models/{model}/fields", {"model": "res.partner"})

    fields = {f["name"]: f for f in answer.body["items"]}
    assert fields["name"]["type"] == "char"
    assert fields["country_id"]["type"] == "many2one"
    assert fields["country_id"]["relation"] == "res.country"


def test_fields_of_an_unknown_model_are_404(linked):
    answer = _call(linked, "GET", "/models/{model}/fields", {"model": "no.such.model"})

    assert answer.status == 404
    assert answer.body["code"] == "odoo_not_found"


def test_records_are_searched_with_a_domain(linked):
    domain = json.dumps([["is_company", "=", True]])
    answer = _call(
        linked,
        "GET",
        "/records/{model}",
        {"model": "res.partner"},
        query=f"domain={domain}&fields=name,is_company&limit=5",
    )

    assert answer.status == 200
    assert answer.body["items"]
    assert all(row["is_company"] is True for row in answer.body["items"])
    assert set(answer.body["items"][0]) == {"id", "name", "is_company"}


def test_all_follows_every_page(linked):
    total = linked.sim.records("res.partner", active_test=True)
    answer = _call(linked, "GET", "/records/{model}", {"model": "res.partner"}, query="fields=name&all=true")

    assert len(answer.body["items"]) == len(total)
    assert answer.body["next"] is None


@pytest.mark.parametrize(
    "domain",
    [
        "not json",
        json.dumps({"name": "x"}),
        json.dumps([["name", "~=", "x"]]),
        json.dumps([["name;drop", "=", "x"]]),
        json.dumps(["|", ["name", "=", "x"]]),
        json.dumps([["name", "=", {"$ne": 1}]]),
    ],
)
def test_a_bad_domain_is_refused_before_odoo_is_called(linked, domain):
    calls_before = linked.sim.total_calls
    answer = _call(linked, "GET", "/records/{model}", {"model": "res.partner"}, query=f"domain={domain}")

    assert answer.status == 400
    assert answer.body["field"] == "domain"
    assert linked.sim.total_calls == calls_before


def test_a_record_is_created_read_updated_and_deleted(linked):
    created = _call(
        linked,
        "POST",
        "/records/{model}",
        {"model": "res.partner"},
        body={"values": {"name": "Ada Lovelace", "email": "ada@example.com"}},
    )
    assert created.status == 201
    rid = str(created.body["id"])

    read = _call(
        linked,
        "GET",
        "/records/{model}/{record_id}",
        {"model": "res.partner", "record_id": rid},
        query="fields=name,email",
    )
    assert read.body == {"id": int(rid), "name": "Ada Lovelace", "email": "ada@example.com"}

    updated = _call(
        linked,
        "PATCH",
        "/records/{model}/{record_id}",
        {"model": "res.partner", "record_id": rid},
        body={"email": "ada@analytical.engine"},
    )
    assert updated.status == 200
    assert updated.body["email"] == "ada@analytical.engine"

    deleted = _call(
        linked, "DELETE", "/records/{model}/{record_id}", {"model": "res.partner", "record_id": rid}
    )
    assert deleted.status == 204
    gone = _call(linked, "GET", "/records/{model}/{record_id}", {"model": "res.partner", "record_id": rid})
    assert gone.status == 404


def test_odoo_constraint_errors_come_back_with_odoos_message(linked):
    answer = _call(
        linked, "POST", "/records/{model}", {"model": "product.template"}, body={"values": {"list_price": 3}}
    )

    assert answer.status == 409
    assert answer.body["code"] == "odoo_constraint_violation"
    assert "Missing required value for the field 'Name'" in answer.body["message"]
    assert answer.body["odoo"]["odoo_exception"] == "odoo.exceptions.ValidationError"


def test_arguments_odoo_cannot_handle_are_unprocessable(linked):
    answer = _call(
        linked,
        "POST",
        "/call/{model}/{method}",
        {"model": "res.partner", "method": "search_read"},
        body={"kwargs": {"no_such_argument": 1}},
    )

    assert answer.status == 422
    assert answer.body["code"] == "odoo_server_error"
    assert "no_such_argument" in answer.body["message"]


def test_a_domain_on_an_unknown_field_is_unprocessable(linked):
    domain = json.dumps([["no_such_field", "=", 1]])
    answer = _call(linked, "GET", "/records/{model}", {"model": "res.partner"}, query=f"domain={domain}")

    assert answer.status == 422
    assert "no_such_field" in answer.body["message"]


def test_a_record_is_created_with_an_external_id_and_resolved(linked):
    created = _call(
        linked,
        "POST",
        "/records/{model}",
        {"model": "res.partner"},
        body={"values": {"name": "Grace Hopper"}, "external_id": "acme.partner_grace"},
    )
    assert created.status == 201

    resolved = _call(linked, "GET", "/external-ids/{xmlid}", {"xmlid": "acme.partner_grace"})
    assert resolved.body == {
        "external_id": "acme.partner_grace",
        "model": "res.partner",
        "res_id": created.body["id"],
    }

    again = _call(
        linked,
        "POST",
        "/records/{model}",
        {"model": "res.partner"},
        body={"values": {"name": "Grace again"}, "external_id": "acme.partner_grace"},
    )
    assert again.status == 409
    assert again.body["field"] == "external_id"


def test_an_external_id_is_set_idempotently(linked):
    rid = str(
        _call(
            linked, "POST", "/records/{model}", {"model": "res.partner"}, body={"values": {"name": "Alan"}}
        ).body["id"]
    )
    route = "/records/{model}/{record_id}/external-id"
    params = {"model": "res.partner", "record_id": rid}

    first = _call(linked, "PUT", route, params, body={"external_id": "acme.alan"})
    second = _call(linked, "PUT", route, params, body={"external_id": "acme.alan"})

    assert (first.status, second.status) == (201, 200)
    assert len(linked.sim.records("ir.model.data", [("module", "=", "acme"), ("name", "=", "alan")])) == 1


def test_an_unknown_external_id_is_404(linked):
    answer = _call(linked, "GET", "/external-ids/{xmlid}", {"xmlid": "acme.nobody"})

    assert answer.status == 404


@pytest.mark.parametrize("xmlid", ["nodot", "has space.x", "a.b c"])
def test_a_malformed_external_id_is_refused(linked, xmlid):
    answer = _call(linked, "GET", "/external-ids/{xmlid}", {"xmlid": xmlid})

    assert answer.status == 422


def test_a_raw_call_returns_odoos_result(linked):
    answer = _call(
        linked,
        "POST",
        "/call/{model}/{method}",
        {"model": "res.partner", "method": "search_count"},
        body={"args": [[["is_company", "=", True]]]},
    )

    assert answer.status == 200
    assert answer.body["result"] == len(
        linked.sim.records("res.partner", [("is_company", "=", True)], active_test=True)
    )


@pytest.mark.parametrize("method", ["_private", "Search", "a-b"])
def test_private_or_malformed_methods_are_refused(linked, method):
    answer = _call(
        linked, "POST", "/call/{model}/{method}", {"model": "res.partner", "method": method}, body={}
    )

    assert answer.status == 422
    assert answer.body["field"] == "method"


@pytest.mark.parametrize(
    ("resource", "params", "query"),
    [
        ("/records/{model}", {"model": "Res.Partner"}, ""),
        ("/records/{model}", {"model": "res.partner"}, "limit=0"),
        ("/records/{model}", {"model": "res.partner"}, "limit=100000"),
        ("/records/{model}", {"model": "res.partner"}, "offset=-1"),
        ("/records/{model}", {"model": "res.partner"}, "order=name;drop"),
        ("/records/{model}", {"model": "res.partner"}, "fields=name,Bad-Field"),
        ("/records/{model}/{record_id}", {"model": "res.partner", "record_id": "0"}, ""),
        ("/records/{model}/{record_id}", {"model": "res.partner", "record_id": "abc"}, ""),
    ],
)
def test_bad_explorer_inputs_are_refused(linked, resource, params, query):
    answer = _call(linked, "GET", resource, params, query=query)

    assert answer.status in (400, 422)
    assert answer.body["field"]


def test_another_tenants_connection_is_404(linked):
    answer = call(
        lambda_handler,
        "GET",
        BASE + "/models",
        {"connection_id": linked.connection_id},
        tenant_id="ten_ffffffffffffffff",
    )

    assert answer.status == 404

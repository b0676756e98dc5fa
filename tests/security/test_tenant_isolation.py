"""Tenant isolation: every route of template.yaml, called by tenant B with tenant A's ids.

Routes come from the template, so a new route is covered as soon as it is declared; a route whose
path names an id this suite cannot yet make for tenant A is reported as skipped, not passed.
An answer to B is correct when it is a 404 (for ids only A owns), never a 2xx on A's objects,
and never carries A's data (A's values are marked; B's answers are searched for the mark).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from tests.security.world import MARK, Route, Tenant, api_routes, build_tenant, connection_body

TENANT_A = "ten_aaaaaaaaaaaaaaaa"
TENANT_B = "ten_bbbbbbbbbbbbbbbb"

# Ids only the tenant that made them can have: B must get 404 for each of them.
OWNED = {"connection_id", "batch_id", "mapping_id", "conflict_id"}
# Path values that are names shared by every tenant (a preset entity, a kind, an Odoo model).
SHARED_NAMES = {"kind", "model", "record_id", "xmlid", "method"}


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=5, seed_products=5) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def tenants(module_aws: Any, sim: OdooSimulator) -> tuple[Tenant, Tenant]:
    alpha = build_tenant(sim, TENANT_A, MARK)
    # B is a full tenant too (its own connection), so a 404 is about A's ids, not B being empty.
    beta = Tenant(TENANT_B)
    created = beta.at("POST", "/v1/connections", body=connection_body(sim, "beta odoo"))
    assert created.status == 201, created.body
    beta.connection_id = created.body["connection_id"]
    return alpha, beta


def _body(route: Route, alpha: Tenant, sim: OdooSimulator) -> Any:
    """A body valid enough to get past validation, so the tenant check is what answers."""
    bodies: dict[tuple[str, str], Any] = {
        ("PUT", "/v1/connections/{connection_id}"): connection_body(sim, "taken over"),
        ("POST", "/v1/connections/{connection_id}/records/{model}"): {"values": {"name": "B was here"}},
        ("PATCH", "/v1/connections/{connection_id}/records/{model}/{record_id}"): {"name": "B was here"},
        ("PUT", "/v1/connections/{connection_id}/records/{model}/{record_id}/external-id"): {
            "external_id": "beta.taken"
        },
        ("POST", "/v1/connections/{connection_id}/call/{model}/{method}"): {"args": [[]]},
        ("PUT", "/v1/records/{entity}/{local_id}"): {"label": "B was here", "name": "B was here"},
        ("POST", "/v1/records/{entity}/batch"): {
            "records": [{"local_id": alpha.ids["local_id"], "data": {"label": "B", "name": "B"}}]
        },
        ("POST", "/v1/sync/{entity}/{local_id}"): {"connection_id": alpha.connection_id},
        ("POST", "/v1/batches/{batch_id}/retry"): {},
        ("PUT", "/v1/value-maps/{kind}"): {"entries": [{"local": "B shelf", "odoo": 1}]},
        ("POST", "/v1/conflicts/{conflict_id}/resolve"): {"winner": "value", "value": "B was here"},
    }
    return bodies.get((route.method, route.path))


ROUTES_WITH_IDS = [route for route in api_routes() if route.parameters and "/admin/" not in route.path]


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=str)
def test_another_tenants_ids_answer_404_and_never_its_data(tenants, sim, route: Route) -> None:
    alpha, beta = tenants
    unknown = [name for name in route.parameters if name not in alpha.ids]
    if unknown:
        pytest.skip(f"no tenant-A fixture yet for {', '.join(unknown)}: extend build_tenant")

    answer = beta.call(route, alpha.ids, body=_body(route, alpha, sim))

    assert answer.status < 500, answer.body
    assert MARK not in answer.raw, answer.raw[:500]
    assert MARK.lower() not in answer.raw, answer.raw[:500]
    assert TENANT_A not in answer.raw
    owned = OWNED & set(route.parameters)
    custom_entity = "entity" in route.parameters  # alpha_tag exists for A only
    if owned or custom_entity:
        assert answer.status == 404, (answer.status, answer.body)
    else:
        assert set(route.parameters) <= SHARED_NAMES, route


@pytest.mark.parametrize(
    "route", [r for r in ROUTES_WITH_IDS if "entity" in r.parameters and "local_id" in r.parameters], ids=str
)
def test_a_preset_entity_with_another_tenants_local_id_is_never_that_tenants_record(
    tenants, sim, route
) -> None:
    alpha, beta = tenants
    values = {**alpha.ids, "entity": "customer"}

    answer = beta.call(route, values, body=_body(route, alpha, sim))

    assert answer.status < 500, answer.body
    assert MARK not in answer.raw, answer.raw
    assert MARK.lower() not in answer.raw.replace(alpha.ids["local_id"], ""), answer.raw
    if route.method == "GET":
        assert answer.status == 404


LISTS = [r for r in api_routes() if r.method == "GET" and not r.parameters and "/admin/" not in r.path]


@pytest.mark.parametrize("route", LISTS, ids=str)
def test_lists_filtered_by_another_tenants_ids_show_nothing_of_it(tenants, route: Route) -> None:
    alpha, beta = tenants
    query = "&".join(
        f"{name}={alpha.ids[key]}"
        for name, key in (
            ("batch_id", "batch_id"),
            ("connection_id", "connection_id"),
            ("local_id", "local_id"),
        )
    )
    for extra in ("", "entity=alpha_tag", "entity=customer"):
        answer = beta.call(route, query=f"{query}&{extra}" if extra else query)
        assert answer.status < 500, answer.body
        assert MARK not in answer.raw, answer.raw[:500]
        assert TENANT_A not in answer.raw


def test_what_b_tried_left_every_object_of_a_unchanged(tenants, sim) -> None:
    alpha, beta = tenants
    for route in ROUTES_WITH_IDS:
        if all(name in alpha.ids for name in route.parameters) and route.method != "GET":
            beta.call(route, alpha.ids, body=_body(route, alpha, sim))

    shown = alpha.at("GET", "/v1/connections/{connection_id}", alpha.ids)
    assert shown.status == 200
    assert shown.body["name"] == f"{MARK} odoo"
    record = alpha.at("GET", "/v1/records/{entity}/{local_id}", {**alpha.ids, "entity": "customer"})
    assert record.status == 200
    assert record.body["data"]["name"] == f"{MARK} Customer"
    tag = alpha.at("GET", "/v1/records/{entity}/{local_id}", alpha.ids)
    assert tag.status == 200
    assert tag.body["data"]["label"] == MARK
    assert alpha.at("GET", "/v1/entities/{entity}", alpha.ids).status == 200
    assert alpha.at("GET", "/v1/batches/{batch_id}", alpha.ids).status == 200
    mappings = alpha.at("GET", "/v1/field-mappings", query="entity=customer").raw
    assert alpha.ids["mapping_id"] in mappings
    assert MARK in alpha.at("GET", "/v1/value-maps/{kind}", alpha.ids).raw

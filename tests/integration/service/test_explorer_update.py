"""PATCH .../records/{model}/{id} takes the {values} envelope as POST does, and still bare fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from explorer_api.handler import lambda_handler
from odoo_simulator import OdooSimulator
from odoo_sync.core.explorer import values_to_update
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import ApiAnswer, call

RECORD = "/v1/connections/{connection_id}/records/{model}/{record_id}"


@pytest.fixture(scope="module", params=["17", "19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, port=0, seed_partners=3, seed_products=3) as simulator:
        yield simulator


@pytest.fixture
def partner(allow_loopback: None, aws: Any, sim: OdooSimulator) -> tuple[TenantConnection, int]:
    sim.knobs.reset()
    link = connect(sim)
    with sim.store.lock:
        [record_id] = sim.env()["res.partner"].create([{"name": "Ada", "email": "ada@example.com"}]).ids
    return link, record_id


def patch(link: TenantConnection, record_id: int, body: Any, query: str = "") -> ApiAnswer:
    parameters = {"connection_id": link.connection_id, "model": "res.partner", "record_id": str(record_id)}
    return call(lambda_handler, "PATCH", RECORD, parameters, body=body, query=query, tenant_id=link.tenant_id)


def stored(sim: OdooSimulator, record_id: int) -> dict[str, Any]:
    [row] = sim.records("res.partner", [("id", "=", record_id)])
    return row


def test_the_values_envelope_updates_the_record_as_post_takes_it(partner):
    link, record_id = partner

    answer = patch(
        link, record_id, {"values": {"email": "ada@analytical.engine", "phone": "+44 20 7946 0000"}}
    )

    assert answer.status == 200, answer.body
    assert answer.body == {"id": record_id, "email": "ada@analytical.engine", "phone": "+44 20 7946 0000"}
    assert stored(link.sim, record_id)["email"] == "ada@analytical.engine"


def test_bare_fields_are_still_accepted(partner):
    link, record_id = partner

    answer = patch(link, record_id, {"email": "countess@example.com"}, query="fields=name,email")

    assert answer.status == 200, answer.body
    assert answer.body == {"id": record_id, "name": "Ada", "email": "countess@example.com"}


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ({"values": {"email": "x@example.com"}, "name": "Bob"}, ["name"]),
        ({"values": {"email": "x@example.com"}, "external_id": "acme.ada"}, ["external_id"]),
        ({"values": {"email": "x@example.com"}, "fields": ["name"], "zeta": 1}, ["fields", "zeta"]),
    ],
)
def test_with_the_envelope_every_other_top_level_key_is_refused_by_name(partner, body, refused):
    link, record_id = partner
    calls_before = link.sim.total_calls

    answer = patch(link, record_id, body)

    assert answer.status == 422, answer.body
    assert answer.body["code"] == "validation_error"
    assert answer.body["field"] == refused[0]
    assert [problem["field"] for problem in answer.body["errors"]] == refused
    assert "only `values`" in answer.body["message"]
    assert link.sim.total_calls == calls_before
    assert stored(link.sim, record_id)["email"] == "ada@example.com"


def test_an_external_id_beside_the_envelope_points_to_its_own_route(partner):
    link, record_id = partner

    answer = patch(link, record_id, {"values": {"email": "x@example.com"}, "external_id": "acme.ada"})

    assert "PUT .../external-id" in answer.body["message"]


@pytest.mark.parametrize("body", [{}, {"values": {}}])
def test_nothing_to_update_is_refused_before_odoo_is_called(partner, body):
    link, record_id = partner
    calls_before = link.sim.total_calls

    answer = patch(link, record_id, body)

    assert answer.status == 400, answer.body
    assert answer.body["code"] == "invalid_input"
    assert answer.body["field"] == "values"
    assert link.sim.total_calls == calls_before


def test_a_bad_field_name_inside_the_envelope_is_refused_with_its_path(partner):
    link, record_id = partner

    answer = patch(link, record_id, {"values": {"email; drop": "x"}})

    assert answer.status == 400, answer.body
    assert answer.body["field"] == "values.email; drop"


def test_more_fields_inside_the_envelope_than_a_body_may_hold_are_refused(partner):
    link, record_id = partner

    answer = patch(link, record_id, {"values": {f"x_field_{n}": n for n in range(501)}})

    assert answer.status == 400, answer.body
    assert answer.body["field"] == "values"


def test_values_that_is_not_an_object_is_a_bare_field_for_odoo_to_judge(partner):
    link, record_id = partner

    answer = patch(link, record_id, {"values": "text"})

    # res.partner has no field `values`: Odoo's own verdict, not ours.
    assert answer.status == 422, answer.body
    assert answer.body["code"].startswith("odoo_")
    assert "values" in answer.body["message"]


@pytest.mark.parametrize(
    ("body", "written"),
    [
        # A model field literally called `values` (custom modules have them, Json ones too).
        ({"values": {"values": {"a": 1}}}, {"values": {"a": 1}}),
        ({"values": {"values": "text", "name": "x"}}, {"values": "text", "name": "x"}),
        ({"values": "text", "name": "x"}, {"values": "text", "name": "x"}),
        ({"values": None}, {"values": None}),
        ({"values": ["a"]}, {"values": ["a"]}),
        ({"name": "x"}, {"name": "x"}),
    ],
)
def test_the_envelope_is_told_from_bare_fields_by_values_holding_an_object(body, written):
    assert values_to_update(body) == written

"""POST /v1/import through its Lambda handler: answers and every kind of bad input."""

from __future__ import annotations

from typing import Any

import pytest

from import_api.handler import lambda_handler
from odoo_sync.api import dependencies
from tests.integration.pull.conftest import drain, local_records
from tests.support.api import call


def post(tenant, body: Any):
    return call(lambda_handler, "POST", "/v1/import", body=body, tenant_id=tenant.tenant_id)


def test_an_import_answers_202_with_the_batch_and_what_it_found(pulling, sim):
    dependencies.connection_service().client(pulling.tenant_id, pulling.connection_id).create(
        "res.partner", [{"name": f"route {i}", "ref": f"rte-{i}"} for i in range(3)]
    )

    answer = post(
        pulling, {"entity": "customer", "odoo_filters": [["ref", "=like", "rte-%"]], "batch_size": 2}
    )
    drain()

    assert answer.status == 202
    assert answer.body["records_found"] == 3
    assert answer.body["batch_id"].startswith("bat_")
    assert {"rte-0", "rte-1", "rte-2"} <= local_records(pulling).keys()


def test_nothing_found_answers_200_with_a_completed_batch(pulling, sim):
    answer = post(pulling, {"entity": "customer", "odoo_filters": [["ref", "=", "no-such-ref"]]})

    assert (answer.status, answer.body["records_found"], answer.body["status"]) == (200, 0, "completed")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"entity": "customer", "odoo_filters": [["name", "~", "x"]]}, 422, "odoo_filters"),
        ({"entity": "customer", "odoo_filters": "[('name','=','x')]"}, 422, "odoo_filters"),
        ({"entity": "customer", "odoo_filters": ["&", ["name", "=", "x"]]}, 422, "odoo_filters"),
        ({"entity": "customer", "batch_size": 0}, 422, "batch_size"),
        ({"entity": "customer", "batch_size": 5001}, 422, "batch_size"),
        ({"entity": "customer", "modified_since": "yesterday"}, 422, "modified_since"),
        ({"entity": "customer", "modified_since": "2026-01-01T00:00:00"}, 422, "modified_since"),
        ({"entity": "Customer!"}, 422, "entity"),
        ({"entity": "customer", "connection_id": "nope"}, 422, "connection_id"),
        ({"entity": "customer", "surprise": 1}, 422, "surprise"),
        ({}, 422, "entity"),
        ({"entity": "no_such_entity"}, 404, "entity"),
        ({"entity": "customer", "connection_id": "con_ffffffffffffffff"}, 404, "connection_id"),
    ],
)
def test_bad_input_names_the_field(pulling, body, status, field):
    answer = post(pulling, body)

    assert answer.status == status, answer.body
    assert field in (answer.body.get("field") or "") or field in str(answer.body.get("errors", "")), (
        answer.body
    )


def test_a_domain_on_a_field_odoo_lacks_is_refused_with_odoos_reason(pulling, sim):
    answer = post(pulling, {"entity": "customer", "odoo_filters": [["no_such_field", "=", 1]]})

    assert answer.status == 422, answer.body
    assert "no_such_field" in answer.body["message"]

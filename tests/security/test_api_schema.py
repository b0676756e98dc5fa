"""Schemathesis over the merged OpenAPI document: no 5xx and answers as documented, on every route.

Requests go through the real handlers (in-process moto, a simulator for the tenant's connection)
as a tenant; /v1/admin routes as the operator. The examples per operation are few by default so
`make test` stays quick; SCHEMATHESIS_MAX_EXAMPLES raises them for a deeper run, and the seed is
fixed so a failure replays.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from odoo_simulator import OdooSimulator
from tests.security.openapi import ApiGatewayWsgi, merged_openapi
from tests.security.world import MARK, Tenant, api_routes, build_tenant

TENANT = "ten_aaaaaaaaaaaaaaaa"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "4"))

schema = schemathesis.openapi.from_dict(merged_openapi())
schema.app = ApiGatewayWsgi(TENANT)


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=5, seed_products=5) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def world(module_aws: Any, sim: OdooSimulator) -> Tenant:
    return build_tenant(sim, TENANT, MARK)


def test_the_document_covers_every_route_of_the_template_and_no_other() -> None:
    documented = {
        (method.upper(), path)
        for path, operations in merged_openapi()["paths"].items()
        for method in operations
    }
    declared = {(route.method, route.path) for route in api_routes()}
    assert declared - documented == set(), "routes of template.yaml missing from the document"
    assert documented - declared == set(), "routes in the document that template.yaml does not serve"


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error_and_answers_as_documented(case: schemathesis.Case[Any], world: Tenant) -> None:
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )

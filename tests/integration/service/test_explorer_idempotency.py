"""Idempotency-Key on the explorer's writes: a retry after a lost answer never writes twice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from explorer_api.handler import lambda_handler
from odoo_simulator import OdooSimulator
from tests.integration.service.conftest import TenantConnection, connect
from tests.support.api import ApiAnswer, call

RECORDS = "/v1/connections/{connection_id}/records/{model}"
RECORD = "/v1/connections/{connection_id}/records/{model}/{record_id}"


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=0, seed_products=0) as simulator:
        yield simulator


@pytest.fixture
def link(allow_loopback: None, aws: Any, sim: OdooSimulator) -> TenantConnection:
    sim.knobs.reset()
    return connect(sim)


def _send(
    link: TenantConnection,
    method: str,
    body: Any = None,
    record_id: int | None = None,
    key: str | None = None,
) -> ApiAnswer:
    headers = {"Idempotency-Key": key} if key is not None else {}
    parameters = {"connection_id": link.connection_id, "model": "res.partner"}
    resource = RECORDS
    if record_id is not None:
        parameters["record_id"] = str(record_id)
        resource = RECORD
    return call(
        lambda_handler, method, resource, parameters, body=body, tenant_id=link.tenant_id, headers=headers
    )


def _named(sim: OdooSimulator, name: str) -> list[dict[str, Any]]:
    return sim.records("res.partner", [("name", "=", name)])


def test_a_create_retried_with_its_key_replays_the_answer_and_creates_once(link: TenantConnection) -> None:
    body = {"values": {"name": "Grace Hopper"}}

    first: ApiAnswer = _send(link, "POST", body, key="create-grace")
    again = _send(link, "POST", body, key="create-grace")

    assert first.status == again.status == 201
    assert again.body == first.body
    assert len(_named(link.sim, "Grace Hopper")) == 1


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(link: TenantConnection) -> None:
    _send(link, "POST", {"values": {"name": "Ada"}}, key="k-ada")

    other = _send(link, "POST", {"values": {"name": "Not Ada"}}, key="k-ada")

    assert other.status == 409
    assert other.body["field"] == "Idempotency-Key"
    assert _named(link.sim, "Not Ada") == []


def test_without_a_key_each_create_creates(link: TenantConnection) -> None:
    _send(link, "POST", {"values": {"name": "Twice"}})
    _send(link, "POST", {"values": {"name": "Twice"}})

    assert len(_named(link.sim, "Twice")) == 2


def test_a_delete_retried_with_its_key_answers_204_again_not_404(link: TenantConnection) -> None:
    created = _send(link, "POST", {"values": {"name": "Short-lived"}})
    record_id = created.body["id"]

    first = _send(link, "DELETE", record_id=record_id, key="del-1")
    again = _send(link, "DELETE", record_id=record_id, key="del-1")
    unkeyed = _send(link, "DELETE", record_id=record_id)

    assert (first.status, again.status, unkeyed.status) == (204, 204, 404)


def test_an_update_retried_with_its_key_replays_the_record_it_answered(link: TenantConnection) -> None:
    record_id = _send(link, "POST", {"values": {"name": "Alan"}}).body["id"]
    key = "upd-alan"

    first = _send(link, "PATCH", {"values": {"email": "alan@example.com"}}, record_id=record_id, key=key)
    again = _send(link, "PATCH", {"values": {"email": "alan@example.com"}}, record_id=record_id, key=key)

    assert first.status == again.status == 200
    assert again.body == first.body == {"id": record_id, "email": "alan@example.com"}


def test_a_key_that_is_not_printable_is_refused(link: TenantConnection) -> None:
    answer = _send(link, "POST", {"values": {"name": "Bad key"}}, key="a b")

    assert answer.status == 400
    assert answer.body["field"] == "Idempotency-Key"
    assert _named(link.sim, "Bad key") == []

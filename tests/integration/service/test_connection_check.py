"""POST /v1/connections/{id}/test against the simulator, over real HTTP."""

from __future__ import annotations

import pytest

from connections_api.handler import lambda_handler
from odoo_simulator import OdooSimulator
from odoo_sync.api.dependencies import connection_service
from odoo_sync.core.connections import ApiKeyAuth, ConnectionReplacement
from tests.integration.service.conftest import connect
from tests.support.api import call

TEST = "/v1/connections/{connection_id}/test"


def _test(link):
    return call(lambda_handler, "POST", TEST, {"connection_id": link.connection_id}, tenant_id=link.tenant_id)


@pytest.mark.parametrize(
    ("version", "protocol"), [("14", "jsonrpc"), ("17", "jsonrpc"), ("19", "json2"), ("future", "json2")]
)
def test_a_good_connection_reports_version_protocol_user_and_rights(allow_loopback, aws, version, protocol):
    with OdooSimulator(version=version, port=0, seed_partners=2, seed_products=2) as sim:
        link = connect(sim)

        answer = _test(link)

    assert answer.status == 200
    assert answer.body["success"] is True, answer.body
    assert answer.body["odoo_version"].startswith(version if version != "future" else "")
    assert answer.body["protocol"] == protocol
    assert answer.body["user_id"] == 2
    assert answer.body["database"] == sim.database
    assert answer.body["access"]["res.partner"] == {
        "read": True,
        "write": True,
        "create": True,
        "unlink": True,
    }
    assert answer.body["latency_ms"] >= 0
    shown = connection_service().get(link.tenant_id, link.connection_id)
    assert shown.detected is not None
    assert shown.detected.protocol.value == protocol
    assert shown.last_test is not None
    assert shown.last_test.success


def test_a_wrong_key_is_an_auth_failure_with_odoos_message(linked):
    service = connection_service()
    view = service.get(linked.tenant_id, linked.connection_id)
    service.replace(
        linked.tenant_id,
        linked.connection_id,
        ConnectionReplacement(
            **view.model_dump(include={"name", "base_url", "database"}),
            auth=ApiKeyAuth(type="api_key", login="admin", api_key="f" * 40),
        ),
    )

    answer = _test(linked)

    assert answer.status == 200
    assert answer.body["success"] is False
    assert answer.body["category"] == "auth"
    assert answer.body["odoo_message"]


def test_an_unknown_database_is_reported_as_such(allow_loopback, aws, sim):
    link = connect(sim, use_password=True)
    service = connection_service()
    view = service.get(link.tenant_id, link.connection_id)
    service.replace(
        link.tenant_id,
        link.connection_id,
        ConnectionReplacement(**view.model_dump(include={"name", "base_url"}), database="nosuchdb"),
    )

    answer = _test(link)

    assert answer.body["success"] is False
    assert answer.body["category"] == "database"


def test_nothing_listening_is_a_network_failure(allow_loopback, aws):
    with OdooSimulator(version="17", port=0) as sim:
        link = connect(sim)
    # The simulator is stopped: its port no longer answers.

    answer = _test(link)

    assert answer.body["success"] is False
    assert answer.body["category"] == "network"


def test_a_restricted_user_is_told_what_it_cannot_do(allow_loopback, aws, sim):
    tenant_link = connect(sim)
    service = connection_service()
    view = service.get(tenant_link.tenant_id, tenant_link.connection_id)
    service.replace(
        tenant_link.tenant_id,
        tenant_link.connection_id,
        ConnectionReplacement(
            **view.model_dump(include={"name", "base_url", "database"}),
            auth=ApiKeyAuth(type="api_key", login=sim.demo_login, api_key=sim.demo_api_key),
        ),
    )

    answer = _test(tenant_link)

    assert answer.body["success"] is True
    assert answer.body["access"]["ir.model.data"]["create"] is False
    assert any("external ids" in warning for warning in answer.body["warnings"])


def test_the_secret_is_absent_from_the_answer_and_the_logs(linked, capsys):
    answer = _test(linked)

    logs = capsys.readouterr()
    assert linked.sim.admin_api_key not in answer.raw
    assert linked.sim.admin_api_key not in logs.out + logs.err

"""The Odoo client against the Odoo simulator over real HTTP on loopback, every transport."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from odoo_sync.odoo import (
    OdooAccessError,
    OdooAuthError,
    OdooClient,
    OdooConnectionSettings,
    OdooConstraintError,
    OdooDatabaseError,
    OdooNotFoundError,
    OdooOutcomeUnknownError,
    OdooServerError,
    OdooValidationError,
    Protocol,
    RetryPolicy,
)

simulator = pytest.importorskip("odoo_simulator")

# (personality, protocol) pairs the server offers.
COMBOS = [
    ("14", Protocol.JSONRPC),
    ("14", Protocol.XMLRPC),
    ("17", Protocol.JSONRPC),
    ("17", Protocol.XMLRPC),
    ("19", Protocol.JSON2),
    ("19", Protocol.JSONRPC),
    ("19", Protocol.XMLRPC),
    ("future", Protocol.JSON2),
]
VERSIONS = ["14", "17", "19", "future"]


@pytest.fixture(scope="module", params=VERSIONS)
def sim(request: pytest.FixtureRequest) -> Iterator[Any]:
    with simulator.OdooSimulator(version=request.param, port=0) as running:
        yield running


@pytest.fixture
def connect(sim: Any) -> Iterator[Callable[..., OdooClient]]:
    clients: list[OdooClient] = []
    sim.knobs.reset()

    def build(
        protocol: Protocol = Protocol.AUTO, sleeps: list[float] | None = None, **overrides: Any
    ) -> OdooClient:
        values: dict[str, Any] = {
            "base_url": sim.url,
            "database": sim.database,
            "login": sim.admin_login,
            "secret": SecretStr(sim.admin_api_key),
            "protocol": protocol,
            "allow_private_network": True,
            "read_timeout_s": 5.0,
        }
        values.update(overrides)
        sink = sleeps if sleeps is not None else []
        client = OdooClient(OdooConnectionSettings(**values), retry=RetryPolicy(sleep=sink.append))
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()
    sim.knobs.reset()


def protocols_for(sim: Any) -> list[Protocol]:
    return [protocol for version, protocol in COMBOS if version == sim.version]


EXPECTED_AUTO = {
    "14": Protocol.JSONRPC,
    "17": Protocol.JSONRPC,
    "19": Protocol.JSON2,
    "future": Protocol.JSON2,
}


def test_auto_detection_reports_version_and_protocol_in_few_calls(sim, connect) -> None:
    client = connect()
    info = client.server_info()
    assert info.protocol is EXPECTED_AUTO[sim.version]
    assert info.major == (22 if sim.version == "future" else int(sim.version))
    assert info.version
    client.authenticate()
    assert client.calls <= 3
    calls_before = client.calls
    client.search("res.partner", [], limit=1)
    client.search("res.partner", [], limit=1)
    assert client.calls == calls_before + 2  # uid and protocol are cached


def test_auto_with_a_password_uses_rpc_where_there_is_rpc(sim, connect) -> None:
    client = connect(secret=SecretStr(sim.admin_password))
    if sim.version == "future":
        with pytest.raises(OdooAuthError, match="API key"):
            client.server_info()
        return
    assert client.protocol is Protocol.JSONRPC
    assert client.uid == sim.admin_uid


def test_every_offered_transport_does_crud(sim, connect) -> None:
    for protocol in protocols_for(sim):
        client = connect(protocol)
        assert client.protocol is protocol
        tag = uuid.uuid4().hex[:8]
        ids = client.create(
            "res.partner", [{"name": f"A {tag}", "ref": tag}, {"name": f"B {tag}", "ref": tag}]
        )
        assert len(ids) == 2
        assert client.create("res.partner", [{"name": f"C {tag}"}])[0] > max(ids)
        rows = client.search_read(
            "res.partner", [["ref", "=", tag]], ["name", "country_id", "write_date"], order="id"
        )
        assert [r["id"] for r in rows] == ids
        assert rows[0]["country_id"] is False
        assert len(rows[0]["write_date"]) == 19
        assert client.search_count("res.partner", [["ref", "=", tag]]) == 2
        assert client.search("res.partner", [["ref", "=", tag]], limit=1, offset=1, order="id") == [ids[1]]
        assert client.write("res.partner", ids, {"email": f"{tag}@example.com"}) is True
        assert {r["email"] for r in client.read("res.partner", ids, ["email"])} == {f"{tag}@example.com"}
        assert (ids[0], f"A {tag}") in client.name_search("res.partner", f"A {tag}", limit=5)
        assert client.fields_get("res.partner", ["type"])["name"]["type"] == "char"
        assert client.check_access_rights("res.partner", "write") is True
        assert client.execute("res.partner", "search_count", [[["ref", "=", tag]]]) == 2
        assert client.unlink("res.partner", ids) is True
        assert client.read("res.partner", ids, ["name"]) == []
        with pytest.raises(OdooNotFoundError):
            client.unlink("res.partner", ids)


def test_iter_search_read_visits_every_record_once(sim, connect) -> None:
    client = connect()
    everything = client.search("res.partner", [], order="id")
    seen = [r["id"] for r in client.iter_search_read("res.partner", [], ["name"], page_size=7)]
    assert seen == everything


def test_error_categories_on_every_transport(sim, connect) -> None:
    for protocol in protocols_for(sim):
        client = connect(protocol)
        tag = uuid.uuid4().hex[:8]
        with pytest.raises(OdooAuthError):
            connect(protocol, secret=SecretStr("0" * 40)).search("res.partner", [])
        with pytest.raises(OdooDatabaseError):
            connect(protocol, database="no_such_db").search("res.partner", [])
        with pytest.raises(OdooNotFoundError):
            client.search("x.no.such.model", [])
        with pytest.raises(OdooServerError):
            client.read("res.partner", [1], ["no_such_field"])
        with pytest.raises(OdooValidationError) as validation:
            client.write("res.partner", [1], {"parent_id": 1})
        assert type(validation.value) is OdooValidationError
        client.create("product.product", [{"name": "P", "barcode": tag}])
        with pytest.raises(OdooConstraintError, match="already assigned"):
            client.create("product.product", [{"name": "P2", "barcode": tag}])
        demo = connect(protocol, login=sim.demo_login, secret=SecretStr(sim.demo_api_key))
        with pytest.raises(OdooAccessError):
            demo.search_read("ir.model.data", [], ["name"], limit=1)
        assert demo.check_access_rights("ir.model.data", "read") is False


def test_rate_limited_read_is_retried_after_retry_after(sim, connect) -> None:
    sleeps: list[float] = []
    client = connect(sleeps=sleeps)
    client.authenticate()
    sim.knobs.rate_limit(1, retry_after_s=2)
    assert client.search_count("res.partner", []) > 0
    assert sleeps == [2.0]


def test_hung_read_times_out_and_is_retried(sim, connect) -> None:
    sleeps: list[float] = []
    client = connect(sleeps=sleeps, read_timeout_s=0.2)
    client.authenticate()
    sim.knobs.hang(1, seconds=1.0)
    assert client.search_count("res.partner", []) > 0
    assert len(sleeps) == 1


def test_hung_write_is_outcome_unknown(sim, connect) -> None:
    client = connect(read_timeout_s=0.2)
    client.authenticate()
    sim.knobs.hang(1, seconds=1.0)
    with pytest.raises(OdooOutcomeUnknownError):
        client.create("res.partner", [{"name": "maybe"}])


def test_write_dropped_after_commit_is_outcome_unknown_and_can_be_reconciled(sim, connect) -> None:
    client = connect()
    client.authenticate()
    tag = uuid.uuid4().hex[:8]
    sim.knobs.drop_after_commit(1)
    calls_before = client.calls
    with pytest.raises(OdooOutcomeUnknownError):
        client.create("res.partner", [{"name": f"D {tag}", "ref": tag}])
    assert client.calls == calls_before + 1  # never resent
    assert client.search_count("res.partner", [["ref", "=", tag]]) == 1  # it was committed

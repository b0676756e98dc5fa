"""Delta-polling realism: transaction write_dates, microseconds, 17/19 comparisons, value formats,
the clock, long transactions committing late, archive and paging that skips a moved record."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from odoo_simulator import OdooSimulator, TransactionClosedError

from .conftest import Rpc

T0 = datetime(2026, 11, 22, 16, 2, 17, 431207)


@pytest.fixture(scope="module", params=["17", "19"])
def sim(request: pytest.FixtureRequest) -> Iterator[OdooSimulator]:
    with OdooSimulator(version=request.param, seed_partners=2, seed_products=1) as simulator:
        yield simulator


@pytest.fixture
def rpc(sim: OdooSimulator) -> Iterator[Rpc]:
    sim.clock.freeze(T0)
    yield Rpc(sim)
    sim.clock.unfreeze()


def _create(rpc: Rpc, prefix: str, count: int) -> list[int]:
    ids: list[int] = rpc.xml(
        "res.partner", "create", [[{"name": f"{prefix} {i}", "ref": f"{prefix}-{i}"} for i in range(count)]]
    )
    return ids


def _stamps(rpc: Rpc, ids: list[int]) -> list[tuple[str, str]]:
    rows = rpc.xml("res.partner", "read", [ids, ["write_date", "create_date"]])
    return [(row["write_date"], row["create_date"]) for row in rows]


def test_one_call_one_transaction_time_stored_with_microseconds(sim: OdooSimulator, rpc: Rpc) -> None:
    ids = _create(rpc, "TX", 3)
    assert set(_stamps(rpc, ids)) == {("2026-11-22 16:02:17", "2026-11-22 16:02:17")}
    stored = {row["id"]: row["write_date"] for row in sim.records("res.partner", [("id", "in", ids)])}
    with sim.lock:
        raw = sim.env()["res.partner"]._raw(ids[0], "write_date")
    assert raw == T0
    assert len(stored) == 3
    sim.clock.advance(2.5)
    rpc.xml("res.partner", "write", [ids[1:], {"comment": "changed"}])
    assert _stamps(rpc, ids) == [
        ("2026-11-22 16:02:17", "2026-11-22 16:02:17"),
        ("2026-11-22 16:02:19", "2026-11-22 16:02:17"),
        ("2026-11-22 16:02:19", "2026-11-22 16:02:17"),
    ]


def test_equality_and_greater_than_on_the_returned_second(sim: OdooSimulator, rpc: Rpc) -> None:
    [rid] = _create(rpc, "CMP", 1)
    shown = rpc.xml("res.partner", "read", [[rid], ["write_date"]])[0]["write_date"]
    equal = rpc.xml("res.partner", "search", [[["write_date", "=", shown], ["id", "=", rid]]])
    greater = rpc.xml("res.partner", "search", [[["write_date", ">", shown], ["id", "=", rid]]])
    if sim.version == "17":  # the microsecond column against a whole second
        assert (equal, greater) == ([], [rid])
    else:
        assert (equal, greater) == ([rid], [])


ACCEPTED_BY_BOTH = ["2026-11-22 16:02:17", "2026-11-22T16:02:17", "2026-11-22 16:02:17.000000", "2026-11-22"]


@pytest.mark.parametrize("value", ACCEPTED_BY_BOTH)
def test_domain_value_formats_accepted(rpc: Rpc, value: str) -> None:
    _create(rpc, f"FMT{len(value)}", 1)
    assert (
        rpc.xml("res.partner", "search_count", [[["write_date", ">=", value], ["ref", "=like", "FMT%"]]]) >= 1
    )


@pytest.mark.parametrize("value", ["2026-11-22T16:02:17Z", "2026-11-22T16:02:17+02:00"])
def test_zone_suffixes_ignored_by_17_refused_by_19(sim: OdooSimulator, rpc: Rpc, value: str) -> None:
    _create(rpc, "ZONE", 1)
    domain = [["write_date", ">=", value], ["ref", "=like", "ZONE-%"]]
    if sim.version == "17":
        assert rpc.xml("res.partner", "search_count", [domain]) >= 1
        later = [["write_date", ">=", "2026-11-22T17:02:17+01:00"], ["ref", "=like", "ZONE-%"]]
        assert rpc.xml("res.partner", "search_count", [later]) == 0  # the offset is not honoured
    else:
        with pytest.raises(xmlrpc.client.Fault) as fault:
            rpc.xml("res.partner", "search_count", [domain])
        assert f"ValueError: expecting only datetimes with no timezone: '{value}'" in fault.value.faultString


@pytest.mark.parametrize("value", ["22/11/2026", 1795359738])
def test_other_formats_refused_by_both(sim: OdooSimulator, rpc: Rpc, value: Any) -> None:
    with pytest.raises(xmlrpc.client.Fault) as fault:
        rpc.xml("res.partner", "search_count", [[["write_date", ">=", value]]])
    assert fault.value.faultCode == 1
    expected = "DatetimeFieldOverflow" if sim.version == "17" else "ValueError"
    assert expected in fault.value.faultString


def test_json2_refuses_zone_with_the_captured_message(sim: OdooSimulator, rpc: Rpc) -> None:
    if sim.version != "19":
        pytest.skip("JSON-2 is 19+")
    answer = rpc.json2(
        "res.partner", "search_count", {"domain": [["write_date", ">=", "2026-11-22T16:02:17Z"]]}
    )
    assert answer.status_code == 500
    assert answer.json()["message"] == "expecting only datetimes with no timezone: '2026-11-22T16:02:17Z'"


def test_clock_real_by_default_frozen_and_advanced(sim: OdooSimulator) -> None:
    sim.clock.unfreeze()
    before = datetime.utcnow()
    assert abs(sim.clock.now() - before) < timedelta(seconds=5)
    assert sim.clock.freeze(T0) == T0
    assert sim.clock.now() == T0
    assert sim.clock.advance(90) == T0 + timedelta(seconds=90)
    sim.clock.unfreeze()


def test_long_transaction_commits_late_with_an_older_write_date(sim: OdooSimulator, rpc: Rpc) -> None:
    [marker] = _create(rpc, "LONGM", 1)
    tx = sim.open_transaction()
    long_ids = tx.create("res.partner", [{"name": f"long {i}", "ref": f"LONG-{i}"} for i in range(3)])
    assert tx.write("res.partner", [long_ids[0]], {"comment": "in tx"}) is True
    assert rpc.xml("res.partner", "search", [[["ref", "=like", "LONG-%"]]]) == []  # invisible
    sim.clock.advance(5)
    rpc.xml("res.partner", "write", [[marker], {"comment": "short tx"}])
    seen = rpc.xml("res.partner", "read", [[marker], ["write_date"]])[0]["write_date"]
    tx.commit()
    missed = rpc.xml("res.partner", "search_count", [[["write_date", ">", seen], ["ref", "=like", "LONG-%"]]])
    assert missed == 0  # a poller using "> max(write_date seen)" misses the whole batch
    assert set(_stamps(rpc, long_ids)) == {("2026-11-22 16:02:17", "2026-11-22 16:02:17")}
    assert rpc.xml("res.partner", "read", [[long_ids[0]], ["comment"]])[0]["comment"] == "in tx"
    with pytest.raises(TransactionClosedError):
        tx.commit()


def test_rolled_back_transaction_leaves_nothing(sim: OdooSimulator, rpc: Rpc) -> None:
    [kept] = _create(rpc, "RBK", 1)
    tx = sim.open_transaction()
    gone = tx.create("res.partner", {"name": "gone", "ref": "GONE-1"})
    tx.write("res.partner", [kept], {"comment": "never"})
    tx.rollback()
    assert tx.state == "rolled back"
    assert rpc.xml("res.partner", "read", [[gone], ["name"]]) == []
    assert rpc.xml("res.partner", "read", [[kept], ["comment"]])[0]["comment"] is False
    later = rpc.xml("res.partner", "create", [{"name": "after"}])
    assert later > gone  # ids are consumed like PostgreSQL sequences


def test_context_manager_rolls_back_on_error(sim: OdooSimulator, rpc: Rpc) -> None:
    def failing_import() -> None:
        with sim.open_transaction() as tx:
            tx.create("res.partner", {"name": "ctx", "ref": "CTXM-1"})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        failing_import()
    assert rpc.xml("res.partner", "search", [[["ref", "=", "CTXM-1"]]]) == []
    with sim.open_transaction() as tx:
        tx.create("res.partner", {"name": "ctx", "ref": "CTXM-2"})
    assert tx.state == "committed"
    assert len(rpc.xml("res.partner", "search", [[["ref", "=", "CTXM-2"]]])) == 1


def test_archive_hidden_unless_active_test_false_and_unlink_leaves_no_trace(
    sim: OdooSimulator, rpc: Rpc
) -> None:
    ids = _create(rpc, "ARC", 3)
    rpc.xml("res.partner", "write", [[ids[0]], {"active": False}])
    rpc.xml("res.partner", "unlink", [[ids[1]]])
    domain = [["ref", "=like", "ARC-%"]]
    assert rpc.xml("res.partner", "search", [domain], {"order": "id"}) == [ids[2]]
    everything = rpc.xml(
        "res.partner", "search", [domain], {"order": "id", "context": {"active_test": False}}
    )
    assert everything == [ids[0], ids[2]]
    with sim.lock:
        sim.env()["res.partner"].browse([ids[0]]).action_unarchive()
    assert rpc.xml("res.partner", "search", [domain], {"order": "id"}) == [ids[0], ids[2]]


def test_paging_skips_a_record_that_moves_between_pages(sim: OdooSimulator, rpc: Rpc) -> None:
    first = _create(rpc, "PAGE", 1)
    sim.clock.advance(2)
    rest = _create(rpc, "PAGE", 5)
    domain = [["ref", "=like", "PAGE-%"]]
    order = {"order": "write_date asc, id asc", "limit": 3}
    page1 = rpc.xml("res.partner", "search", [domain], {**order, "offset": 0})
    sim.clock.advance(2)
    rpc.xml("res.partner", "write", [[first[0]], {"comment": "moved"}])
    page2 = rpc.xml("res.partner", "search", [domain], {**order, "offset": 3})
    assert page1 == [first[0], *rest[:2]]
    assert page2 == [rest[3], rest[4], first[0]]
    assert rest[2] not in page1 + page2  # skipped

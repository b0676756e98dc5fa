"""External id lookups go through the simulator's index on ir.model.data (module, name) and
(model, res_id), like Odoo's own indexes, and answer exactly what a full scan of the table does:
the same rows in the same order, the same misses, after writes, deletions and rollbacks too."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

import pytest

from odoo_simulator import OdooSimulator
from odoo_simulator.errors import ValidationError
from odoo_simulator.models import Env
from odoo_simulator.models.ir import IrModelData

T = TypeVar("T")
FIELDS = ["module", "name", "model", "res_id"]
ORDERS = [None, "id desc", "name desc", "module", "res_id, name", "model desc, module"]


@pytest.fixture
def sim() -> Iterator[OdooSimulator]:
    simulator = OdooSimulator(version="19", seed_partners=40, seed_products=5)
    with simulator.store.lock:
        yield simulator


def xmlids(env: Env) -> IrModelData:
    return cast(IrModelData, env["ir.model.data"])


def committed(sim: OdooSimulator, work: Callable[[Env], T]) -> T:
    sim.store.begin()
    try:
        result = work(sim.env())
    except BaseException:
        sim.store.rollback()
        raise
    sim.store.commit()
    return result


def add_external_ids(sim: OdooSimulator, count: int) -> list[tuple[str, str]]:
    """`count` external ids on partners, created in shuffled name order (table order is not
    name order), two of them spread over two modules."""
    env = sim.env()
    partners = sorted(env.store.table("res.partner"))
    rng = random.Random(7)
    names = [(rng.choice(["sync_a", "sync_b", "__export__"]), f"partner-{n:04d}") for n in range(count)]
    rng.shuffle(names)
    vals = [
        {"module": module, "name": name, "model": "res.partner", "res_id": partners[i % len(partners)]}
        for i, (module, name) in enumerate(names)
    ]
    committed(sim, lambda env: env["ir.model.data"].create(vals))
    return names


def answers(env: Env, domain: list[Any], order: str | None, **kwargs: Any) -> list[dict[str, Any]]:
    return env["ir.model.data"].search_read(domain, FIELDS, order=order, **kwargs)


def full_scan_answers(
    env: Env, monkeypatch: pytest.MonkeyPatch, domain: list[Any], order: str | None, **kwargs: Any
) -> list[dict[str, Any]]:
    with monkeypatch.context() as patch:
        patch.setattr(type(env["ir.model.data"]), "_indexes", ())
        return answers(env, domain, order, **kwargs)


def lookup_domains(names: list[tuple[str, str]], partner_ids: list[int]) -> list[list[Any]]:
    modules = sorted({module for module, _ in names})
    some = [name for _, name in names[:5]]
    return [
        [("module", "=", names[0][0]), ("name", "=", names[0][1])],
        [("module", "in", modules), ("name", "in", [*some, "partner-missing", "missing-2"])],
        [("model", "=", "res.partner"), ("module", "=", "sync_a"), ("name", "in", some)],
        ["&", ("module", "=", "sync_b"), ("name", "in", some)],
        [("module", "=", "sync_a"), ("name", "in", some), ("name", "in", some[:2])],
        [("module", "=", "nowhere"), ("name", "in", some)],
        [("model", "=", "res.partner"), ("res_id", "in", [*partner_ids[:4], 999_999])],
        [("model", "=", "res.partner"), ("res_id", "=", partner_ids[1])],
        [("module", "=", "sync_a"), ("name", "=", 1234)],  # an integer never equals a char value
        [("module", "=", False), ("name", "in", some)],  # not looked up through the index
        ["|", ("module", "=", "sync_a"), ("name", "in", some)],  # not a conjunction: a full scan
    ]


def assert_same_as_full_scan(sim: OdooSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    env = sim.env()
    names = [(row["module"], row["name"]) for row in env.store.table("ir.model.data").values()]
    partner_ids = sorted(env.store.table("res.partner"))
    for domain in lookup_domains(names, partner_ids):
        for order in ORDERS:
            indexed = answers(env, domain, order)
            assert indexed == full_scan_answers(env, monkeypatch, domain, order), (domain, order)
        paged = answers(env, domain, None, offset=1, limit=2)
        assert paged == full_scan_answers(env, monkeypatch, domain, None, offset=1, limit=2)


def test_lookups_by_external_id_answer_what_a_full_scan_answers(
    sim: OdooSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = add_external_ids(sim, 300)
    env = sim.env()
    wanted = [names[10], names[200], ("sync_a", "partner-missing")]
    domain = [
        ("module", "in", sorted({m for m, _ in wanted})),
        ("name", "in", sorted({n for _, n in wanted})),
    ]

    found = answers(env, domain, None)

    assert {(row["module"], row["name"]) for row in found} >= {names[10], names[200]}
    assert ("sync_a", "partner-missing") not in {(row["module"], row["name"]) for row in found}
    assert_same_as_full_scan(sim, monkeypatch)


def test_a_lookup_of_a_few_names_considers_only_those_rows(sim: OdooSimulator) -> None:
    names = add_external_ids(sim, 300)
    data = sim.env()["ir.model.data"]
    domain = [("module", "=", names[0][0]), ("name", "in", [names[0][1], "partner-missing"])]

    candidates = list(data._candidates(domain))

    assert len(sim.store.table("ir.model.data")) > 300
    assert len(candidates) == 1
    assert data._candidates([("name", "ilike", "partner")]) is sim.store.table("ir.model.data")


def test_the_index_follows_writes_deletions_and_rollbacks(
    sim: OdooSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = add_external_ids(sim, 120)
    assert_same_as_full_scan(sim, monkeypatch)  # builds the index before the changes below
    env = sim.env()
    data = env.store.table("ir.model.data")
    by_name = {(row["module"], row["name"]): xid for xid, row in data.items()}

    renamed = by_name[names[3]]
    committed(sim, lambda env: env["ir.model.data"].browse([renamed]).write({"name": "renamed"}))
    committed(sim, lambda env: env["ir.model.data"].browse([by_name[names[4]]]).unlink())
    duplicate = {field: data[by_name[names[6]]][field] for field in FIELDS}
    with pytest.raises(ValidationError, match="duplicate key"):
        committed(sim, lambda env: env["ir.model.data"].create(duplicate))
    clash = {"module": names[8][0], "name": names[8][1]}
    with pytest.raises(ValidationError, match="duplicate key"):  # a rename rolled back
        committed(sim, lambda env: env["ir.model.data"].browse([by_name[names[7]]]).write(clash))
    kept = {data[by_name[name]]["res_id"] for name in names[:9] if by_name[name] in data}
    partner = next(
        row["res_id"] for row in data.values() if row["model"] == "res.partner" and row["res_id"] not in kept
    )
    committed(sim, lambda env: env["res.partner"].browse([partner]).unlink())  # its ids go too

    assert answers(env, [("module", "=", names[3][0]), ("name", "=", "renamed")], None)
    assert not answers(env, [("module", "=", names[4][0]), ("name", "=", names[4][1])], None)
    restored = answers(env, [("module", "=", names[7][0]), ("name", "=", names[7][1])], None)
    assert [row["id"] for row in restored] == [by_name[names[7]]]
    assert_same_as_full_scan(sim, monkeypatch)


def test_check_object_reference_and_get_external_id_use_the_index(sim: OdooSimulator) -> None:
    names = add_external_ids(sim, 50)
    env = sim.env()
    data = env.store.table("ir.model.data")
    row = next(row for row in data.values() if (row["module"], row["name"]) == names[0])

    found = xmlids(env).check_object_reference(names[0][0], names[0][1])
    external = env["res.partner"].browse([row["res_id"]]).get_external_id()

    assert found == ["res.partner", row["res_id"]]
    first = min(
        (r["module"], r["name"])
        for r in data.values()
        if r["model"] == "res.partner" and r["res_id"] == row["res_id"]
    )
    assert external == {row["res_id"]: ".".join(first)}
    with pytest.raises(Exception, match=r"External ID not found in the system: sync_a\.partner-missing"):
        xmlids(env).check_object_reference("sync_a", "partner-missing")


def test_a_batch_with_two_clashes_names_the_one_a_scan_meets_first(sim: OdooSimulator) -> None:
    def xmlid(name: str) -> dict[str, Any]:
        return {"module": "sync_a", "name": name, "model": "res.partner", "res_id": 1}

    batch = [xmlid("first"), xmlid("second"), xmlid("second"), xmlid("first")]

    with pytest.raises(ValidationError, match=r"Key \(module, name\)=\(sync_a, second\) already exists"):
        committed(sim, lambda env: env["ir.model.data"].create(batch))
    assert not sim.env()["ir.model.data"].search([("module", "=", "sync_a")]).ids

"""The simulator's own behaviour: domains, paging, x2many commands, constraints, access, transports."""

from __future__ import annotations

import xmlrpc.client
from typing import Any

import httpx
import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.sync.normalise import normalise_phone

from .conftest import Rpc


@pytest.fixture(scope="module")
def rpc(sim19: OdooSimulator) -> Rpc:
    return Rpc(sim19)


def _refs(rpc: Rpc, domain: list[Any], **kwargs: Any) -> list[str]:
    rows = rpc.xml("res.partner", "search_read", [domain], {"fields": ["ref"], **kwargs})
    return [row["ref"] for row in rows]


def test_prefix_operators_and_implicit_and(rpc: Rpc) -> None:
    rpc.xml(
        "res.partner",
        "create",
        [
            [
                {"name": "Dom A", "ref": "DOM-A", "email": "a@dom.example", "country_id": 1},
                {"name": "Dom B", "ref": "DOM-B", "email": "b@dom.example"},
                {"name": "Dom C", "ref": "DOM-C", "is_company": True},
            ]
        ],
    )
    base = [("ref", "=like", "DOM-%")]
    assert _refs(rpc, [*base, ("email", "!=", False)], order="ref") == ["DOM-A", "DOM-B"]
    assert _refs(rpc, ["|", ("ref", "=", "DOM-A"), ("ref", "=", "DOM-C")], order="ref desc") == [
        "DOM-C",
        "DOM-A",
    ]
    assert _refs(rpc, [*base, "!", ("is_company", "=", True)], order="ref") == ["DOM-A", "DOM-B"]
    assert _refs(rpc, [("ref", "in", ["DOM-B", "nope"])]) == ["DOM-B"]
    assert _refs(rpc, [*base, ("email", "ilike", "B@DOM")]) == ["DOM-B"]
    assert _refs(rpc, [*base, ("country_id.code", "=", "BE")]) == ["DOM-A"]
    assert _refs(rpc, [*base, ("name", "not in", ["Dom A", "Dom B"])]) == ["DOM-C"]


def test_order_limit_offset_pages_without_overlap(rpc: Rpc) -> None:
    everything = rpc.xml("res.partner", "search", [[]], {"order": "id"})
    pages = [
        rpc.xml("res.partner", "search", [[]], {"order": "id", "limit": 7, "offset": o})
        for o in range(0, len(everything), 7)
    ]
    assert [rid for page in pages for rid in page] == everything
    assert rpc.xml("res.partner", "search_count", [[]]) == len(everything)


def test_child_of_follows_the_hierarchy(rpc: Rpc) -> None:
    parent = rpc.xml("product.category", "create", [{"name": "Tree", "parent_id": 1}])
    child = rpc.xml("product.category", "create", [{"name": "Leaf", "parent_id": parent}])
    found = rpc.xml("product.category", "search", [[("id", "child_of", parent)]], {"order": "id"})
    assert found == [parent, child]
    name = rpc.xml("product.category", "read", [[child], ["display_name"]])[0]["display_name"]
    assert name == "All / Tree / Leaf"


def test_bad_domains_raise_odoo_errors(rpc: Rpc) -> None:
    with pytest.raises(xmlrpc.client.Fault) as bad_operator:
        rpc.xml("res.partner", "search", [[("name", "~~", "x")]])
    assert bad_operator.value.faultCode == 1
    assert "Invalid operator in condition ('name', '~~', 'x')" in bad_operator.value.faultString
    with pytest.raises(xmlrpc.client.Fault, match=r"Invalid field res\.partner\.nope"):
        rpc.xml("res.partner", "search", [[("nope", "=", 1)]])
    with pytest.raises(xmlrpc.client.Fault, match=r"Domain\(\) invalid argument type"):
        rpc.xml("res.partner", "search", ["[('name','=','x')]"])


def test_x2many_commands(rpc: Rpc) -> None:
    pid = rpc.xml(
        "res.partner",
        "create",
        [{"name": "Tags", "category_id": [(6, 0, [1, 2])], "child_ids": [(0, 0, {"name": "Kid"})]}],
    )

    def tags() -> list[int]:
        return sorted(rpc.xml("res.partner", "read", [[pid], ["category_id"]])[0]["category_id"])

    assert tags() == [1, 2]
    rpc.xml("res.partner", "write", [[pid], {"category_id": [(3, 1), (4, 3)]}])
    assert tags() == [2, 3]
    rpc.xml("res.partner", "write", [[pid], {"category_id": [(5, 0, 0)]}])
    assert tags() == []
    kids = rpc.xml("res.partner", "read", [[pid], ["child_ids"]])[0]["child_ids"]
    assert len(kids) == 1
    assert rpc.xml("res.partner", "read", [kids, ["display_name"]])[0]["display_name"] == "Tags, Kid"
    rpc.xml("res.partner", "write", [[pid], {"child_ids": [(2, kids[0])]}])
    assert rpc.xml("res.partner", "read", [kids, ["name"]]) == []


def test_one_write_date_per_call_and_second_precision(rpc: Rpc, sim19: OdooSimulator) -> None:
    ids = rpc.xml("res.partner", "create", [[{"name": "T1"}, {"name": "T2"}]])
    rows = rpc.xml("res.partner", "read", [ids, ["write_date", "create_date"]])
    assert rows[0]["write_date"] == rows[1]["write_date"]
    assert len(rows[0]["write_date"]) == 19
    assert sim19.records("res.partner", [("id", "in", ids)])[0]["write_date"] == rows[0]["write_date"]


def test_datetime_formats_on_write(rpc: Rpc) -> None:
    aid = rpc.xml("base.automation", "search", [[]]) or None
    assert aid is None  # no automation seeded
    pid = rpc.xml("res.partner", "create", [{"name": "Dates"}])
    with pytest.raises(xmlrpc.client.Fault, match="does not match format"):
        rpc.xml("res.users", "write", [[2], {"login_date": "2026-01-31T10:00:00Z"}])
    rpc.xml("res.users", "write", [[2], {"login_date": "2026-01-31"}])
    assert rpc.xml("res.users", "read", [[2], ["login_date"]])[0]["login_date"] == "2026-01-31 00:00:00"
    assert pid


def test_constraints_roll_the_whole_call_back(rpc: Rpc, sim19: OdooSimulator) -> None:
    before = len(sim19.records("product.product"))
    with pytest.raises(xmlrpc.client.Fault) as dup:
        rpc.xml(
            "product.product",
            "create",
            [[{"name": "P1", "barcode": "DUP"}, {"name": "P2", "barcode": "DUP"}]],
        )
    assert dup.value.faultCode == 2
    assert 'Barcode "DUP" already assigned to product(s): P1 and P2' in dup.value.faultString
    assert len(sim19.records("product.product")) == before
    with pytest.raises(xmlrpc.client.Fault, match=r"Missing required value for the field 'Name'"):
        rpc.xml("product.product", "create", [{"list_price": 1.0}])
    with pytest.raises(xmlrpc.client.Fault, match="two users with the same login"):
        rpc.xml("res.users", "create", [{"name": "Again", "login": "demo"}])
    with pytest.raises(xmlrpc.client.Fault, match=r"Wrong value for res\.partner\.type"):
        rpc.xml("res.partner", "create", [{"name": "x", "type": "bogus"}])
    with pytest.raises(xmlrpc.client.Fault, match=r"res.country\(999999,\)"):
        rpc.xml("res.partner", "create", [{"name": "x", "country_id": 999999}])


def test_template_and_variant_share_fields(rpc: Rpc) -> None:
    tid = rpc.xml("product.template", "create", [{"name": "Tpl", "default_code": "TPL-1", "list_price": 9.5}])
    variant = rpc.xml(
        "product.product",
        "search_read",
        [[("product_tmpl_id", "=", tid)]],
        {"fields": ["default_code", "list_price", "display_name"]},
    )
    assert variant[0]["default_code"] == "TPL-1"
    assert variant[0]["list_price"] == 9.5
    rpc.xml("product.product", "write", [[variant[0]["id"]], {"list_price": 12.0}])
    assert rpc.xml("product.template", "read", [[tid], ["list_price"]])[0]["list_price"] == 12.0
    rpc.xml("product.product", "unlink", [[variant[0]["id"]]])
    assert rpc.xml("product.template", "read", [[tid], ["name"]]) == []


def test_external_ids_follow_their_record(rpc: Rpc) -> None:
    pid = rpc.xml("res.partner", "create", [{"name": "Xid"}])
    rpc.xml(
        "ir.model.data", "create", [{"module": "sync", "name": "p_1", "model": "res.partner", "res_id": pid}]
    )
    assert rpc.xml("ir.model.data", "check_object_reference", ["sync", "p_1"]) == ["res.partner", pid]
    with pytest.raises(xmlrpc.client.Fault, match="cannot contain spaces"):
        rpc.xml(
            "ir.model.data",
            "create",
            [{"module": "sync", "name": "p 2", "model": "res.partner", "res_id": pid}],
        )
    rpc.xml("res.partner", "unlink", [[pid]])
    with pytest.raises(xmlrpc.client.Fault, match="External ID not found"):
        rpc.xml("ir.model.data", "check_object_reference", ["sync", "p_1"])


def test_demo_user_access(rpc: Rpc, sim19: OdooSimulator) -> None:
    demo: dict[str, Any] = {"uid": sim19.demo_uid, "secret": sim19.demo_api_key}
    with pytest.raises(xmlrpc.client.Fault) as denied:
        rpc.xml("ir.model.data", "search_read", [[]], {"limit": 1}, **demo)
    assert denied.value.faultCode == 4
    hidden = rpc.xml("res.partner", "search", [[("ref", "=", "SIM-CHI-1")]])
    assert rpc.xml("res.partner", "search", [[("ref", "=", "SIM-CHI-1")]], **demo) == []
    with pytest.raises(xmlrpc.client.Fault, match="top-secret records"):
        rpc.xml("res.partner", "read", [hidden, ["name"]], **demo)
    assert rpc.xml("res.company", "check_access_rights", ["write", False], **demo) is False


def test_authentication_and_bad_credentials(sim19: OdooSimulator) -> None:
    common = xmlrpc.client.ServerProxy(f"{sim19.url}/xmlrpc/2/common")
    assert common.authenticate(sim19.database, "admin", sim19.admin_api_key, {}) == 2
    assert common.authenticate(sim19.database, "admin", "wrong", {}) is False
    with pytest.raises(xmlrpc.client.Fault, match='database "other" does not exist'):
        common.authenticate("other", "admin", "admin", {})
    with pytest.raises(xmlrpc.client.Fault) as denied:
        Rpc(sim19).xml("res.partner", "search", [[]], secret="wrong")
    assert denied.value.faultCode == 3


def test_json2_create_returns_a_list_and_errors_are_json(rpc: Rpc) -> None:
    created = rpc.json2("res.partner", "create", {"vals_list": {"name": "J2"}})
    assert created.status_code == 200
    assert isinstance(created.json(), list)
    missing = rpc.json2("res.partner", "write", {"ids": [10**6], "vals": {"name": "x"}})
    assert missing.status_code == 404
    assert missing.json()["name"] == "odoo.exceptions.MissingError"
    unauthorized = rpc.json2("res.partner", "search", {"domain": []}, key="0" * 40)
    assert unauthorized.status_code == 401
    assert unauthorized.headers["WWW-Authenticate"].strip() == "Bearer"
    assert rpc.json2("res.partner", "action_archive", {"ids": created.json()}).json() is None
    assert rpc.json2("res.users", "context_get").json()["uid"] == 2


def test_json_rpc_none_result_has_neither_result_nor_error(rpc: Rpc, sim19: OdooSimulator) -> None:
    pid = rpc.xml("res.partner", "create", [{"name": "Arch"}])
    answer = rpc.jsonrpc(
        "object", "execute_kw", [sim19.database, 2, "admin", "res.partner", "action_archive", [[pid]]]
    )
    assert answer == {"jsonrpc": "2.0", "id": 7}
    assert rpc.xml("res.partner", "search", [[("id", "=", pid)]]) == []
    assert rpc.xml("res.partner", "search", [[("id", "=", pid)]], {"context": {"active_test": False}}) == [
        pid
    ]


def test_doc_bearer_lists_parameter_names(sim19: OdooSimulator) -> None:
    response = httpx.get(
        f"{sim19.url}/doc-bearer/res.partner.json", headers={"Authorization": f"bearer {sim19.admin_api_key}"}
    )
    assert response.status_code == 200
    methods = response.json()["methods"]
    assert list(methods["search_read"]["parameters"])[:3] == ["domain", "fields", "offset"]
    assert list(methods["write"]["parameters"]) == ["vals"]
    assert "model" in methods["search"]["api"]


@pytest.mark.parametrize(
    ("version", "rpc_status", "json2_status", "web_version_status"),
    [("14", 200, 404, 404), ("17", 200, 404, 404), ("19", 200, 200, 200), ("future", 404, 200, 200)],
)
def test_personalities_expose_their_endpoints(
    version: str, rpc_status: int, json2_status: int, web_version_status: int
) -> None:
    with OdooSimulator(version=version, seed_partners=1, seed_products=1) as sim:
        body = xmlrpc.client.dumps((), "version")
        assert httpx.post(f"{sim.url}/xmlrpc/2/common", content=body).status_code == rpc_status
        json2 = httpx.post(
            f"{sim.url}/json/2/res.partner/search_count",
            json={"domain": []},
            headers={"Authorization": f"bearer {sim.admin_api_key}"},
        )
        assert json2.status_code == json2_status
        assert httpx.get(f"{sim.url}/web/version").status_code == web_version_status
        assert httpx.get(f"{sim.url}/web/version").headers["Connection"] == "close"


def test_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Odoo version"):
        OdooSimulator(version="13")


def test_one_create_of_many_templates_gives_each_its_own_variant(rpc: Rpc) -> None:
    vals = [{"name": f"Bulk {n}", "default_code": f"BULK-{n}", "barcode": f"BULK{n}"} for n in range(300)]
    ids = rpc.xml("product.template", "create", [vals])
    rows = rpc.xml("product.template", "read", [ids, ["default_code", "barcode", "product_variant_ids"]])
    assert [row["default_code"] for row in rows] == [v["default_code"] for v in vals]
    assert [row["barcode"] for row in rows] == [v["barcode"] for v in vals]
    variants = [row["product_variant_ids"] for row in rows]
    assert all(len(found) == 1 for found in variants)
    assert len({found[0] for found in variants}) == len(vals)
    with pytest.raises(xmlrpc.client.Fault, match='Barcode "BULK7" already assigned'):
        rpc.xml("product.template", "create", [[{"name": "Again", "barcode": "BULK7"}]])


def test_seeded_partners_carry_phones_that_pass_validation(sim19: OdooSimulator) -> None:
    # A partner imported from the simulator and pushed back must not be refused for its phone.
    seeded = sim19.records("res.partner", [("ref", "like", "SIM-P")])
    phones = [row["phone"] for row in seeded if row["phone"]]
    assert phones
    for phone in phones:
        assert normalise_phone(phone).startswith("+1")


def test_a_search_by_ids_answers_as_a_search_over_every_record(rpc: Rpc) -> None:
    ids = rpc.xml("res.partner", "create", [[{"name": f"Pick {n}", "active": n % 3 != 0} for n in range(9)]])
    wanted = [*ids[::-1], 999_999]  # out of order, and an id that does not exist
    by_ids = [("id", "in", wanted), ("name", "ilike", "pick")]
    # The same set, written so that no leaf alone narrows it: every record is examined.
    examined = ["|", ("id", "in", wanted), ("id", "=", 0), ("name", "ilike", "pick")]

    for kwargs in ({}, {"context": {"active_test": False}}, {"order": "name desc"}):
        assert rpc.xml("res.partner", "search", [by_ids], kwargs) == rpc.xml(
            "res.partner", "search", [examined], kwargs
        )
    active = rpc.xml("res.partner", "search", [by_ids])
    assert sorted(active) == sorted(i for n, i in enumerate(ids) if n % 3 != 0)
    assert rpc.xml("res.partner", "search", [[("id", "in", [])]]) == []
    assert rpc.xml("res.partner", "search_count", [[("id", "=", ids[1]), ("id", "in", ids[:1])]]) == 0

"""The client facade against replayed Odoo answers: detection, typed helpers, call counting."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from odoo_sync.odoo import (
    OdooAuthError,
    OdooDatabaseError,
    OdooProtocolError,
    Protocol,
)
from tests.unit.odoo.odoo_wire_replay import exchange, json_response, recorded_response, replayed

WEB_VERSION_19 = replayed("v19-version.json", "GET /web/version")
WEB_VERSION_17 = replayed("v17-version.json", "GET /web/version")
CONTEXT_GET = ("POST", "/json/2/res.users/context_get", json_response(200, {"lang": "en_US", "uid": 2}))
NOT_FOUND = httpx.Response(404, text="<html>not found</html>", headers={"Content-Type": "text/html"})


def captured_json_body(file: str, name: str) -> Any:
    return json.loads(exchange(file, name)["request"]["body"])


def test_auto_on_19_with_api_key_picks_json2_in_two_calls_and_knows_the_uid(make_client) -> None:
    client, replay = make_client([WEB_VERSION_19, CONTEXT_GET])
    info = client.server_info()
    assert (info.version, info.major, info.protocol) == ("19.0+e-20251227", 19, Protocol.JSON2)
    assert info.version_info[:2] == (19, 0)
    assert client.uid == 2
    assert client.calls == 2
    probe = replay.requests[1]
    assert probe.headers["Authorization"] == "bearer 0123456789abcdef0123456789abcdef01234567"
    assert probe.headers["X-Odoo-Database"] == "odoo19"


def test_json2_search_read_sends_what_real_odoo_was_sent(make_client) -> None:
    file, name = "v19-json2-crud.json", "search_read companies"
    client, replay = make_client([WEB_VERSION_19, CONTEXT_GET, replayed(file, name)])
    sent = captured_json_body(file, name)
    rows = client.search_read(
        "res.partner", sent["domain"], sent["fields"], limit=sent["limit"], order=sent["order"]
    )
    assert replay.json_bodies()[-1] == sent
    assert rows[0]["country_id"] == [233, "United States"]
    assert client.calls == 3


def test_auto_on_17_picks_jsonrpc_and_authenticates_once(make_client) -> None:
    script = [
        WEB_VERSION_17,
        replayed("v17-version.json", "jsonrpc /jsonrpc service=common method=version"),
        replayed("v17-jsonrpc-auth.json", "authenticate good password"),
        replayed("v17-jsonrpc-crud.json", "search by ref prefix"),
        replayed("v17-jsonrpc-crud.json", "search_count"),
    ]
    client, replay = make_client(script, secret="admin")
    assert client.protocol is Protocol.JSONRPC
    assert client.server_info().version == "17.0-20240709"
    ids = client.search("res.partner", [["ref", "=like", "WIRE-%"]], limit=2, order="id desc")
    count = client.search_count("res.partner", [["ref", "=like", "WIRE-%"]])
    assert ids == json.loads(script[3][2].content)["result"]
    assert count == json.loads(script[4][2].content)["result"]
    assert client.calls == 5  # version probe x2, one authenticate, two calls
    execute_kw = replay.json_bodies()[3]["params"]
    assert execute_kw["method"] == "execute_kw"
    assert execute_kw["args"][1:3] == [2, "admin"]
    assert execute_kw["args"][5:] == [[[["ref", "=like", "WIRE-%"]]], {"limit": 2, "order": "id desc"}]


def test_auto_on_19_with_a_password_falls_back_to_jsonrpc(make_client) -> None:
    script = [
        WEB_VERSION_19,
        (
            "POST",
            "/json/2/res.users/context_get",
            recorded_response(exchange("v19-json2-auth.json", "password instead of API key as bearer token")),
        ),
        replayed("v19-version.json", "jsonrpc /jsonrpc service=common method=version"),
        replayed("v19-jsonrpc-auth.json", "authenticate good password"),
    ]
    client, _ = make_client(script, secret="admin")
    assert client.protocol is Protocol.JSONRPC
    assert client.server_info().major == 19
    assert client.authenticate() == 2


def test_future_server_without_rpc_refuses_a_password_with_a_clear_reason(make_client) -> None:
    script = [
        (
            "GET",
            "/web/version",
            json_response(200, {"version": "22.0", "version_info": [22, 0, 0, "final", 0]}),
        ),
        (
            "POST",
            "/json/2/res.users/context_get",
            recorded_response(exchange("v19-json2-auth.json", "password instead of API key as bearer token")),
        ),
        ("POST", "/jsonrpc", NOT_FOUND),
        ("POST", "/xmlrpc/2/common", NOT_FOUND),
    ]
    client, _ = make_client(script, secret="admin")
    with pytest.raises(OdooAuthError, match="needs an API key"):
        client.server_info()


def test_xmlrpc_only_server_is_detected(make_client) -> None:
    script = [
        WEB_VERSION_17,
        ("POST", "/jsonrpc", NOT_FOUND),
        replayed("v17-version.json", "xmlrpc /xmlrpc/2/common version()"),
        replayed("v17-xmlrpc-auth.json", "authenticate good password"),
        replayed("v17-xmlrpc-crud.json", "create list of 2 dicts"),
    ]
    client, replay = make_client(script, secret="admin")
    assert client.protocol is Protocol.XMLRPC
    ids = client.create("res.partner", [{"name": "B"}, {"name": "C"}])
    assert len(ids) == 2
    assert all(isinstance(i, int) for i in ids)
    assert b"<methodName>execute_kw</methodName>" in replay.requests[-1].content


def test_json2_database_rejected_by_dbfilter_is_a_database_error(make_client) -> None:
    rejected = recorded_response(exchange("v19-json2-auth.json", "X-Odoo-Database not matching dbfilter"))
    client, _ = make_client([WEB_VERSION_19, ("POST", "/json/2/res.users/context_get", rejected)])
    with pytest.raises(OdooDatabaseError) as caught:
        client.authenticate()
    assert caught.value.code == 404


def test_not_an_odoo_server(make_client) -> None:
    script = [("GET", "/web/version", NOT_FOUND), ("POST", "/jsonrpc", NOT_FOUND)]
    script += [("POST", "/xmlrpc/2/common", NOT_FOUND), ("GET", "/json/version", NOT_FOUND)]
    client, _ = make_client(script)
    with pytest.raises(OdooProtocolError, match="no Odoo API"):
        client.server_info()


def test_rpc_refused_login_is_an_auth_error(make_client) -> None:
    script = [
        replayed("v19-version.json", "xmlrpc /xmlrpc/2/common version()"),
        replayed("v19-xmlrpc-auth.json", "authenticate bad password"),
    ]
    client, _ = make_client(script, protocol=Protocol.XMLRPC, secret="wrong")
    with pytest.raises(OdooAuthError):
        client.search("res.partner", [])


def test_rpc_without_login_cannot_authenticate(make_client) -> None:
    script = [replayed("v17-version.json", "jsonrpc /jsonrpc service=common method=version")]
    client, _ = make_client(script, protocol=Protocol.JSONRPC, login=None)
    with pytest.raises(OdooAuthError, match="login is required"):
        client.authenticate()


def test_json2_create_dict_and_list_always_give_a_list(make_client) -> None:
    file = "v19-json2-crud.json"
    client, replay = make_client(
        [
            WEB_VERSION_19,
            CONTEXT_GET,
            replayed(file, "create list with one dict"),
            replayed(file, "create list of 2"),
        ]
    )
    assert client.create("res.partner", [{"name": "D", "ref": "R"}]) == [102]
    assert client.create("res.partner", [{"name": "B"}, {"name": "C"}]) == [100, 101]
    assert replay.json_bodies()[2] == {"vals_list": [{"name": "D", "ref": "R"}]}
    assert client.create("res.partner", []) == []
    assert client.calls == 4


def test_rpc_create_int_answer_is_wrapped(make_client) -> None:
    script = [
        replayed("v17-version.json", "jsonrpc /jsonrpc service=common method=version"),
        replayed("v17-jsonrpc-auth.json", "authenticate good password"),
        replayed("v17-jsonrpc-crud.json", "create single dict"),
    ]
    client, _ = make_client(script, protocol=Protocol.JSONRPC)
    created = client.create("res.partner", [{"name": "A"}])
    assert len(created) == 1
    assert isinstance(created[0], int)


def test_check_access_rights_never_raises_for_a_plain_no(make_client) -> None:
    file = "v19-json2-crud.json"
    denied = json_response(403, {"name": "odoo.exceptions.AccessError", "message": "no", "arguments": []})
    client, replay = make_client(
        [
            WEB_VERSION_19,
            CONTEXT_GET,
            (
                "POST",
                "/json/2/res.partner/check_access_rights",
                recorded_response(exchange(file, "check_access_rights write (admin)")),
            ),
            replayed(file, "demo user: check_access_rights unlink"),
            ("POST", "/json/2/res.company/check_access_rights", denied),
        ]
    )
    assert client.check_access_rights("res.partner", "write") is True  # 19 answers null
    assert client.check_access_rights("res.company", "unlink") is False
    assert client.check_access_rights("res.company", "unlink") is False
    assert replay.json_bodies()[3] == {"operation": "unlink", "raise_exception": False}
    with pytest.raises(ValueError, match="operation"):
        client.check_access_rights("res.company", "drop")


def test_name_search_and_read_and_write_and_unlink_over_json2(make_client) -> None:
    file = "v19-json2-crud.json"
    client, replay = make_client(
        [
            WEB_VERSION_19,
            CONTEXT_GET,
            replayed(file, "name_search"),
            replayed(file, "read several ids incl. duplicates"),
            replayed(file, "write several ids same vals"),
            replayed(file, "unlink"),
        ]
    )
    pairs = client.name_search("res.partner", "WIRE 19-json2", limit=3)
    assert pairs[0] == (98, "WIRE 19-json2 A")
    rows = client.read("res.partner", [101, 98, 101], ["name"])
    assert [r["id"] for r in rows] == [101, 98, 101]
    assert client.write("res.partner", [100, 101], {"phone": "+32 2 000 00 00"}) is True
    assert client.unlink("res.partner", [101]) is True
    bodies = replay.json_bodies()
    assert bodies[3] == {"ids": [101, 98, 101], "fields": ["name"]}
    assert bodies[4] == {"ids": [100, 101], "vals": {"phone": "+32 2 000 00 00"}}
    assert client.read("res.partner", [], ["name"]) == []
    assert client.write("res.partner", [], {"name": "x"}) is True
    assert client.calls == 6


DOC = {
    "model": "res.partner",
    "methods": {
        "read": {"parameters": {"fields": {}, "load": {"default": "_classic_read"}}},
        "search_count": {"api": ["model"], "parameters": {"domain": {}, "limit": {"default": None}}},
        "write": {"parameters": {"values": {}}},
    },
}


def test_json2_names_positional_args_from_doc_bearer_once_per_model(make_client) -> None:
    client, replay = make_client(
        [
            WEB_VERSION_19,
            CONTEXT_GET,
            ("GET", "/doc-bearer/res.partner.json", json_response(200, DOC)),
            ("POST", "/json/2/res.partner/read", json_response(200, [{"id": 98, "name": "A"}])),
            ("POST", "/json/2/res.partner/search_count", json_response(200, 7)),
        ]
    )
    assert client.execute("res.partner", "read", [[98], ["name"]]) == [{"id": 98, "name": "A"}]
    assert client.execute("res.partner", "search_count", [[["id", ">", 1]]], {"limit": 10}) == 7
    bodies = replay.json_bodies()
    assert bodies[3] == {"ids": [98], "fields": ["name"]}
    assert bodies[4] == {"domain": [["id", ">", 1]], "limit": 10}


def test_json2_too_many_positional_args_is_refused_before_sending(make_client) -> None:
    client, _ = make_client(
        [WEB_VERSION_19, CONTEXT_GET, ("GET", "/doc-bearer/res.partner.json", json_response(200, DOC))]
    )
    with pytest.raises(Exception, match="positional argument"):
        client.execute("res.partner", "search_count", [[], 1, 2])
    assert client.calls == 3


def test_json2_override_with_other_parameter_names_is_retried_with_the_real_names(make_client) -> None:
    binding = json_response(
        422,
        {
            "name": "werkzeug.exceptions.UnprocessableEntity",
            "message": "got an unexpected keyword argument 'vals'",
            "arguments": [],
        },
    )
    client, replay = make_client(
        [
            WEB_VERSION_19,
            CONTEXT_GET,
            ("POST", "/json/2/res.partner/write", binding),
            ("GET", "/doc-bearer/res.partner.json", json_response(200, DOC)),
            ("POST", "/json/2/res.partner/write", json_response(200, True)),
        ]
    )
    assert client.write("res.partner", [5], {"name": "x"}) is True
    assert replay.json_bodies()[-1] == {"ids": [5], "values": {"name": "x"}}


def test_iter_search_read_pages_by_id_not_offset(make_client) -> None:
    records: list[dict[str, Any]] = [{"id": i, "name": f"P{i}"} for i in (3, 5, 8, 9, 12)]

    def page(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        floor = next((t[2] for t in body["domain"] if t[:2] == ["id", ">"]), 0)
        rows = [r for r in records if r["id"] > floor][: body["limit"]]
        return json_response(200, rows)

    path = "/json/2/res.partner/search_read"
    client, replay = make_client([WEB_VERSION_19, CONTEXT_GET] + [("POST", path, page)] * 3)
    got = list(client.iter_search_read("res.partner", [["active", "=", True]], ["name"], page_size=2))
    assert [r["id"] for r in got] == [3, 5, 8, 9, 12]
    domains = [b["domain"] for b in replay.json_bodies()[2:]]
    assert domains == [
        [["active", "=", True]],
        [["id", ">", 5], ["active", "=", True]],
        [["id", ">", 9], ["active", "=", True]],
    ]
    assert {b["order"] for b in replay.json_bodies()[2:]} == {"id asc"}
    assert "offset" not in replay.json_bodies()[2]


def test_iter_search_read_refuses_orders_it_cannot_page_safely(make_client) -> None:
    client, _ = make_client([])
    with pytest.raises(ValueError, match="pages by id"):
        list(client.iter_search_read("res.partner", [], order="write_date asc"))
    assert client.calls == 0


def test_connection_context_is_sent_and_call_context_wins(make_client) -> None:
    client, replay = make_client(
        [WEB_VERSION_19, CONTEXT_GET, ("POST", "/json/2/res.partner/search", json_response(200, [1]))],
        context={"lang": "en_US", "tz": "Europe/Brussels"},
    )
    client.execute("res.partner", "search", [], {"domain": [], "context": {"tz": "UTC"}})
    assert replay.json_bodies()[-1]["context"] == {"lang": "en_US", "tz": "UTC"}


def test_invalid_model_or_method_name_never_reaches_the_network(make_client) -> None:
    client, _ = make_client([])
    with pytest.raises(Exception, match="invalid model name"):
        client.execute("../../web/database/drop", "x")
    with pytest.raises(Exception, match="invalid method name"):
        client.execute("res.partner", "read/../x")
    assert client.calls == 0


def test_secret_never_appears_in_repr_or_errors(make_client) -> None:
    secret = "0123456789abcdef0123456789abcdef01234567"
    invalid = recorded_response(exchange("v19-json2-auth.json", "invalid key (40 zeros)"))
    client, _ = make_client([WEB_VERSION_19, ("POST", "/json/2/res.users/context_get", invalid)], login=None)
    with pytest.raises(OdooAuthError) as caught:
        client.authenticate()
    assert secret not in repr(client)
    assert secret not in repr(client.settings)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value.to_dict())

"""Replays requests captured from real Odoo 17 and 19 against the simulator with the same personality
and checks the answers have the same shape: status, content type, fault code / error name / HTTP
status, result type and structure (not ids, timestamps or tracebacks).

Captured requests refer to records by id. Ids of records the capture created are learned from the
answers (create, copy, name_create, load, child_ids) and rewritten in later requests; demo-data ids
the simulator seeds differently (countries) are mapped. Every captured exchange is replayed.
"""

from __future__ import annotations

import http.client
import json
import re
import xmlrpc.client
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from odoo_simulator import OdooSimulator

from .conftest import CAPTURES

FILES = [
    "v17-version.json", "v17-xmlrpc-auth.json", "v17-jsonrpc-auth.json", "v17-xmlrpc-crud.json",
    "v17-jsonrpc-crud.json", "v17-xmlrpc-external-ids.json", "v17-jsonrpc-external-ids.json",
    "v19-version.json", "v19-xmlrpc-auth.json", "v19-jsonrpc-auth.json", "v19-json2-auth.json",
    "v19-xmlrpc-crud.json", "v19-jsonrpc-crud.json", "v19-json2-crud.json", "v19-xmlrpc-external-ids.json",
    "v19-json2-external-ids.json", "v17-webhook-restricted-fields.json", "v19-webhook-restricted-fields.json",
]  # fmt: skip
# What the restricted-fields captures refer to by the lab's ids, by field name: the payload fields
# sent with standard_price (Cost), and the one sent instead of it on 19.
RESTRICTED_FIELD_IDS = {
    "v17-webhook-restricted-fields.json": {2960: "name", 2971: "standard_price"},
    "v19-webhook-restricted-fields.json": {3505: "name", 3517: "standard_price", 3516: "list_price"},
}
RESTRICTED_MODEL_IDS = {"v17-webhook-restricted-fields.json": 374, "v19-webhook-restricted-fields.json": 412}
CAPTURED_RULE_ID = 3  # the lab's automation rule on product.template the actions belong to
CAPTURED_PRODUCT_ID = 23
LEARNING_METHODS = ("create", "copy", "name_create", "load")
REDACTED = re.compile(r"<REDACTED-(admin|demo)-apikey-v\d+-40hex>")


def _capture_files() -> list[Path]:
    if not CAPTURES.is_dir():
        return []
    return [CAPTURES / name for name in FILES if (CAPTURES / name).exists()]


@dataclass
class Replay:
    sim: OdooSimulator
    ids: dict[int, int] = field(default_factory=dict)

    def key(self, match: re.Match[str]) -> str:
        return self.sim.admin_api_key if match.group(1) == "admin" else self.sim.demo_api_key

    def rewrite(self, value: Any) -> Any:
        if isinstance(value, str):
            return REDACTED.sub(self.key, value)
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return self.ids.get(value, value)
        if isinstance(value, list):
            return [self.rewrite(v) for v in value]
        if isinstance(value, dict):
            return {k: self.rewrite(v) for k, v in value.items()}
        return value


def _model_and_method(request: dict[str, Any]) -> tuple[str | None, str | None]:
    call = request.get("call") or {}
    if call.get("method") == "execute_kw":
        return call["params"][3], call["params"][4]
    body = request.get("body_json")
    if isinstance(body, dict) and isinstance(body.get("params"), dict):
        params = body["params"]
        if params.get("method") == "execute_kw":
            return params["args"][3], params["args"][4]
    match = re.match(r"^/json/2/([^/]+)/([^/]+)$", request["path"])
    return (match[1], match[2]) if match else (None, None)


def _decoded(replay: Replay, request: dict[str, Any]) -> dict[str, Any]:
    """The request with `call` (XML-RPC) or `body_json` decoded from its text when the capture has
    only the text, so that ids can be rewritten (the key is put in first: `<REDACTED-...>` inside
    an XML-RPC string is not XML)."""
    if request.get("call") or request.get("body_json") is not None or not request.get("body"):
        return request
    text = REDACTED.sub(replay.key, request["body"])
    if text.lstrip().startswith("<?xml"):
        params, method = xmlrpc.client.loads(text)
        return {**request, "call": {"method": method, "params": list(params)}}
    try:
        return {**request, "body_json": json.loads(text)}
    except ValueError:
        return request


def _request_body(replay: Replay, request: dict[str, Any]) -> bytes:
    call = request.get("call")
    if call:
        params = tuple(replay.rewrite(call["params"]))
        return xmlrpc.client.dumps(params, call["method"], allow_none=True).encode()
    if request.get("body_json") is not None:
        return json.dumps(replay.rewrite(request["body_json"])).encode()
    return REDACTED.sub(replay.key, request.get("body") or "").encode()


def _send(replay: Replay, request: dict[str, Any]) -> tuple[int, dict[str, str], str]:
    body = _request_body(replay, request)
    headers = {
        k: replay.rewrite(v) for k, v in request["headers"].items() if k not in ("Host", "Content-Length")
    }
    if body or request["method"] == "POST":
        headers["Content-Length"] = str(len(body))
    connection = http.client.HTTPConnection("127.0.0.1", int(replay.sim.url.rsplit(":", 1)[1]), timeout=10)
    try:
        connection.request(request["method"], request["path"], body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


def _normalise_message(message: Any) -> str:
    text = str(message)
    text = re.sub(r"WIRE[ -][\w -]*?(?=[\"',)\n]|$)", "WIRE", text)
    return re.sub(r"\d+", "#", text)[:45]


def _outcome(status: int, content_type: str, body: str) -> tuple[Any, ...]:  # noqa: PLR0911
    family = content_type.split(";", maxsplit=1)[0].strip()
    if body.lstrip().startswith("<?xml"):
        try:
            return (status, family, "result", xmlrpc.client.loads(body)[0][0])
        except xmlrpc.client.Fault as fault:
            lines = fault.faultString.strip().split("\n")
            detail = (
                lines[-1].split(":")[0]
                if lines[0].startswith("Traceback")
                else _normalise_message(fault.faultString)
            )
            return (status, family, "fault", fault.faultCode, detail)
    if family != "application/json":
        return (status, family, "page")
    decoded = json.loads(body)
    if isinstance(decoded, dict) and decoded.get("jsonrpc"):
        if "error" in decoded:
            data = decoded["error"]["data"]
            return (
                status,
                family,
                "error",
                decoded["error"]["code"],
                data["name"],
                _normalise_message(data["message"]),
            )
        return (
            (status, family, "result", decoded["result"]) if "result" in decoded else (status, family, "none")
        )
    if status != 200:
        return (status, family, "error", decoded["name"], _normalise_message(decoded["message"]))
    return (status, family, "result", decoded)


def _shape(value: Any, *, keys: bool = True) -> Any:  # noqa: PLR0911 - one shape per JSON type
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return type(value).__name__
    if isinstance(value, str):
        return "str"
    if value is None:
        return "null"
    if isinstance(value, list):
        return ("list", len(value), _shape(value[0], keys=keys) if value else None)
    if isinstance(value, dict):
        if not keys:
            return "dict"
        # get_external_id answers {"<record id>": xmlid}: ids differ, the shape does not.
        return (
            "dict",
            sorted(("<id>" if k.isdigit() else k, _shape(v, keys=keys)) for k, v in value.items()),
        )
    return type(value).__name__


def _comparable(outcome: tuple[Any, ...], request: dict[str, Any]) -> tuple[Any, ...]:
    if outcome[2] != "result":
        return outcome
    value = outcome[3]
    all_fields = _asks_all_fields(request)
    return (*outcome[:3], _shape(value, keys=not all_fields))


def _asks_all_fields(request: dict[str, Any]) -> bool:
    """read/search_read without a field list, or fields_get without one: keys depend on the install."""
    text = json.dumps(request.get("call") or request.get("body_json") or "")
    _model, method = _model_and_method(request)
    if method == "fields_get":
        return True
    if method in ("read", "search_read"):
        return '"fields"' not in text and not re.search(r'"read", \[\[[^\]]*\], \[', text)
    return request["path"].endswith("/search_read") and "fields" not in text


def _learn_ids(replay: Replay, method: str | None, captured: Any, ours: Any) -> None:
    def pair(a: Any, b: Any) -> None:
        if isinstance(a, bool) or isinstance(b, bool):
            return
        if isinstance(a, int) and isinstance(b, int):
            replay.ids.setdefault(a, b)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for x, y in zip(a, b, strict=True):
                pair(x, y)
        elif isinstance(a, dict) and isinstance(b, dict):
            for name in ("ids", "child_ids", "id"):
                if name in a and name in b:
                    pair(a[name], b[name])

    if method in LEARNING_METHODS or method == "read":
        pair(captured, ours)


@dataclass
class FileResult:
    replayed: int = 0
    matched: int = 0
    mismatches: list[str] = field(default_factory=list)


def _seed_known_ids(replay: Replay, capture: dict[str, Any]) -> None:
    used = capture.get("ids_used") or {}
    countries = {row["code"]: row["id"] for row in replay.sim.records("res.country")}
    if "country_BE" in used:
        replay.ids[used["country_BE"]] = countries["BE"]
    if "country_US" in used:
        replay.ids[used["country_US"]] = countries["US"]


def _seed_restricted_fields_lab(replay: Replay, name: str) -> None:
    """The lab's state before the restricted-fields captures: an automation rule on
    product.template that fires on every create and write (no trigger fields), and its ids."""
    if name not in RESTRICTED_FIELD_IDS:
        return
    sim = replay.sim
    with sim.lock:
        env = sim.env()
        model_id = env["ir.model"].search([("model", "=", "product.template")]).ids[0]
        rule = env["base.automation"].create(
            {"name": "WIRE restricted", "model_id": model_id, "trigger": "on_create_or_write"}
        )
        fields = env["ir.model.fields"].search([("model", "=", "product.template")])
        by_name = {fields._raw(rid, "name"): rid for rid in fields.ids}
        product = env["product.template"].search([], limit=1).ids[0]
    replay.ids.update({captured: by_name[field] for captured, field in RESTRICTED_FIELD_IDS[name].items()})
    replay.ids.update(
        {RESTRICTED_MODEL_IDS[name]: model_id, CAPTURED_RULE_ID: rule.ids[0], CAPTURED_PRODUCT_ID: product}
    )


def replay_file(path: Path) -> FileResult:
    capture = json.loads(path.read_text())
    version = path.name[1:3]
    database = next(iter(capture["servers"].values()))["db"]
    result = FileResult()
    with OdooSimulator(version=version, database=database, seed_partners=10, seed_products=5) as sim:
        replay = Replay(sim)
        _seed_known_ids(replay, capture)
        _seed_restricted_fields_lab(replay, path.name)
        for exchange in capture["exchanges"]:
            request, captured = _decoded(replay, exchange["request"]), exchange["response"]
            status, headers, body = _send(replay, request)
            captured_type = {k.lower(): v for k, v in captured["headers"]}.get("content-type", "")
            expected = _outcome(captured["status"], captured_type, captured["body"])
            actual = _outcome(status, headers.get("content-type", ""), body)
            if expected[2] == "result" and actual[2] == "result":
                _learn_ids(replay, _model_and_method(request)[1], expected[3], actual[3])
            result.replayed += 1
            if (
                _comparable(expected, request) == _comparable(actual, request)
                and headers.get("connection") == "close"
            ):
                result.matched += 1
            else:
                result.mismatches.append(
                    f"{exchange['name']}: expected {_comparable(expected, request)!r:.300} "
                    f"got {_comparable(actual, request)!r:.300}"
                )
    return result


@pytest.fixture(scope="module")
def captures() -> list[Path]:
    files = _capture_files()
    if not files:
        pytest.skip(f"captures of real Odoo not found at {CAPTURES}")
    return files


@pytest.mark.parametrize("name", FILES)
def test_replayed_capture_matches_real_odoo(name: str, captures: list[Path], record_property: Any) -> None:
    path = next((p for p in captures if p.name == name), None)
    if path is None:
        pytest.skip(f"{name} is not among the captures")
    result = replay_file(path)
    record_property("replayed", result.replayed)
    record_property("matched", result.matched)
    print(f"{name}: replayed {result.replayed}, matched {result.matched}")
    assert result.replayed > 0
    assert not result.mismatches, "\n".join(result.mismatches)


def iter_results() -> Iterator[tuple[str, FileResult]]:
    """For a summary from the command line: python -m tests.simulator.test_conformance."""
    for path in _capture_files():
        yield path.name, replay_file(path)


if __name__ == "__main__":
    total_replayed = total_matched = 0
    for name, res in iter_results():
        total_replayed += res.replayed
        total_matched += res.matched
        print(f"{name}: {res.matched}/{res.replayed}")
        for line in res.mismatches:
            print("   ", line)
    print(f"TOTAL {total_matched}/{total_replayed}")

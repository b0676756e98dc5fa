"""Every error category, on every transport, from answers real Odoo 17 and 19 gave."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from odoo_sync.odoo import (
    OdooAccessError,
    OdooAuthError,
    OdooConstraintError,
    OdooDatabaseError,
    OdooError,
    OdooNotFoundError,
    OdooProtocolError,
    OdooServerError,
    OdooValidationError,
    Protocol,
)
from odoo_sync.odoo.calls import OdooCall
from odoo_sync.odoo.transports import Json2Transport, JsonRpcTransport, XmlRpcTransport
from odoo_sync.odoo.transports.base import Transport
from odoo_sync.odoo.wire import Wire
from tests.unit.odoo.odoo_wire_replay import Replay, exchange, replayed, settings

TRANSPORTS: dict[str, type[Transport]] = {
    "xmlrpc": XmlRpcTransport,
    "jsonrpc": JsonRpcTransport,
    "json2": Json2Transport,
}


def _call_for(file: str, name: str) -> OdooCall:
    """The call the captured request made (JSON-2 paths name the model and method)."""
    request = exchange(file, name)["request"]
    parts = request["path"].split("/")
    if request["path"].startswith("/json/2/") and len(parts) == 5:
        try:
            body = json.loads(request["body"])
        except ValueError:
            body = {}
        return OdooCall(parts[3], parts[4], (), {}, body if isinstance(body, dict) else {})
    return OdooCall("res.partner", "write", [[1], {}], {}, {"ids": [1], "vals": {}})


def run_exchange(file: str, name: str) -> Any:
    kind = file.split("-")[1]
    _method, captured_path, response = replayed(file, name)
    call = _call_for(file, name)
    path = f"/json/2/{call.model}/{call.method}" if kind == "json2" else captured_path
    replay = Replay([("POST", path, response)])
    with httpx.Client(transport=httpx.MockTransport(replay)) as http:
        transport = TRANSPORTS[kind](Wire(settings(Protocol(kind)), http), settings(Protocol(kind)))
        return transport.execute(call, 2)


RPC_CASES = [
    ("unlink again (already deleted id)", OdooNotFoundError, "Record does not exist or has been deleted"),
    ("unknown model", OdooNotFoundError, "Object x.no.such.model doesn't exist"),
    ("unknown method", OdooNotFoundError, "no_such_method"),
    ("private method (_read_format)", OdooAccessError, "Private methods"),
    ("unknown field in create", OdooServerError, "Invalid field 'no_such_field'"),
    ("invalid domain operator", OdooServerError, "~~"),
    ("required field missing", OdooConstraintError, "The operation cannot be completed"),
    ("duplicate barcode on second product", OdooConstraintError, "already assigned"),
    ("SQL UNIQUE violation", OdooConstraintError, "two users with the same login"),
    ("UserError: unlink a confirmed sale order", OdooValidationError, "You can not delete a sent quotation"),
    ("ValidationError: partner as its own parent", OdooValidationError, "recursive Partner"),
    ("demo user: read model without ACL", OdooAccessError, "System Parameter"),
    ("demo user (salesman 'own documents')", OdooAccessError, "top-secret records"),
]


@pytest.mark.parametrize("version", ["v17", "v19"])
@pytest.mark.parametrize("kind", ["xmlrpc", "jsonrpc"])
@pytest.mark.parametrize(("name", "expected", "fragment"), RPC_CASES)
def test_rpc_errors_keep_category_and_odoos_message(
    version: str, kind: str, name: str, expected: type[OdooError], fragment: str
) -> None:
    with pytest.raises(expected) as caught:
        run_exchange(f"{version}-{kind}-crud.json", name)
    error = caught.value
    assert type(error) is expected
    assert fragment in error.message
    if kind == "jsonrpc":
        assert error.code == (200 if version == "v17" else 0)
        assert error.odoo_name is not None
    assert "Traceback" not in error.message


@pytest.mark.parametrize(
    ("version", "fault_name", "code"), [("v17", "ValueError", 1), ("v19", "ValueError", 1)]
)
def test_xmlrpc_traceback_fault_yields_exception_name_and_last_message(
    version: str, fault_name: str, code: int
) -> None:
    with pytest.raises(OdooServerError) as caught:
        run_exchange(f"{version}-xmlrpc-crud.json", "unknown field in read")
    assert caught.value.odoo_name == fault_name
    assert caught.value.code == code
    assert caught.value.message.startswith("Invalid field 'no_such_field'")
    assert caught.value.debug is not None
    assert "Traceback" in caught.value.debug


@pytest.mark.parametrize("version", ["v17", "v19"])
@pytest.mark.parametrize("kind", ["xmlrpc", "jsonrpc"])
def test_rpc_bad_secret_is_auth_and_bad_database_is_database(version: str, kind: str) -> None:
    with pytest.raises(OdooAuthError) as auth:
        run_exchange(f"{version}-{kind}-auth.json", "execute_kw bad password")
    assert auth.value.message == "Access Denied"
    with pytest.raises(OdooDatabaseError) as database:
        run_exchange(f"{version}-{kind}-auth.json", "execute_kw bad db name")
    assert 'database "no_such_db" does not exist' in database.value.message


@pytest.mark.parametrize("version", ["v17", "v19"])
@pytest.mark.parametrize("kind", ["xmlrpc", "jsonrpc"])
def test_method_returning_none_is_a_success_even_over_xmlrpc(version: str, kind: str) -> None:
    # XML-RPC answers fault 1 "cannot marshal None" after committing; JSON-RPC omits result.
    assert run_exchange(f"{version}-{kind}-crud.json", "action_archive") is None


JSON2_CASES = [
    ("v19-json2-crud.json", "unlink again (already deleted id)", OdooNotFoundError, 404, "MissingError"),
    ("v19-json2-crud.json", "unknown model", OdooNotFoundError, 404, "NotFound"),
    ("v19-json2-crud.json", "unknown method", OdooNotFoundError, 404, "NotFound"),
    ("v19-json2-crud.json", "private method (_read_format)", OdooAccessError, 403, "AccessError"),
    ("v19-json2-crud.json", "bad keyword argument name (fieldz)", OdooServerError, 500, "TypeError"),
    ("v19-json2-crud.json", "too many positional arguments for read", OdooValidationError, 422, "Entity"),
    ("v19-json2-crud.json", "required field missing", OdooConstraintError, 422, "ValidationError"),
    (
        "v19-json2-crud.json",
        "duplicate barcode on second product",
        OdooConstraintError,
        422,
        "ValidationError",
    ),
    ("v19-json2-crud.json", "SQL UNIQUE violation", OdooConstraintError, 422, "ValidationError"),
    (
        "v19-json2-crud.json",
        "UserError: unlink a confirmed sale order",
        OdooValidationError,
        422,
        "UserError",
    ),
    (
        "v19-json2-crud.json",
        "write Datetime date_order = '2026-01-31T10:00:00'",
        OdooServerError,
        500,
        "ValueError",
    ),
    ("v19-json2-crud.json", "demo user: read model without ACL", OdooAccessError, 403, "AccessError"),
    ("v19-json2-auth.json", "invalid key (40 zeros)", OdooAuthError, 401, "Unauthorized"),
    ("v19-json2-auth.json", "no Authorization header", OdooAuthError, 401, "Unauthorized"),
    ("v19-json2-auth.json", "X-Odoo-Database not matching dbfilter", OdooDatabaseError, 404, None),
    ("v19-json2-auth.json", "malformed JSON body", OdooProtocolError, 400, "BadRequest"),
    ("v19-json2-auth.json", "Content-Type text/plain", OdooProtocolError, 415, None),
]


@pytest.mark.parametrize(("file", "name", "expected", "status", "odoo_name"), JSON2_CASES)
def test_json2_status_and_body_map_to_category(
    file: str, name: str, expected: type[OdooError], status: int, odoo_name: str | None
) -> None:
    with pytest.raises(expected) as caught:
        run_exchange(file, name)
    error = caught.value
    assert type(error) is expected
    assert error.code == status
    if odoo_name is None:
        assert error.odoo_name is None
    else:
        assert error.odoo_name is not None
        assert error.odoo_name.endswith(odoo_name)
    assert error.to_dict()["category"] == expected.category.value


def test_json2_check_access_rights_null_is_returned_as_none() -> None:
    assert run_exchange("v19-json2-crud.json", "check_access_rights write (admin)") is None

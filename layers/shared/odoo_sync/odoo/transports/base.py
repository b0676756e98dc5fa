"""The interface every transport implements, and what the two RPC transports share."""

from __future__ import annotations

import abc
import json
from typing import Any, ClassVar

from odoo_sync.odoo.calls import OdooCall, to_wire, with_context
from odoo_sync.odoo.errors import OdooAuthError, OdooProtocolError, OdooValidationError
from odoo_sync.odoo.settings import OdooConnectionSettings, Protocol
from odoo_sync.odoo.wire import Wire, WireResponse


class EndpointMissingError(OdooProtocolError):
    """The server does not offer this endpoint (e.g. /json/2 before Odoo 19, /jsonrpc in the future)."""


class Transport(abc.ABC):
    protocol: ClassVar[Protocol]

    def __init__(self, wire: Wire, settings: OdooConnectionSettings) -> None:
        self.wire = wire
        self.settings = settings

    @abc.abstractmethod
    def version(self) -> dict[str, Any]:
        """The server's version answer, normalised to {'version': str, 'version_info': list}."""

    @abc.abstractmethod
    def authenticate(self) -> int:
        """The uid the credentials belong to; OdooAuthError when they are refused."""

    @abc.abstractmethod
    def execute(self, call: OdooCall, uid: int | None) -> Any:
        """Run one model method and return its result."""


def decode_json(answer: WireResponse, what: str) -> Any:
    try:
        return json.loads(answer.body)
    except (ValueError, RecursionError) as exc:
        snippet = answer.body[:200].decode("utf-8", "replace")
        raise OdooProtocolError(f"{what}: unparsable JSON answer: {snippet!r}", code=answer.status) from exc


def encode_json(payload: Any) -> bytes:
    try:
        return json.dumps(payload, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise OdooValidationError(f"value cannot be sent to Odoo as JSON: {exc}") from exc


class RpcTransport(Transport):
    """XML-RPC and JSON-RPC: services common/object, execute_kw with db, uid and secret."""

    @abc.abstractmethod
    def rpc(self, service: str, method: str, args: list[Any], *, idempotent: bool) -> Any:
        """Call `service.method(*args)` and return the result."""

    def version(self) -> dict[str, Any]:
        answer = self.rpc("common", "version", [], idempotent=True)
        if not isinstance(answer, dict) or "server_version" not in answer:
            raise OdooProtocolError(f"unexpected common.version answer: {answer!r}"[:300])
        return {"version": answer["server_version"], "version_info": answer.get("server_version_info") or []}

    def authenticate(self) -> int:
        if not self.settings.login:
            raise OdooAuthError(f"a login is required to authenticate over {self.protocol.value}")
        uid = self.rpc(
            "common",
            "authenticate",
            [self.settings.database, self.settings.login, self.settings.api_key, {}],
            idempotent=True,
        )
        if isinstance(uid, bool) or not isinstance(uid, int):
            raise OdooAuthError("Odoo refused the login and password or API key", code="authenticate")
        return uid

    def execute(self, call: OdooCall, uid: int | None) -> Any:
        if uid is None:
            raise OdooAuthError("not authenticated")
        kwargs = with_context(call.kwargs, self.settings.context)
        args = [
            self.settings.database,
            uid,
            self.settings.api_key,
            call.model,
            call.method,
            to_wire(list(call.args)),
            to_wire(kwargs),
        ]
        return self.rpc("object", "execute_kw", args, idempotent=call.idempotent)

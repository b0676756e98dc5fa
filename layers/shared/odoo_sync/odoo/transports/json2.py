"""JSON-2 (Odoo 19+): POST /json/2/<model>/<method>, named arguments, bearer API key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from odoo_sync.odoo.calls import OdooCall, to_wire, with_context
from odoo_sync.odoo.error_mapping import error_from_http
from odoo_sync.odoo.errors import (
    OdooAuthError,
    OdooDatabaseError,
    OdooError,
    OdooNotFoundError,
    OdooProtocolError,
    OdooValidationError,
)
from odoo_sync.odoo.settings import Protocol
from odoo_sync.odoo.transports.base import EndpointMissingError, Transport, decode_json, encode_json
from odoo_sync.odoo.wire import WireResponse

_POSITIONAL = ("POSITIONAL_OR_KEYWORD", "POSITIONAL_ONLY")


def _is_binding_error(error: OdooError) -> bool:
    return error.code == 422 and any(
        text in error.message for text in ("unexpected keyword argument", "missing a required argument")
    )


class Json2Transport(Transport):
    protocol: ClassVar[Protocol] = Protocol.JSON2

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._method_docs: dict[str, dict[str, Any]] = {}

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"bearer {self.settings.api_key}",
            "X-Odoo-Database": self.settings.database,
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        }

    def version(self, paths: tuple[str, ...] = ("/web/version", "/json/version")) -> dict[str, Any]:
        for path in paths:
            answer = self.wire.send("GET", path, idempotent=True)
            if answer.status == 200 and answer.content_type == "application/json":
                data = decode_json(answer, path)
                if isinstance(data, dict) and isinstance(data.get("version"), str):
                    return {"version": data["version"], "version_info": data.get("version_info") or []}
        raise EndpointMissingError("this server answers neither /web/version nor /json/version", code=404)

    def authenticate(self) -> int:
        context = self.call_json2("res.users", "context_get", {}, idempotent=True)
        uid = context.get("uid") if isinstance(context, dict) else None
        if isinstance(uid, bool) or not isinstance(uid, int):
            raise OdooProtocolError("res.users.context_get did not return the uid")
        return uid

    def execute(self, call: OdooCall, uid: int | None) -> Any:
        try:
            return self.call_json2(call.model, call.method, self._body(call), idempotent=call.idempotent)
        except OdooValidationError as error:
            # An override may name a parameter differently (`values` for `vals`): Odoo refuses
            # the binding before running anything, so asking again with the real names is safe.
            if call.named is None or not call.args or not _is_binding_error(error):
                raise
        return self.call_json2(call.model, call.method, self._translate(call), idempotent=call.idempotent)

    def call_json2(self, model: str, method: str, body: Mapping[str, Any], *, idempotent: bool) -> Any:
        payload = to_wire(with_context(body, self.settings.context))
        answer = self.wire.send(
            "POST",
            f"/json/2/{model}/{method}",
            content=encode_json(payload),
            headers=self._headers(),
            idempotent=idempotent,
        )
        if answer.status != 200:
            raise self._error(answer)
        return decode_json(answer, f"JSON-2 {model}.{method}")

    def _error(self, answer: WireResponse) -> OdooError:
        if answer.content_type == "application/json":
            return error_from_http(answer.status, decode_json(answer, "JSON-2 error"))
        text = answer.body[:2000].decode("utf-8", "replace")
        if answer.status == 404 and "No database is selected" in text:
            # dbfilter rejected X-Odoo-Database (captured on 19: an HTML 404, not JSON).
            return OdooDatabaseError(
                f"database {self.settings.database!r} is not served here (rejected by dbfilter)", code=404
            )
        if answer.status == 404:
            return EndpointMissingError("this server has no /json/2 endpoint (Odoo before 19?)", code=404)
        return error_from_http(answer.status, None)

    def _body(self, call: OdooCall) -> dict[str, Any]:
        if call.named is not None:
            return dict(call.named)
        if not call.args:
            return dict(call.kwargs)
        return self._translate(call)

    def _translate(self, call: OdooCall) -> dict[str, Any]:
        """Name positional arguments using the method signature from /doc-bearer/<model>.json."""
        doc = self._method_doc(call.model, call.method)
        args = list(call.args)
        body: dict[str, Any] = {}
        if "model" not in (doc.get("api") or []):
            ids = args.pop(0) if args else []
            body["ids"] = [ids] if isinstance(ids, int) and not isinstance(ids, bool) else ids
        parameters = doc.get("parameters") or {}
        names = [n for n, p in parameters.items() if (p or {}).get("kind", _POSITIONAL[0]) in _POSITIONAL]
        if len(args) > len(names):
            raise OdooValidationError(
                f"{call.model}.{call.method} takes {len(names)} positional argument(s) "
                f"({', '.join(names) or 'none'}), {len(args)} given"
            )
        body.update(zip(names, args, strict=False))
        for key, value in call.kwargs.items():
            if key in body:
                raise OdooValidationError(f"{call.model}.{call.method} got argument {key!r} twice")
            body[key] = value
        return body

    def _method_doc(self, model: str, method: str) -> dict[str, Any]:
        if model not in self._method_docs:
            answer = self.wire.send(
                "GET", f"/doc-bearer/{model}.json", headers=self._headers(), idempotent=True
            )
            if answer.status != 200:
                error = self._error(answer)
                if isinstance(error, OdooAuthError | OdooDatabaseError):
                    raise error
                raise OdooValidationError(
                    "JSON-2 takes named arguments only and the method signatures could not be read "
                    f"from /doc-bearer/{model}.json ({error.message}); pass the arguments in kwargs",
                    code=answer.status,
                ) from error
            doc = decode_json(answer, f"/doc-bearer/{model}.json")
            methods = doc.get("methods") if isinstance(doc, dict) else None
            if not isinstance(methods, dict):
                raise OdooProtocolError(f"/doc-bearer/{model}.json has no methods")
            self._method_docs[model] = methods
        described = self._method_docs[model].get(method)
        if not isinstance(described, dict):
            raise OdooNotFoundError(f"The method '{model}.{method}' does not exist", code=404)
        return described

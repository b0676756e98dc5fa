"""The Odoo client: typed helpers over whichever transport the server offers."""

from __future__ import annotations

import http.cookiejar
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from odoo_sync.net import guarded_transport
from odoo_sync.odoo.calls import READ_METHODS, OdooCall
from odoo_sync.odoo.detection import Detection, ServerInfo, detect
from odoo_sync.odoo.errors import OdooAccessError, OdooProtocolError
from odoo_sync.odoo.retry import RetryPolicy, run_with_retry
from odoo_sync.odoo.settings import OdooConnectionSettings, Protocol
from odoo_sync.odoo.wire import Wire

T = TypeVar("T")
ACCESS_OPERATIONS = frozenset({"read", "write", "create", "unlink"})


def _no_cookies() -> http.cookiejar.CookieJar:
    # RPC needs no session; /web/version on 19 sets one we must not carry around.
    return http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def _options(**values: Any) -> dict[str, Any]:
    """Keyword options with Odoo's defaults left out, so requests stay minimal."""
    return {key: value for key, value in values.items() if value is not None and value != 0}


def _expect(value: Any, kind: type[T] | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise OdooProtocolError(f"{what} returned an unexpected value: {value!r}"[:300])
    return value


class OdooClient:
    """One connection to one Odoo database. Not thread-safe; cheap to create, reuse per connection."""

    def __init__(
        self,
        settings: OdooConnectionSettings,
        retry: RetryPolicy | None = None,
        http: httpx.Client | httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._retry = retry or RetryPolicy()
        self._owns_http = not isinstance(http, httpx.Client)
        if isinstance(http, httpx.Client):
            client = http
        else:
            client = httpx.Client(
                transport=http or guarded_transport(settings.allow_private_network),
                follow_redirects=False,
                trust_env=False,
                cookies=_no_cookies(),
            )
        self._http = client
        self._wire = Wire(settings, client)
        self._detection: Detection | None = None
        self._uid: int | None = None

    # lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> OdooClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OdooClient({self.settings.root_url!r}, database={self.settings.database!r})"

    # connection ----------------------------------------------------------------------------
    @property
    def calls(self) -> int:
        """HTTP requests made so far, retries and detection included."""
        return self._wire.calls

    def _detected(self) -> Detection:
        if self._detection is None:
            self._detection = run_with_retry(
                lambda: detect(self._wire, self.settings), policy=self._retry, idempotent=True, what="detect"
            )
            if self._detection.uid is not None:
                self._uid = self._detection.uid
        return self._detection

    def server_info(self) -> ServerInfo:
        return self._detected().info

    @property
    def protocol(self) -> Protocol:
        return self._detected().info.protocol

    def authenticate(self) -> int:
        """The uid of the credentials; asked once per client (the first check costs Odoo ~0.5-1 s)."""
        if self._uid is None:
            transport = self._detected().transport
            if self._uid is None:
                self._uid = run_with_retry(
                    transport.authenticate, policy=self._retry, idempotent=True, what="authenticate"
                )
        return self._uid

    @property
    def uid(self) -> int:
        return self.authenticate()

    # calls ---------------------------------------------------------------------------------
    def _run(self, call: OdooCall) -> Any:
        transport = self._detected().transport
        uid = None if transport.protocol is Protocol.JSON2 else self.authenticate()
        return run_with_retry(
            lambda: transport.execute(call, uid),
            policy=self._retry,
            idempotent=call.idempotent,
            what=f"{call.model}.{call.method}",
        )

    def execute(
        self, model: str, method: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None
    ) -> Any:
        """Any model method. Over JSON-2, positional args are named from /doc-bearer/<model>.json."""
        call = OdooCall(model, method, tuple(args), dict(kwargs or {}), idempotent=method in READ_METHODS)
        return self._run(call)

    def _read_call(self, model: str, method: str, args: list[Any], named: dict[str, Any], **opts: Any) -> Any:
        options = _options(**opts)
        return self._run(OdooCall(model, method, args, options, {**named, **options}, idempotent=True))

    def search(
        self,
        model: str,
        domain: list[Any],
        *,
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
    ) -> list[int]:
        result = self._read_call(
            model, "search", [domain], {"domain": domain}, limit=limit, offset=offset, order=order
        )
        return list(_expect(result, list, "search"))

    def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        order: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """`context` is merged over the connection's (e.g. {"active_test": False} for archived too)."""
        result = self._read_call(
            model,
            "search_read",
            [domain],
            {"domain": domain},
            fields=fields,
            limit=limit,
            offset=offset,
            order=order,
            context=context,
        )
        return list(_expect(result, list, "search_read"))

    def iter_search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str] | None = None,
        *,
        page_size: int = 500,
        order: str = "id asc",
    ) -> Iterator[dict[str, Any]]:
        """Every matching record, page by page, keyed on id so that records changing between pages
        are neither skipped nor repeated (offset paging skips them: captured)."""
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        direction = order.strip().lower().removeprefix("id").strip() or "asc"
        if not order.strip().lower().startswith("id") or direction not in ("asc", "desc"):
            raise ValueError("iter_search_read pages by id: order must be 'id asc' or 'id desc'")
        comparison = ">" if direction == "asc" else "<"
        last_id: int | None = None
        while True:
            page_domain = list(domain) if last_id is None else [["id", comparison, last_id], *domain]
            rows = self.search_read(model, page_domain, fields, limit=page_size, order=f"id {direction}")
            yield from rows
            if len(rows) < page_size:
                return
            last_id = int(rows[-1]["id"])

    def read(
        self,
        model: str,
        ids: list[int],
        fields: list[str] | None = None,
        *,
        context: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """`context` is merged over the connection's (e.g. {"lang": "fr_FR"} for translations)."""
        if not ids:
            return []
        result = self._read_call(
            model, "read", [list(ids)], {"ids": list(ids)}, fields=fields, context=context
        )
        return list(_expect(result, list, "read"))

    def search_count(self, model: str, domain: list[Any]) -> int:
        result = self._read_call(model, "search_count", [domain], {"domain": domain})
        return int(_expect(result, int, "search_count"))

    def fields_get(self, model: str, attributes: list[str] | None = None) -> dict[str, dict[str, Any]]:
        result = self._read_call(model, "fields_get", [], {}, attributes=attributes)
        return dict(_expect(result, dict, "fields_get"))

    def name_search(
        self,
        model: str,
        name: str,
        *,
        domain: list[Any] | None = None,
        operator: str = "ilike",
        limit: int = 100,
    ) -> list[tuple[int, str]]:
        # Positional over RPC: the parameter is `args` up to 17 and `domain` from 18.
        args = [name, domain or [], operator, limit]
        named = {"name": name, "domain": domain or [], "operator": operator, "limit": limit}
        result = self._run(OdooCall(model, "name_search", args, {}, named, idempotent=True))
        pairs = _expect(result, list, "name_search")
        return [(int(pair[0]), str(pair[1])) for pair in pairs]

    def check_access_rights(self, model: str, operation: str) -> bool:
        """Whether the user may `operation` on `model`. A refusal is False, never an exception."""
        if operation not in ACCESS_OPERATIONS:
            raise ValueError(f"operation must be one of {sorted(ACCESS_OPERATIONS)}")
        call = OdooCall(
            model,
            "check_access_rights",
            [operation],
            {"raise_exception": False},
            {"operation": operation, "raise_exception": False},
            idempotent=True,
        )
        try:
            result = self._run(call)
        except OdooAccessError:
            return False
        # 19 returns None for "allowed" when it would have raised otherwise.
        return True if result is None else bool(result)

    # writes: never retried once sent --------------------------------------------------------
    def create(self, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
        """Create every record in one call; always a list of ids."""
        if not vals_list:
            return []
        vals = [dict(v) for v in vals_list]
        result = self._run(OdooCall(model, "create", [vals], {}, {"vals_list": vals}))
        if isinstance(result, int) and not isinstance(result, bool):
            return [result]
        return [int(i) for i in _expect(result, list, "create")]

    def write(
        self, model: str, ids: list[int], vals: dict[str, Any], *, context: dict[str, Any] | None = None
    ) -> bool:
        """`context` is merged over the connection's (e.g. {"lang": "fr_FR"} for translations)."""
        if not ids:
            return True
        options = _options(context=context)
        named = {"ids": list(ids), "vals": vals, **options}
        result = self._run(OdooCall(model, "write", [list(ids), vals], options, named))
        return bool(result)

    def unlink(self, model: str, ids: list[int]) -> bool:
        if not ids:
            return True
        result = self._run(OdooCall(model, "unlink", [list(ids)], {}, {"ids": list(ids)}))
        return bool(result)

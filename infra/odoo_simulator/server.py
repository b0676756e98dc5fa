"""The HTTP server: Odoo's paths, knobs applied per call, `Connection: close` on every answer."""

from __future__ import annotations

import contextlib
import email.utils
import socket
import threading
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any

from quiet_http_server import QuietHTTPServer

from . import costs
from .clock import SimClock
from .costs import DEFAULT_WORKERS, CostModel, Workers
from .credentials import Credentials
from .fields import DATETIME_FORMAT, X2MANY
from .knobs import Decision, Fault, Knobs
from .models import ADMIN_UID, Env, Registry
from .personality import Personality, personality_for
from .seed import Seeder, new_api_key
from .service import OdooService
from .store import Store
from .transactions import OpenTransaction
from .transports import json2, jsonrpc, xmlrpc
from .transports.http import (
    JSON_TYPE,
    Request,
    Response,
    json_response,
    method_not_allowed,
    not_found_page,
    werkzeug_page,
)

MAX_BODY = 50 * 1024 * 1024
# Models a module brings: unknown to callers while the module is not installed.
MODULE_MODELS = {"base_automation": ("base.automation",)}
MODULE_STATES = frozenset(
    {"installed", "uninstalled", "to install", "to upgrade", "to remove", "uninstallable"}
)
RPC_PREFIXES = ("/xmlrpc/2/", "/xmlrpc/")


class Router:
    """Maps a request to a transport, honouring the personality's set of endpoints."""

    def __init__(self, service: OdooService) -> None:
        self.service = service

    @property
    def personality(self) -> Personality:
        return self.service.personality

    def is_api_call(self, request: Request) -> bool:
        path = request.path
        return request.method == "POST" and (path.startswith(("/xmlrpc/", "/json/2/")) or path == "/jsonrpc")

    def route(self, request: Request) -> Response:  # noqa: PLR0911 - one answer per route
        path = request.path
        if path.startswith("/xmlrpc/") and self.personality.has_rpc:
            return self._xmlrpc(request)
        if path == "/jsonrpc" and self.personality.has_rpc:
            return jsonrpc.handle(self.service, request) if request.method == "POST" else method_not_allowed()
        if (path == "/json/2" or path.startswith("/json/2/")) and self.personality.has_json2:
            return json2.handle(self.service, request)
        if path.startswith("/doc-bearer/") and self.personality.has_json2:
            return json2.handle_doc(self.service, request)
        if path in ("/web/version", "/json/version") and self.personality.web_version_json:
            info = self.personality
            return json_response({"version_info": info.server_version_info, "version": info.server_version})
        if path == "/web/webclient/version_info" and request.method == "POST":
            return jsonrpc.version_info(self.service, request)
        return not_found_page()

    def _xmlrpc(self, request: Request) -> Response:
        if request.method != "POST":
            return method_not_allowed()
        rest = (
            request.path.removeprefix("/xmlrpc/2/")
            if request.path.startswith("/xmlrpc/2/")
            else request.path.removeprefix("/xmlrpc/")
        )
        if not rest or "/" in rest:
            return not_found_page()
        return xmlrpc.handle(self.service, request, rest)


def transport_of(path: str) -> str:
    if path.startswith("/json/2"):
        return "json2"
    return "jsonrpc" if path == "/jsonrpc" else "xmlrpc"


def fault_page(decision: Decision) -> Response:
    if decision.fault is Fault.RATE_LIMITED:
        response = werkzeug_page(
            429, "Too Many Requests", "This user has exceeded an allotted request count."
        )
        response.headers.append(("Retry-After", str(max(round(decision.retry_after_s), 0))))
        return response
    if decision.fail_kind == "server":
        return werkzeug_page(500, "Internal Server Error", "The server encountered an internal error.")
    return werkzeug_page(
        503, "Service Unavailable", "The server is temporarily unable to service your request."
    )


class Handler(BaseHTTPRequestHandler):
    server: SimulatorHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "Werkzeug/2.2.2"
    sys_version = "Python/3.11.7"

    def log_message(self, format: str, *args: Any) -> None:
        return None  # quiet by default: tests and benchmarks read their own output

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _read_request(self) -> Request:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY)) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        return Request(self.command, self.path.split("?", 1)[0], headers, body)

    def _serve(self) -> None:
        self.close_connection = True
        request = self._read_request()
        sim = self.server.simulator
        router = sim.router
        if router.is_api_call(request):
            decision = sim.knobs.decide()
            if decision.latency_s and sim.stopping.wait(decision.latency_s):
                return
            if decision.fault is Fault.HANG and sim.stopping.wait(decision.hang_s):
                return
            if decision.fault in (Fault.RATE_LIMITED, Fault.TRANSIENT):
                self._send(fault_page(decision))
                return
            response = self._costed(request)
            if response is None:
                return
        else:
            response = router.route(request)
        if response.mutating and sim.knobs.take_drop():
            self._drop()
            return
        self._send(response)

    def _costed(self, request: Request) -> Response | None:
        """The call, on one of the simulator's workers, taking what it costs a real Odoo (costs.py)."""
        sim = self.server.simulator
        model = sim.knobs.cost_model
        with sim.workers.slot(), costs.collecting() as facts:
            response = sim.router.route(request)
            if model is not None:
                seconds = sum(model.cost_ms(fact, transport_of(request.path)) for fact in facts) / 1000
                if seconds and sim.stopping.wait(seconds):
                    return None
        return response

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        if response.content_type in (JSON_TYPE,) or response.content_type.startswith("text/xml"):
            self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(response.body)

    def date_time_string(self, timestamp: float | None = None) -> str:
        return email.utils.formatdate(timestamp, usegmt=True)


class SimulatorHTTPServer(QuietHTTPServer):
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: OdooSimulator) -> None:
        self.simulator = simulator
        super().__init__(address, Handler)


class OdooSimulator:
    """A stand-in for one Odoo server (one database) over real HTTP on loopback.

    Test-facing API beyond the wire (all thread-safe):
    - `clock` (SimClock): the time transactions take as write_date/create_date; real UTC by
      default, `clock.freeze(dt)`, `clock.advance(seconds)`, `clock.unfreeze()`.
    - `open_transaction(uid=None, context=None) -> OpenTransaction`: a long transaction whose
      changes (write_date = when it opened) stay invisible until `commit()`; `rollback()` drops them.
    - `webhook_log`: every webhook POST of a base.automation rule, in order:
      {"url", "body", "status"} or {"url", "body", "error"} (refused non-loopback URL, timeout,
      connection error, "cancelled due to a rollback").
    - `fail_after_webhooks(count=1, message=...)`: the next calls that queue webhooks fail with a
      UserError after their webhook actions ran (rollback behaviour: 17 still POSTs, 19 does not).
    - `set_module_state(module, state)`: e.g. ("base_automation", "uninstalled") makes
      base.automation an unknown model and stops its rules, as in an Odoo without the module.
    """

    def __init__(
        self,
        version: str = "19",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed_partners: int = 20,
        seed_products: int = 20,
        seed: int = 1,
        database: str = "odoo",
        cost_model: CostModel | None = None,
        workers: int | None = None,
    ) -> None:
        """`cost_model`: what calls cost (costs.CostModel.real() for real Odoo's); `workers`: calls
        served at once (None: as many as come; costs.DEFAULT_WORKERS with a cost model)."""
        self.personality = personality_for(version)
        self.version = self.personality.key
        self.host = host
        self.port = port
        self.database = database
        self.knobs = Knobs(seed)
        self.knobs.cost_model = cost_model
        self.workers = Workers(workers if workers is not None else (DEFAULT_WORKERS if cost_model else None))
        self.clock = SimClock()
        self.store = Store(self.clock)
        self.registry = Registry(self.personality)
        self.credentials = Credentials()
        self.admin_login, self.admin_password = "admin", "admin"
        self.demo_login, self.demo_password = "demo", "demo"
        self.admin_uid, self.demo_uid = ADMIN_UID, self.personality.demo_uid
        self.admin_api_key, self.demo_api_key = new_api_key(), new_api_key()
        self.credentials.api_keys.update(
            {self.admin_uid: [self.admin_api_key], self.demo_uid: [self.demo_api_key]}
        )
        Seeder(self.registry, self.store, seed).run(
            seed_partners, seed_products, self.credentials, self.demo_uid
        )
        self.service = OdooService(self.personality, self.registry, self.store, database, self.credentials)
        self.router = Router(self.service)
        self.stopping = threading.Event()
        self._server: SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def lock(self) -> threading.RLock:
        return self.store.lock

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> OdooSimulator:
        if self._server is not None:
            return self
        self.stopping.clear()
        self._server = SimulatorHTTPServer((self.host, self.port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="odoo-simulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self.stopping.set()  # wakes calls that hang or wait for latency
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> OdooSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- control for tests ------------------------------------------------------------------

    @property
    def webhook_log(self) -> list[dict[str, Any]]:
        return self.service.webhooks.log

    def fail_after_webhooks(
        self, count: int = 1, message: str = "forced failure after the webhook action"
    ) -> None:
        self.service.webhooks.fail_after_webhooks(count, message)

    def open_transaction(
        self, uid: int | None = None, context: dict[str, Any] | None = None
    ) -> OpenTransaction:
        return OpenTransaction(self.service, uid or self.admin_uid, context)

    def set_module_state(self, module: str, state: str) -> None:
        """Set ir.module.module's state; the module's models exist only while it is installed."""
        if state not in MODULE_STATES:
            raise ValueError(f"unknown module state {state!r}")
        with self.store.lock:
            modules = self.store.table("ir.module.module")
            found = [rid for rid, row in modules.items() if row.get("name") == module]
            if not found:
                raise ValueError(f"unknown module {module!r}")
            for rid in found:
                modules[rid]["state"] = state
            for model in MODULE_MODELS.get(module, ()):
                if state == "installed":
                    self.registry.hidden.discard(model)
                else:
                    self.registry.hidden.add(model)

    # -- inspection for tests ---------------------------------------------------------------

    @property
    def calls(self) -> Counter[tuple[str, str]]:
        return self.service.calls

    @property
    def total_calls(self) -> int:
        return sum(self.service.calls.values())

    def reset_calls(self) -> None:
        self.service.calls.clear()

    def env(self, uid: int = ADMIN_UID, context: dict[str, Any] | None = None) -> Env:
        """An environment on the live store (hold `lock` while using it)."""
        return Env(self.registry, self.store, uid, context)

    def records(
        self, model: str, domain: list[Any] | None = None, active_test: bool = False
    ) -> list[dict[str, Any]]:
        """A snapshot of stored values: many2one as a bare id, x2many as id lists, datetimes as text."""
        with self.store.lock:
            records = self.env(1, {"active_test": active_test})[model]
            ids = records._search_ids(domain or [], order="id")
            return [self._snapshot(records, rid) for rid in ids]

    @staticmethod
    def _snapshot(records: Any, rid: int) -> dict[str, Any]:
        row: dict[str, Any] = {"id": rid}
        for name, fld in records._fields.fields.items():
            if fld.computed or name == "id":
                continue
            value = records._raw(rid, name)
            if isinstance(value, datetime):
                value = value.strftime(DATETIME_FORMAT)
            elif fld.type in X2MANY:
                value = list(value or [])
            row[name] = value
        return row

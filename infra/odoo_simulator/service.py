"""The RPC services (common, db, object) and the JSON-2 dispatcher, independent of the transport."""

from __future__ import annotations

import inspect
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import costs
from .credentials import Credentials
from .errors import (
    AccessDenied,
    AccessError,
    HttpError,
    OdooException,
    PythonError,
    UserError,
    type_error,
)
from .model_docs import describe_model
from .models import BaseModel, Env, Registry
from .models.base import public_method
from .models.importer import ImportFailedError
from .personality import Personality
from .store import Changes, Store
from .webhooks import Delivery, WebhookSender, pending_deliveries

READONLY_METHODS = frozenset(
    {
        "search", "search_read", "read", "search_count", "fields_get", "name_search", "default_get",
        "check_access_rights", "has_access", "get_external_id", "context_get", "check_object_reference",
    }
)  # fmt: skip
INSTALLED_LANGS = frozenset({"en_US"})


@dataclass
class RpcCall:
    model: str
    method: str
    args: list[Any]
    kwargs: dict[str, Any]


@dataclass
class CallResult:
    value: Any
    mutating: bool = False


class OdooService:
    def __init__(
        self,
        personality: Personality,
        registry: Registry,
        store: Store,
        database: str,
        credentials: Credentials,
    ) -> None:
        self.personality = personality
        self.registry = registry
        self.store = store
        self.database = database
        self.credentials = credentials
        self.installed_langs: set[str] = set(INSTALLED_LANGS)  # a test may install more
        self.calls: Counter[tuple[str, str]] = Counter()
        self.webhooks = WebhookSender(personality.major)
        self._calls_lock = threading.Lock()

    # -- common / db services ---------------------------------------------------------------

    def check_database(self, db: Any) -> None:
        if db != self.database:
            raise PythonError(
                "OperationalError",
                'connection to server at "127.0.0.1", port 5432 failed: '
                f'FATAL:  database "{db}" does not exist\n',
                module="psycopg2",
            )

    def _login(self, db: Any, login: Any, password: Any) -> int | bool:
        self.check_database(db)
        with self.store.lock:
            for uid, row in self.store.table("res.users").items():
                if row.get("login") == login and row.get("active") and self.credentials.check(uid, password):
                    return uid
        return False

    def common_methods(self) -> dict[str, Callable[..., Any]]:
        def exp_version() -> dict[str, object]:
            return self.personality.version_info()

        def exp_about(extended: bool = False) -> Any:
            info = "See http://openerp.com"
            return [info, self.personality.server_version] if extended else info

        def exp_login(db: Any, login: Any, password: Any) -> int | bool:
            return self._login(db, login, password)

        def exp_authenticate(db: Any, login: Any, password: Any, user_agent_env: Any) -> int | bool:
            return self._login(db, login, password)

        return {
            "version": exp_version,
            "about": exp_about,
            "login": exp_login,
            "authenticate": exp_authenticate,
        }

    def db_methods(self) -> dict[str, Callable[..., Any]]:
        def exp_server_version() -> str:
            return self.personality.server_version

        def exp_list(document: bool = False) -> Any:
            raise AccessDenied()  # list_db = False, as on the captured servers

        def exp_db_exist(db_name: Any) -> bool:
            return bool(db_name == self.database)

        return {"server_version": exp_server_version, "list": exp_list, "db_exist": exp_db_exist}

    def call_service(self, service: str, method: str, params: list[Any]) -> CallResult:
        """Dispatch an RPC call (XML-RPC or JSON-RPC) to common, db or object."""
        if service == "object":
            return self._object(method, params)
        tables = {"common": self.common_methods, "db": self.db_methods}
        if service not in tables:
            raise PythonError("KeyError", repr(service))
        methods = tables[service]()
        if method not in methods:
            raise PythonError("Exception", f"Method not found: {method}")
        return CallResult(_call_python(methods[method], params))

    # -- object service ---------------------------------------------------------------------

    def _object(self, method: str, params: list[Any]) -> CallResult:
        if method == "execute_kw":
            # Odoo's own signature: a wrong number of params fails with Python's own message.
            def execute_kw(  # noqa: PLR0917
                db: Any, uid: Any, passwd: Any, model: str, method: str, args: Any, kw: Any = None
            ) -> CallResult:
                call = RpcCall(model, method, list(args or []), dict(kw or {}))
                return self.execute_rpc(db, uid, passwd, call)

            executed: CallResult = _call_python(execute_kw, params)
            return executed
        if method == "execute":

            def execute(db: Any, uid: Any, passwd: Any, model: str, method: str, *args: Any) -> CallResult:
                return self.execute_rpc(db, uid, passwd, RpcCall(model, method, list(args), {}))

            legacy: CallResult = _call_python(execute, params)
            return legacy
        raise PythonError("NameError", f"Method not available {method}")

    def _check_uid(self, uid: Any, secret: Any) -> int:
        if not isinstance(uid, int) or isinstance(uid, bool):
            raise AccessDenied()
        with self.store.lock:
            exists = uid in self.store.table("res.users")
        if not exists:
            raise UserMissing(uid)
        if not self.credentials.check(uid, secret):
            raise AccessDenied()
        return uid

    def execute_rpc(self, db: Any, uid: Any, secret: Any, call: RpcCall) -> CallResult:
        self.check_database(db)
        checked_uid = self._check_uid(uid, secret)
        context = call.kwargs.pop("context", None) or {}
        return self._transaction(
            checked_uid, context, call.model, call.method, lambda env: self._rpc_call(env, call)
        )

    def _rpc_call(self, env: Env, call: RpcCall) -> Any:
        model, method, args, kwargs = call.model, call.method, call.args, call.kwargs
        if model not in env:
            raise UserError(f"Object {model} doesn't exist")
        func, api_model = self._resolve(env, model, method, json2=False)
        if api_model:
            value = func(env[model])(*args, **kwargs)
        else:
            if not args:
                raise type_error(f"BaseModel.{method}() missing 1 required positional argument: 'self'")
            ids = args[0]
            records = env[model].browse([ids] if isinstance(ids, int) else list(ids or []))
            value = func(records)(*args[1:], **kwargs)
        answer = self._downgrade(method, args, value)
        costs.note(model, method, args, None, answer)
        return answer

    def _downgrade(self, method: str, args: list[Any], value: Any) -> Any:
        """Recordsets become ids; RPC create(dict) and (before 18) copy give a bare id."""
        if not isinstance(value, BaseModel):
            return value
        single_create = method == "create" and args and isinstance(args[0], dict)
        single_copy = method == "copy" and not self.personality.new_style
        if (single_create or single_copy) and value.ids:
            return value.ids[0]
        return value.ids

    def _resolve(
        self, env: Env, model: str, method: str, *, json2: bool
    ) -> tuple[Callable[[BaseModel], Any], bool]:
        personality = self.personality
        if method.startswith("_"):
            raise AccessError(personality.msg("private_method", model=model, method=method))
        bound = public_method(env[model], method)
        if bound is None:
            message = personality.msg("unknown_method", model=model, method=method)
            if json2:
                raise HttpError(404, "NotFound", message)
            raise PythonError("AttributeError", message)
        with self._calls_lock:
            self.calls[(model, method)] += 1
        api_model = bool(getattr(bound, "_api_model", False))
        return (lambda records: getattr(records, method)), api_model

    def _transaction(
        self, uid: int, context: Any, model: str, method: str, body: Callable[[Env], Any]
    ) -> CallResult:
        """Run one call as one transaction: one `now` for every write_date/create_date of it,
        rolled back entirely on any error; its webhooks are POSTed before it answers."""
        if not isinstance(context, dict):
            context = {}
        self._check_lang(context)
        failure: Exception | None = None
        answer: CallResult | None = None
        committed = False
        uncommitted: Changes | None = None
        with self.store.lock:
            env = Env(self.registry, self.store, uid, context)
            self.store.begin()
            try:
                value = self.run_with_automations(env, body)
            except ImportFailedError as failed:
                self.store.rollback()
                answer = CallResult(failed.answer)
            except Exception as exc:
                self.store.rollback()
                failure = exc
            else:
                if pending_deliveries(env.scratch) and self.webhooks.posts_before_commit:
                    uncommitted = self.store.detach()  # 17: POSTed before the commit
                else:
                    self.store.commit()
                committed = True
                answer = CallResult(value, mutating=method not in READONLY_METHODS)
        self.deliver(pending_deliveries(env.scratch), committed=committed)
        if uncommitted is not None:
            with self.store.lock:
                self.store.begin()
                self.store.attach(uncommitted)
                self.store.commit()
        if failure is not None:
            raise as_odoo_exception(failure) from failure
        assert answer is not None
        return answer

    def run_with_automations(self, env: Env, body: Callable[[Env], Any]) -> Any:
        """`body`, then the forced failure a test asked for once webhooks were queued."""
        value = body(env)
        if pending_deliveries(env.scratch):
            message = self.webhooks.take_failure()
            if message is not None:
                raise UserError(message)
        return value

    def deliver(self, deliveries: list[Delivery], *, committed: bool) -> None:
        """POST (or, for a rolled-back call on 18+, cancel) the webhooks a call queued."""
        if not deliveries:
            return
        if committed or self.webhooks.sends_on_rollback:
            self.webhooks.send_all(deliveries)
        else:
            self.webhooks.cancel(deliveries)

    def _check_lang(self, context: dict[str, Any]) -> None:
        lang = context.get("lang")
        if self.personality.major >= 19 and lang and lang not in self.installed_langs:
            raise UserError(f"Invalid language code: {lang}")

    # -- JSON-2 -----------------------------------------------------------------------------

    def uid_for_bearer(self, authorization: str | None) -> int:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HttpError(
                401,
                "Unauthorized",
                "User not authenticated, use an API Key with a Bearer Authorization header.",
            )
        uid = self.credentials.uid_for_key(token.strip())
        if uid is None:
            raise HttpError(401, "Unauthorized", "Invalid apikey")
        return uid

    def execute_json2(self, uid: int, model: str, method: str, body: dict[str, Any]) -> CallResult:
        body = dict(body)
        ids = body.pop("ids", None) or []
        context = body.pop("context", None) or {}

        def run(env: Env) -> Any:
            if model not in env:
                raise HttpError(404, "NotFound", f"the model {model!r} does not exist")
            func, api_model = self._resolve(env, model, method, json2=True)
            if api_model and ids:
                raise HttpError(422, "UnprocessableEntity", f"cannot call {model}.{method} with ids")
            records = env[model].browse(ids if isinstance(ids, list) else [ids])
            bound = func(records)
            try:
                inspect.signature(bound).bind(**body)
            except TypeError as exc:
                raise HttpError(422, "UnprocessableEntity", str(exc)) from None
            value = bound(**body)
            answer = value.ids if isinstance(value, BaseModel) else value
            costs.note(
                model, method, list(body.values())[:1], ids if isinstance(ids, list) else [ids], answer
            )
            return answer

        return self._transaction(uid, context, model, method, run)

    def describe_model(self, uid: int, model: str) -> dict[str, Any]:
        """/doc-bearer/<model>.json: fields and public methods with their parameter names."""
        with self.store.lock:
            return describe_model(Env(self.registry, self.store, uid), model)


class UserMissing(OdooException):
    """execute_kw with a uid that is no user: Odoo reports it as a MissingError on res.users."""

    odoo_name = "odoo.exceptions.MissingError"
    fault_code = 2
    http_status = 404

    def __init__(self, uid: int) -> None:
        super().__init__(
            f"Record does not exist or has been deleted.\n(Record: res.users({uid},), User: {uid})"
        )


def _call_python(func: Callable[..., Any], params: Any) -> Any:
    """Call with RPC positional params; Python's own TypeError text is what Odoo reports."""
    if not isinstance(params, (list, tuple)):
        params = [params]
    return func(*params)


def as_odoo_exception(exc: BaseException) -> OdooException:
    """Any exception raised while serving a call, as Odoo reports it (non-Odoo ones: fault 1/500)."""
    if isinstance(exc, OdooException):
        return exc
    module = type(exc).__module__
    return PythonError(type(exc).__name__, str(exc), module=module if module != "builtins" else "builtins")

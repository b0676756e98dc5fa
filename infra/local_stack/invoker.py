"""Runs the template's handlers in this process, the way the Lambda Python runtime calls them."""

from __future__ import annotations

import importlib
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from local_stack.functions import FunctionSpec

# Lambda's limit for a synchronous invocation's request and response payloads.
PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024
log = logging.getLogger("local_stack")

Handler = Callable[[Any, "LambdaContext"], Any]


class FunctionError(Exception):
    """The function failed: it raised, timed out, or its payload broke Lambda's rules."""

    def __init__(self, function: str, error_type: str, message: str) -> None:
        super().__init__(f"{function}: {error_type}: {message}")
        self.function = function
        self.error_type = error_type
        self.error_message = message


class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    def __init__(self, spec: FunctionSpec, request_id: str) -> None:
        self.function_name = spec.logical_id
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{spec.logical_id}"
        self.log_stream_name = f"local/[$LATEST]{request_id.replace('-', '')}"
        self._deadline = time.monotonic() + spec.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class InvocationTotals:
    """Every invocation of one function since the stack started (the history keeps only the last)."""

    count: int = 0
    duration_ms: float = 0.0


@dataclass(frozen=True)
class Invocation:
    function: str
    request_id: str
    event: Any
    result: Any
    error: FunctionError | None
    duration_ms: float


class LambdaInvoker:
    """Imports each function's handler once (a warm container) and invokes it by logical id."""

    def __init__(self, functions: Mapping[str, FunctionSpec], history: int = 1000) -> None:
        self.functions = dict(functions)
        self.invocations: deque[Invocation] = deque(maxlen=history)
        self.totals: dict[str, InvocationTotals] = {name: InvocationTotals() for name in self.functions}
        self._handlers: dict[str, Handler] = {}
        self._added_paths: list[str] = []
        self._lock = threading.Lock()

    def load(self) -> None:
        """Put code and layer folders on sys.path and import every handler cold, failing fast."""
        for spec in self.functions.values():
            for folder in (spec.code_dir, *spec.layer_dirs):
                self._add_path(folder)
        self._start_cold()
        for name, spec in self.functions.items():
            self._handlers[name] = _import_handler(spec)

    def unload(self) -> None:
        """Forget the handlers and their warm state, so a later stack starts them cold."""
        self._start_cold()
        for entry in self._added_paths:
            if entry in sys.path:
                sys.path.remove(entry)
        self._added_paths.clear()
        self._handlers.clear()

    def _start_cold(self) -> None:
        """What a new Lambda container gives: handler modules imported afresh, no warm caches.

        Handler modules are dropped and re-imported. Layer modules may be shared with other code
        in this process (tests import them), so they stay, but their memoised functions (clients,
        settings read from the environment) are cleared.
        """
        code_dirs = {spec.code_dir for spec in self.functions.values()}
        layer_dirs = {folder for spec in self.functions.values() for folder in spec.layer_dirs}
        for module_name, module in list(sys.modules.items()):
            folder = _folder_of(module, code_dirs | layer_dirs)
            if folder in code_dirs:
                del sys.modules[module_name]
            elif folder is not None:
                _clear_memoised(module)
        _forget_cached_aws_clients()

    def invoke(self, function: str, event: Any, request_id: str | None = None) -> Any:
        spec = self.functions.get(function)
        handler = self._handlers.get(function)
        if spec is None or handler is None:
            raise KeyError(f"no loaded function {function!r}; known: {', '.join(sorted(self.functions))}")
        request_id = request_id or str(uuid.uuid4())
        payload = _serialise(function, event, "RequestEntityTooLargeException")
        started = time.monotonic()
        result: Any = None
        error: FunctionError | None = None
        try:
            answer = handler(json.loads(payload), LambdaContext(spec, request_id))
            elapsed = time.monotonic() - started
            if elapsed > spec.timeout_s:
                raise FunctionError(function, "Timeout", f"Task timed out after {spec.timeout_s:.2f} seconds")
            result = json.loads(_serialise(function, answer, "ResponseSizeTooLarge"))
        except FunctionError as exc:
            error = exc
        except Exception as exc:  # whatever the handler raises is the function's error, as in Lambda
            log.error("%s failed:\n%s", function, traceback.format_exc())
            error = FunctionError(function, type(exc).__name__, str(exc))
        duration_ms = (time.monotonic() - started) * 1000
        with self._lock:
            self.invocations.append(Invocation(function, request_id, event, result, error, duration_ms))
            totals = self.totals[function]
            totals.count += 1
            totals.duration_ms += duration_ms
        if error is not None:
            raise error
        return result

    def _add_path(self, folder: Path) -> None:
        entry = str(folder)
        if entry not in sys.path:
            sys.path.insert(0, entry)
            self._added_paths.append(entry)


def _import_handler(spec: FunctionSpec) -> Handler:
    module_name, _, attribute = spec.handler.rpartition(".")
    if not module_name:
        raise ImportError(f"{spec.logical_id}: Handler {spec.handler!r} is not module.function")
    module = importlib.import_module(module_name.replace("/", "."))
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise ImportError(f"{spec.logical_id}: {module_name} has no function {attribute!r}")
    return handler  # type: ignore[no-any-return]


def _serialise(function: str, value: Any, too_large: str) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise FunctionError(function, "Runtime.MarshalError", f"Unable to marshal: {exc}") from exc
    if len(text.encode()) > PAYLOAD_LIMIT_BYTES:
        raise FunctionError(function, too_large, f"payload exceeds {PAYLOAD_LIMIT_BYTES} bytes")
    return text


def _folder_of(module: ModuleType, folders: set[Path]) -> Path | None:
    location = getattr(module, "__file__", None)
    if not location:
        return None
    path = Path(location).resolve()
    return next((folder for folder in folders if path.is_relative_to(folder)), None)


def _clear_memoised(module: ModuleType) -> None:
    for value in list(vars(module).values()):
        clear = getattr(value, "cache_clear", None)
        if callable(clear) and getattr(value, "__module__", None) == module.__name__:
            clear()


def _forget_cached_aws_clients() -> None:
    """Powertools keeps parameter providers (and their boto3 clients) per process."""
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    if parameters is not None:
        parameters.clear_caches()

"""moto's server as the child process of local_stack.moto_process.

    python -m local_stack.moto_child --host 127.0.0.1 --port 0

prints `listening <port>` once it answers, and runs until its standard input closes (the parent
stopped or died: no moto is left behind). moto runs with local_stack.moto_fixes. The capacity
DynamoDB would bill is computed here, where moto's tables are (local_stack.capacity), for every
DynamoDB request: each answer carries it in a header that local_stack.meter reads
(`X-Local-Capacity`: read and write units by table), errors included (a refused condition is billed
too).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import signal
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from local_stack import capacity

CAPACITY_HEADER = "X-Local-Capacity"
_DYNAMODB_TARGET = "DynamoDB_20120810."
_EXAMINING = frozenset({"Query", "Scan"})

StartResponse = Callable[..., Any]


class CapacityHeaders:
    """WSGI middleware: every DynamoDB answer carries the units DynamoDB would bill for it."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if not target.startswith(_DYNAMODB_TARGET):
            return self._app(environ, start_response)
        operation = target[len(_DYNAMODB_TARGET) :]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        params = json.loads(body) if body else {}
        tables = capacity.moto_tables() or {}
        before = capacity.sizes_before(tables, operation, params)
        answered: dict[str, Any] = {}
        chunks: list[bytes] = []

        def keep(status: str, headers: list[tuple[str, str]], *_: Any) -> Callable[[bytes], None]:
            answered.update(status=status, headers=headers)
            return chunks.append

        result = self._app(environ, keep)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        raw = b"".join(chunks)
        examined = operation in _EXAMINING and str(answered["status"]).startswith("200")
        answer = json.loads(raw) if raw and examined else {}  # a query pays for what it examined
        units = capacity.Units(defaultdict(float), defaultdict(float))
        capacity.add_units(units, tables, operation, params, answer, before)
        header = json.dumps({"read": units.read_units, "write": units.write_units})
        start_response(answered["status"], [*answered["headers"], (CAPACITY_HEADER, header)])
        return [raw]


def serve(host: str, port: int) -> None:
    """Run moto's server (with local_stack.moto_fixes) until standard input closes."""
    from moto.moto_server.werkzeug_app import (  # noqa: PLC0415 - the child's imports
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server  # noqa: PLC0415

    from local_stack import moto_fixes  # noqa: PLC0415

    moto_fixes.apply()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every call otherwise
    app = CapacityHeaders(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"listening {server.server_address[1]}", flush=True)
    sys.stdout = sys.stderr  # nobody reads the pipe any more: a full one would stop the server
    sys.stdin.read()  # until the parent closes it or dies
    server.shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="local_stack.moto_child", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    # Ctrl-C in a terminal reaches the whole process group: the parent stops its pollers first and
    # then closes stdin, this process's one signal to stop (moto gone first, they would fail).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(args.host, args.port)


if __name__ == "__main__":
    main()

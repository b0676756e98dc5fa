"""A tiny loopback HTTP receiver that records what the simulator's webhooks POST."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: list[tuple[str, str]]
    body: str


@dataclass
class Receiver:
    """Paths: /ok answers 200, /500 answers 500, /slow answers after `slow_s` seconds."""

    url: str
    requests: list[Received] = field(default_factory=list)
    slow_s: float = 1.5
    # Called with each POST before it is answered (e.g. to read the record back meanwhile).
    on_post: Callable[[Received], None] | None = None

    def bodies(self, path: str | None = None) -> list[str]:
        return [r.body for r in self.requests if path is None or r.path == path]

    def clear(self) -> None:
        self.requests.clear()
        self.on_post = None


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            received = Received(self.path, list(self.headers.items()), body)
            receiver.requests.append(received)
            if receiver.on_post is not None:
                receiver.on_post(received)
            if self.path.startswith("/slow"):
                time.sleep(receiver.slow_s)
            status = 500 if self.path.startswith("/500") else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@contextmanager
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver("")))
    server.daemon_threads = True
    state = Receiver(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A loopback URL nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/down"

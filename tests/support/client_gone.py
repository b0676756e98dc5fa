"""A client that hangs up before its answer, and a server that tells what it then met: what the
tests of the simulator's and the local API's HTTP servers share."""

from __future__ import annotations

import socket
import struct
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from quiet_http_server import QuietHTTPServer


class ObservedServer(QuietHTTPServer):
    """Put before a server class: tells when a request is over (after any error handling) and
    what went wrong while serving it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.request_over = threading.Event()
        self.errors: list[BaseException] = []
        super().__init__(*args, **kwargs)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            self.errors.append(error)
        super().handle_error(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.request_over.set()


@contextmanager
def serving(server: QuietHTTPServer) -> Iterator[None]:
    """`server` answers on a thread of its own until the block ends; then it is closed."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def hang_up_after_sending(server: QuietHTTPServer, request: bytes) -> None:
    """Send a whole request, then reset the connection (SO_LINGER 0) without reading the answer."""
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.sendall(request)


def assert_the_hang_up_was_met_quietly(server: ObservedServer, capfd: pytest.CaptureFixture[str]) -> None:
    assert server.request_over.wait(timeout=10)
    assert server.errors, "the server did meet the closed connection"
    assert all(isinstance(error, ConnectionError) for error in server.errors)
    assert "Traceback" not in capfd.readouterr().err


def assert_other_errors_are_printed(server: QuietHTTPServer, capfd: pytest.CaptureFixture[str]) -> None:
    try:
        raise ValueError("a bug in the handler")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 1))

    err = capfd.readouterr().err
    assert "Traceback" in err
    assert "ValueError: a bug in the handler" in err

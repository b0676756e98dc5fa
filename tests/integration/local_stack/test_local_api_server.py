"""The local API's HTTP server treats a client that hangs up before its answer as normal: the
answer is dropped without a traceback on stderr; other errors are still printed."""

from __future__ import annotations

import socket
import struct
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from local_stack.api.events import HttpRequest, HttpResponse
from local_stack.api.gateway import ApiGateway
from local_stack.api.server import LocalHttpServer, _handler_class


class SlowGateway:
    """Answers once the test says the client is gone."""

    def __init__(self) -> None:
        self.client_gone = threading.Event()

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.client_gone.wait(timeout=10)
        return HttpResponse(200, [("Content-Type", "text/plain")], b"too late")


class ObservedServer(LocalHttpServer):
    """Tells when a request is over (after any error handling) and what went wrong."""

    def __init__(self, gateway: SlowGateway) -> None:
        handler = _handler_class(cast(ApiGateway, gateway), Path("no-console-build"))
        super().__init__(("127.0.0.1", 0), handler)
        self.request_over = threading.Event()
        self.errors: list[BaseException] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            self.errors.append(error)
        super().handle_error(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.request_over.set()


@pytest.fixture
def gateway() -> SlowGateway:
    return SlowGateway()


@pytest.fixture
def server(gateway: SlowGateway) -> Iterator[ObservedServer]:
    observed = ObservedServer(gateway)
    thread = threading.Thread(target=observed.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield observed
    gateway.client_gone.set()
    observed.shutdown()
    observed.server_close()
    thread.join(timeout=5)


def test_a_client_that_hangs_up_before_its_answer_leaves_no_traceback(
    server: ObservedServer, gateway: SlowGateway, capfd: pytest.CaptureFixture[str]
) -> None:
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.sendall(b"GET /v1/health HTTP/1.1\r\nHost: api\r\n\r\n")
    gateway.client_gone.set()  # the answer is written to a reset connection

    assert server.request_over.wait(timeout=10)
    assert server.errors, "the server did meet the closed connection"
    assert all(isinstance(error, ConnectionError) for error in server.errors)
    assert "Traceback" not in capfd.readouterr().err


def test_other_errors_while_serving_are_still_printed(
    server: ObservedServer, capfd: pytest.CaptureFixture[str]
) -> None:
    try:
        raise ValueError("a bug in the handler")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 1))

    err = capfd.readouterr().err
    assert "Traceback" in err
    assert "ValueError: a bug in the handler" in err

"""A client that hangs up before its answer (a timeout, a cancelled call) is normal for the
simulator's server: the answer is dropped without a traceback on stderr."""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator
from odoo_simulator.server import SimulatorHTTPServer

VERSION_CALL = json.dumps(
    {"jsonrpc": "2.0", "method": "call", "params": {"service": "common", "method": "version", "args": []}}
).encode()


class ObservedServer(SimulatorHTTPServer):
    """Tells when a request is over (after any error handling)."""

    def __init__(self, address: tuple[str, int], simulator: OdooSimulator) -> None:
        super().__init__(address, simulator)
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
def server() -> Iterator[ObservedServer]:
    sim = OdooSimulator(version="19", seed_partners=2, seed_products=1)
    observed = ObservedServer(("127.0.0.1", 0), sim)
    thread = threading.Thread(target=observed.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield observed
    sim.stopping.set()
    observed.shutdown()
    observed.server_close()
    thread.join(timeout=5)


def hang_up_after_sending(port: int, body: bytes) -> None:
    """POST, then reset the connection (SO_LINGER 0) without reading the answer."""
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        head = (
            "POST /jsonrpc HTTP/1.1\r\nHost: odoo\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        client.sendall(head.encode() + body)


def test_a_client_that_hangs_up_before_its_answer_leaves_no_traceback(
    server: ObservedServer, capfd: pytest.CaptureFixture[str]
) -> None:
    server.simulator.knobs.hang(1, 0.2)  # the answer comes after the client is gone

    hang_up_after_sending(server.server_address[1], VERSION_CALL)

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

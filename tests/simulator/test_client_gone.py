"""A client that hangs up before its answer (a timeout, a cancelled call) is normal for the
simulator's server: the answer is dropped without a traceback on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from odoo_simulator import OdooSimulator
from odoo_simulator.server import SimulatorHTTPServer
from tests.support.client_gone import (
    ObservedServer,
    assert_other_errors_are_printed,
    assert_the_hang_up_was_met_quietly,
    hang_up_after_sending,
    serving,
)

VERSION_CALL = json.dumps(
    {"jsonrpc": "2.0", "method": "call", "params": {"service": "common", "method": "version", "args": []}}
).encode()


class ObservedSimulatorServer(ObservedServer, SimulatorHTTPServer):
    """The simulator's own server, observed."""


@pytest.fixture
def server() -> Iterator[ObservedSimulatorServer]:
    sim = OdooSimulator(version="19", seed_partners=2, seed_products=1)
    observed = ObservedSimulatorServer(("127.0.0.1", 0), sim)
    with serving(observed):
        yield observed
        sim.stopping.set()


def test_a_client_that_hangs_up_before_its_answer_leaves_no_traceback(
    server: ObservedSimulatorServer, capfd: pytest.CaptureFixture[str]
) -> None:
    server.simulator.knobs.hang(1, 0.2)  # the answer comes after the client is gone
    head = (
        "POST /jsonrpc HTTP/1.1\r\nHost: odoo\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(VERSION_CALL)}\r\n\r\n"
    )

    hang_up_after_sending(server, head.encode() + VERSION_CALL)

    assert_the_hang_up_was_met_quietly(server, capfd)


def test_other_errors_while_serving_are_still_printed(
    server: ObservedSimulatorServer, capfd: pytest.CaptureFixture[str]
) -> None:
    assert_other_errors_are_printed(server, capfd)

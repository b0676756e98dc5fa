"""The local API's HTTP server treats a client that hangs up before its answer as normal: the
answer is dropped without a traceback on stderr; other errors are still printed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from local_stack.api.events import HttpRequest, HttpResponse
from local_stack.api.gateway import ApiGateway
from local_stack.api.server import _handler_class
from tests.support.client_gone import (
    ObservedServer,
    assert_other_errors_are_printed,
    assert_the_hang_up_was_met_quietly,
    hang_up_after_sending,
    serving,
)


class SlowGateway:
    """Answers once the test says the client is gone."""

    def __init__(self) -> None:
        self.client_gone = threading.Event()

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.client_gone.wait(timeout=10)
        return HttpResponse(200, [("Content-Type", "text/plain")], b"too late")


@pytest.fixture
def gateway() -> SlowGateway:
    return SlowGateway()


@pytest.fixture
def server(gateway: SlowGateway) -> Iterator[ObservedServer]:
    handler = _handler_class(cast(ApiGateway, gateway), Path("no-console-build"))
    observed = ObservedServer(("127.0.0.1", 0), handler)
    with serving(observed):
        yield observed
        gateway.client_gone.set()


def test_a_client_that_hangs_up_before_its_answer_leaves_no_traceback(
    server: ObservedServer, gateway: SlowGateway, capfd: pytest.CaptureFixture[str]
) -> None:
    hang_up_after_sending(server, b"GET /v1/health HTTP/1.1\r\nHost: api\r\n\r\n")
    gateway.client_gone.set()  # the answer is written to a reset connection

    assert_the_hang_up_was_met_quietly(server, capfd)


def test_other_errors_while_serving_are_still_printed(
    server: ObservedServer, capfd: pytest.CaptureFixture[str]
) -> None:
    assert_other_errors_are_printed(server, capfd)

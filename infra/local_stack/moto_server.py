"""moto in server mode on loopback, and the process settings that point boto3 at it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

from local_stack import moto_fixes

ACCOUNT_ID = "123456789012"  # moto's default account
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class MotoServer:
    """A moto server on 127.0.0.1; port 0 picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self._endpoint: str | None = None

    def start(self) -> None:
        moto_fixes.apply()
        werkzeug_log = logging.getLogger("werkzeug")
        if werkzeug_log.level == logging.NOTSET:
            werkzeug_log.setLevel(logging.WARNING)  # moto's server logs every AWS call otherwise
        self._server.start()
        host, port = self._server.get_host_and_port()
        self._endpoint = f"http://{host}:{port}"

    def stop(self) -> None:
        if self._endpoint is not None:
            self._server.stop()
            self._endpoint = None

    @property
    def endpoint(self) -> str:
        if self._endpoint is None:
            raise RuntimeError("the moto server is not running")
        return self._endpoint


def aws_settings(endpoint: str, region: str) -> dict[str, str]:
    """What a Lambda runtime would provide, pointed at moto: credentials, region, endpoint."""
    return {
        **FAKE_CREDENTIALS,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": endpoint,
        # Tracing needs the X-Ray daemon of a real Lambda; there is none here.
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


@contextmanager
def patched_environ(values: Mapping[str, str], remove: tuple[str, ...] = ("AWS_PROFILE",)) -> Iterator[None]:
    """Set variables in os.environ for the duration, then put back exactly what was there."""
    saved = {name: os.environ.get(name) for name in (*values, *remove)}
    for name in remove:
        os.environ.pop(name, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old

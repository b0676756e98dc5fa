"""A deadline for a whole exchange, enforced on every socket read and write.

A read timeout bounds one read, so a server that trickles a byte just before each timeout (a
slowloris answer) can hold a request open forever. `within` sets a deadline for the current
context; the guarded network backend's streams shrink each read's timeout to the time left and
fail once it is spent, whether the server trickles the status line, the headers or the body.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore

# Replaced in tests to pass time without waiting for it.
clock: Callable[[], float] = time.monotonic

_deadline: ContextVar[float | None] = ContextVar("odoo_sync_net_deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Every socket operation in this block must finish within `seconds` from now, all together.

    An enclosing deadline that ends sooner still applies.
    """
    deadline = clock() + seconds
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (never negative), None when there is none."""
    deadline = _deadline.get()
    return None if deadline is None else max(0.0, deadline - clock())


def expired() -> bool:
    left = remaining()
    return left is not None and left <= 0.0


def bounded_timeout(timeout: float | None, error: type[httpcore.TimeoutException]) -> float | None:
    """`timeout` shrunk to the time left; raise `error` once the time is spent."""
    left = remaining()
    if left is None:
        return timeout
    if left <= 0.0:
        raise error("the exchange took longer than its deadline")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes respect the context's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, bounded_timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, bounded_timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        upgraded = self._inner.start_tls(
            ssl_context, server_hostname, bounded_timeout(timeout, httpcore.ConnectTimeout)
        )
        return DeadlineStream(upgraded)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

"""moto's server in a process of its own, so the local stack measures the service, not moto.

In the functions' process moto took about half of the CPU of an import (its request dispatch,
parsing, the tables' work), on the same core as the functions, boto3 and the poller. In its own
process it uses the machine's other core, as DynamoDB's work is not the functions' on AWS.

The child is local_stack.moto_child: it computes the capacity DynamoDB would bill where moto's
tables are, and stops when its standard input closes (the parent stopped or died).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

_STARTUP_TIMEOUT_S = 60.0


class MotoProcess:
    """The moto server in a child process on `host`; port 0 picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host, self._port = host, port
        self._child: subprocess.Popen[str] | None = None
        self._endpoint: str | None = None

    def start(self) -> None:
        # The child imports this package as the parent found it.
        path = os.pathsep.join(entry for entry in sys.path if entry)
        child = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "local_stack.moto_child", "--host", self._host, "--port", str(self._port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": path},
        )
        self._child = child
        line = _first_line(child, _STARTUP_TIMEOUT_S)
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"moto's server did not start: {line!r}")
        self._endpoint = f"http://{self._host}:{int(line.split()[1])}"

    def stop(self) -> None:
        child, self._child, self._endpoint = self._child, None, None
        if child is None:
            return
        if child.stdin is not None:
            child.stdin.close()  # the child's signal to stop
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()

    @property
    def endpoint(self) -> str:
        if self._endpoint is None:
            raise RuntimeError("the moto server is not running")
        return self._endpoint


def _first_line(child: subprocess.Popen[str], timeout_s: float) -> str:
    found: list[str] = []
    reader = threading.Thread(
        target=lambda: found.append(child.stdout.readline() if child.stdout else ""), daemon=True
    )
    reader.start()
    reader.join(timeout_s)
    return found[0].strip() if found else ""

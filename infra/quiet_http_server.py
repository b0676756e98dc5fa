"""The threaded HTTP server of the simulator and of the local API: quiet when a client goes away."""

from __future__ import annotations

import sys
from http.server import ThreadingHTTPServer
from typing import Any


class QuietHTTPServer(ThreadingHTTPServer):
    """A thread per request (never holding the process open at exit). A client that went away
    before its answer (closed or reset the connection: a timeout, a cancelled call) is normal for
    a server: no traceback. Anything else is printed."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

"""The HTTP side of the local API Gateway: a threaded server on loopback."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import cast

from local_stack.api.console import DEFAULT_BUILD, console_response, is_console_path
from local_stack.api.events import HttpRequest, HttpResponse
from local_stack.api.gateway import MAX_REQUEST_BYTES, ApiGateway
from quiet_http_server import QuietHTTPServer

log = logging.getLogger("local_stack.api")


class _TooLargeError(Exception):
    pass


class ApiServer:
    def __init__(
        self,
        gateway: ApiGateway,
        host: str = "127.0.0.1",
        port: int = 3000,
        console_build: Path = DEFAULT_BUILD,
    ) -> None:
        self._gateway = gateway
        self._httpd = QuietHTTPServer((host, port), _handler_class(gateway, console_build))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="local-api", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()


def _handler_class(gateway: ApiGateway, console_build: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "local-api-gateway"

        def _serve(self) -> None:
            started = time.monotonic()
            try:
                body = self._read_body()
            except ValueError:
                self.close_connection = True
                self.send_error(400, "malformed Content-Length or chunked body")
                return
            except _TooLargeError:
                self.close_connection = True
                response = gateway.gateway_response(
                    gateway.default_api, "REQUEST_TOO_LARGE", str(uuid.uuid4())
                )
            else:
                path, _, query = self.path.partition("?")
                if is_console_path(path):
                    self._write(console_response(self.command, path, console_build))
                    log.info("%s %s (console)", self.command, path)
                    return
                port = cast(HTTPServer, self.server).server_port
                host = self.headers.get("Host") or f"127.0.0.1:{port}"
                headers = [(name, value) for name, value in self.headers.items() if name.lower() != "host"]
                headers += [
                    ("Host", host),
                    ("X-Forwarded-For", self.client_address[0]),
                    ("X-Forwarded-Proto", "http"),
                    ("X-Forwarded-Port", str(port)),
                ]
                request = HttpRequest(self.command, path, query, headers, body, self.client_address[0], host)
                response = gateway.handle(request)
            self._write(response)
            log.info(
                "%s %s %d %.0fms",
                self.command,
                self.path,
                response.status,
                (time.monotonic() - started) * 1000,
            )

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self._read_chunked()
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                raise _TooLargeError
            return self.rfile.read(length) if length > 0 else b""

        def _read_chunked(self) -> bytes:
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_REQUEST_BYTES:
                    raise _TooLargeError
                chunks.append(self.rfile.read(size))
                self.rfile.readline()

        def _write(self, response: HttpResponse) -> None:
            self.send_response_only(response.status)
            self.send_header("Date", self.date_time_string())
            for name, value in response.headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve  # noqa: N815

    return Handler

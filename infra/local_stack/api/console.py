"""The console's built files at /console/, beside the API on one origin (as CloudFront does when
deployed): no CORS, and the API key never leaves the page's own origin.

Files come only from the build directory (console/dist); hashed assets are cached for a year,
index.html never, and every answer carries the same security headers as the deployed console.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from local_stack.api.events import HttpResponse

PREFIX = "/console"
DEFAULT_BUILD = Path(__file__).resolve().parents[3] / "console" / "dist"
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]
NOT_BUILT = (
    "The console is not built. Run `make console` (it needs Node.js 20+ and npm), or `make run`, "
    "which builds it first.\n"
)
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}


def is_console_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def console_response(method: str, path: str, build: Path = DEFAULT_BUILD) -> HttpResponse:
    if method not in ("GET", "HEAD"):
        return _text(405, "The console's files are read-only.\n", [("Allow", "GET, HEAD")])
    if path == PREFIX:
        return HttpResponse(301, [("Location", PREFIX + "/"), *SECURITY_HEADERS])
    if not (build / "index.html").is_file():
        return _text(503, NOT_BUILT)
    relative = path[len(PREFIX) + 1 :] or "index.html"
    root = build.resolve()
    wanted = (root / relative).resolve()
    if not wanted.is_relative_to(root) or not wanted.is_file():
        return _text(404, "Not found.\n")
    suffix = wanted.suffix.lower()
    content_type = TYPES.get(suffix) or mimetypes.guess_type(wanted.name)[0] or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    cache = "no-cache" if wanted.name == "index.html" else "public, max-age=31536000, immutable"
    return HttpResponse(
        200,
        [("Content-Type", content_type), ("Cache-Control", cache), *SECURITY_HEADERS],
        wanted.read_bytes(),
    )


def _text(status: int, text: str, extra: list[tuple[str, str]] | None = None) -> HttpResponse:
    headers = [("Content-Type", "text/plain; charset=utf-8"), *SECURITY_HEADERS, *(extra or [])]
    return HttpResponse(status, headers, text.encode())

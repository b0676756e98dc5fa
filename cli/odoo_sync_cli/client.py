"""A small client of the public API: JSON in and out, failures turned into exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from odoo_sync_cli import __version__
from odoo_sync_cli.exits import CliError, ExitCode

TIMEOUT_S = 90.0  # a connection test or a sync of one record waits on the tenant's Odoo
MISSING_ROUTE = "Missing Authentication Token"  # API Gateway's answer to a route it does not have
MAX_PAGES = 1000


class ApiError(CliError):
    """The API answered with an error; `status` and `body` are its answer."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        super().__init__(describe(status, body), _exit_code(status), body)

    @property
    def missing_route(self) -> bool:
        return (
            self.status in (403, 404)
            and isinstance(self.body, dict)
            and self.body.get("message") == (MISSING_ROUTE)
        )


def describe(status: int, body: Any) -> str:
    if isinstance(body, dict) and body.get("message"):
        code = body.get("code")
        field = body.get("field")
        text = f"{status} {code}: {body['message']}" if code else f"{status}: {body['message']}"
        return f"{text} (field: {field})" if field else text
    return f"the API answered {status}"


def _exit_code(status: int) -> ExitCode:
    # 5xx: the service failed, or the tenant's Odoo behind it is unreachable (502/503).
    return ExitCode.UNREACHABLE if status >= 500 else ExitCode.REFUSED


class ApiClient:
    def __init__(self, api_url: str, api_key: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.api_url,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": f"odoo-sync-cli/{__version__}"},
            timeout=TIMEOUT_S,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._call("GET", path, params=_clean(params))

    def post(self, path: str, body: Any = None) -> Any:
        return self._call("POST", path, json=body)

    def pages(
        self, path: str, params: dict[str, Any] | None = None, limit: int | None = None
    ) -> Iterator[Any]:
        """Every item of a list, following `next` (at most `limit` items when given)."""
        query = dict(_clean(params) or {})
        seen = 0
        for _ in range(MAX_PAGES):
            page = self.get(path, query)
            for item in page.get("items", []):
                yield item
                seen += 1
                if limit is not None and seen >= limit:
                    return
            if not page.get("next"):
                return
            query["cursor"] = page["next"]

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise CliError(f"the API at {self.api_url} did not answer in time", ExitCode.UNREACHABLE) from exc
        except httpx.TransportError as exc:
            raise CliError(f"cannot reach the API at {self.api_url}: {exc}", ExitCode.UNREACHABLE) from exc
        body = _json(response)
        if response.status_code >= 400:
            raise ApiError(response.status_code, body)
        return body


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return {"message": response.text[:200]}


def _clean(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {key: value for key, value in params.items() if value is not None}

"""Sending the webhooks of base.automation rules: synchronous POSTs, exactly as Odoo sends them.

Odoo's `ir.actions.server._run_action_webhook` POSTs the payload with `requests` (1 s timeout),
logs a failure or a timeout as a warning and never retries. Odoo 17 POSTs inside the transaction,
before it commits, so the POST happens even when the call then fails and rolls back, and a
receiver that reads the record back during the POST sees it as it was before the call; Odoo 19
POSTs after the commit and drops the POST of a rolled-back call ("cancelled due to a rollback").
Either way every POST is made before the RPC answers.

The simulator POSTs after the call's lock is released (a receiver calling the simulator back
would otherwise wait for the lock), but still before the answer is sent. On 17 the call's changes
are taken out of the tables first and put back (committed) only after the POSTs, so other callers
see the old values meanwhile, as with Odoo's open transaction. It only ever POSTs to loopback
hosts; any other URL is refused and logged.

`sim.webhook_log` keeps one entry per POST attempted or refused, in order:
`{"url", "body", "status"}` on an answer (any status), or `{"url", "body", "error"}` (refused,
timeout, connection error, rollback).
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TIMEOUT_S = 1.0
USER_AGENTS = {17: "python-requests/2.25.1", 19: "python-requests/2.31.0"}


@dataclass(frozen=True)
class Delivery:
    url: str
    body: str
    action_id: int


def pending_deliveries(scratch: dict[str, Any]) -> list[Delivery]:
    """The webhook POSTs queued by the current call (kept in its Env scratch space)."""
    queue: list[Delivery] = scratch.setdefault("webhook_deliveries", [])
    return queue


class WebhookSender:
    """Posts queued deliveries one after another and records each outcome in `log`."""

    def __init__(self, major: int) -> None:
        self.major = major
        self.user_agent = USER_AGENTS[19] if major >= 18 else USER_AGENTS[17]
        self.log: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._failures: list[str] = []

    @property
    def sends_on_rollback(self) -> bool:
        """17 and older POST inside the transaction; 18+ only after a commit."""
        return self.major <= 17

    @property
    def posts_before_commit(self) -> bool:
        """17 and older POST while the call's transaction is still open (see the module doc)."""
        return self.major <= 17

    def fail_after_webhooks(
        self, count: int = 1, message: str = "forced failure after the webhook action"
    ) -> None:
        """The next `count` calls that queue webhooks raise UserError(message) right after their
        webhook actions ran (like a later action of the same rule failing): the call rolls back."""
        with self._lock:
            self._failures.extend([message] * count)

    def take_failure(self) -> str | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def cancel(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            self._record({"url": delivery.url, "body": delivery.body, "error": "cancelled due to a rollback"})

    def send_all(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            self._record({"url": delivery.url, "body": delivery.body, **self._post(delivery)})

    def _record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.log.append(entry)

    def _post(self, delivery: Delivery) -> dict[str, Any]:
        parts = urlsplit(delivery.url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "http" or host not in LOOPBACK_HOSTS:
            return {"error": f"refused: the simulator only posts to loopback http URLs ({delivery.url})"}
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = delivery.body.encode()
        connection = http.client.HTTPConnection(host, parts.port or 80, timeout=TIMEOUT_S)
        try:
            connection.putrequest("POST", path, skip_accept_encoding=True)
            for name, value in (
                ("User-Agent", self.user_agent),
                ("Accept-Encoding", "gzip, deflate"),
                ("Accept", "*/*"),
                ("Connection", "keep-alive"),
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
            ):
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            response.read()
        except TimeoutError:
            return {"error": f"Webhook call timed out after {TIMEOUT_S:g}s"}
        except OSError as exc:
            return {"error": f"Webhook call failed: {exc}"}
        finally:
            connection.close()
        return {"status": response.status}

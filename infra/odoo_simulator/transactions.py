"""Long transactions under a test's control: changes invisible to every other caller until commit.

Real Odoo gives every record written in one transaction the transaction's start time as its
`write_date`, and other connections see nothing of it until it commits. A long import can
therefore commit *after* a later short write, with an *older* write_date. `OpenTransaction`
reproduces that deterministically:

    tx = sim.open_transaction()                 # write_date/create_date = sim.clock.now() now
    ids = tx.create("res.partner", [{"name": "A"}, {"name": "B"}])
    sim.clock.advance(5)
    ...short RPC writes commit meanwhile, with newer write_dates...
    tx.commit()                                 # A and B appear, with the older write_date
    # or tx.rollback(): they never existed (their ids are consumed, like PostgreSQL sequences)

A row the transaction wrote is replaced by the transaction's version on commit (last commit
wins per row; real PostgreSQL would have made the other writer wait). Webhooks of automation
rules fire as in Odoo: 17 POSTs at each operation, even if the transaction is later rolled back;
18+ POSTs at commit and cancels them on rollback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .models import Env
from .service import RpcCall, as_odoo_exception
from .store import Changes
from .webhooks import Delivery, pending_deliveries

if TYPE_CHECKING:
    from datetime import datetime

    from .service import OdooService


class TransactionClosedError(RuntimeError):
    """The transaction was already committed or rolled back."""


class OpenTransaction:
    """One uncommitted transaction; `execute` runs any public model method inside it."""

    def __init__(self, service: OdooService, uid: int, context: dict[str, Any] | None = None) -> None:
        self._service = service
        self.uid = uid
        self.context = dict(context or {})
        self.started_at: datetime = service.store.clock.now()
        self.state = "open"  # then "committed" or "rolled back"
        self._changes: Changes = {}
        self._held: list[Delivery] = []

    def execute(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """Like execute_kw (record methods take the ids first); answers what RPC would answer.
        An Odoo error is raised as the simulator's OdooException; the transaction stays open
        and keeps its earlier changes (a savepoint per operation)."""
        self._check_open()
        service, store = self._service, self._service.store
        call = RpcCall(model, method, list(args), dict(kwargs))
        with store.lock:
            env = Env(service.registry, store, self.uid, self.context, now=self.started_at)
            store.begin()
            store.attach(self._changes)
            try:
                value = service._rpc_call(env, call)
            except Exception as exc:
                store.rollback()
                raise as_odoo_exception(exc) from exc
            self._changes = store.detach()
        queued = list(pending_deliveries(env.scratch))
        if service.webhooks.sends_on_rollback:
            service.webhooks.send_all(queued)
        else:
            self._held.extend(queued)
        return value

    def create(self, model: str, vals: dict[str, Any] | list[dict[str, Any]]) -> Any:
        return self.execute(model, "create", vals)

    def write(self, model: str, ids: list[int], vals: dict[str, Any]) -> Any:
        return self.execute(model, "write", ids, vals)

    def unlink(self, model: str, ids: list[int]) -> Any:
        return self.execute(model, "unlink", ids)

    def commit(self) -> None:
        """Make every change visible at once (keeping the transaction's start as write_date)."""
        self._check_open()
        store = self._service.store
        with store.lock:
            store.begin()
            store.attach(self._changes)
            store.commit()
        self.state = "committed"
        self._service.webhooks.send_all(self._held)
        self._held = []

    def rollback(self) -> None:
        """Forget every change; 18+ logs the webhooks it held as cancelled."""
        self._check_open()
        self.state = "rolled back"
        self._changes = {}
        self._service.webhooks.cancel(self._held)
        self._held = []

    def _check_open(self) -> None:
        if self.state != "open":
            raise TransactionClosedError(f"the transaction is already {self.state}")

    def __enter__(self) -> OpenTransaction:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.state == "open":
            if exc_type is None:
                self.commit()
            else:
                self.rollback()

"""What both push engines are: plain records (`odoo_sync.sync.engine`) and sales orders with their
lines (`odoo_sync.sync.orders`) push one chunk of one entity into one Odoo, and answer it the same
way (a ChunkResult), so the push service runs either without knowing which.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime

from odoo_sync.core.ids import utc_now
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.model import LocalRecord, SyncOptions
from odoo_sync.sync.outcome_base import ChunkResult
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.push_plan import OpenConflicts


class ChunkPushEngine(ABC):
    """The Odoo a chunk goes to, the entity's plan, the connection whose links and external ids
    it follows, and the clock its outcomes are dated by."""

    def __init__(
        self,
        client: OdooClient,
        plan: SyncPlan,
        connection_id: str,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.client = client
        self.plan = plan
        self.model = plan.entity.odoo_model
        self.connection_id = connection_id
        self.clock = clock

    @abstractmethod
    def push(
        self,
        records: Sequence[LocalRecord],
        options: SyncOptions,
        *,
        open_conflicts: OpenConflicts | None = None,
    ) -> ChunkResult:
        """One chunk into Odoo: an outcome for every record that reached a final state, and the
        error that stopped the others (they are tried again with the chunk)."""

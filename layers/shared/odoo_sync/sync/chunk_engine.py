"""What both push engines hold: plain records (`odoo_sync.sync.engine`) and sales orders with their
lines (`odoo_sync.sync.orders`) each push one chunk of one entity into one Odoo, and answer it the
same way (a ChunkResult, see `odoo_sync.sync.outcome_base`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from odoo_sync.core.ids import utc_now
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.plan import SyncPlan


class ChunkPushEngine:
    """The Odoo a chunk goes to, the entity's plan (and so its Odoo model), the connection whose
    links it follows, and the clock its outcomes are dated by."""

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

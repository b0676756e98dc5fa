"""The extension point of the pull path for entities whose local shape is not one Odoo record
through field mappings: a pulled shape turns a page of Odoo ids into local records itself.

The generic path (`odoo_sync.sync.pull_mapping`) maps one Odoo row to one local record. A shape
may instead read several models (an invoice's order, a product's quants) and may link a local
record to another Odoo record than the one the page names (a stock record is linked to its
product.template while the page holds stock.quant ids): the page id's *subject*. Everything
after the shape (decisions, dedup, feed, records, logs, batch progress) is the generic path's.

`odoo_sync.core.finance_pull.pulled_shape` picks the shape of an entity (like
`odoo_sync.core.order_push.order_engine` picks the order engine for sale.order); None means
the generic mapper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from odoo_sync.odoo import OdooClient
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.model import LocalRecord
from odoo_sync.sync.pull_mapping import PulledRecord


@dataclass(frozen=True)
class ShapeContext:
    """What a shape may look at besides Odoo: the tenant's records of any entity."""

    client: OdooClient
    connection_id: str
    xmlid_module: str
    local_records: Callable[[str, Sequence[str]], list[LocalRecord]]  # (entity, local ids)
    now: str


@dataclass
class ShapedPage:
    """A page of Odoo ids as local records."""

    # Subject Odoo id -> the local values (PulledRecord.odoo_id is the subject).
    pulled: dict[int, PulledRecord] = field(default_factory=dict)
    # Page id -> the subject it updates; page ids Odoo no longer has are absent.
    subjects: dict[int, int] = field(default_factory=dict)
    # Subject -> local id where the shape knows it; the others are matched as usual (external
    # id, match key, `odoo-<id>`).
    owners: dict[int, str] = field(default_factory=dict)
    # Page id -> why it could not be applied (reported in the log as skipped, with the reason).
    unresolved: dict[int, tuple[str, str]] = field(default_factory=dict)  # (code, message)
    warnings: list[FieldIssue] = field(default_factory=list)


class PulledShape(Protocol):
    # Whether matched or created records get our external id on their subject in Odoo.
    saves_external_ids: bool

    def read_page(
        self, context: ShapeContext, odoo_ids: Sequence[int], refresh: Sequence[int] = ()
    ) -> ShapedPage:
        """The page's ids as local records; `refresh` names subjects to read again besides."""
        ...

    def stale_subjects(
        self, linked: Sequence[LocalRecord], connection_id: str, alive: set[int]
    ) -> list[int] | None:
        """For a full delta's id reconciliation: the subjects of linked records whose Odoo parts
        are gone (ids not in `alive`, the ids the entity's model still has), to be read again.
        None when the subject is the page's own record: gone means deleted, as usual."""
        ...

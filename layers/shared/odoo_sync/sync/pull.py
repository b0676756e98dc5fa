"""What applying one Odoo record to its local record means: pure decisions, no I/O.

Dedup by (id, write_date): Odoo's API shows write_date to the second, so a version is "already
applied" when its write_date is older than the one the link remembers, or the same second with
the same mapped values (two changes within one second differ in their values, so the second is
still applied). Duplicate and out-of-order notices, and the overlap of delta windows, therefore
change nothing.

A record is two-way when the tenant changed it since the last sync (its version is not the
link's synced_version); then `odoo_sync.sync.conflicts.reconcile` decides field by field, and
only its `to_local` fields are written here. Its `to_odoo` fields are left for the next push:
their snapshot keeps the old base and the link stays pending, so the push still sees the local
change. Held fields change on neither side. Records without a link (first import, or matched
by key) take Odoo's values: the import asked for them.

Created or updated, for the change feed (only when there is a change to report at all):
- CREATED when the record is new to the tenant's link with this connection: no link, or a link
  to another Odoo id. So a first import reports every record CREATED, whenever Odoo created it,
  and so does a record matched by key to a local record that had no link yet.
- CREATED too when Odoo created the record after the delta's cursor (`create_date` later than
  `PullOptions.created_after`) and no version of it was read from Odoo before (the link has no
  `odoo_write_date`): a record the tenant pushed, which Odoo then changed before the next delta,
  is new in Odoo since the last poll even though a local record (and its link) existed. Read
  back with nothing new for the local record, it is no change at all.
- UPDATED otherwise: a record already read from Odoo (by an import, a delta or a notice) is
  never CREATED twice, whatever its create_date.
- ARCHIVED when Odoo has it archived, DELETED when it is gone (`deleted`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from odoo_sync.sync.conflicts import FieldConflict, Reconciliation
from odoo_sync.sync.model import ChangeAction, LinkStatus, LocalRecord, OdooLink, PullOptions
from odoo_sync.sync.pull_mapping import PulledRecord

Skip = Literal["stale", "not_created", "not_updated"]


@dataclass
class PullApply:
    """The decision for one Odoo record."""

    odoo_id: int
    local_id: str
    create: bool = False  # a new local record
    data: dict[str, Any] | None = None  # the record's new data; None: the data stays as it is
    link: OdooLink | None = None  # the new link; None: nothing to store
    # The link's synced_version once written: True means "the version the data write produces".
    keep_synced_version: bool = False
    fields_changed: list[str] = field(default_factory=list)
    action: ChangeAction | None = None  # the change-feed entry, None when nothing changed
    skipped: Skip | None = None
    held: list[FieldConflict] = field(default_factory=list)
    to_odoo: list[str] = field(default_factory=list)  # Odoo fields the next push must send


def locally_changed(record: LocalRecord | None, connection_id: str) -> bool:
    """The tenant changed the record since it was last in step with Odoo."""
    if record is None:
        return False
    link = record.links.get(connection_id)
    return link is not None and link.synced_version is not None and link.synced_version != record.version


def same_value(current: Any, incoming: Any, *, decimal: bool = False) -> bool:
    """Equal; for a decimal field also the same number told another way ("12.5" or 12.5 stored
    before decimals came back as text, "12.50" now), so stored records keep what they have."""
    if current == incoming:
        return True
    if not decimal:
        return False
    if isinstance(incoming, list) and isinstance(current, list) and len(current) == len(incoming):
        return all(same_value(old, new, decimal=True) for old, new in zip(current, incoming, strict=True))
    if isinstance(incoming, dict) and isinstance(current, dict) and current.keys() == incoming.keys():
        return all(same_value(current[key], incoming[key], decimal=True) for key in incoming)
    old, new = _number(current), _number(incoming)
    return old is not None and old == new


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def already_applied(link: OdooLink | None, pulled: PulledRecord) -> bool:
    if link is None or link.odoo_id != pulled.odoo_id or link.odoo_write_date is None:
        return False
    if pulled.write_date is None:
        return False
    if pulled.write_date < link.odoo_write_date:
        return True
    if pulled.write_date > link.odoo_write_date:
        return False
    known = link.snapshot or {}
    same_values = all(known.get(name) == value for name, value in pulled.odoo_values.items())
    was_archived = link.status is LinkStatus.ARCHIVED
    return same_values and was_archived == (not pulled.active)


def decide(
    record: LocalRecord | None,
    local_id: str,
    pulled: PulledRecord,
    connection_id: str,
    options: PullOptions,
    *,
    now: str,
    reconciliation: Reconciliation | None = None,
) -> PullApply:
    decision = PullApply(odoo_id=pulled.odoo_id, local_id=local_id)
    previous = record.links.get(connection_id) if record is not None else None
    if record is None and not options.create_missing:
        decision.skipped = "not_created"
        return decision
    if record is not None and not options.update_existing:
        decision.skipped = "not_updated"
        return decision
    if already_applied(previous, pulled):
        decision.skipped = "stale"
        return decision
    incoming = _incoming_values(pulled, reconciliation)
    current = record.data if record is not None else {}
    changed = sorted(
        name
        for name, value in incoming.items()
        if name not in current or not same_value(current[name], value, decimal=name in pulled.decimals)
    )
    decision.create = record is None
    decision.fields_changed = changed
    if decision.create or changed:
        decision.data = {**current, **incoming}
    newly_linked = previous is None or previous.odoo_id != pulled.odoo_id
    # A pushed record read back with nothing new for the local data is no news.
    created = newly_linked or (bool(changed) and _created_since_cursor(previous, pulled, options))
    status_before = previous.status if previous is not None else None
    decision.link, decision.keep_synced_version = _link(previous, pulled, reconciliation, now)
    if reconciliation is not None:
        decision.held = list(reconciliation.held)
        decision.to_odoo = sorted(reconciliation.to_odoo)
    decision.action = _action(created, changed, pulled.active, status_before)
    return decision


def deleted(record: LocalRecord, connection_id: str, *, now: str) -> PullApply | None:
    """The Odoo record is gone: the link says so and the feed gets a DELETED change. The
    tenant's data is kept (a deletion in Odoo never erases the tenant's copy silently)."""
    link = record.links.get(connection_id)
    if link is None or link.odoo_id is None or link.status is LinkStatus.DELETED:
        return None
    return PullApply(
        odoo_id=link.odoo_id,
        local_id=record.local_id,
        link=link.model_copy(
            update={"status": LinkStatus.DELETED, "last_synced_at": now, "last_error": None}
        ),
        keep_synced_version=True,
        action=ChangeAction.DELETED,
    )


def _incoming_values(pulled: PulledRecord, reconciliation: Reconciliation | None) -> dict[str, Any]:
    if reconciliation is None:
        return dict(pulled.values)
    return {
        local: value
        for local, value in pulled.values.items()
        if pulled.sources.get(local) in reconciliation.to_local
        or pulled.sources.get(local) not in _decided(reconciliation)
    }


def _decided(reconciliation: Reconciliation) -> set[str]:
    """Odoo fields the merge looked at: anything else (a one-way from_odoo field) just flows in."""
    return {*reconciliation.to_local, *reconciliation.to_odoo, *reconciliation.snapshot} | {
        conflict.odoo_field for conflict in reconciliation.held
    }


def _link(
    previous: OdooLink | None, pulled: PulledRecord, reconciliation: Reconciliation | None, now: str
) -> tuple[OdooLink, bool]:
    base: dict[str, Any] = dict(previous.snapshot or {}) if previous is not None else {}
    pending = False
    if reconciliation is None:
        snapshot = {**base, **pulled.odoo_values}
    else:
        agreed = {
            name: value
            for name, value in reconciliation.snapshot.items()
            if name not in reconciliation.to_odoo
        }
        snapshot = {**base, **_not_decided(pulled.odoo_values, reconciliation), **agreed}
        pending = bool(reconciliation.to_odoo or reconciliation.held)
    status = (
        LinkStatus.ARCHIVED if not pulled.active else (LinkStatus.PENDING if pending else LinkStatus.SYNCED)
    )
    link = OdooLink(
        odoo_id=pulled.odoo_id,
        status=status,
        last_synced_at=now,
        last_error=None,
        synced_version=previous.synced_version if previous is not None else None,
        snapshot=snapshot,
        odoo_write_date=pulled.write_date,
    )
    # With local changes still to push, the link keeps its synced_version: the record stays
    # "changed since the last sync" until the push.
    return link, pending


def _not_decided(values: Mapping[str, Any], reconciliation: Reconciliation) -> dict[str, Any]:
    decided = _decided(reconciliation)
    return {name: value for name, value in values.items() if name not in decided}


def _created_since_cursor(previous: OdooLink | None, pulled: PulledRecord, options: PullOptions) -> bool:
    """Created in Odoo after the delta's cursor and never read from Odoo before."""
    if previous is None or previous.odoo_write_date is not None:
        return False
    created_at = _odoo_moment(pulled.create_date)
    cursor = _odoo_moment(options.created_after)
    return created_at is not None and cursor is not None and created_at > cursor


def _odoo_moment(value: str | None) -> datetime | None:
    """Odoo's naive UTC `YYYY-MM-DD HH:MM:SS[.ffffff]`; None when absent or not a datetime."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("T", " "))
    except ValueError:
        return None
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def _action(
    created: bool, changed: list[str], active: bool, status_before: LinkStatus | None
) -> ChangeAction | None:
    if not active:
        return ChangeAction.ARCHIVED if status_before is not LinkStatus.ARCHIVED or changed else None
    if created:
        return ChangeAction.CREATED
    if changed or status_before in (LinkStatus.ARCHIVED, LinkStatus.DELETED):
        return ChangeAction.UPDATED
    return None

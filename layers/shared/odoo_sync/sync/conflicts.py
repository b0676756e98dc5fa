"""Three-way merge of one record: the link's snapshot (base), the local values and Odoo's.

Everything is in Odoo-field space: the local values are the to_odoo mapper's output, Odoo's are
its read values normalised the way link snapshots are (`odoo_sync.sync.planner.read_value`).
Field by field, against the base:

    unchanged on both sides            nothing moves
    changed on one side only           that side's value flows to the other
    changed on both to the same value  settled, nothing moves
    changed on both to different ones  the field's ConflictRule decides:
        odoo / local                   that side is the system of record and wins
        newest_wins                    the side whose record changed last wins; a tie goes to
                                       Odoo (the ERP); an unknown time on either side holds the
                                       field, because nothing may be overwritten on a guess
        manual                         held until someone resolves it

Without a base (first sync, or a field mapped since) a field whose values differ counts as
changed on both sides. A side that does not carry a field (a one-way mapping) has no opinion on
it. A field with an open conflict is held whatever the values, until the conflict is resolved.
Held fields keep their old base in the new snapshot, so the next sync still sees both changes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from odoo_sync.sync.model import ConflictPolicy, ConflictRule
from odoo_sync.sync.planner import DigitsOf, FieldInfoOf, read_value, same_value


@dataclass(frozen=True)
class FieldConflict:
    odoo_field: str
    base: Any
    local: Any
    odoo: Any


@dataclass(frozen=True)
class Reconciliation:
    to_odoo: dict[str, Any]  # Odoo field -> value to write into Odoo
    to_local: dict[str, Any]  # Odoo field -> Odoo value to map back into the local record
    held: list[FieldConflict]  # manual conflicts: neither side changes until resolved
    snapshot: dict[str, Any]  # the new agreed base (fields held keep their old base)


@dataclass(frozen=True)
class FieldComparison:
    """How two values of one Odoo field compare, and the form a snapshot keeps them in.

    The default knows no field types (plain equality, values kept as given); `for_fields` uses
    the push planner's rules, so a reconciliation and a push agree on what "changed" means.
    """

    same: Callable[[str, Any, Any], bool] = field(default=lambda _name, a, b: bool(a == b))
    normal: Callable[[str, Any], Any] = field(default=lambda _name, value: value)

    @classmethod
    def for_fields(cls, info_of: FieldInfoOf, digits_of: DigitsOf) -> FieldComparison:
        def same(name: str, new: Any, current: Any) -> bool:
            return same_value(new, current, info_of(name), digits_of(name))

        def normal(name: str, value: Any) -> Any:
            info = info_of(name)
            return read_value(value, info.type if info is not None else None)

        return cls(same=same, normal=normal)


_PLAIN = FieldComparison()


def reconcile(
    base: Mapping[str, Any] | None,
    local: Mapping[str, Any],
    odoo: Mapping[str, Any],
    policy: ConflictPolicy,
    *,
    local_changed_at: datetime | None,
    odoo_changed_at: datetime | None,
    open_conflicts: Collection[str] = (),
    comparison: FieldComparison | None = None,
) -> Reconciliation:
    """What to write where so that local and Odoo agree again; see the module's table."""
    compare = comparison or _PLAIN
    merge = _Merge(base or {}, local, odoo, compare)
    names = sorted(set(local) | set(odoo))
    for name in names:
        if name in open_conflicts:
            merge.hold(name)
            continue
        local_changed, odoo_changed = merge.changed(name)
        if local_changed and odoo_changed and not compare.same(name, local[name], odoo[name]):
            winner = _winner(policy.rule_for(name), local_changed_at, odoo_changed_at)
            if winner is None:
                merge.hold(name)
            elif winner == "local":
                merge.take_local(name)
            else:
                merge.take_odoo(name)
        elif local_changed and not odoo_changed:
            merge.take_local(name)
        elif odoo_changed and not local_changed:
            merge.take_odoo(name)
        else:
            merge.agree(name)
    return Reconciliation(
        to_odoo=merge.to_odoo, to_local=merge.to_local, held=merge.held, snapshot=merge.snapshot
    )


def _winner(rule: ConflictRule, local_at: datetime | None, odoo_at: datetime | None) -> str | None:
    """'local', 'odoo', or None to hold the field."""
    if rule is ConflictRule.ODOO:
        return "odoo"
    if rule is ConflictRule.LOCAL:
        return "local"
    if rule is ConflictRule.NEWEST_WINS:
        if local_at is None or odoo_at is None:
            return None
        return "local" if local_at > odoo_at else "odoo"
    return None


@dataclass
class _Merge:
    base: Mapping[str, Any]
    local: Mapping[str, Any]
    odoo: Mapping[str, Any]
    compare: FieldComparison
    to_odoo: dict[str, Any] = field(default_factory=dict)
    to_local: dict[str, Any] = field(default_factory=dict)
    held: list[FieldConflict] = field(default_factory=list)
    snapshot: dict[str, Any] = field(default_factory=dict)

    def changed(self, name: str) -> tuple[bool, bool]:
        """Whether each side changed the field since the base (both, when there is no base)."""
        if name in self.base:
            reference = self.base[name]
            local_changed = name in self.local and not self.compare.same(name, self.local[name], reference)
            odoo_changed = name in self.odoo and not self.compare.same(name, self.odoo[name], reference)
            return local_changed, odoo_changed
        if name not in self.odoo:
            return True, False
        if name not in self.local:
            return False, True
        differ = not self.compare.same(name, self.local[name], self.odoo[name])
        return differ, differ

    def take_local(self, name: str) -> None:
        self.to_odoo[name] = self.local[name]
        self.snapshot[name] = self.compare.normal(name, self.local[name])

    def take_odoo(self, name: str) -> None:
        self.to_local[name] = self.odoo[name]
        self.snapshot[name] = self.compare.normal(name, self.odoo[name])

    def agree(self, name: str) -> None:
        value = self.odoo[name] if name in self.odoo else self.local[name]
        self.snapshot[name] = self.compare.normal(name, value)

    def hold(self, name: str) -> None:
        self.held.append(
            FieldConflict(
                odoo_field=name,
                base=self.base.get(name),
                local=self.local.get(name, self.base.get(name)),
                odoo=self.odoo.get(name, self.base.get(name)),
            )
        )
        if name in self.base:
            self.snapshot[name] = self.base[name]

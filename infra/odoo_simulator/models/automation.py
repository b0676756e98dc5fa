"""base.automation rules run by the ORM: which rules fire on create/write, and the webhook
payloads their `ir.actions.server` (state 'webhook') actions send.

The payloads are only queued here (in the call's `env.scratch`); the service sends them around
the commit, as each Odoo version does (see `odoo_simulator.webhooks`).

What is simulated, as captured from real Odoo 17 and 19:
- triggers `on_create_or_write`, `on_create`, `on_write`, `on_archive`, `on_unarchive`;
  `filter_pre_domain` (before a write) and `filter_domain` (after), literal domains only;
- without `trigger_field_ids` a create sends the payload 14 times (17) / 13 times (18+) and a
  write twice, whatever was written; with them, one payload per record, and a write sends only
  for records where one of those fields really changed;
- the payload: sorted keys `_action` "<action name>(#<id>)", `_id`, `_model`, then `id` and the
  `webhook_field_ids` read with load=None (many2one a bare id or false, x2many id lists,
  datetimes with microseconds);
- 19: an action whose payload has a group-restricted field carries a `warning`, and a rule that
  would run it makes the create or write fail (ServerActionWithWarningsError).
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ServerActionWithWarningsError
from ..fields import X2MANY
from ..webhooks import Delivery, pending_deliveries

if TYPE_CHECKING:
    from .base import BaseModel

CREATE_TRIGGERS = frozenset({"on_create_or_write", "on_create"})
WRITE_TRIGGERS = frozenset({"on_create_or_write", "on_write", "on_archive", "on_unarchive"})


@dataclass(frozen=True)
class Rule:
    id: int
    trigger: str
    trigger_fields: tuple[str, ...]
    filter_domain: Any
    filter_pre_domain: Any


@dataclass
class WriteSnapshot:
    """What `before_write` saw: old values of written trigger fields, pre-domain matches."""

    rules: list[Rule]
    old: dict[int, dict[str, Any]]
    pre: dict[int, set[int]]


def _rules(records: BaseModel, triggers: frozenset[str]) -> list[Rule]:
    env = records.env
    if "base.automation" not in env or not records.ids:
        return []
    store = env.store
    if not store.table("base.automation"):
        return []
    model_ids = [rid for rid, row in store.table("ir.model").items() if row.get("model") == records._name]
    field_names = store.table("ir.model.fields")
    found = []
    for rid, row in sorted(store.table("base.automation").items()):
        if (
            not row.get("active")
            or row.get("model_id") not in model_ids
            or row.get("trigger") not in triggers
        ):
            continue
        names = tuple(
            str(field_names[fid]["name"]) for fid in row.get("trigger_field_ids") or [] if fid in field_names
        )
        found.append(
            Rule(
                rid,
                str(row["trigger"]),
                names,
                _literal_domain(row.get("filter_domain")),
                _literal_domain(row.get("filter_pre_domain")),
            )
        )
    return found


def _literal_domain(text: Any) -> Any:
    """A stored domain string as data; Odoo evaluates it, the simulator accepts literals only."""
    if not text:
        return []
    try:
        return ast.literal_eval(str(text))
    except (ValueError, SyntaxError):
        return [(0, "=", 1)]  # not a literal: match nothing rather than evaluate code


def _matching(records: BaseModel, domain: Any) -> set[int]:
    if not domain:
        return set(records.ids)
    scoped = records.with_context(active_test=False)
    ids = set(records.ids)
    return {rid for rid in scoped._search_ids(domain) if rid in ids}


def after_create(records: BaseModel) -> None:
    rules = _rules(records, CREATE_TRIGGERS)
    for rule in rules:
        ids = [rid for rid in records.ids if rid in _matching(records, rule.filter_domain)]
        repeat = 1 if rule.trigger_fields else _create_repeats(records)
        _queue(records, rule, ids, repeat)


def _create_repeats(records: BaseModel) -> int:
    # Odoo re-runs the rule on every internal write of the create; counts measured on the wire.
    return 14 if records.env.personality.major <= 17 else 13


def before_write(records: BaseModel, vals: dict[str, Any]) -> WriteSnapshot | None:
    rules = _rules(records, WRITE_TRIGGERS)
    if not rules:
        return None
    watched = {name for rule in rules for name in rule.trigger_fields} | {"active"}
    names = [name for name in vals if name in watched and name in records._fields]
    old = {rid: {name: _comparable(records, rid, name) for name in names} for rid in records._existing()}
    pre = {rule.id: _matching(records, rule.filter_pre_domain) for rule in rules}
    return WriteSnapshot(rules, old, pre)


def after_write(records: BaseModel, snapshot: WriteSnapshot | None) -> None:
    if snapshot is None:
        return
    unique = list(dict.fromkeys(records.ids))
    for rule in snapshot.rules:
        post = _matching(records, rule.filter_domain)
        ids = [rid for rid in unique if rid in snapshot.pre[rule.id] and rid in post]
        ids = [rid for rid in ids if _fires(records, rule, rid, snapshot.old.get(rid, {}))]
        _queue(records, rule, ids, 1 if rule.trigger_fields else 2)


def _fires(records: BaseModel, rule: Rule, rid: int, old: dict[str, Any]) -> bool:
    if rule.trigger in ("on_archive", "on_unarchive"):
        wanted = rule.trigger == "on_unarchive"
        return (
            "active" in old and bool(old["active"]) != wanted and bool(records._raw(rid, "active")) == wanted
        )
    if not rule.trigger_fields:
        return True
    return any(name in old and old[name] != _comparable(records, rid, name) for name in rule.trigger_fields)


def _comparable(records: BaseModel, rid: int, name: str) -> Any:
    value = records._raw(rid, name)
    if records._fields[name].type in X2MANY:
        return frozenset(value or [])
    return None if value is False or value is None or value == "" else value


def _queue(records: BaseModel, rule: Rule, ids: list[int], repeat: int) -> None:
    if not ids:
        return
    queue = pending_deliveries(records.env.scratch)
    for action_id, action in _webhook_actions(records, rule.id):
        _refuse_if_warned(records, rule, action_id, action)
        for _ in range(repeat):
            for rid in ids:
                body = webhook_body(records, action_id, action, rid)
                queue.append(Delivery(str(action.get("webhook_url") or ""), body, action_id))


def _refuse_if_warned(records: BaseModel, rule: Rule, action_id: int, action: dict[str, Any]) -> None:
    """Odoo 19 will not run an action that carries a warning: the user's create or write that
    fired the rule fails, whoever made it (captured: every product save, on every transport)."""
    if not records.env["ir.actions.server"].warning_of(action_id):  # type: ignore[attr-defined]
        return
    error = ServerActionWithWarningsError(
        f"Server action {action.get('name')} has one or more warnings, address them first."
    )
    name = records.env.store.table("base.automation").get(rule.id, {}).get("name")
    error.context = {"exception_class": "base_automation", "base_automation": {"id": rule.id, "name": name}}
    raise error


def _webhook_actions(records: BaseModel, rule_id: int) -> list[tuple[int, dict[str, Any]]]:
    actions = [
        (aid, row)
        for aid, row in records.env.store.table("ir.actions.server").items()
        if row.get("base_automation_id") == rule_id and row.get("state") == "webhook"
    ]
    actions.sort(key=lambda item: (item[1].get("sequence") or 0, item[0]))
    return [(aid, row) for aid, row in actions if row.get("webhook_url")]


def webhook_body(records: BaseModel, action_id: int, action: dict[str, Any], rid: int) -> str:
    """The JSON text Odoo POSTs: json.dumps(vals, sort_keys=True, default=str)."""
    values: dict[str, Any] = {
        "_action": f"{action.get('name')}(#{action_id})",
        "_id": rid,
        "_model": records._name,
    }
    field_rows = records.env.store.table("ir.model.fields")
    names = [
        str(field_rows[fid]["name"]) for fid in action.get("webhook_field_ids") or [] if fid in field_rows
    ]
    if names:
        values["id"] = rid
        for name in names:
            if name in records._fields and name != "id":
                values[name] = _payload_value(records, rid, name)
    return json.dumps(values, sort_keys=True, default=str)


def _payload_value(records: BaseModel, rid: int, name: str) -> Any:
    fld = records._fields[name]
    if fld.type in ("datetime", "date"):
        raw = records._raw(rid, name)
        return raw if raw else False  # a datetime object: str() keeps its microseconds
    return records._read_value(rid, name, None)

"""Checking a connection's company and language before a sync relies on them.

Odoo 19 refuses every call whose context names a language that is not installed (UserError
"Invalid language code"); earlier versions silently fall back to English, so res.lang is asked
as well. A company the user does not belong to is refused by Odoo's company check on the first
call that carries it.
"""

from __future__ import annotations

from typing import Any, Literal

from odoo_sync.odoo import OdooClient, OdooError

ScopeProblem = tuple[Literal["access", "database"], str, str]  # category, message, Odoo's message


def scope_problem(client: OdooClient) -> ScopeProblem | None:
    """Why the connection's company or language cannot be used, or None when they can (or unset)."""
    context = client.settings.context or {}
    lang = context.get("lang")
    allowed = context.get("allowed_company_ids")
    if not lang and not allowed:
        return None
    try:
        [user] = client.execute("res.users", "read", [[client.uid]], {"fields": ["company_ids"]})
    except OdooError as exc:
        what = f"language {lang!r} or company {allowed[0] if allowed else '-'}"
        return ("access", f"Odoo refuses the connection's {what}: {exc.message}", exc.message)
    if isinstance(allowed, list) and allowed and allowed[0] not in (user.get("company_ids") or []):
        message = f"the Odoo user does not belong to company {allowed[0]}"
        return ("access", message, "")
    if isinstance(lang, str) and lang and not _installed(client, lang):
        return ("database", f"language {lang!r} is not installed in this Odoo", "")
    return None


def _installed(client: OdooClient, lang: str) -> bool:
    named: dict[str, Any] = {
        "domain": [["code", "=", lang]],
        "fields": ["code"],
        "context": {"lang": "en_US"},
    }
    try:
        rows = client.execute("res.lang", "search_read", (), named)
    except OdooError:
        return True  # res.lang not readable: Odoo 19's own check above is all there is
    return bool(rows)

"""Company scoping of the sales, invoicing and stock models, as Odoo's multi-company rules apply it.

Odoo narrows what every user (administrators included) sees to the companies in the context's
`allowed_company_ids`, refuses companies the user does not belong to, and gives new records the
first allowed company.
"""

from __future__ import annotations

from typing import Any

from ..errors import AccessError
from .base import BaseModel
from .env import SUPERUSER_ID
from .res import MAIN_COMPANY_ID, CompanyRuleMixin


def user_company_ids(model: BaseModel) -> list[int]:
    row = model.env.store.table("res.users").get(model.env.uid) or {}
    return list(row.get("company_ids") or [MAIN_COMPANY_ID])


class CompanyScopedMixin(CompanyRuleMixin):
    def _allowed_company_ids(self) -> list[int] | None:
        """The companies the context selects (checked against the user's), or None for no scoping."""
        allowed = self.env.context.get("allowed_company_ids")
        if not allowed:
            return None
        if isinstance(allowed, int) or not isinstance(allowed, (list, tuple)):
            allowed = [allowed]
        ids = [int(cid) for cid in allowed if isinstance(cid, int) and not isinstance(cid, bool)]
        if self.env.uid != SUPERUSER_ID and not set(ids) <= set(user_company_ids(self)):
            raise AccessError("Access to unauthorized or invalid companies.")
        return ids

    def _default_company_id(self) -> int:
        allowed = self._allowed_company_ids()
        if allowed:
            return allowed[0]
        row = self.env.store.table("res.users").get(self.env.uid) or {}
        return int(row.get("company_id") or MAIN_COMPANY_ID)

    def _company_allowed(self, rid: int) -> bool:
        allowed = self._allowed_company_ids()
        if allowed is None or "company_id" not in self._fields:
            return True
        company = self._raw(rid, "company_id")
        return not company or company in allowed

    def _rule_allows(self, rid: int) -> bool:
        return super()._rule_allows(rid) and self._company_allowed(rid)

    def _search_ids(
        self, domain: Any, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        allowed = self._allowed_company_ids()
        if allowed is not None and "company_id" in self._fields:
            domain = [("company_id", "in", [*allowed, False]), *(domain or [])]
        return super()._search_ids(domain, offset, limit, order)

    def _check_rules(self, ids: Any, operation: str) -> None:
        ids = list(ids)
        super()._check_rules(ids, operation)
        if self.env.is_privileged and not all(self._company_allowed(rid) for rid in ids):
            # Administrators too: a record of a company outside the context is refused.
            raise AccessError(
                "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
                f"Sorry, {self.env.user_name()} (id={self.env.uid}) doesn't have '{operation}' access to:\n"
                f"- {self._description} ({self._name})\n\n"
                "If you really, really need access, perhaps you can win over your friendly administrator "
                "with a batch of freshly baked cookies."
            )

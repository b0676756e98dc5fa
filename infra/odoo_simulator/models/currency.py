"""Currency rates (res.currency.rate) and the current `rate` Odoo computes on res.currency from them."""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import ValidationError
from ..fields import Field
from .base import BaseModel
from .res import WRITE_OPERATIONS, ResCurrency


class ResCurrencyRate(BaseModel):
    _name = "res.currency.rate"
    _description = "Currency Rate"
    _order = "name desc, id"
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_settings"
    _declared_fields = (
        Field("name", "date", "Date", required=True),
        Field("rate", "float", "Technical Rate", help="The rate of the currency to the currency of rate 1"),
        Field("company_rate", "float", "Unit per USD"),
        Field("currency_id", "many2one", "Currency", required=True, relation="res.currency"),
        Field("company_id", "many2one", "Company", relation="res.company"),
    )
    _computed_fields = frozenset({"company_rate"})
    _defaults: ClassVar[dict[str, Any]] = {
        "name": lambda model: model.env.now.strftime("%Y-%m-%d"),
        "rate": 1.0,
        "company_id": 1,
    }

    def _compute(self, rid: int, name: str) -> Any:
        if name == "company_rate":
            return float(self._raw(rid, "rate") or 1.0)
        return super()._compute(rid, name)

    def _check_constraints(self, names: set[str] | None) -> None:
        seen: set[tuple[Any, Any, Any]] = set()
        for row in self._table().values():
            key = (row.get("name"), row.get("currency_id"), row.get("company_id"))
            if key in seen:
                raise ValidationError(
                    "The operation cannot be completed: Only one currency rate per day allowed!"
                )
            seen.add(key)
            if float(row.get("rate") or 0.0) <= 0:
                raise ValidationError(
                    "The operation cannot be completed: The currency rate must be strictly positive."
                )


class ResCurrencyWithRates(ResCurrency):
    """res.currency's `rate`: the latest rate of the user's company (1.0 without any)."""

    _name = "res.currency"
    _computed_fields = ResCurrency._computed_fields | {"rate"}
    _inverse_fields: ClassVar[dict[str, str]] = {**ResCurrency._inverse_fields, "rate_ids": "currency_id"}
    _declared_fields = (
        *ResCurrency._declared_fields,
        Field("rate_ids", "one2many", "Rates", relation="res.currency.rate"),
    )

    def _compute(self, rid: int, name: str) -> Any:
        if name == "rate":
            rates = [
                row
                for row in self.env.store.table("res.currency.rate").values()
                if row.get("currency_id") == rid and row.get("company_id") in (1, False)
            ]
            latest = max(rates, key=lambda row: str(row.get("name") or ""), default=None)
            return float(latest.get("rate") or 1.0) if latest else 1.0
        return super()._compute(rid, name)

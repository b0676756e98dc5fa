"""Base models: partners, countries, currencies, companies, users, system parameters."""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import ValidationError
from ..fields import Field
from .base import BaseModel, Vals
from .decorators import model_method

ALL_OPERATIONS = frozenset({"read", "write", "create", "unlink"})
WRITE_OPERATIONS = frozenset({"write", "create", "unlink"})
MAIN_COMPANY_ID = 1


def _user_company_ids(model: BaseModel) -> set[int]:
    row = model.env.store.table("res.users").get(model.env.uid) or {}
    return set(row.get("company_ids") or [MAIN_COMPANY_ID])


class CompanyRuleMixin(BaseModel):
    """Odoo's multi-company record rule: a record of another company is hidden and unreadable."""

    def _rule_allows(self, rid: int) -> bool:
        company = self._raw(rid, "company_id") if "company_id" in self._fields else False
        return not company or company in _user_company_ids(self)


class ResPartner(CompanyRuleMixin):
    _name = "res.partner"
    _description = "Contact"
    _order = "complete_name ASC, id DESC"
    _inverse_fields: ClassVar[dict[str, str]] = {"child_ids": "parent_id"}
    _computed_fields = frozenset({"complete_name", "commercial_partner_id", "company_type", "country_code"})
    _defaults: ClassVar[dict[str, Any]] = {
        "type": "contact",
        "active": True,
        "lang": "en_US",
        "tz": lambda model: model.env.context.get("tz") or False,
        "is_company": False,
    }
    _copy_suffix = True

    @classmethod
    def _inverse_writable(cls) -> frozenset[str]:
        return frozenset({"company_type"})

    def _write_inverse(self, rid: int, vals: Vals) -> None:
        if "company_type" in vals:
            self.env.store.update(self._name, rid, {"is_company": vals["company_type"] == "company"})

    def _display_name(self, rid: int) -> str:
        row = self._table().get(rid) or {}
        name = row.get("name") or ""
        parent = row.get("parent_id")
        if parent and not row.get("is_company") and parent in self._table():
            parent_name = self._display_name(parent)
            return f"{parent_name}, {name}" if name else parent_name
        return str(name) if name else f"{self._name},{rid}" if not row else ""

    def _compute(self, rid: int, name: str) -> Any:
        row = self._table().get(rid) or {}
        if name == "complete_name":
            return self._display_name(rid)
        if name == "commercial_partner_id":
            current = rid
            while True:
                current_row = self._table().get(current) or {}
                parent = current_row.get("parent_id")
                if current_row.get("is_company") or not parent or parent not in self._table():
                    return current
                current = parent
        if name == "company_type":
            return "company" if row.get("is_company") else "person"
        if name == "country_code":
            country = self.env["res.country"]._table().get(row.get("country_id") or 0) or {}
            return country.get("code") or False
        return super()._compute(rid, name)

    def _check_constraints(self, names: set[str] | None) -> None:
        self._check_recursion(names, "You cannot create recursive Partner hierarchies.")


class ResPartnerCategory(BaseModel):
    _name = "res.partner.category"
    _description = "Partner Tags"
    _order = "name, id"
    _inverse_fields: ClassVar[dict[str, str]] = {"child_ids": "parent_id"}

    def _check_constraints(self, names: set[str] | None) -> None:
        self._check_recursion(names, "You can not create recursive tags.")


class ResCountry(BaseModel):
    _name = "res.country"
    _description = "Country"
    _order = "name, id"
    _inverse_fields: ClassVar[dict[str, str]] = {"state_ids": "country_id"}
    _restricted_operations = WRITE_OPERATIONS


class ResCountryState(BaseModel):
    _name = "res.country.state"
    _description = "Country state"
    _order = "country_id, name, id"
    _restricted_operations = WRITE_OPERATIONS

    def _display_name(self, rid: int) -> str:
        row = self._table().get(rid) or {}
        country = self.env["res.country"]._table().get(row.get("country_id") or 0) or {}
        return f"{row.get('name')} ({country.get('code')})" if country else str(row.get("name"))


class ResCurrency(BaseModel):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name, id"
    _restricted_operations = WRITE_OPERATIONS
    _defaults: ClassVar[dict[str, Any]] = {"rounding": 0.01, "position": "after", "active": True}


class ResCompany(BaseModel):
    _name = "res.company"
    _description = "Companies"
    _order = "sequence, name, id"
    _restricted_operations = WRITE_OPERATIONS
    _defaults: ClassVar[dict[str, Any]] = {"currency_id": 1, "sequence": 10, "active": True}

    def _prepare_create(self, vals: Vals) -> Vals:
        prepared = dict(vals)
        if not prepared.get("partner_id"):
            partner = self.env["res.partner"].create({"name": prepared.get("name") or "", "is_company": True})
            prepared["partner_id"] = partner.ids[0]
        return prepared


class ResUsers(CompanyRuleMixin):
    _name = "res.users"
    _description = "User"
    _order = "name, login, id"
    _rec_name = "name"
    _inherits: ClassVar[dict[str, str]] = {"res.partner": "partner_id"}
    _restricted_operations = WRITE_OPERATIONS
    _declared_fields = (
        Field("name", "char", "Name", required=True),
        Field("login", "char", "Login", required=True, help="Used to log into the system"),
        Field("partner_id", "many2one", "Related Partner", required=True, relation="res.partner"),
        Field("email", "char", "Email"),
        Field("lang", "selection", "Language", selection=(("en_US", "English (US)"),)),
        Field("tz", "char", "Timezone"),
        Field("active", "boolean", "Active"),
        Field("share", "boolean", "Share User", readonly=True),
        Field("company_id", "many2one", "Company", required=True, relation="res.company"),
        Field("company_ids", "many2many", "Companies", relation="res.company"),
        Field("login_date", "datetime", "Latest authentication", readonly=True),
    )
    _defaults: ClassVar[dict[str, Any]] = {"company_id": MAIN_COMPANY_ID, "company_ids": [(6, 0, [1])]}
    _no_copy = frozenset({"login"})

    @classmethod
    def _delegated_names(cls) -> frozenset[str]:
        return frozenset({"name", "email", "lang", "tz"})

    def _rule_allows(self, rid: int) -> bool:
        return True

    def _prepare_create(self, vals: Vals) -> Vals:
        prepared = dict(vals)
        prepared.pop("password", None)
        return prepared

    def _check_constraints(self, names: set[str] | None) -> None:
        if names is not None and "login" not in names:
            return
        logins: dict[str, int] = {}
        for rid, row in self._table().items():
            login = row.get("login")
            if login in logins and logins[login] != rid:
                raise ValidationError(
                    "The operation cannot be completed: You can not have two users with the same login!"
                )
            logins[str(login)] = rid

    def _copy_values(self, rid: int) -> Vals:
        vals = super()._copy_values(rid)
        vals["login"] = f"{self._raw(rid, 'login')} (copy)"
        return vals

    @model_method
    def context_get(self) -> dict[str, Any]:
        row = self.env.store.table("res.users").get(self.env.uid) or {}
        partner = self.env.store.table("res.partner").get(row.get("partner_id") or 0) or {}
        return {"lang": partner.get("lang") or "en_US", "tz": partner.get("tz") or False, "uid": self.env.uid}


class IrConfigParameter(BaseModel):
    _name = "ir.config_parameter"
    _description = "System Parameter"
    _order = "key, id"
    _rec_name = "key"
    _restricted_operations = ALL_OPERATIONS
    _granting_group = "group_settings"
    _declared_fields = (
        Field("key", "char", "Key", required=True),
        Field("value", "text", "Value", required=True),
    )

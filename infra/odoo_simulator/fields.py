"""Field definitions and Odoo's value conversions (write input -> stored, stored -> read output)."""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from .errors import value_error

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
RELATIONAL = frozenset({"many2one", "one2many", "many2many"})
X2MANY = frozenset({"one2many", "many2many"})
TEXTUAL = frozenset({"char", "text", "html", "selection", "binary", "reference"})


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    string: str
    required: bool = False
    readonly: bool = False
    relation: str | None = None
    selection: tuple[tuple[str, str], ...] | None = None
    inverse_name: str | None = None  # one2many: the many2one on the comodel
    computed: bool = False  # not stored; the model computes it on read/search
    help: str | None = None
    model: str = ""
    translate: bool = False  # values per language (context lang), falling back to en_US
    # Odoo's `groups=` ("base.group_user"): only members may read or write it, and (17/18) a
    # webhook may not send it or (19) a webhook action sending it gets a `warning`. Not shown by
    # fields_get, and not reflected into ir.model.fields.groups either (Odoo leaves that empty).
    groups: str | None = None

    def describe(self, attributes: list[str] | None) -> dict[str, Any]:
        """This field as fields_get answers it, limited to `attributes` when given."""
        full: dict[str, Any] = {
            "type": self.type,
            "string": self.string,
            "required": self.required,
            "readonly": self.readonly,
        }
        if self.relation:
            full["relation"] = self.relation
        if self.selection is not None:
            full["selection"] = [list(option) for option in self.selection]
        if self.help:
            full["help"] = self.help
        if self.translate:
            full["translate"] = True
        if self.type == "one2many" and self.inverse_name:
            full["relation_field"] = self.inverse_name
        full["name"] = self.name
        if not attributes:
            return full
        return {key: value for key, value in full.items() if key in attributes}

    def convert_to_cache(self, value: Any) -> Any:
        """What Odoo stores for a written value; raises Odoo's own errors for bad input."""
        if value is None:
            value = False
        converter = _CONVERTERS.get(self.type)
        return converter(self, value) if converter else value

    def convert_to_read_simple(self, value: Any) -> Any:
        """The JSON/XML-RPC value of a stored non-relational value."""
        if self.type == "datetime":
            return value.strftime(DATETIME_FORMAT) if isinstance(value, datetime) else False
        if self.type in TEXTUAL or self.type == "date":
            return value if value not in (None, "") else False
        if self.type == "integer":
            return int(value or 0)
        if self.type in ("float", "monetary"):
            return float(value or 0.0)
        if self.type == "boolean":
            return bool(value)
        return value if value is not None else False


def _to_text(fld: Field, value: Any) -> Any:
    if value is False:
        return False
    return value if isinstance(value, str) else str(value)


def _to_selection(fld: Field, value: Any) -> Any:
    if value is False:
        return False
    keys = {key for key, _label in fld.selection or ()}
    if fld.selection is not None and value not in keys:
        raise value_error(f"Wrong value for {fld.model}.{fld.name}: {value!r}")
    return value


def _to_integer(fld: Field, value: Any) -> int:
    return int(value or 0)


def _to_float(fld: Field, value: Any) -> float:
    return float(value or 0.0)


def _to_boolean(fld: Field, value: Any) -> bool:
    return bool(value)


def _to_date(fld: Field, value: Any) -> Any:
    if value is False:
        return False
    if isinstance(value, datetime):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return datetime.strptime(text[:10], DATE_FORMAT).strftime(DATE_FORMAT)


def _to_datetime(fld: Field, value: Any) -> Any:
    if value is False:
        return False
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    text = str(value)
    if len(text) == 10:
        return datetime.strptime(text, DATE_FORMAT)
    return datetime.strptime(text, DATETIME_FORMAT)


def _to_many2one(fld: Field, value: Any) -> Any:
    if value is False or value == 0:
        return False
    if isinstance(value, (list, tuple)) and value:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int):
        raise value_error(f"Wrong value for {fld.name}: {value!r}")
    return value


_CONVERTERS: dict[str, Any] = {
    "char": _to_text,
    "text": _to_text,
    "html": _to_text,
    "binary": _to_text,
    "reference": _to_text,
    "selection": _to_selection,
    "integer": _to_integer,
    "many2one_reference": _to_integer,
    "float": _to_float,
    "monetary": _to_float,
    "boolean": _to_boolean,
    "date": _to_date,
    "datetime": _to_datetime,
    "many2one": _to_many2one,
}


def strptime_errors(exc: ValueError) -> Exception:
    """Python's own strptime message is what Odoo shows (fault 1 / HTTP 500)."""
    return value_error(str(exc))


@cache
def _timezones() -> tuple[tuple[str, str], ...]:
    names = sorted(zoneinfo.available_timezones())
    return tuple((name, name) for name in names)


@cache
def captured_fields(data_version: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The compact fields_get data generated from captures of real Odoo (see data/build_fields.py)."""
    raw = resources.files("odoo_simulator.data").joinpath("fields.json").read_text(encoding="utf-8")
    loaded: dict[str, dict[str, dict[str, dict[str, Any]]]] = json.loads(raw)
    return loaded[data_version]


def field_from_capture(name: str, spec: dict[str, Any]) -> Field:
    selection = spec.get("selection")
    if selection == "__timezones__":
        options: tuple[tuple[str, str], ...] | None = _timezones()
    elif isinstance(selection, list):
        options = tuple((str(key), str(label)) for key, label in selection)
    else:
        options = None
    return Field(
        name=name,
        type=spec["type"],
        string=spec.get("string", name),
        required=bool(spec.get("required")),
        readonly=bool(spec.get("readonly")),
        relation=spec.get("relation"),
        selection=options,
    )


# Fields Odoo stores per language (translate=True in Odoo's own models).
TRANSLATED_FIELDS: dict[str, frozenset[str]] = {
    "product.template": frozenset({"name", "description", "description_sale", "description_purchase"}),
    "product.product": frozenset({"name", "description", "description_sale", "description_purchase"}),
}


# Fields Odoo declares with `groups=`, among those simulated here. standard_price is "Cost":
# `groups="base.group_user"` on product.template and product.product in 17 and 19 (Odoo's source;
# the captures v17/v19-webhook-restricted-fields). Other restricted fields of the models a sync
# touches (res.partner's credit/debit/total_invoiced from account, stock.quant's
# inventory_quantity_auto_apply and value) are not among the simulated fields.
GROUP_RESTRICTED_FIELDS: dict[str, dict[str, str]] = {
    "product.template": {"standard_price": "base.group_user"},
    "product.product": {"standard_price": "base.group_user"},
}


def with_changes(fld: Field, **changes: Any) -> Field:
    return replace(fld, **changes)


@dataclass
class FieldSet:
    """The fields of one model, by name, in declaration order."""

    model: str
    fields: dict[str, Field] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def __getitem__(self, name: str) -> Field:
        return self.fields[name]

    def stored(self) -> list[Field]:
        return [fld for fld in self.fields.values() if not fld.computed and fld.type != "one2many"]

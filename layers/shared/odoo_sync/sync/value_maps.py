"""Value maps: a tenant's own values translated to Odoo ids or selection keys, per direction.

One map per kind (and optional name), e.g. the tenant's category "Shoes" is Odoo's
product.category 12, tax "VAT21" is account.tax 3. An unmapped value is an error on that record
naming the value and the map, or an `AutoCreateNeeded` signal when the tenant enabled
auto-creation for the map.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from odoo_sync.sync.issues import InvalidValueError, IssueCode, describe_value
from odoo_sync.sync.lookups import AutoCreateNeeded, AutoCreateRequest

MapDirection = Literal["both", "to_odoo", "from_odoo"]
MAX_ENTRIES = 10_000


class ValueMapKind(StrEnum):
    CATEGORY = "category"
    TAX = "tax"
    UOM = "uom"
    COUNTRY = "country"
    PRICELIST = "pricelist"
    SELECTION = "selection"


DEFAULT_MODELS: dict[ValueMapKind, str | None] = {
    ValueMapKind.CATEGORY: "product.category",
    ValueMapKind.TAX: "account.tax",
    ValueMapKind.UOM: "uom.uom",
    ValueMapKind.COUNTRY: "res.country",
    ValueMapKind.PRICELIST: "product.pricelist",
    ValueMapKind.SELECTION: None,  # selection keys live on the field, not in a model
}


class ValueMapEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    local: str = Field(min_length=1, max_length=500)
    odoo: int | str
    direction: MapDirection = "both"

    @field_validator("local")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("local value is blank")
        return value


class ValueMap(BaseModel):
    """Entries are checked when saved: one Odoo value per local value and one local value per
    Odoo value (for the entries used in that direction), ids for model kinds, keys for selections."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ValueMapKind
    name: str = Field(default="default", pattern=r"^[a-z0-9_.\-]{1,64}$")
    odoo_model: str | None = None
    case_sensitive: bool = False
    auto_create: bool = False
    auto_create_field: str = "name"
    entries: list[ValueMapEntry] = Field(default_factory=list, max_length=MAX_ENTRIES)

    _to_odoo: dict[str, int | str] = PrivateAttr(default_factory=dict)
    _from_odoo: dict[int | str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.odoo_model is None and self.kind is not ValueMapKind.SELECTION:
            object.__setattr__(self, "odoo_model", DEFAULT_MODELS[self.kind])
        if self.kind is ValueMapKind.SELECTION and self.auto_create:
            raise ValueError("selection keys cannot be auto-created: they are defined by the Odoo field")
        problems: list[str] = []
        for entry in self.entries:
            problems.extend(self._entry_problems(entry))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _entry_problems(self, entry: ValueMapEntry) -> Iterable[str]:
        if self.kind is ValueMapKind.SELECTION:
            if not isinstance(entry.odoo, str) or not entry.odoo:
                yield f"{entry.local!r}: a selection map needs an Odoo key (text), not {entry.odoo!r}"
                return
        elif isinstance(entry.odoo, str) or entry.odoo <= 0:
            yield f"{entry.local!r}: a {self.kind.value} map needs a positive Odoo id, not {entry.odoo!r}"
            return
        if entry.direction != "from_odoo":
            key = self._key(entry.local)
            if key in self._to_odoo and self._to_odoo[key] != entry.odoo:
                yield f"local value {entry.local!r} is mapped twice"
            self._to_odoo[key] = entry.odoo
        if entry.direction != "to_odoo":
            if entry.odoo in self._from_odoo and self._key(self._from_odoo[entry.odoo]) != self._key(
                entry.local
            ):
                yield (
                    f"Odoo value {entry.odoo!r} maps back to both {self._from_odoo[entry.odoo]!r} and "
                    f"{entry.local!r}; mark one entry direction 'to_odoo'"
                )
            else:
                self._from_odoo[entry.odoo] = entry.local

    @property
    def key(self) -> str:
        return self.kind.value if self.name == "default" else f"{self.kind.value}:{self.name}"

    def _key(self, local: str) -> str:
        local = local.strip()
        return local if self.case_sensitive else local.casefold()

    def to_odoo(self, local: object) -> int | str:
        """The Odoo id or key for `local`; `InvalidValueError` or `AutoCreateNeeded` when unmapped."""
        if not isinstance(local, str | int) or isinstance(local, bool):
            raise InvalidValueError(
                IssueCode.WRONG_TYPE, f"value map {self.key!r} takes text or whole numbers", local
            )
        found = self._to_odoo.get(self._key(str(local)))
        if found is not None:
            return found
        if self.auto_create and self.odoo_model is not None:
            raise AutoCreateNeeded(
                AutoCreateRequest(
                    model=self.odoo_model,
                    match_field=self.auto_create_field,
                    value=str(local).strip(),
                    value_map=self.key,
                )
            )
        raise InvalidValueError(
            IssueCode.UNMAPPED_VALUE,
            f"{describe_value(local)} is not in value map {self.key!r}{self._known_hint(self._to_odoo)}",
            local,
        )

    def from_odoo(self, odoo_value: int | str) -> str:
        found = self._from_odoo.get(odoo_value)
        if found is not None:
            return found
        raise InvalidValueError(
            IssueCode.UNMAPPED_VALUE,
            f"Odoo value {describe_value(odoo_value)} has no local value in value map {self.key!r}",
            odoo_value,
        )

    def knows_local(self, local: str) -> bool:
        return self._key(local) in self._to_odoo

    def knows_odoo(self, odoo_value: int | str) -> bool:
        return odoo_value in self._from_odoo

    @staticmethod
    def _known_hint(known: Mapping[str, object]) -> str:
        if not known or len(known) > 20:
            return ""
        return " (mapped: " + ", ".join(sorted(known)) + ")"


class ValueMaps:
    """The tenant's value maps by key ("category", "selection:type", ...)."""

    def __init__(self, maps: Iterable[ValueMap] = ()) -> None:
        self._maps = {value_map.key: value_map for value_map in maps}

    def get(self, key: str) -> ValueMap | None:
        return self._maps.get(key)

    def require(self, key: str) -> ValueMap:
        found = self._maps.get(key)
        if found is None:
            raise InvalidValueError(
                IssueCode.CONFIGURATION, f"value map {key!r} is not defined for this tenant"
            )
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._maps

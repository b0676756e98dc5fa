"""Lookups that need Odoo, expressed as data so that the pure core never calls Odoo itself.

A transform that must find an Odoo record (a category by name, a country by ISO code, a record
by external id) asks a `Resolver`. The sync engine gathers every `LookupRequest` of a chunk
first (`TransformSpec.lookups`), answers them with one search_read per model and key, and hands
the answers in as a `StaticResolver`, so transforms stay pure and a chunk stays cheap.

Odoo's searches leave archived records out. A value found only among them (EUR on an Odoo whose
EUR is inactive) must say so, not "no such record": when some values of a (model, key) are not
found, one more search over just those values with `active_test` off tells which exist archived.
The common path, where everything is found, costs nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

LookupBy = Literal["name", "code", "external_id"]

# Models to which Odoo 17 and 19 give no `active` field (their fields_get): nothing of them is ever
# archived, so a value not found among them is not looked for again.
WITHOUT_ACTIVE = frozenset({"res.country", "res.country.state", "product.category", "ir.model.data"})
# Where a person switches an archived record of these models back on (Odoo 17 and 19 menus).
ACTIVATE_IN = {
    "res.currency": "Invoicing/Accounting > Configuration > Currencies",
    "product.pricelist": "Sales > Products > Pricelists",
    "uom.uom": "Sales or Inventory > Configuration > Units of Measure",
    "account.tax": "Invoicing/Accounting > Configuration > Taxes",
    "product.product": "Sales > Products > Product Variants",
    "product.template": "Sales > Products > Products",
    "res.partner": "Contacts",
    "res.partner.category": "Contacts > Configuration > Tags",
}


def may_be_archived(model: str, odoo_fields: Mapping[str, Mapping[str, object]]) -> bool:
    """Whether records of `model` can be archived: its fields when known, else all but a few."""
    known = odoo_fields.get(model)
    if known is not None:
        return "active" in known
    return model not in WITHOUT_ACTIVE


def archived_message(what: str, model: str, ids: Sequence[int]) -> str:
    """`what` ("res.currency with name = 'EUR'") exists only archived: say so, and how to fix it."""
    shown = ", ".join(str(odoo_id) for odoo_id in list(ids)[:10])
    where = ACTIVATE_IN.get(model, "its list view")
    return (
        f"{what} exists in Odoo but is archived (inactive, id {shown}): activate it in Odoo "
        f"({where}: filter on Archived, then Unarchive) or use another value"
    )


@dataclass(frozen=True)
class LookupRequest:
    """Find the ids of `model` records whose `match_field` equals `value`.

    `by="external_id"` means `value` is an xmlid "module.name" (ir.model.data); `scope` narrows
    the search, e.g. `(("country_code", "BE"),)` for a state code, which is unique per country only.
    """

    model: str
    by: LookupBy
    match_field: str
    value: str
    scope: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ReverseLookup:
    """Describe Odoo record `odoo_id` of `model` by its `match_field` (or external id)."""

    model: str
    by: LookupBy
    match_field: str
    odoo_id: int


class Resolver(Protocol):
    def resolve(self, request: LookupRequest) -> Sequence[int]:
        """Every matching id: none means not found, several means ambiguous."""
        ...

    def archived(self, request: LookupRequest) -> Sequence[int]:
        """The archived records that match, when no active one does (else empty)."""
        ...

    def describe(self, lookup: ReverseLookup) -> str | None:
        """The record's value for the lookup key, or None when unknown."""
        ...


class StaticResolver:
    """A `Resolver` answered from results fetched beforehand (or written by hand in tests)."""

    def __init__(self) -> None:
        self._ids: dict[LookupRequest, tuple[int, ...]] = {}
        self._archived: dict[LookupRequest, tuple[int, ...]] = {}
        self._descriptions: dict[ReverseLookup, str] = {}

    def add(self, request: LookupRequest, ids: Iterable[int]) -> None:
        self._ids[request] = tuple(ids)

    def add_archived(self, request: LookupRequest, ids: Iterable[int]) -> None:
        self._archived[request] = tuple(ids)

    def add_description(self, lookup: ReverseLookup, text: str) -> None:
        self._descriptions[lookup] = text

    def resolve(self, request: LookupRequest) -> Sequence[int]:
        return self._ids.get(request, ())

    def archived(self, request: LookupRequest) -> Sequence[int]:
        return () if self._ids.get(request) else self._archived.get(request, ())

    def describe(self, lookup: ReverseLookup) -> str | None:
        return self._descriptions.get(lookup)


class AutoCreateRequest(BaseModel):
    """The tenant allows creating the missing Odoo record: the engine creates it, then retries."""

    model_config = ConfigDict(frozen=True)

    model: str
    match_field: str
    value: str
    value_map: str | None = None  # the map to extend with the new id, when one was used


class AutoCreateNeeded(Exception):  # noqa: N818 - a signal to act on, not an error
    """Signal (not an error): the value is unknown in Odoo and may be created there."""

    def __init__(self, request: AutoCreateRequest) -> None:
        super().__init__(
            f"{request.model} with {request.match_field}={request.value!r} must be created first"
        )
        self.request = request

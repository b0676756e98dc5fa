"""Generic Odoo access for a tenant: models, fields, records, external ids and raw calls.

Everything here is one Odoo round trip or a small, fixed number of them; nothing is evaluated
from user input (domains arrive validated as data).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from odoo_sync.errors import ConflictError, InvalidInputError, NotFoundError, UnprocessableError
from odoo_sync.odoo import OdooClient
from odoo_sync.odoo.errors import OdooError

MODEL_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$|^[a-z][a-z0-9_]*$"
FIELD_PATTERN = r"^[a-z_][a-z0-9_]*$"
METHOD_PATTERN = r"^[a-z][a-z0-9_]*$"
# Odoo xmlids are "module.name": the module has no dot, the name has no space.
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9_\-]{1,128}\.[^\s]{1,256}$"
FIELD_ATTRIBUTES = ["string", "type", "required", "readonly", "relation", "selection", "help"]
FETCH_ALL_LIMIT = 5000
# The key of the body envelope `{"values": {...}}` that create and update both take.
UPDATE_ENVELOPE = "values"


class Page(BaseModel):
    items: list[dict[str, Any]]
    next: str | None = None


class ExternalId(BaseModel):
    external_id: str
    model: str
    res_id: int


class ExplorerService:
    def __init__(self, client: OdooClient) -> None:
        self._client = client

    def list_models(self, search: str | None, limit: int, offset: int) -> Page:
        domain: list[Any] = []
        if search:
            domain = ["|", ["model", "ilike", search], ["name", "ilike", search]]
        rows = self._client.search_read(
            "ir.model", domain, ["model", "name"], limit=limit + 1, offset=offset, order="model asc"
        )
        items = [{"model": row["model"], "name": row["name"]} for row in rows[:limit]]
        return Page(items=items, next=_next_offset(rows, limit, offset))

    def model_fields(self, model: str) -> Page:
        described = self._client.fields_get(model, attributes=FIELD_ATTRIBUTES)
        items = [{"name": name, **_field_description(spec)} for name, spec in sorted(described.items())]
        return Page(items=items)

    def search_records(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        *,
        limit: int,
        offset: int,
        order: str | None,
        fetch_all: bool,
    ) -> Page:
        if fetch_all:
            return Page(items=self._fetch_all(model, domain, fields))
        rows = self._client.search_read(model, domain, fields, limit=limit + 1, offset=offset, order=order)
        return Page(items=rows[:limit], next=_next_offset(rows, limit, offset))

    def read_record(self, model: str, record_id: int, fields: list[str]) -> dict[str, Any]:
        rows = self._client.read(model, [record_id], fields)
        if not rows:
            raise NotFoundError(f"{model} record", record_id, field="record_id")
        return rows[0]

    def create_record(self, model: str, values: dict[str, Any], external_id: str | None) -> dict[str, Any]:
        if external_id is not None:
            self._refuse_taken_external_id(external_id)
        [record_id] = self._client.create(model, [values])
        if external_id is None:
            return {"id": record_id, "external_id": None}
        try:
            self._create_external_id(external_id, model, record_id)
        except OdooError:
            # Without its external id the record would be an orphan the caller cannot find again.
            self._client.unlink(model, [record_id])
            raise
        return {"id": record_id, "external_id": external_id}

    def update_record(
        self, model: str, record_id: int, values: dict[str, Any], fields: list[str]
    ) -> dict[str, Any]:
        self._client.write(model, [record_id], values)
        return self.read_record(model, record_id, fields or sorted(values))

    def delete_record(self, model: str, record_id: int) -> None:
        self._client.unlink(model, [record_id])

    def resolve_external_id(self, external_id: str) -> ExternalId:
        found = self._find_external_id(external_id)
        if found is None:
            raise NotFoundError("external id", external_id, field="external_id")
        return found

    def set_external_id(self, model: str, record_id: int, external_id: str) -> tuple[ExternalId, bool]:
        """Give a record an external id; answers whether it was created (False: it already was)."""
        existing = self._find_external_id(external_id)
        if existing is not None:
            if (existing.model, existing.res_id) == (model, record_id):
                return existing, False
            raise ConflictError(
                f"{external_id} already points to {existing.model} {existing.res_id}", field="external_id"
            )
        self.read_record(model, record_id, ["id"])
        self._create_external_id(external_id, model, record_id)
        return ExternalId(external_id=external_id, model=model, res_id=record_id), True

    def raw_call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return self._client.execute(model, method, args, kwargs)

    def _fetch_all(self, model: str, domain: list[Any], fields: list[str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for row in self._client.iter_search_read(model, domain, fields, page_size=500):
            if len(items) == FETCH_ALL_LIMIT:
                raise InvalidInputError(
                    f"more than {FETCH_ALL_LIMIT} records match: narrow the domain or page with limit/offset",
                    field="all",
                )
            items.append(row)
        return items

    def _find_external_id(self, external_id: str) -> ExternalId | None:
        module, name = split_external_id(external_id)
        rows = self._client.search_read(
            "ir.model.data", [["module", "=", module], ["name", "=", name]], ["model", "res_id"], limit=1
        )
        if not rows:
            return None
        return ExternalId(external_id=external_id, model=rows[0]["model"], res_id=rows[0]["res_id"])

    def _refuse_taken_external_id(self, external_id: str) -> None:
        existing = self._find_external_id(external_id)
        if existing is not None:
            raise ConflictError(
                f"{external_id} already points to {existing.model} {existing.res_id}", field="external_id"
            )

    def _create_external_id(self, external_id: str, model: str, record_id: int) -> None:
        module, name = split_external_id(external_id)
        self._client.create(
            "ir.model.data", [{"module": module, "name": name, "model": model, "res_id": record_id}]
        )


def values_to_update(body: dict[str, Any]) -> dict[str, Any]:
    """The field values of an update body: the `{"values": {...}}` envelope, or bare fields.

    The body is the envelope exactly when its key `values` holds a JSON object; every other key
    beside it is then refused. Anything else is bare fields, as Odoo's `write` takes them. A model
    field literally called `values` (custom modules have them, even as Json fields) is written
    through the envelope: `{"values": {"values": ...}}`.
    """
    envelope = body.get(UPDATE_ENVELOPE)
    if not isinstance(envelope, dict):
        return body
    unknown = sorted(set(body) - {UPDATE_ENVELOPE})
    if unknown:
        raise UnprocessableError([(key, _unknown_envelope_key(key)) for key in unknown])
    return envelope


def _unknown_envelope_key(key: str) -> str:
    hint = " (an external id is given with PUT .../external-id)" if key == "external_id" else ""
    return (
        f"unknown key {key!r}: a body with `values` as an object takes only `values`; "
        f"put the fields to write inside it{hint}"
    )


def split_external_id(external_id: str) -> tuple[str, str]:
    if not re.fullmatch(EXTERNAL_ID_PATTERN, external_id):
        raise InvalidInputError("an external id is 'module.name' without spaces", field="external_id")
    module, _, name = external_id.partition(".")
    return module, name


def _next_offset(rows: list[dict[str, Any]], limit: int, offset: int) -> str | None:
    return str(offset + limit) if len(rows) > limit else None


def _field_description(spec: dict[str, Any]) -> dict[str, Any]:
    described = {attribute: spec.get(attribute) for attribute in FIELD_ATTRIBUTES if attribute in spec}
    described.setdefault("required", False)
    described.setdefault("readonly", False)
    return described

"""Plans, records and clients for pushing into the Odoo simulator."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient, OdooConnectionSettings, Protocol, RetryPolicy
from odoo_sync.sync.model import (
    EntityDefinition,
    FieldMapping,
    LinkStatus,
    LocalRecord,
    MappingType,
    MatchKey,
    OdooLink,
)
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.transform_core import OdooFieldInfo
from odoo_sync.sync.validation import CUSTOMER_RULES, PRODUCT_RULES, FieldRule, RecordRules
from odoo_sync.sync.value_maps import ValueMaps

CONNECTION = "con_0123456789abcdef"
MODULE = "odoo_sync_test"
ATTRIBUTES = ["string", "type", "required", "readonly", "relation", "selection"]


def open_client(sim: OdooSimulator, *, login: str = "admin", timeout_s: float = 30.0) -> OdooClient:
    key = sim.admin_api_key if login == "admin" else sim.demo_api_key
    settings = OdooConnectionSettings(
        base_url=sim.url,
        database=sim.database,
        login=login,
        secret=SecretStr(key),
        protocol=Protocol.JSON2,
        read_timeout_s=timeout_s,
        allow_private_network=True,
    )
    client = OdooClient(settings, retry=RetryPolicy(sleep=lambda _s: None, random=lambda: 0.0))
    client.authenticate()
    return client


def fields_of(client: OdooClient, *models: str) -> dict[str, dict[str, OdooFieldInfo]]:
    return {
        model: {
            name: OdooFieldInfo.from_fields_get(name, attrs)
            for name, attrs in client.fields_get(model, ATTRIBUTES).items()
        }
        for model in models
    }


def mapping(
    entity: str, odoo_model: str, local: str, odoo: str, transform: str | None = None, **params: Any
) -> FieldMapping:
    return FieldMapping(
        mapping_id=f"m.{entity}.{local}.{odoo}",
        entity=entity,
        local_field=local,
        odoo_field=odoo,
        odoo_model=odoo_model,
        mapping_type=MappingType.DIRECT if transform is None else MappingType.TRANSFORM,
        transform=transform,
        transform_params=params,
    )


def customer_plan(
    client: OdooClient, *, extra: tuple[FieldMapping, ...] = (), skipped: tuple[str, ...] = ()
) -> SyncPlan:
    entity = EntityDefinition(
        name="customer",
        odoo_model="res.partner",
        match_keys=[
            MatchKey(local_field="ref", odoo_field="ref", default_from_local_id=True),
            MatchKey(local_field="email", odoo_field="email"),
        ],
        fields=CUSTOMER_RULES.fields,
    )

    def m(local: str, odoo: str, transform: str | None = None, **params: Any) -> FieldMapping:
        return mapping("customer", "res.partner", local, odoo, transform, **params)

    mappings = (
        m("name", "name"),
        m("email", "email"),
        m("phone", "phone"),
        m("city", "city"),
        m("ref", "ref"),
        m("country", "country_id", "country"),
        m("state", "state_id", "state"),
        m("is_company", "is_company", "boolean"),
        *extra,
    )
    rules = RecordRules(fields=[*CUSTOMER_RULES.fields, FieldRule(field="lang", kind="any")])
    return SyncPlan(
        entity=entity,
        mappings=tuple(sorted(mappings, key=lambda x: x.priority)),
        value_maps=ValueMaps(),
        odoo_fields=fields_of(client, "res.partner"),
        rules=rules,
        skipped_fields=skipped,
        xmlid_module=MODULE,
    )


def product_plan(client: OdooClient) -> SyncPlan:
    entity = EntityDefinition(
        name="product",
        odoo_model="product.template",
        match_keys=[
            MatchKey(local_field="sku", odoo_field="default_code", default_from_local_id=True),
            MatchKey(local_field="ean", odoo_field="barcode"),
        ],
        fields=PRODUCT_RULES.fields,
        variant_model="product.product",
    )

    def m(local: str, odoo: str, transform: str | None = None, **params: Any) -> FieldMapping:
        return mapping("product", "product.template", local, odoo, transform, **params)

    mappings = (
        m("title", "name"),
        m("ean", "barcode"),
        m("sku", "default_code"),
        m("price", "list_price", "decimal", digits=2),
        m("weight", "weight", "unit", local_unit="g", odoo_unit="kg", digits=3),
        m("category", "categ_id", "many2one", model="product.category", by="name"),
    )
    return SyncPlan(
        entity=entity,
        mappings=mappings,
        value_maps=ValueMaps(),
        odoo_fields=fields_of(client, "product.template"),
        rules=PRODUCT_RULES,
        xmlid_module=MODULE,
    )


def prefix() -> str:
    return "t" + uuid.uuid4().hex[:8]


def record(
    entity: str, local_id: str, data: dict[str, Any], *, odoo_id: int | None = None, version: int = 1
) -> LocalRecord:
    links = {CONNECTION: OdooLink(odoo_id=odoo_id, status=LinkStatus.SYNCED)} if odoo_id is not None else {}
    return LocalRecord(
        entity=entity,
        local_id=local_id,
        data=data,
        version=version,
        updated_at="2026-01-01T00:00:00Z",
        links=links,
    )


def customers(tag: str, count: int, make: Callable[[int], dict[str, Any]] | None = None) -> list[LocalRecord]:
    build = make or (lambda i: {"name": f"{tag} customer {i}"})
    return [record("customer", f"{tag}-{i}", build(i)) for i in range(count)]


def relinked(records: list[LocalRecord], outcomes: list[Any]) -> list[LocalRecord]:
    """The records as the store would hold them after the outcomes' links were saved."""
    by_id = {outcome.local_id: outcome for outcome in outcomes}
    updated = []
    for rec in records:
        outcome = by_id.get(rec.local_id)
        if outcome is None or not outcome.success:
            updated.append(rec)
            continue
        link = OdooLink(odoo_id=outcome.odoo_id, status=LinkStatus.SYNCED, snapshot=outcome.snapshot)
        updated.append(rec.model_copy(update={"links": {CONNECTION: link}}))
    return updated


def partners_with_ref(sim: OdooSimulator, ref: str) -> list[dict[str, Any]]:
    return sim.records("res.partner", [["ref", "=", ref]], active_test=False)


def xmlids(sim: OdooSimulator, name: str) -> list[dict[str, Any]]:
    return sim.records("ir.model.data", [["module", "=", MODULE], ["name", "=", name]])


class HookedClient(OdooClient):
    """A client that runs a hook just before its next create or write (to arm a simulator knob)."""

    before_create: Callable[[], None] | None = None
    before_write: Callable[[], None] | None = None

    def create(self, model: str, vals_list: list[dict[str, Any]]) -> list[int]:
        hook, self.before_create = self.before_create, None
        if hook is not None and model != "ir.model.data":
            hook()
        else:
            self.before_create = hook
        return super().create(model, vals_list)

    def write(
        self, model: str, ids: list[int], vals: dict[str, Any], *, context: dict[str, Any] | None = None
    ) -> bool:
        hook, self.before_write = self.before_write, None
        if hook is not None:
            hook()
        return super().write(model, ids, vals, context=context)


def open_hooked(sim: OdooSimulator, *, timeout_s: float = 30.0) -> HookedClient:
    settings = OdooConnectionSettings(
        base_url=sim.url,
        database=sim.database,
        login="admin",
        secret=SecretStr(sim.admin_api_key),
        protocol=Protocol.JSON2,
        read_timeout_s=timeout_s,
        allow_private_network=True,
    )
    client = HookedClient(settings, retry=RetryPolicy(sleep=lambda _s: None, random=lambda: 0.0))
    client.authenticate()
    return client


def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Wait for something another thread does (a hung call finishing), checking as it goes."""
    deadline = time.monotonic() + timeout_s
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        pause.wait(0.02)

"""Translatable fields per language: a product's `name_fr` is product.template's name in fr_FR.

Pushed with one read and one write per language after the usual create/write (en_US stays as it
was); pulled with one read per language; unchanged values are not written again; a language
Odoo 19 has not installed fails the record with Odoo's message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.model import Direction, FieldMapping, LocalRecord, SyncAction, SyncOptions
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.pull_mapping import OdooRecordMapper
from odoo_sync.sync.transform_core import OdooFieldInfo
from odoo_sync.sync.translations import read_translations, translated_mappings
from tests.integration.push.builders import CONNECTION, open_client, prefix, product_plan, record, relinked

TEMPLATE = "product.template"


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=1, seed_products=1) as simulator:
        simulator.service.installed_langs.add("fr_FR")
        yield simulator


@pytest.fixture
def client(sim: OdooSimulator) -> Iterator[OdooClient]:
    with open_client(sim) as opened:
        yield opened


def _plan(client: OdooClient, *langs: tuple[str, str]) -> SyncPlan:
    plan = product_plan(client)
    described = client.fields_get(
        TEMPLATE, ["type", "relation", "selection", "required", "readonly", "translate"]
    )
    fields = {name: OdooFieldInfo.from_fields_get(name, attrs) for name, attrs in described.items()}
    per_lang = tuple(
        FieldMapping(
            mapping_id=f"m.product.{local}",
            entity="product",
            local_field=local,
            odoo_field="name",
            odoo_model=TEMPLATE,
            lang=lang,
        )
        for local, lang in langs
    )
    return SyncPlan(
        entity=plan.entity,
        mappings=(*plan.mappings, *per_lang),
        value_maps=plan.value_maps,
        odoo_fields={TEMPLATE: fields},
        rules=plan.rules,
        xmlid_module=plan.xmlid_module,
    )


def _name(sim: OdooSimulator, odoo_id: int, lang: str) -> object:
    with sim.store.lock:
        return sim.env(1, {"lang": lang})[TEMPLATE].browse([odoo_id]).read(["name"])[0]["name"]


def _products(tag: str) -> list[LocalRecord]:
    return [
        record(
            "product",
            f"{tag}-{i}",
            {"title": f"Chair {i}", "sku": f"{tag}-{i}", "name_fr": f"Chaise {i % 2}"},
        )
        for i in range(3)
    ]


def test_push_writes_the_french_name_once_per_distinct_value_and_leaves_english(
    sim: OdooSimulator, client: OdooClient
) -> None:
    records = _products(prefix())
    writes_before = sim.calls[(TEMPLATE, "write")]

    result = PushEngine(client, _plan(client, ("name_fr", "fr_FR")), CONNECTION).push(records, SyncOptions())

    assert result.error is None
    assert [o.action for o in result.outcomes] == [SyncAction.CREATED] * 3
    assert all("name_fr" in o.fields_synced for o in result.outcomes)
    ids = [o.odoo_id for o in result.outcomes]
    assert [_name(sim, i, "fr_FR") for i in ids if i] == ["Chaise 0", "Chaise 1", "Chaise 0"]
    assert [_name(sim, i, "en_US") for i in ids if i] == ["Chair 0", "Chair 1", "Chair 2"]
    assert sim.calls[(TEMPLATE, "write")] - writes_before == 2  # one per distinct French name


def test_an_unchanged_second_push_makes_no_write(sim: OdooSimulator, client: OdooClient) -> None:
    plan = _plan(client, ("name_fr", "fr_FR"))
    records = _products(prefix())
    first = PushEngine(client, plan, CONNECTION).push(records, SyncOptions())
    writes_before = sim.calls[(TEMPLATE, "write")]

    second = PushEngine(client, plan, CONNECTION).push(relinked(records, first.outcomes), SyncOptions())

    assert [o.action for o in second.outcomes] == [SyncAction.UNCHANGED] * 3
    assert sim.calls[(TEMPLATE, "write")] == writes_before


def test_a_language_odoo_has_not_installed_fails_the_records_with_odoos_message(client: OdooClient) -> None:
    plan = _plan(client, ("name_de", "de_DE"))
    records = [record("product", f"{prefix()}-de", {"title": "Table", "name_de": "Tisch"})]

    result = PushEngine(client, plan, CONNECTION).push(records, SyncOptions())

    [outcome] = result.outcomes
    assert outcome.action is SyncAction.ERROR
    assert outcome.error_message is not None
    assert "Invalid language code: de_DE" in outcome.error_message
    assert outcome.odoo_id is not None  # the product itself was created; its link is kept


def test_pull_reads_the_french_name_into_its_own_field(sim: OdooSimulator, client: OdooClient) -> None:
    plan = _plan(client, ("name_fr", "fr_FR"))
    records = _products(prefix())
    ids = [o.odoo_id for o in PushEngine(client, plan, CONNECTION).push(records, SyncOptions()).outcomes]

    mappings = translated_mappings(plan, Direction.FROM_ODOO)
    values = read_translations(client, TEMPLATE, mappings, [i for i in ids if i])

    assert [values[i]["name_fr"] for i in ids if i] == ["Chaise 0", "Chaise 1", "Chaise 0"]
    assert "name_fr" not in {inbound.mapping.local_field for inbound in OdooRecordMapper(plan).fields}

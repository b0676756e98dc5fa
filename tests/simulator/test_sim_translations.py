"""Translatable fields keep a value per language: a write in a language changes that language
only, a read in a language without a value falls back to en_US, fields_get says translate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from odoo_simulator import OdooSimulator

LANGS = ("fr_FR", "en_US", "de_DE")  # de_DE: no value stored, en_US is read


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", seed_partners=1, seed_products=1) as simulator:
        simulator.service.installed_langs.add("fr_FR")
        yield simulator


def _templates(sim: OdooSimulator, lang: str | None = None) -> Any:
    return sim.env(1, {"lang": lang} if lang else {})["product.template"]


def test_a_write_in_french_changes_french_only_and_other_languages_fall_back(sim: OdooSimulator) -> None:
    with sim.store.lock:
        [tid] = _templates(sim).create([{"name": "Chair"}]).ids
        _templates(sim, "fr_FR").browse([tid]).write({"name": "Chaise"})
        names = [_templates(sim, lang).browse([tid]).read(["name"])[0]["name"] for lang in LANGS]

    assert names == ["Chaise", "Chair", "Chair"]


def test_fields_get_marks_translatable_fields_only(sim: OdooSimulator) -> None:
    with sim.store.lock:
        described = _templates(sim).fields_get(None, ["translate"])

    assert described["name"] == {"translate": True}
    assert "translate" not in described["default_code"]

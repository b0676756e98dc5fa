"""Saving a mapping per language: the Odoo field must be translatable in the tenant's Odoo."""

from __future__ import annotations

from settings_api.handler import lambda_handler
from tests.integration.service.conftest import allow_loopback, linked, sim
from tests.support.api import call

__all__ = ["allow_loopback", "linked", "sim"]

MAPPINGS = "/v1/field-mappings"


def _post(link, **body):
    return call(lambda_handler, "POST", MAPPINGS, tenant_id=link.tenant_id, body=body)


def test_a_mapping_of_a_translatable_field_per_language_is_saved(linked):
    answer = _post(linked, entity="product", local_field="name_fr", odoo_field="name", lang="fr_FR")

    assert answer.status == 201, answer.body
    assert answer.body["lang"] == "fr_FR"


def test_a_mapping_per_language_of_a_field_odoo_does_not_translate_is_refused(linked):
    answer = _post(linked, entity="product", local_field="sku_fr", odoo_field="default_code", lang="fr_FR")

    assert answer.status == 422, answer.body
    assert answer.body["field"] == "odoo_field"
    assert "not translatable" in answer.body["message"]


def test_a_malformed_language_code_is_refused_with_the_field(linked):
    answer = _post(linked, entity="product", local_field="name_fr", odoo_field="name", lang="French")

    assert answer.status == 422, answer.body
    assert answer.body["field"] == "lang"


def test_a_mapping_per_language_takes_no_transform(linked):
    answer = _post(
        linked,
        entity="product",
        local_field="name_fr",
        odoo_field="name",
        lang="fr_FR",
        mapping_type="transform",
        transform="string",
    )

    assert answer.status == 422, answer.body
    assert answer.body["field"] == "lang"

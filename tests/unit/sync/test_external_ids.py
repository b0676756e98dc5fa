from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from odoo_sync.sync.external_ids import xmlid_module, xmlid_name
from odoo_sync.sync.model import LOCAL_ID_PATTERN

entities = st.from_regex(r"\A[a-z][a-z0-9_]{0,10}\Z")
local_ids = st.from_regex(LOCAL_ID_PATTERN.replace("^", r"\A").replace("$", r"\Z"))


def test_ids_that_escaping_used_to_confuse_get_different_names():
    assert xmlid_name("customer", "a:b") != xmlid_name("customer", "a_3a_b")
    assert xmlid_name("shop", "eu_1") != xmlid_name("shop_eu", "1")


@given(entities, local_ids, entities, local_ids)
def test_names_are_one_to_one_with_entity_and_local_id(entity_a, id_a, entity_b, id_b):
    if (entity_a, id_a) != (entity_b, id_b):
        assert xmlid_name(entity_a, id_a) != xmlid_name(entity_b, id_b)


@given(entities, local_ids)
def test_names_have_no_spaces_or_dots(entity, local_id):
    name = xmlid_name(entity, local_id)
    assert " " not in name
    assert "." not in name


def test_each_tenant_has_its_own_module():
    assert xmlid_module("ten_a") != xmlid_module("ten_b")
    assert xmlid_module("ten_a").startswith("odoo_sync_")

"""The audit trail's actor: its shape on the wire and who acts within a block."""

from __future__ import annotations

import typing

import pytest

from odoo_sync.actors import SYSTEM, Actor, ActorJson, ActorType, acting_as, current_actor


def test_an_actor_leaves_out_the_fields_that_do_not_apply():
    assert Actor.api_key("key_1", "ci").model_dump(mode="json") == {
        "type": "api_key",
        "key_id": "key_1",
        "key_name": "ci",
    }
    assert Actor.schedule("sch_1").model_dump_json() == '{"type":"schedule","schedule_id":"sch_1"}'
    assert SYSTEM.model_dump(mode="json") == {"type": "system"}


def test_an_actor_reads_back_what_it_wrote():
    actor = Actor(type=ActorType.API_KEY, key_id="key_1", key_name="ci", schedule_id="sch_1")

    assert Actor.model_validate_json(actor.model_dump_json()) == actor


def test_the_documented_types_are_the_actor_types():
    assert set(typing.get_args(typing.get_type_hints(ActorJson)["type"])) == {t.value for t in ActorType}


def test_work_is_the_systems_unless_someone_acts_and_the_previous_actor_comes_back():
    key = Actor.api_key("key_1", "ci")
    schedule = Actor.schedule("sch_1")

    assert current_actor() == SYSTEM
    with acting_as(key):
        assert current_actor() == key
        with acting_as(schedule):
            assert current_actor() == schedule
        assert current_actor() == key
    assert current_actor() == SYSTEM


def test_the_previous_actor_comes_back_after_an_error():
    with pytest.raises(RuntimeError), acting_as(Actor.api_key("key_1", "ci")):
        raise RuntimeError("the work failed")

    assert current_actor() == SYSTEM

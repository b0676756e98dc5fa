"""What a warm worker keeps between messages: plans, clients and entity lists, for max_age, until a
setting changes."""

from __future__ import annotations

import threading
import time
from typing import Any

from odoo_sync.core import warm_cache
from odoo_sync.core.warm_cache import CONNECTIONS, SETTINGS, CachedPlans, ReusedClients

CLIENT: Any = object()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Loader:
    """Counts the loads; each answers a new object, so a kept one is recognisable."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.loads = 0
        self.delay_s = delay_s

    def load(self, tenant_id: str, connection_id: str, entity: str, client: Any) -> Any:
        self.loads += 1
        time.sleep(self.delay_s)  # a slow read, so that concurrent callers overlap
        return object()

    def client(self, tenant_id: str, connection_id: str) -> Any:
        return self.load(tenant_id, connection_id, "", None)


def test_a_plan_is_read_once_within_max_age_and_again_after() -> None:
    loader, clock = Loader(), Clock()
    plans = CachedPlans(loader, max_age_s=30, clock=clock)

    first = plans.load("ten_a", "con_1", "customer", CLIENT)
    clock.now += 29
    again = plans.load("ten_a", "con_1", "customer", CLIENT)
    clock.now += 2
    later = plans.load("ten_a", "con_1", "customer", CLIENT)

    assert again is first
    assert later is not first
    assert loader.loads == 2


def test_a_settings_change_in_this_process_is_seen_at_once_and_only_by_its_tenant() -> None:
    loader = Loader()
    plans = CachedPlans(loader, max_age_s=30, clock=Clock())
    mine = plans.load("ten_changed", "con_1", "customer", CLIENT)
    theirs = plans.load("ten_other", "con_1", "customer", CLIENT)

    warm_cache.changed(SETTINGS, "ten_changed")

    assert plans.load("ten_changed", "con_1", "customer", CLIENT) is not mine
    assert plans.load("ten_other", "con_1", "customer", CLIENT) is theirs


def test_plans_are_kept_per_connection_and_entity() -> None:
    loader = Loader()
    plans = CachedPlans(loader, max_age_s=30, clock=Clock())

    plans.load("ten_a", "con_1", "customer", CLIENT)
    plans.load("ten_a", "con_2", "customer", CLIENT)
    plans.load("ten_a", "con_1", "product", CLIENT)

    assert loader.loads == 3


def test_a_client_is_reused_until_the_tenants_connections_change() -> None:
    source = Loader()
    clients = ReusedClients(source, max_age_s=30, clock=Clock())
    first = clients.client("ten_conn", "con_1")

    assert clients.client("ten_conn", "con_1") is first
    warm_cache.changed(CONNECTIONS, "ten_conn")
    assert clients.client("ten_conn", "con_1") is not first
    assert source.loads == 2


def test_lanes_starting_at_once_read_the_plan_once() -> None:
    loader = Loader(delay_s=0.2)
    plans = CachedPlans(loader, max_age_s=30)
    found: list[Any] = []

    def load() -> None:
        found.append(plans.load("ten_lanes", "con_1", "customer", CLIENT))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert loader.loads == 1
    assert len({id(plan) for plan in found}) == 1


class Entities:
    """A tenant's entity views as the catalog lists them; `views` can change between reads."""

    def __init__(self, *models: str) -> None:
        self.reads = 0
        self.views = [_view(model) for model in models]

    def entities(self, tenant_id: str) -> list[Any]:
        self.reads += 1
        return list(self.views)


def _view(model: str) -> Any:
    class Entity:
        name = model.replace(".", "_")
        odoo_model = model

    class View:
        entity = Entity

    return View


def test_the_entities_on_a_model_are_read_once_within_max_age_and_again_after() -> None:
    source, clock = Entities("res.partner", "product.template"), Clock()
    entities = warm_cache.CachedEntityLists(source, max_age_s=30, clock=clock)

    first = entities.entities_on("ten_a", "res.partner")
    clock.now += 29
    again = entities.entities_on("ten_a", "res.partner")
    clock.now += 2
    entities.entities_on("ten_a", "res.partner")

    assert [view.entity.odoo_model for view in first] == ["res.partner"]
    assert again == first
    assert source.reads == 2


def test_an_entity_added_elsewhere_on_a_new_model_is_found_at_once() -> None:
    source, clock = Entities("res.partner"), Clock()
    entities = warm_cache.CachedEntityLists(source, max_age_s=30, clock=clock)
    entities.entities_on("ten_a", "res.partner")

    source.views.append(_view("crm.lead"))  # created through another process
    found = entities.entities_on("ten_a", "crm.lead")

    assert [view.entity.odoo_model for view in found] == ["crm.lead"]


def test_a_model_no_entity_is_on_is_asked_again_at_most_once_per_max_age() -> None:
    source, clock = Entities("res.partner"), Clock()
    entities = warm_cache.CachedEntityLists(source, max_age_s=30, clock=clock)

    answers = [entities.entities_on("ten_a", "mail.message") for _ in range(5)]
    clock.now += 31
    entities.entities_on("ten_a", "mail.message")

    assert answers == [[]] * 5
    assert source.reads == 3  # the first read, one more for the miss, and one after max_age


def test_an_entity_removed_in_this_process_is_dropped_at_once() -> None:
    source = Entities("res.partner", "crm.lead")
    entities = warm_cache.CachedEntityLists(source, max_age_s=30, clock=Clock())
    entities.entities_on("ten_removing", "crm.lead")

    source.views = [view for view in source.views if view.entity.odoo_model != "crm.lead"]
    warm_cache.changed(SETTINGS, "ten_removing")

    assert entities.entities_on("ten_removing", "crm.lead") == []

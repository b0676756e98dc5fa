"""The schedule service on moto: next runs, the tick's exactly-once start, missed runs, failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from odoo_sync.core.schedules import ScheduleInput, TickStatus
from odoo_sync.errors import ConflictError, NotFoundError
from odoo_sync.odoo.errors import OdooError
from odoo_sync.sync.model import TriggeredBy
from tests.unit.schedules.conftest import CONNECTION, OTHER, TENANT, connection_gone, odoo_down


def at(*parts):
    return datetime(*parts).replace(tzinfo=UTC)


def test_a_new_schedule_runs_next_at_its_first_slot_in_its_zone(rig):
    rig.clock.now = at(2026, 1, 5, 10, 0, 30)

    utc = rig.create(cron_expression="0 9 * * *")
    tokyo = rig.create(cron_expression="0 9 * * *", timezone="Asia/Tokyo")

    assert utc.next_run_at == "2026-01-06T09:00:00Z"
    assert tokyo.next_run_at == "2026-01-06T00:00:00Z"
    assert utc.connection_id == CONNECTION  # the tenant's connection, as resolve_id named it


def test_the_tick_starts_a_due_run_as_a_batch_triggered_by_the_schedule(rig):
    schedule = rig.create(batch_size=50, filters={"has_odoo_id": False})
    rig.clock.now = at(2026, 1, 5, 10, 5, 10)

    report = rig.service.tick()

    [(tenant, request, triggered_by)] = rig.pushes.calls
    assert (tenant, request.entity, request.connection_id, request.batch_size) == (
        TENANT,
        "product",
        CONNECTION,
        50,
    )
    assert request.filters.has_odoo_id is False
    assert triggered_by is TriggeredBy.SCHEDULE
    assert [r.status for r in report.results] == [TickStatus.STARTED]
    stored = rig.service.get(TENANT, schedule.schedule_id)
    assert stored.next_run_at == "2026-01-05T10:10:00Z"
    assert stored.last_run_at == "2026-01-05T10:05:10Z"
    assert stored.last_batch_ids == ["bat_push000000000001"]
    assert stored.last_error is None


def test_a_schedule_not_yet_due_does_not_run(rig):
    rig.create()
    rig.clock.now = at(2026, 1, 5, 10, 4, 59)

    report = rig.service.tick()

    assert report.results == []
    assert rig.pushes.calls == []


def test_two_ticks_that_read_the_same_schedule_start_it_once(rig):
    schedule = rig.create()
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    seen = rig.store.get(TENANT, schedule.schedule_id)

    # Both ticks read next_run_at 10:05; the first one writes, then the second one tries.
    rig.service.tick()
    lost = rig.store.claim(TENANT, schedule.schedule_id, seen.next_run_at, "2026-01-05T10:10:00Z")

    assert lost is False
    assert len(rig.pushes.calls) == 1


def test_a_tick_working_from_a_stale_read_starts_nothing(rig, monkeypatch):
    schedule = rig.create()
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    stale = rig.store.get(TENANT, schedule.schedule_id)
    stale_due = list(rig.store.due("2026-01-05T10:05:01Z", 10))
    rig.service.tick()  # the first tick wins the slot
    # The second tick queried the index and read the schedule before the first one wrote.
    monkeypatch.setattr(rig.store, "due", lambda now, limit: iter(stale_due))
    monkeypatch.setattr(rig.store, "get", lambda tenant_id, schedule_id: stale)

    report = rig.service.tick()

    assert [r.status for r in report.results] == [TickStatus.SKIPPED]
    assert len(rig.pushes.calls) == 1


def test_missed_slots_run_once_and_the_next_run_is_after_now(rig):
    schedule = rig.create()  # every five minutes from 10:05
    rig.clock.now = at(2026, 1, 5, 13, 2)  # the tick was down for three hours

    rig.service.tick()
    rig.service.tick()

    assert len(rig.pushes.calls) == 1
    assert rig.service.get(TENANT, schedule.schedule_id).next_run_at == "2026-01-05T13:05:00Z"


def test_a_disabled_schedule_never_runs(rig):
    rig.create(is_enabled=False)
    disabled_later = rig.create()
    rig.service.toggle(TENANT, disabled_later.schedule_id, False)
    rig.clock.now = at(2026, 1, 6, 0, 0)

    report = rig.service.tick()

    assert report.results == []
    assert rig.pushes.calls == []
    assert rig.service.get(TENANT, disabled_later.schedule_id).next_run_at is None


def test_a_schedule_disabled_between_the_query_and_the_write_does_not_run(rig, monkeypatch):
    schedule = rig.create()
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    read = rig.store.get(TENANT, schedule.schedule_id)
    found = list(rig.store.due("2026-01-05T10:05:01Z", 10))
    rig.service.toggle(TENANT, schedule.schedule_id, False)
    monkeypatch.setattr(rig.store, "due", lambda now, limit: iter(found))
    monkeypatch.setattr(rig.store, "get", lambda tenant_id, schedule_id: read)

    rig.service.tick()

    assert rig.pushes.calls == []


def test_a_deleted_schedule_never_runs(rig):
    schedule = rig.create()
    rig.service.delete(TENANT, schedule.schedule_id)
    rig.clock.now = at(2026, 1, 6, 0, 0)

    assert rig.service.tick().results == []
    assert rig.pushes.calls == []
    with pytest.raises(NotFoundError):
        rig.service.get(TENANT, schedule.schedule_id)


def test_enabling_counts_the_next_run_from_now_not_from_the_missed_slots(rig):
    schedule = rig.create(is_enabled=False)
    rig.clock.now = at(2026, 1, 5, 17, 31)

    enabled = rig.service.toggle(TENANT, schedule.schedule_id)
    rig.service.tick()

    assert enabled.is_enabled is True
    assert enabled.next_run_at == "2026-01-05T17:35:00Z"
    assert rig.pushes.calls == []


def test_a_run_that_cannot_start_is_recorded_and_the_others_still_run(rig):
    failing = rig.create(entity="customer")
    fine = rig.create(tenant_id=OTHER)
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    rig.pushes.failure, rig.pushes.failing_tenant = connection_gone(), TENANT

    report = rig.service.tick()

    statuses = {r.schedule_id: r.status for r in report.results}
    assert statuses == {failing.schedule_id: TickStatus.FAILED, fine.schedule_id: TickStatus.STARTED}
    stored = rig.service.get(TENANT, failing.schedule_id)
    assert stored.last_error == "push: connection con_00000000000000aa was not found"
    assert stored.last_batch_ids == []
    assert stored.next_run_at == "2026-01-05T10:10:00Z"  # it tries again at its next slot


def test_an_unexpected_error_in_one_schedule_does_not_stop_the_tick(rig, monkeypatch):
    rig.create()
    rig.create(tenant_id=OTHER)
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    original = rig.store.claim

    def claim(tenant_id, *args):
        if tenant_id == TENANT:
            raise RuntimeError("boom")
        return original(tenant_id, *args)

    monkeypatch.setattr(rig.store, "claim", claim)

    report = rig.service.tick()

    assert sorted(r.status for r in report.results) == [TickStatus.FAILED, TickStatus.STARTED]
    assert len(rig.pushes.calls) == 1


def test_from_odoo_starts_a_pull_with_the_schedules_settings(rig):
    rig.create(sync_direction="from_odoo", sync_type="full", batch_size=80, entity="customer")
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)

    rig.service.tick()

    assert rig.pulls.calls == [
        {
            "tenant_id": TENANT,
            "connection_id": CONNECTION,
            "entity": "customer",
            "full": True,
            "batch_size": 80,
            "triggered_by": TriggeredBy.SCHEDULE,
        }
    ]
    assert rig.pushes.calls == []


def test_bidirectional_pulls_then_pushes_and_records_both_batches(rig):
    schedule = rig.create(sync_direction="bidirectional")
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)

    rig.service.tick()

    stored = rig.service.get(TENANT, schedule.schedule_id)
    assert stored.last_batch_ids == ["bat_pull000000000001", "bat_push000000000001"]
    assert rig.pulls.calls[0]["full"] is False


def test_bidirectional_with_odoo_down_still_pushes_and_says_what_failed(rig):
    schedule = rig.create(sync_direction="bidirectional")
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    rig.pulls.failure = odoo_down()

    report = rig.service.tick()

    assert [r.status for r in report.results] == [TickStatus.PARTLY_STARTED]
    stored = rig.service.get(TENANT, schedule.schedule_id)
    assert stored.last_batch_ids == ["bat_push000000000001"]
    assert stored.last_error == "pull: Odoo is unreachable"


def test_incremental_pushes_take_what_changed_since_the_last_push_started(rig):
    rig.create()
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    rig.service.tick()
    rig.clock.now = at(2026, 1, 5, 10, 10, 2)
    rig.service.tick()

    first, second = (request for _, request, _ in rig.pushes.calls)
    assert first.filters.modified_since is None  # the first run pushes everything
    assert second.filters.modified_since == at(2026, 1, 5, 10, 5, 1)


def test_full_pushes_take_everything_the_filters_select(rig):
    rig.create(sync_type="full")
    for minute in (5, 10):
        rig.clock.now = at(2026, 1, 5, 10, minute, 1)
        rig.service.tick()

    assert [request.filters.modified_since for _, request, _ in rig.pushes.calls] == [None, None]


def test_run_now_starts_a_run_and_keeps_the_next_slot(rig):
    schedule = rig.create()

    answer = rig.service.run_now(TENANT, schedule.schedule_id)

    stored = rig.service.get(TENANT, schedule.schedule_id)
    assert answer.batch_id == "bat_push000000000001"
    assert stored.last_batch_ids == [answer.batch_id]
    assert stored.next_run_at == schedule.next_run_at
    assert rig.pushes.calls[0][2] is TriggeredBy.SCHEDULE


def test_run_now_that_cannot_start_raises_and_is_recorded(rig):
    schedule = rig.create(sync_direction="from_odoo")
    rig.pulls.failure = odoo_down()

    with pytest.raises(OdooError):
        rig.service.run_now(TENANT, schedule.schedule_id)

    assert rig.service.get(TENANT, schedule.schedule_id).last_error == "pull: Odoo is unreachable"


def test_run_now_of_a_disabled_schedule_is_refused(rig):
    schedule = rig.create(is_enabled=False)

    with pytest.raises(ConflictError, match="disabled"):
        rig.service.run_now(TENANT, schedule.schedule_id)
    assert rig.pushes.calls == []


def test_replacing_recomputes_the_next_run_and_keeps_the_last_run(rig):
    schedule = rig.create()
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    rig.service.tick()
    rig.clock.now = at(2026, 1, 5, 10, 6)

    changed = rig.service.replace(
        TENANT,
        schedule.schedule_id,
        ScheduleInput(
            name="hourly",
            entity="product",
            cron_expression="0 * * * *",
            timezone="Asia/Kolkata",
            sync_direction="to_odoo",
        ),
    )

    stored = rig.service.get(TENANT, schedule.schedule_id)
    assert changed.next_run_at == "2026-01-05T10:30:00Z"  # :00 in India (+05:30)
    assert stored.name == "hourly"
    assert stored.last_batch_ids == ["bat_push000000000001"]


def test_a_concurrent_edit_is_refused_not_lost(rig):
    schedule = rig.create()
    stale = rig.store.get(TENANT, schedule.schedule_id)
    rig.service.toggle(TENANT, schedule.schedule_id, False)

    with pytest.raises(ConflictError):
        rig.store.update_definition(stale.model_copy(update={"name": "mine"}), stale.version)


def test_unknown_entity_and_connection_are_refused(rig):
    with pytest.raises(NotFoundError) as entity:
        rig.create(entity="shipment")
    with pytest.raises(NotFoundError) as connection:
        rig.create(connection_id="con_00000000000000bb")

    assert (entity.value.field, connection.value.field) == ("entity", "connection_id")


def test_other_tenants_schedules_are_not_found(rig):
    schedule = rig.create(tenant_id=OTHER)

    for action in (
        lambda: rig.service.get(TENANT, schedule.schedule_id),
        lambda: rig.service.toggle(TENANT, schedule.schedule_id),
        lambda: rig.service.run_now(TENANT, schedule.schedule_id),
        lambda: rig.service.delete(TENANT, schedule.schedule_id),
    ):
        with pytest.raises(NotFoundError):
            action()
    assert rig.service.list(TENANT, 50, None) == ([], None)
    assert rig.service.get(OTHER, schedule.schedule_id).is_enabled


def test_the_tick_finds_due_schedules_across_shards_and_bounds_its_work(rig):
    made = [rig.create(tenant_id=OTHER if n % 2 else TENANT) for n in range(12)]
    rig.clock.now = at(2026, 1, 5, 10, 5, 1)
    due = {d.schedule_id for d in rig.store.due("2026-01-05T10:05:01Z", 100)}
    bounded = list(rig.store.due("2026-01-05T10:05:01Z", 5))

    assert due == {s.schedule_id for s in made}
    assert len(bounded) == 5
    assert list(rig.store.due("2026-01-05T10:04:59Z", 100)) == []


def test_tick_uses_the_clock_when_no_moment_is_given(rig):
    rig.create()
    rig.clock.now = at(2026, 1, 5, 10, 5) + timedelta(seconds=30)

    assert rig.service.tick().now == "2026-01-05T10:05:30Z"

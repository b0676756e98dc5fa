"""Failures inside a chunk: rejected records, Odoo refusing some, Odoo failing, answers lost."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import (
    OdooOutcomeUnknownError,
    OdooRateLimitedError,
    OdooTransientError,
)
from odoo_sync.sync.engine import PushEngine
from odoo_sync.sync.external_ids import xmlid_name
from odoo_sync.sync.model import LocalRecord, SyncAction, SyncOptions
from odoo_sync.sync.plan import SyncPlan
from tests.integration.push.builders import (
    CONNECTION,
    HookedClient,
    customer_plan,
    customers,
    mapping,
    open_hooked,
    partners_with_ref,
    prefix,
    product_plan,
    record,
    relinked,
    wait_until,
    xmlids,
)

OPTIONS = SyncOptions()


@pytest.fixture
def hooked(sim: OdooSimulator) -> Iterator[HookedClient]:
    sim.knobs.reset()
    client = open_hooked(sim)
    with client:
        yield client
    sim.knobs.reset()


def one_each(sim: OdooSimulator, records: list[LocalRecord]) -> bool:
    return all(len(partners_with_ref(sim, r.local_id)) == 1 for r in records)


def eight_customers_the_sixth_in_a_language_odoo_refuses(
    client: HookedClient, tag: str
) -> tuple[SyncPlan, list[LocalRecord]]:
    """A create of all eight is refused for the one record; bisected, the others land."""
    plan = customer_plan(client, extra=(mapping("customer", "res.partner", "lang", "lang"),))
    records = customers(tag, 8, lambda i: {"name": f"N{i}", "lang": "xx_XX" if i == 5 else "en_US"})
    return plan, records


def test_a_rejected_record_lists_every_reason_and_the_others_still_land(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    bad = record("customer", f"{tag}-bad", {"email": "not-an-email", "phone": "12", "country": "ZZ"})
    good = record("customer", f"{tag}-good", {"name": "Fine"})

    result = PushEngine(hooked, customer_plan(hooked), CONNECTION).push([bad, good], OPTIONS)

    rejected, created = result.outcomes
    assert created.action is SyncAction.CREATED
    assert rejected.action is SyncAction.ERROR
    codes = {(issue["field"], issue["code"]) for issue in rejected.error_details["issues"]}  # type: ignore[index]
    assert codes == {
        ("name", "required"),
        ("email", "invalid_email"),
        ("phone", "invalid_phone"),
        ("country", "invalid_country"),
    }
    assert all(issue["message"] for issue in rejected.error_details["issues"])  # type: ignore[index]
    assert partners_with_ref(sim, f"{tag}-bad") == []


def test_a_value_odoo_does_not_have_is_an_error_naming_it(sim: OdooSimulator, hooked: HookedClient) -> None:
    tag = prefix()
    product = record("product", f"{tag}-1", {"title": "Chair", "category": "No Such Category"})

    outcome = PushEngine(hooked, product_plan(hooked), CONNECTION).push([product], OPTIONS).outcomes[0]

    assert outcome.action is SyncAction.ERROR
    [issue] = outcome.issues
    assert (issue.field, issue.code, issue.value) == ("category", "not_found_in_odoo", "No Such Category")


def test_a_create_odoo_refuses_is_bisected_so_only_the_bad_record_fails(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    plan, records = eight_customers_the_sixth_in_a_language_odoo_refuses(hooked, tag)
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(records, OPTIONS)

    actions = {o.local_id: o.action for o in result.outcomes}
    assert actions.pop(f"{tag}-5") is SyncAction.ERROR
    assert set(actions.values()) == {SyncAction.CREATED}
    failed = result.outcomes[5]
    assert failed.error_details is not None
    assert failed.error_details["field"] == "lang"
    assert failed.error_details["value"] == "xx_XX"
    assert "Wrong value" in (failed.error_message or "")
    assert sim.calls[("res.partner", "create")] == 7  # 8 -> 4+4 -> 2+2 -> 1+1, then the other pair
    assert one_each(sim, [r for r in records if r.local_id != f"{tag}-5"])


def test_a_grouped_write_odoo_refuses_is_bisected(sim: OdooSimulator, hooked: HookedClient) -> None:
    tag = prefix()
    plan = product_plan(hooked)
    products = [record("product", f"{tag}-{i}", {"title": f"Desk {i}"}) for i in range(4)]
    linked = relinked(products, PushEngine(hooked, plan, CONNECTION).push(products, OPTIONS).outcomes)
    same_barcode = [r.model_copy(update={"data": {**r.data, "ean": "4006381333931"}}) for r in linked]

    result = PushEngine(hooked, plan, CONNECTION).push(same_barcode, OPTIONS)

    assert [o.action for o in result.outcomes] == [SyncAction.UPDATED] + [SyncAction.ERROR] * 3
    details = result.outcomes[1].error_details
    assert details is not None
    assert (details["field"], details["value"], details["category"]) == (
        "barcode",
        "4006381333931",
        "constraint",
    )
    assert result.outcomes[1].odoo_id == linked[1].links[CONNECTION].odoo_id


def test_a_transient_failure_on_create_is_raised_and_a_redelivery_creates_once(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    records = customers(prefix(), 10)
    plan = customer_plan(hooked)
    hooked.before_create = lambda: sim.knobs.fail_next(1)

    first = PushEngine(hooked, plan, CONNECTION).push(records, OPTIONS)

    assert isinstance(first.error, OdooTransientError)
    assert first.outcomes == []
    again = PushEngine(hooked, plan, CONNECTION).push(records, OPTIONS)
    assert again.error is None
    assert {o.action for o in again.outcomes} == {SyncAction.CREATED}
    assert one_each(sim, records)


def test_a_create_that_fails_half_way_still_saves_our_external_ids_of_what_it_created(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    tag = prefix()
    plan, records = eight_customers_the_sixth_in_a_language_odoo_refuses(hooked, tag)
    creates = 0

    def odoo_goes_away_on_the_third_create() -> None:
        nonlocal creates
        creates += 1
        if creates == 3:
            sim.knobs.fail_next(1)
        else:
            hooked.before_create = odoo_goes_away_on_the_third_create

    hooked.before_create = odoo_goes_away_on_the_third_create

    # 8 refused (one bad language) -> the first 4 created -> Odoo fails on the other 4.
    result = PushEngine(hooked, plan, CONNECTION).push(records, OPTIONS)

    assert isinstance(result.error, OdooTransientError)
    assert {o.local_id for o in result.outcomes} == {f"{tag}-{i}" for i in range(4)}
    for created in records[:4]:
        [partner] = partners_with_ref(sim, created.local_id)
        [xmlid] = xmlids(sim, xmlid_name("customer", created.local_id))
        assert xmlid["res_id"] == partner["id"]  # a redelivery finds it even if no link was saved
    assert all(partners_with_ref(sim, r.local_id) == [] for r in records[4:])


def test_a_rate_limited_create_is_raised_and_retried_later(sim: OdooSimulator, hooked: HookedClient) -> None:
    records = customers(prefix(), 5)
    plan = customer_plan(hooked)
    hooked.before_create = lambda: sim.knobs.rate_limit(1, retry_after_s=0)

    first = PushEngine(hooked, plan, CONNECTION).push(records, OPTIONS)

    assert isinstance(first.error, OdooRateLimitedError)
    PushEngine(hooked, plan, CONNECTION).push(records, OPTIONS)
    assert one_each(sim, records)


def test_a_create_whose_answer_is_lost_after_commit_is_reconciled_at_once(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    records = customers(prefix(), 20)
    plan = customer_plan(hooked)
    hooked.before_create = lambda: sim.knobs.drop_after_commit(1)
    sim.reset_calls()

    result = PushEngine(hooked, plan, CONNECTION).push(records, OPTIONS)

    assert result.error is None
    assert {o.action for o in result.outcomes} == {SyncAction.CREATED}
    assert one_each(sim, records)
    assert [o.odoo_id for o in result.outcomes] == [
        partners_with_ref(sim, r.local_id)[0]["id"] for r in records
    ]
    assert sim.calls == Counter(
        {
            ("ir.model.data", "search_read"): 1,
            ("res.partner", "search_read"): 2,  # the match, then the reconciliation
            ("res.partner", "create"): 1,
            ("ir.model.data", "create"): 1,
        }
    )
    assert xmlids(sim, xmlid_name("customer", records[0].local_id))


def test_a_create_still_running_when_its_answer_is_lost_is_not_created_twice(sim: OdooSimulator) -> None:
    records = customers(prefix(), 5)
    slow = open_hooked(sim, timeout_s=0.3)
    with slow:
        plan = customer_plan(slow)
        slow.before_create = lambda: sim.knobs.hang(1, 0.8)

        first = PushEngine(slow, plan, CONNECTION).push(records, OPTIONS)

        # Odoo runs the create after our timeout: nothing to find yet, so nothing is created again.
        assert isinstance(first.error, OdooOutcomeUnknownError)
        assert first.outcomes == []
        wait_until(lambda: one_each(sim, records))
        again = PushEngine(slow, plan, CONNECTION).push(records, OPTIONS)
    assert again.error is None
    assert {o.action for o in again.outcomes} == {SyncAction.UNCHANGED}
    assert one_each(sim, records)
    assert xmlids(sim, xmlid_name("customer", records[0].local_id))


def test_random_failures_and_redeliveries_leave_exactly_one_odoo_record_each(
    sim: OdooSimulator, hooked: HookedClient
) -> None:
    records = customers(prefix(), 40)
    plan = customer_plan(hooked)
    sim.knobs.error_rate = 0.3
    current = records
    for _attempt in range(40):
        result = PushEngine(hooked, plan, CONNECTION).push(current, OPTIONS)
        current = relinked(current, result.outcomes)
        if result.error is None:
            break
    sim.knobs.error_rate = 0.0
    assert result.error is None
    assert all(o.success for o in result.outcomes)
    assert one_each(sim, records)

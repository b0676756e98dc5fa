"""What makes the console usable by everyone: empty states that say what to do, keyboard use,
a phone-sized screen, errors where they belong, live pages, and the pages not covered elsewhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.console.harness import PHONE, ConsoleSite, sign_in

PAGES = [
    "",
    "connections",
    "explorer",
    "mappings",
    "records",
    "batches",
    "history",
    "schedules",
    "conflicts",
    "realtime",
    "keys",
]


def goto(page: Any, site: ConsoleSite, route: str) -> None:
    page.goto(f"{site.url}#/{route}")
    expect(page.locator("#page-title")).to_be_visible()


@pytest.fixture(scope="module")
def newcomer(site: ConsoleSite) -> dict[str, Any]:
    """A tenant with nothing yet: no connection, no record, no batch."""
    return site.new_tenant("Empty tenant")


EMPTY_PAGES = [
    ("connections", "No connection yet", "Add your first connection"),
    ("records/customer", "No customer records yet", "Add a record"),
    ("batches", "No batches yet", "Go to Records"),
    ("conflicts", "No open conflicts", None),
    ("schedules", "No schedule yet", "Add a schedule"),
    ("explorer", "No connection to explore", "Add a connection"),
]


def test_empty_pages_say_what_to_do_next(page, site, newcomer):
    sign_in(page, site, newcomer["api_key"])

    for route, title, next_step in EMPTY_PAGES:
        goto(page, site, route)
        empty = page.locator(".empty")
        expect(empty).to_contain_text(title)
        if next_step:
            action = empty.get_by_role("link", name=next_step).or_(
                empty.get_by_role("button", name=next_step)
            )
            expect(action).to_be_visible()


def test_the_overview_guides_a_newcomer_step_by_step(page, site, newcomer):
    sign_in(page, site, newcomer["api_key"])

    steps = page.get_by_role("region", name="Getting started")
    expect(steps.get_by_role("listitem")).to_have_count(5)
    expect(steps.get_by_role("link", name="Connect your Odoo and test it")).to_have_attribute(
        "href", "#/connections"
    )
    expect(steps).to_contain_text("(to do)")


def test_keyboard_alone_reaches_the_content_and_the_pages(page, site):
    sign_in(page, site)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    records = page.get_by_role("link", name="Records")
    records.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Records", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Records")).to_have_attribute("aria-current", "page")


def test_the_field_picker_works_from_the_keyboard(page, site):
    sign_in(page, site)
    goto(page, site, "mappings/product")
    page.get_by_role("button", name="Add a mapping").click()
    form = page.get_by_role("form", name="Mapping")

    form.get_by_label("Your field").fill("weight_kg")
    search = form.get_by_label("Odoo field: search")
    search.fill("weight")
    listbox = form.get_by_role("listbox", name="Odoo field")
    expect(listbox.get_by_role("option")).to_have_count(1)  # the model's fields are in
    search.press("ArrowDown")
    expect(listbox).to_be_focused()

    expect(form).to_contain_text("Chosen: weight")


def test_every_page_fits_a_phone(browser, site, errors):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors.watch(page)
    try:
        sign_in(page, site)
        for route in PAGES:
            goto(page, site, route)
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"#/{route} is {overflow}px wider than the phone"

        nav = page.get_by_role("navigation", name="Console")
        expect(nav).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        expect(nav).to_be_visible()
        expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
        nav.get_by_role("link", name="Conflicts").click()
        expect(page.get_by_role("heading", name="Conflicts", level=1)).to_be_visible()
        expect(nav).to_be_hidden()
    finally:
        context.close()
    assert errors.found == [], "the browser reported errors:\n" + "\n".join(errors.found)


def test_a_schedule_reads_its_cron_in_plain_words_and_shows_the_next_runs(page, site):
    sign_in(page, site)
    goto(page, site, "schedules")

    page.get_by_role("button", name="Add a schedule").first.click()
    page.get_by_label("Name").fill("Weekday mornings")
    cron = page.get_by_label("When (cron, 5 fields)")
    cron.fill("61 * * * *")
    page.get_by_label("Time zone").fill("Europe/Brussels")
    page.get_by_role("button", name="Save schedule").click()
    expect(cron).to_have_attribute("aria-invalid", "true")

    cron.fill("30 6 * * 1-5")
    expect(page.get_by_text(re.compile(r"At 06:30, Monday through Friday"))).to_be_visible()
    page.get_by_role("button", name="Save schedule").click()

    card = page.locator(".card", has=page.get_by_role("heading", name="Weekday mornings"))
    expect(card).to_contain_text("At 06:30, Monday through Friday")
    expect(card).to_contain_text("Europe/Brussels")
    expect(card.locator("dd", has_text=re.compile(r"6:30|06:30")).first).to_be_visible()

    card.get_by_role("button", name="Disable").click()
    expect(card).to_contain_text("disabled")
    expect(card.get_by_role("button", name="Run now")).to_be_disabled()
    card.get_by_role("button", name="Enable").click()
    card.get_by_role("button", name="Run now").click()
    expect(card.get_by_role("status")).to_be_visible()


def test_history_charts_and_log_after_a_push(page, site):
    with site.api() as api:
        api.put("/v1/records/product/q-1", json={"title": "Chart product", "sku": "Q-1"})
        assert api.post("/v1/sync/product/q-1", json={}).status_code == 200
    sign_in(page, site)
    goto(page, site, "history")

    expect(page.locator(".chart canvas").first).to_be_visible()
    page.get_by_text("Syncs per hour as a table").click()
    table = page.locator(".chart details[open] table")
    expect(table).to_contain_text("1")
    page.get_by_label("Per", exact=True).select_option("day")
    expect(page.get_by_text("Syncs per day", exact=True)).to_be_visible()
    log = page.get_by_role("region", name="Sync history")
    expect(log).to_contain_text("product q-1")
    page.get_by_label("Outcome").select_option("error")
    page.get_by_label("Entity", exact=True).select_option("product")  # the log's filter
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No sync matches these filters.")).to_be_visible()


def test_daily_charts_cut_days_at_the_viewers_midnight(browser, site, errors):
    context = browser.new_context(timezone_id="Pacific/Auckland", locale="en-GB")
    page = context.new_page()
    errors.watch(page)
    try:
        sign_in(page, site)
        goto(page, site, "history")
        expect(page.locator(".chart canvas").first).to_be_visible()
        with page.expect_request(
            lambda r: "/v1/stats/timeseries" in r.url and "granularity=day" in r.url
        ) as asked:
            page.get_by_label("Per", exact=True).select_option("day")
        assert "tz=Pacific%2FAuckland" in asked.value.url
        page.get_by_text("Syncs per day as a table").click()
        rows = page.locator(".chart details[open] table tbody tr")
        expect(rows.first).to_contain_text("00:00:00")  # each day starts at midnight in Auckland
    finally:
        context.close()
    assert errors.found == [], "the browser reported errors:\n" + "\n".join(errors.found)


def test_explorer_filters_records_with_a_domain_built_from_the_fields(page, site):
    sign_in(page, site)
    goto(page, site, "explorer/res.partner")

    page.get_by_role("button", name="Add a condition").click()
    condition = page.get_by_role("group", name="Condition 1")
    condition.get_by_label("Field").select_option("is_company")
    condition.get_by_label("Value").fill("true")
    expect(page.get_by_label("Odoo domain")).to_have_value('[["is_company","=",true]]')
    page.get_by_role("button", name="Search records").click()

    grid = page.get_by_role("region", name="Records of res.partner")
    expect(grid.get_by_role("row")).not_to_have_count(0)
    page.get_by_label("Odoo domain").fill('[["nope"]]')
    page.get_by_role("button", name="Search records").click()
    expect(page.get_by_label("Odoo domain")).to_have_attribute("aria-invalid", "true")

    page.get_by_role("tab", name="Fields").click()
    fields = page.get_by_role("region", name="Fields of res.partner")
    expect(fields.get_by_role("row", name=re.compile(r"^country_id"))).to_contain_text("res.country")


def test_a_batch_with_failures_lists_them_and_retries_them(page, site):
    with site.api() as api:
        api.put("/v1/records/customer/f-1", json={"name": "Fails", "email": "broken@"})
        api.put("/v1/records/customer/f-2", json={"name": "Works", "email": "works@example.com"})
        batch = api.post(
            "/v1/bulk-sync", json={"entity": "customer", "filters": {"local_ids": ["f-1", "f-2"]}}
        ).json()
    sign_in(page, site)
    goto(page, site, f"batches/{batch['batch_id']}")

    expect(page.get_by_test_id("batch-progress")).to_contain_text("completed with errors", timeout=60_000)
    failed = page.locator(".card", has=page.get_by_role("heading", name="Failed records"))
    expect(failed).to_contain_text("f-1")
    expect(failed).to_contain_text("email")
    with site.api() as api:
        api.put("/v1/records/customer/f-1", json={"name": "Fails", "email": "fixed@example.com"})
    page.get_by_role("button", name="Retry all failed").click()

    expect(page.get_by_test_id("batch-progress")).to_contain_text(
        "2 of 2 done: 2 succeeded, 0 failed", timeout=60_000
    )


def test_an_import_started_here_with_a_domain_runs_as_a_batch(page, site):
    sign_in(page, site)
    goto(page, site, "batches")

    page.get_by_role("button", name="Import from Odoo").click()
    page.get_by_label("Entity", exact=True).select_option("customer")
    page.get_by_label("Odoo domain").fill("not json")
    page.get_by_role("button", name="Start import").click()
    expect(page.get_by_label("Odoo domain")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Odoo domain").fill('[["is_company", "=", true]]')
    page.get_by_role("button", name="Start import").click()

    progress = page.get_by_test_id("batch-progress")
    expect(progress).to_contain_text("from Odoo")
    expect(progress).to_contain_text("completed", timeout=60_000)


def test_webhook_subscription_secret_is_shown_once_and_its_log_opens(page, site):
    sign_in(page, site)
    goto(page, site, "realtime")

    page.get_by_label("Receiver address").fill("ftp://nowhere")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_label("Receiver address")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Receiver address").fill("http://127.0.0.1:9/odoo-sync")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.locator(".secret")).to_contain_text("shown once")
    page.get_by_role("button", name="Delivery log").click()
    expect(page.get_by_text("Nothing delivered yet.")).to_be_visible()

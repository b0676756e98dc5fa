"""The console's main flows in a real Chromium against the local stack: what a new user does first."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from local_stack.console_demo import CONFLICT_ID, seed_console_demo
from tests.console.harness import ConsoleSite, sign_in


def goto(page: Any, site: ConsoleSite, route: str) -> None:
    page.goto(f"{site.url}#/{route}")
    expect(page.locator("#page-title")).to_be_visible()


def test_sign_in_keeps_the_key_in_this_tab_only_and_sign_out_forgets_it(page, site):
    sign_in(page, site)

    assert page.evaluate("sessionStorage.length") == 1
    assert site.demo.api_key in page.evaluate("Object.values(sessionStorage).join()")
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    assert site.demo.api_key not in page.url
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_a_wrong_key_is_refused_next_to_the_key_field(page, site):
    page.goto(site.url)
    page.get_by_label("API key").fill("osk_live_not-a-real-key")
    page.get_by_role("button", name="Sign in").click()

    field = page.get_by_label("API key")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_contain_text("This key was not accepted")
    assert page.evaluate("sessionStorage.length") == 0


def test_add_a_connection_and_test_it(page, site):
    sim = site.simulator
    newcomer = site.new_tenant("Connections newcomer")
    sign_in(page, site, newcomer["api_key"])
    goto(page, site, "connections")

    page.get_by_role("button", name="Add your first connection").click()
    page.get_by_label("Name").fill("Second Odoo")
    page.get_by_label("Odoo address").fill(sim.url)
    page.get_by_label("Database").fill(sim.database)
    page.get_by_role("textbox", name="API key").fill(sim.admin_api_key)
    page.get_by_label("Login", exact=True).fill(sim.admin_login)
    page.get_by_role("button", name="Add connection").click()

    card = page.locator(".card", has=page.get_by_role("heading", name="Second Odoo"))
    expect(card).to_be_visible()
    card.get_by_role("button", name="Test").click()

    result = card.get_by_test_id("test-result")
    expect(result).to_contain_text("Connection works")
    expect(result).to_contain_text("19.0")
    expect(result).to_contain_text("json2")
    expect(result).to_contain_text(re.compile(r"\d+ ms"))
    expect(result).to_contain_text("res.partner")
    expect(page.locator("#announcer")).to_contain_text("connection works")


def test_a_refused_connection_shows_each_error_next_to_its_field(page, site):
    sign_in(page, site)
    goto(page, site, "connections")

    page.get_by_role("button", name="Add a connection").click()
    page.get_by_label("Name").fill("Broken")
    page.get_by_label("Odoo address").fill("not a url")
    page.get_by_label("Database").fill("db")
    page.get_by_role("textbox", name="API key").fill("short")
    page.get_by_role("button", name="Add connection").click()

    address = page.get_by_label("Odoo address")
    expect(address).to_have_attribute("aria-invalid", "true")
    address_error = page.locator(f"#{address.get_attribute('id')}-error")
    expect(address_error).to_contain_text("http:// or https://")
    key = page.get_by_role("textbox", name="API key")
    expect(key).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{key.get_attribute('id')}-error")).to_contain_text("at least 8")
    expect(page.get_by_role("alert")).to_contain_text("correct the fields")


def test_map_a_field_with_the_odoo_field_picker(page, site):
    sign_in(page, site)
    goto(page, site, "mappings/customer")

    page.get_by_role("button", name="Add a mapping").click()
    form = page.get_by_role("form", name="Mapping")
    form.get_by_label("Your field").fill("notes")
    form.get_by_label("Odoo field: search").fill("comment")
    picker = form.get_by_role("listbox", name="Odoo field")
    expect(picker.get_by_role("option")).to_have_count(1)
    picker.select_option("comment")
    expect(form).to_contain_text("Chosen: comment (html")
    form.get_by_label("Direction").select_option("to_odoo")
    form.get_by_role("button", name="Save mapping").click()

    row = page.get_by_role("row", name=re.compile(r"notes\s+comment"))
    expect(row).to_contain_text("yours")
    expect(row).to_contain_text("to odoo")
    with site.api() as api:
        mappings = api.get("/v1/field-mappings", params={"entity": "customer"}).json()["items"]
    assert any(m["local_field"] == "notes" and m["odoo_field"] == "comment" for m in mappings)


def test_a_mapping_to_a_field_odoo_lacks_is_refused_next_to_the_picker(page, site):
    sign_in(page, site)
    goto(page, site, "mappings/customer")

    page.get_by_role("button", name="Add a mapping").click()
    form = page.get_by_role("form", name="Mapping")
    form.get_by_label("Your field").fill("x")
    form.get_by_role("button", name="Save mapping").click()

    expect(form.locator(".picker .field-error")).to_be_visible()
    expect(form.get_by_role("listbox", name="Odoo field")).to_have_attribute("aria-invalid", "true")


def test_add_records_push_them_and_watch_the_batch_finish(page, site):
    sign_in(page, site)
    goto(page, site, "records/customer")

    for local_id, name in (("e2e-1", "Edsger Dijkstra"), ("e2e-2", "Barbara Liskov")):
        page.get_by_role("button", name="Add a record").first.click()
        page.get_by_label("Local id").fill(local_id)
        page.get_by_role("textbox", name=re.compile(r"^name\b")).fill(name)
        page.get_by_role("textbox", name=re.compile(r"^email\b")).fill(f"{local_id}@example.com")
        page.get_by_role("button", name="Save record").click()
        expect(page.get_by_role("heading", name=f"customer {local_id}")).to_be_visible()
        goto(page, site, "records/customer")

    page.get_by_label("Select e2e-1").check()
    page.get_by_label("Select e2e-2").check()
    page.get_by_role("button", name="Push 2 selected").click()

    progress = page.get_by_test_id("batch-progress")
    expect(progress).to_have_attribute("aria-live", "polite")
    # No reload: the page follows the batch until it is done.
    expect(progress).to_contain_text("completed", timeout=60_000)
    expect(progress).to_contain_text("2 of 2 done: 2 succeeded, 0 failed")
    expect(page.get_by_text("No record failed.")).to_be_visible()
    created = site.simulator.records(
        "res.partner", [["email", "in", ["e2e-1@example.com", "e2e-2@example.com"]]]
    )
    assert len(created) == 2


def test_push_one_record_now_and_see_where_it_landed(page, site):
    with site.api() as api:
        api.put("/v1/records/customer/e2e-one", json={"name": "Frances Allen", "email": "fran@example.com"})
    sign_in(page, site)
    goto(page, site, "records/customer/e2e-one")

    page.get_by_role("button", name="Push to Odoo now").click()

    outcome = page.get_by_test_id("push-outcome")
    expect(outcome).to_contain_text("Pushed: created")
    odoo_id = re.search(r"Odoo id (\d+)", outcome.inner_text())
    assert odoo_id is not None
    expect(page.get_by_role("region", name="Sync state per connection")).to_contain_text("synced")
    expect(page.get_by_role("region", name="Sync history")).to_contain_text("success")
    assert (
        site.simulator.records("res.partner", [["id", "=", int(odoo_id.group(1))]])[0]["name"]
        == "Frances Allen"
    )


def test_a_record_the_rules_refuse_shows_why(page, site):
    with site.api() as api:
        api.put("/v1/records/customer/e2e-bad", json={"name": "Bad mail", "email": "not-an-email"})
    sign_in(page, site)
    goto(page, site, "records/customer/e2e-bad")

    page.get_by_role("button", name="Push to Odoo now").click()

    outcome = page.get_by_test_id("push-outcome")
    expect(outcome).to_contain_text("Push failed")
    expect(outcome).to_contain_text("email")


def test_resolve_a_conflict_with_odoos_value(page, site):
    seed_console_demo(site.demo)
    sign_in(page, site)
    goto(page, site, "conflicts")

    card = page.locator(".card", has=page.get_by_role("heading", name=f"customer {CONFLICT_ID}: email"))
    expect(card.get_by_role("group", name="Values of email")).to_contain_text("m.curie@sorbonne.example")
    expect(card).to_contain_text("marie.curie@example.com")
    card.get_by_role("button", name="Keep Odoo's").click()

    expect(page.get_by_text("No open conflicts")).to_be_visible()
    with site.api() as api:
        record = api.get(f"/v1/records/customer/{CONFLICT_ID}").json()
    assert record["data"]["email"] == "m.curie@sorbonne.example"
    page.get_by_label("Show").select_option("resolved")
    expect(page.locator(".card", has_text=CONFLICT_ID)).to_contain_text("Odoo's")


def test_set_up_real_time_rules_rotate_and_remove_them(page, site):
    sign_in(page, site)
    goto(page, site, "realtime")

    table = page.get_by_role("region", name="Automation per entity")
    expect(table).to_contain_text("missing")
    page.get_by_role("button", name="Set up").click()

    expect(table.get_by_role("row", name=re.compile("customer"))).to_contain_text("up to date")
    expect(page.locator(".secret")).to_contain_text("/v1/webhooks/odoo/")
    first_url = page.locator(".secret code").inner_text()

    page.get_by_role("button", name="Rotate token").click()
    expect(page.locator(".secret code")).not_to_have_text(first_url)

    page.get_by_role("button", name="Remove").first.click()
    page.get_by_role("button", name="Yes, remove them").click()
    expect(table.get_by_role("row", name=re.compile("customer"))).to_contain_text("missing")

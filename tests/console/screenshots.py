"""`make screenshots`: every console page, on a laptop and a phone, into docs/console/.

Starts its own local stack and simulator (free ports), fills them with a little of everything
(records pushed, a finished batch with a failure, a schedule, real-time rules, a held conflict),
then signs in as a person would and photographs each page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import expect, sync_playwright

from local_stack.console_demo import seed_console_demo
from tests.console.harness import (
    LAPTOP,
    PHONE,
    ConsoleSite,
    console_site,
    launch,
    missing_prerequisite,
    sign_in,
)

TENANT_PAGES = [
    ("overview", ""),
    ("connections", "connections"),
    ("explorer", "explorer/res.partner"),
    ("mappings", "mappings/customer"),
    ("records", "records/customer"),
    ("record", "records/customer/c-1001"),
    ("batches", "batches"),
    ("history", "history"),
    ("schedules", "schedules"),
    ("conflicts", "conflicts"),
    ("realtime", "realtime"),
    ("keys", "keys"),
]
PHONE_PAGES = ["overview", "records", "conflicts", "batch"]


def prepare(site: ConsoleSite) -> str:
    """Activity to show; answers the id of a finished batch with one failure."""
    seed_console_demo(site.demo)
    with site.api() as api:
        for n in range(1, 7):
            api.put(
                f"/v1/records/product/p-{n:03d}", json={"title": f"Desk lamp {n}", "sku": f"LAMP-{n:03d}"}
            )
        api.put("/v1/records/customer/c-1004", json={"name": "Bad address", "email": "not-an-e-mail"})
        api.post("/v1/sync/customer/c-1001", json={})
        batch = api.post(
            "/v1/bulk-sync",
            json={"entity": "customer", "filters": {"local_ids": ["c-1002", "c-1003", "c-1004"]}},
        ).json()
        api.post("/v1/bulk-sync", json={"entity": "product"})
        api.post(
            "/v1/schedules",
            json={
                "name": "Products every 15 minutes on weekdays",
                "entity": "product",
                "cron_expression": "*/15 8-18 * * 1-5",
                "timezone": "Europe/Brussels",
                "sync_direction": "to_odoo",
            },
        )
        api.post(f"/v1/connections/{site.demo.connection_id}/automation", json={})
        api.post(f"/v1/connections/{site.demo.connection_id}/test")
    return str(batch["batch_id"])


def shoot(page: Any, site: ConsoleSite, route: str, path: Path) -> None:
    page.goto(f"{site.url}#/{route}")
    expect(page.locator("#page-title")).to_be_visible()
    page.wait_for_load_state("networkidle")
    if route == "connections":  # with a test's result: each check, version, latency
        page.get_by_role("button", name="Test").first.click()
        expect(page.get_by_test_id("test-result")).to_be_visible()
    page.wait_for_timeout(400)  # charts settle after their first layout
    page.screenshot(path=str(path), full_page=True)
    print(f"wrote {path}", flush=True)


def main(out: Path) -> int:
    missing = missing_prerequisite()
    if missing:
        print(f"screenshots: {missing}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    with console_site() as site, sync_playwright() as playwright:
        batch_id = prepare(site)
        browser = launch(playwright)
        page = browser.new_context(viewport=LAPTOP).new_page()
        page.goto(site.url)
        page.screenshot(path=str(out / "signin.png"))
        sign_in(page, site)
        with site.api() as api:
            keys_exist = api.get("/v1/api-keys").status_code == 200
        pages = [*TENANT_PAGES, ("batch", f"batches/{batch_id}")]
        for name, route in pages:
            if name == "keys" and not keys_exist:
                print("skipped keys: this API has no /v1/api-keys", flush=True)
                continue
            shoot(page, site, route, out / f"{name}.png")
        page.goto(f"{site.url}#/mappings/customer")
        page.get_by_role("button", name="Add a mapping").click()
        form = page.get_by_role("form", name="Mapping")
        form.get_by_label("Your field").fill("notes")
        form.get_by_label("Odoo field: search").fill("co")
        form.get_by_role("listbox", name="Odoo field").select_option("comment")
        form.screenshot(path=str(out / "mapping-picker.png"))
        print(f"wrote {out / 'mapping-picker.png'}", flush=True)
        page.goto(f"{site.url}#/connections")
        page.get_by_role("button", name="Add a connection").click()
        page.get_by_label("Name").fill("Production")
        page.get_by_label("Odoo address").fill("mycompany.odoo")
        page.get_by_label("Database").fill("mycompany")
        page.get_by_role("textbox", name="API key").fill("short")
        page.get_by_role("button", name="Add connection").click()
        form = page.locator(".card", has=page.get_by_role("heading", name="Add a connection"))
        expect(form.locator(".field-error").first).to_be_visible()
        form.screenshot(path=str(out / "connection-errors.png"))
        print(f"wrote {out / 'connection-errors.png'}", flush=True)
        phone = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
        ).new_page()
        sign_in(phone, site)
        for name, route in pages:
            if name in PHONE_PAGES:
                shoot(phone, site, route, out / f"phone-{name}.png")
        if keys_exist:
            operator = browser.new_context(viewport=LAPTOP).new_page()
            sign_in(operator, site, site.demo.operator_key)
            shoot(operator, site, "tenants", out / "tenants.png")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/console")))

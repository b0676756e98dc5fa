"""Keys with scopes and the operator's view, against the API contract of scoped keys
(GET /v1/me, /v1/api-keys, GET /v1/admin/tenants and the tenants' keys)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.console.harness import ConsoleSite, sign_in


def goto(page: Any, site: ConsoleSite, route: str) -> None:
    page.goto(f"{site.url}#/{route}")
    expect(page.locator("#page-title")).to_be_visible()


def issue_key(site: ConsoleSite, name: str, scopes: list[str]) -> str:
    with site.api(site.demo.operator_key) as api:
        answer = api.post(
            f"/v1/admin/tenants/{site.demo.tenant_id}/api-keys", json={"name": name, "scopes": scopes}
        )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["api_key"])


@pytest.fixture(scope="module")
def read_key(site: ConsoleSite) -> str:
    return issue_key(site, "Dashboard screen", ["read"])


def test_the_header_says_who_signed_in(page, site):
    sign_in(page, site)

    who = page.get_by_test_id("who")
    expect(who).to_contain_text("Demo tenant")
    expect(who).to_contain_text("admin")


def test_a_read_key_sees_everything_but_may_change_nothing(page, site, read_key):
    sign_in(page, site, read_key)

    expect(page.get_by_test_id("who")).to_contain_text("Dashboard screen")
    goto(page, site, "connections")
    expect(page.get_by_role("button", name="Test")).to_be_disabled()
    expect(page.get_by_role("button", name="Add a connection")).to_have_attribute(
        "title", "Your key lacks the admin scope: ask an admin of your tenant for a key with it."
    )
    goto(page, site, "records/customer")
    expect(page.get_by_role("button", name="Add a record").first).to_be_disabled()
    goto(page, site, "conflicts")
    expect(page.get_by_role("heading", name="Conflicts", level=1)).to_be_visible()


def test_a_sync_key_pushes_but_does_not_change_settings(page, site):
    sign_in(page, site, issue_key(site, "Shop connector", ["sync"]))

    goto(page, site, "records/customer")
    expect(page.get_by_role("button", name="Add a record").first).to_be_enabled()
    goto(page, site, "mappings/customer")
    expect(page.get_by_role("button", name="Add a mapping")).to_be_disabled()


def test_a_tenant_admin_issues_a_key_once_and_revokes_it(page, site):
    sign_in(page, site)
    goto(page, site, "keys")

    page.get_by_label("Key name").fill("ERP connector")
    page.get_by_label("sync: records").check()
    page.get_by_label("read: look").uncheck()
    page.get_by_role("button", name="Issue key").click()

    issued = page.get_by_test_id("issued-key")
    expect(issued).to_contain_text("shown once")
    expect(issued.locator("code")).to_contain_text("osk_live_")
    row = page.get_by_role("row", name="ERP connector")
    expect(row).to_contain_text("sync")
    row.get_by_role("button", name="Revoke ERP connector").click()
    expect(row).to_contain_text("revoked")


def test_revoking_the_key_in_use_is_refused_with_the_reason(page, site):
    sign_in(page, site)
    goto(page, site, "keys")

    mine = page.get_by_role("row").filter(has=page.get_by_text("this key"))
    mine.get_by_role("button", name="Revoke").click()

    expect(page.get_by_role("alert")).to_contain_text("This is the key you signed in with")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_operator_lists_tenants_adds_one_and_issues_it_a_key(page, site):
    sign_in(page, site, site.demo.operator_key)

    expect(page.get_by_role("heading", name="Tenants", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="All tenants")).to_contain_text("Demo tenant")
    page.get_by_label("Tenant name").fill("Acme Retail")
    page.get_by_role("button", name="Add tenant").click()
    expect(page.get_by_test_id("created-tenant")).to_contain_text("osk_live_")

    page.get_by_role("link", name="Acme Retail").click()
    page.get_by_label("Key name").fill("Acme reporting")
    page.get_by_role("button", name="Issue key").click()
    expect(page.get_by_test_id("issued-key")).to_contain_text("read")
    expect(page.get_by_role("row", name="Acme reporting")).to_contain_text("active")

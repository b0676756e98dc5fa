"""One Chromium for the session, one local stack per module, a fresh page per test that fails on
any browser error. Without Chromium or the built console the tests skip, except in CI or with
REQUIRE_BROWSER=1, where they fail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.console.harness import (
    LAPTOP,
    BrowserErrors,
    ConsoleSite,
    browser_required,
    console_site,
    launch,
    missing_prerequisite,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # All console tests on one worker: one browser, and stacks that never overlap.
    for item in items:
        if "tests/console/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("console"))
            item.add_marker(pytest.mark.slow)


# The local stack runs on moto on a shared machine: its answers take longer than a browser's.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = missing_prerequisite()
    if missing:
        if browser_required():
            pytest.fail(f"console tests need a browser and the build: {missing}")
        pytest.skip(f"console tests skipped: {missing}")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (only when a browser is there)

    with sync_playwright() as playwright:
        running = launch(playwright)
        yield running
        running.close()


@pytest.fixture(scope="module")
def site(browser: Any) -> Iterator[ConsoleSite]:
    with console_site() as running:
        yield running


@pytest.fixture
def errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(browser: Any, site: ConsoleSite, errors: BrowserErrors) -> Iterator[Any]:
    context = browser.new_context(viewport=LAPTOP)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors.watch(opened)
    yield opened
    context.close()
    assert errors.found == [], "the browser reported errors:\n" + "\n".join(errors.found)

"""Driving the console in Debian's Chromium with Playwright: shared by the tests and `make screenshots`.

Chromium is the machine's own (/usr/bin/chromium, `apt-get install chromium`), never a browser
that Playwright downloads. The flags keep it off the network: only loopback is reachable here.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from local_stack import LocalStack
from local_stack.__main__ import LOCAL_PARAMETERS
from local_stack.demo import Demo, OdooTarget, seed
from odoo_simulator import OdooSimulator

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "console" / "dist" / "index.html"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    given = os.environ.get("CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    return shutil.which("chromium") or (
        str(Path("/usr/bin/chromium")) if Path("/usr/bin/chromium").exists() else None
    )


def browser_required() -> bool:
    """CI (and whoever sets REQUIRE_BROWSER=1) fails instead of skipping without a browser."""
    return bool(os.environ.get("CI")) or os.environ.get("REQUIRE_BROWSER") == "1"


def missing_prerequisite() -> str | None:
    if chromium_path() is None:
        return "Chromium is not installed (apt-get install -y chromium)"
    if not BUILD.is_file():
        return "the console is not built (make console)"
    return None


@dataclass
class BrowserErrors:
    """Everything the page complained about. Handled API answers (4xx on /v1/...) are the console's
    business and shown to the user, so Chromium's "Failed to load resource" for them is not an error;
    anything else is."""

    found: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        url = (message.location or {}).get("url", "")
        if (
            text.startswith("Failed to load resource: the server responded with a status of 4")
            and "/v1/" in url
        ):
            return
        self.found.append(f"console {message.type}: {text} ({url})")


@dataclass
class ConsoleSite:
    stack: LocalStack
    simulator: OdooSimulator
    demo: Demo

    @property
    def url(self) -> str:
        return f"{self.demo.api_url}/console/"

    def api(self, key: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.demo.api_url,
            headers={"Authorization": f"Bearer {key or self.demo.api_key}"},
            timeout=60,
        )

    def new_tenant(self, name: str) -> dict[str, Any]:
        with self.api(self.demo.operator_key) as api:
            answer = api.post("/v1/admin/tenants", json={"name": name})
        answer.raise_for_status()
        return dict(answer.json())


@contextmanager
def console_site(partners: int = 20, products: int = 10) -> Iterator[ConsoleSite]:
    """The local stack with its workers, the Odoo simulator (Odoo 19) and the demo tenant."""
    with (
        OdooSimulator(version="19", port=0, seed_partners=partners, seed_products=products) as simulator,
        LocalStack(
            ROOT / "template.yaml", port=0, parameter_overrides=LOCAL_PARAMETERS, run_workers=True
        ) as stack,
    ):
        target = OdooTarget(simulator.url, simulator.database, simulator.admin_login, simulator.admin_api_key)
        yield ConsoleSite(stack, simulator, seed(stack, target).demo)


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)


def sign_in(page: Any, site: ConsoleSite, key: str | None = None) -> None:
    page.goto(site.url)
    page.get_by_label("API key").fill(key or site.demo.api_key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()

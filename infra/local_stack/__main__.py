"""`python -m local_stack` (what `make run` calls): the stack, the Odoo simulator and a demo.

Settings, all optional, from the environment:
  PORT (3000)              the API
  ODOO_SIM_PORT (8069)     the Odoo simulator
  ODOO_SIM_VERSION (19)    the simulator's personality: 14..19 or future
  ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY
                           point the demo tenant at a real Odoo instead (no simulator is started)
  TEMPLATE (template.yaml) the SAM template to run
The demo's keys and ids are written to .local/demo.json under the current directory.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from local_stack.console_demo import console_instructions, seed_console_demo
from local_stack.demo import DemoError, OdooTarget, instructions, seed
from local_stack.stack import LocalStack

LOCAL_PARAMETERS = {"AllowPrivateOdooHosts": "true", "Stage": "local"}
REAL_ODOO_SETTINGS = ("ODOO_URL", "ODOO_DB", "ODOO_LOGIN", "ODOO_API_KEY")
SEED_PARTNERS = 300
SEED_PRODUCTS = 300
log = logging.getLogger("local_stack")


class SettingsError(Exception):
    """An environment setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    template: Path
    port: int
    simulator_port: int
    simulator_version: str
    real_odoo: OdooTarget | None

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Settings:
        given = [name for name in REAL_ODOO_SETTINGS if env.get(name)]
        if given and len(given) != len(REAL_ODOO_SETTINGS):
            missing = sorted(set(REAL_ODOO_SETTINGS) - set(given))
            raise SettingsError(
                f"to use a real Odoo set all of {', '.join(REAL_ODOO_SETTINGS)}; missing {missing}"
            )
        real = (
            OdooTarget(env["ODOO_URL"].rstrip("/"), env["ODOO_DB"], env["ODOO_LOGIN"], env["ODOO_API_KEY"])
            if given
            else None
        )
        return cls(
            template=Path(env.get("TEMPLATE", "template.yaml")),
            port=_port(env, "PORT", 3000),
            simulator_port=_port(env, "ODOO_SIM_PORT", 8069),
            simulator_version=env.get("ODOO_SIM_VERSION", "19"),
            real_odoo=real,
        )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, str(default))
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise SettingsError(f"{name} must be a port number, got {text!r}")
    return int(text)


@contextmanager
def odoo_for_demo(settings: Settings) -> Iterator[OdooTarget]:
    if settings.real_odoo is not None:
        yield settings.real_odoo
        return
    # Imported here: pointing the demo at a real Odoo must not need the simulator.
    from odoo_simulator import OdooSimulator  # noqa: PLC0415

    simulator = OdooSimulator(
        version=settings.simulator_version,
        host="127.0.0.1",
        port=settings.simulator_port,
        seed_partners=SEED_PARTNERS,
        seed_products=SEED_PRODUCTS,
    )
    simulator.start()
    try:
        yield OdooTarget(simulator.url, simulator.database, simulator.admin_login, simulator.admin_api_key)
    finally:
        simulator.stop()


def run(settings: Settings, stop: threading.Event) -> None:
    with ExitStack() as running:
        odoo = running.enter_context(odoo_for_demo(settings))
        print(f"Odoo: {odoo.url} (database {odoo.database})", flush=True)
        stack = running.enter_context(
            LocalStack(
                settings.template, port=settings.port, parameter_overrides=LOCAL_PARAMETERS, run_workers=True
            )
        )
        print(f"API: {stack.api_url} (AWS services: moto at {stack.moto_endpoint})", flush=True)
        result = seed(stack, odoo)
        demo_file = Path(".local") / "demo.json"
        result.demo.write(demo_file)
        # A real Odoo gets nothing written by the demo: it may be someone's own.
        seeded = settings.real_odoo is None
        if seeded:
            seed_console_demo(result.demo)
        print("\n" + connection_summary(result.connection_test), flush=True)
        print("\n" + instructions(result.demo, demo_file), flush=True)
        # Last, so that it is what a newcomer sees: the one link to open and the key to paste.
        print("\n" + console_instructions(result.demo, demo_file, seeded=seeded), flush=True)
        print("\nCtrl-C stops everything.", flush=True)
        stop.wait()
        print("\nStopping...", flush=True)


def connection_summary(test: Mapping[str, Any]) -> str:
    """One line of the demo connection's test; the whole answer only when it failed."""
    if not test.get("success"):
        return "Connection test FAILED:\n" + json.dumps(test, indent=2)
    return (
        f"Connection test: passed (Odoo {test.get('odoo_version')}, {test.get('protocol')}, "
        f"{test.get('latency_ms')} ms); POST /v1/connections/{{id}}/test shows every check"
    )


def main() -> int:
    # Metrics are CloudWatch's (EMF lines on stdout); here they would only bury the instructions.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for noisy in ("werkzeug", "botocore", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = Settings.from_environment(os.environ)
    except SettingsError as exc:
        print(f"local stack: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    with _stop_on_signals(stop):
        try:
            run(settings, stop)
        except (DemoError, OSError) as exc:
            print(f"local stack: {exc}", file=sys.stderr)
            return 1
    return 0


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM end the wait; everything then stops in order, as `run` unwinds."""

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())

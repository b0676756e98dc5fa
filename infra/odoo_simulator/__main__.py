"""python -m odoo_simulator --version 19 --port 8069: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from collections.abc import Sequence

from .costs import CostModel
from .personality import VERSIONS
from .server import OdooSimulator


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="odoo_simulator", description="Serve a simulated Odoo on loopback.")
    parser.add_argument("--version", default="19", choices=VERSIONS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--seed-partners", type=int, default=300)
    parser.add_argument("--seed-products", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="odoo")
    parser.add_argument(
        "--costs",
        choices=("none", "real"),
        default="none",
        help="real: each call costs what it cost real Odoo (odoo_simulator/costs.py)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="calls served at once (default: 2 with costs)"
    )
    return parser.parse_args(argv)


def describe(sim: OdooSimulator) -> str:
    return "\n".join(
        [
            f"Odoo simulator {sim.personality.server_version} listening on {sim.url}",
            f"  database: {sim.database}",
            f"  admin:    login {sim.admin_login!r} password {sim.admin_password!r}",
            f"            api key {sim.admin_api_key}",
            f"  demo:     login {sim.demo_login!r} password {sim.demo_password!r}",
            f"            api key {sim.demo_api_key}",
            "Press Ctrl-C to stop.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sim = OdooSimulator(
        version=args.version,
        host=args.host,
        port=args.port,
        seed_partners=args.seed_partners,
        seed_products=args.seed_products,
        seed=args.seed,
        database=args.database,
        cost_model=CostModel.real(args.version) if args.costs == "real" else None,
        workers=args.workers,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with sim:
        print(describe(sim), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where the API is and which key to use: the environment, a saved profile, or the local stack.

Each of the URL and the key is taken from the first of: ODOO_SYNC_API_URL / ODOO_SYNC_API_KEY,
the profile (`--profile`, ODOO_SYNC_PROFILE, else "default") saved by `odoo-sync login`, and
`.local/demo.json` (what `make run` writes) in the current directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from odoo_sync_cli.exits import CliError, ExitCode

APP_NAME = "odoo-sync"
DEFAULT_PROFILE = "default"
URL_VARIABLE = "ODOO_SYNC_API_URL"
KEY_VARIABLE = "ODOO_SYNC_API_KEY"
PROFILE_VARIABLE = "ODOO_SYNC_PROFILE"
DEMO_FILE = Path(".local") / "demo.json"


@dataclass(frozen=True)
class Target:
    api_url: str
    api_key: str
    source: str  # where they came from, for people: "environment", "profile default", ...


def config_file() -> Path:
    """The profiles file in the user's config directory (XDG_CONFIG_HOME on Linux)."""
    return Path(click.get_app_dir(APP_NAME)) / "config.json"


def load_profiles(path: Path | None = None) -> dict[str, dict[str, str]]:
    path = path or config_file()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {path}: {exc}", ExitCode.REFUSED) from exc
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict):
        raise CliError(f"{path} holds no profiles; log in again", ExitCode.REFUSED)
    return {name: dict(value) for name, value in profiles.items() if isinstance(value, dict)}


def save_profile(name: str, api_url: str, api_key: str, path: Path | None = None) -> Path:
    """Add or replace a profile; the file is readable by its owner only (it holds keys)."""
    path = path or config_file()
    profiles = load_profiles(path)
    profiles[name] = {"api_url": api_url.rstrip("/"), "api_key": api_key}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = json.dumps({"profiles": profiles}, indent=2, sort_keys=True) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)  # also when the file existed with wider rights
    return path


def resolve_target(
    profile: str | None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Target:
    env = os.environ if env is None else env
    explicit = profile or env.get(PROFILE_VARIABLE)
    profiles = load_profiles()
    if explicit and explicit not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise CliError(f"no profile {explicit!r} (known: {known}); use `odoo-sync login`", ExitCode.REFUSED)
    name = explicit or DEFAULT_PROFILE
    saved = profiles.get(name, {})
    demo = {} if explicit else _demo(cwd or Path.cwd())
    candidates = [
        ("environment", env.get(URL_VARIABLE), env.get(KEY_VARIABLE)),
        (f"profile {name}", saved.get("api_url"), saved.get("api_key")),
        (str(DEMO_FILE), demo.get("api_url"), demo.get("api_key")),
    ]
    url = next(((source, value) for source, value, _ in candidates if value), None)
    key = next(((source, value) for source, _, value in candidates if value), None)
    if url is None or key is None:
        raise CliError(
            f"no API to talk to: run `odoo-sync login --api-url URL --key KEY`, set {URL_VARIABLE} and "
            f"{KEY_VARIABLE}, or start the local stack with `make run`",
            ExitCode.REFUSED,
        )
    source = url[0] if url[0] == key[0] else f"{url[0]} (URL), {key[0]} (key)"
    return Target(api_url=url[1].rstrip("/"), api_key=key[1], source=source)


def _demo(cwd: Path) -> dict[str, str]:
    path = cwd / DEMO_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}

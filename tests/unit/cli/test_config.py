"""Which API and key a command uses: environment, then profile, then the local stack's demo file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from odoo_sync_cli.config import config_file, resolve_target, save_profile
from odoo_sync_cli.exits import CliError, ExitCode


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def demo_dir(tmp_path: Path, url: str = "http://127.0.0.1:3000", key: str = "osk_demo") -> Path:
    folder = tmp_path / "project"
    (folder / ".local").mkdir(parents=True)
    (folder / ".local" / "demo.json").write_text(json.dumps({"api_url": url, "api_key": key}))
    return folder


def test_a_saved_profile_is_the_owners_alone(config_home) -> None:
    path = save_profile("default", "https://api.example.com/prod/", "osk_live_1")

    assert path == config_home / "odoo-sync" / "config.json" == config_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = json.loads(path.read_text())["profiles"]["default"]
    assert saved == {"api_url": "https://api.example.com/prod", "api_key": "osk_live_1"}


def test_saving_again_keeps_other_profiles_and_tightens_a_loose_file() -> None:
    path = save_profile("default", "https://a", "k1")
    path.chmod(0o644)

    save_profile("work", "https://b", "k2")

    assert set(json.loads(path.read_text())["profiles"]) == {"default", "work"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_environment_wins_over_the_profile_which_wins_over_the_demo_file(tmp_path) -> None:
    cwd = demo_dir(tmp_path)
    assert resolve_target(None, {}, cwd).api_key == "osk_demo"

    save_profile("default", "https://saved", "osk_saved")
    assert (resolve_target(None, {}, cwd).api_url, resolve_target(None, {}, cwd).api_key) == (
        "https://saved",
        "osk_saved",
    )

    env = {"ODOO_SYNC_API_URL": "https://env/", "ODOO_SYNC_API_KEY": "osk_env"}
    target = resolve_target(None, env, cwd)
    assert (target.api_url, target.api_key, target.source) == ("https://env", "osk_env", "environment")


def test_url_and_key_are_taken_each_from_the_first_place_that_has_it(tmp_path) -> None:
    target = resolve_target(None, {"ODOO_SYNC_API_KEY": "osk_env"}, demo_dir(tmp_path))

    assert (target.api_url, target.api_key) == ("http://127.0.0.1:3000", "osk_env")
    assert target.source == ".local/demo.json (URL), environment (key)"


def test_a_named_profile_is_used_and_never_the_demo_file(tmp_path) -> None:
    save_profile("work", "https://work", "osk_work")
    cwd = demo_dir(tmp_path)

    assert resolve_target("work", {}, cwd).api_key == "osk_work"
    assert resolve_target(None, {"ODOO_SYNC_PROFILE": "work"}, cwd).api_key == "osk_work"


def test_an_unknown_profile_is_refused_naming_the_known_ones(tmp_path) -> None:
    save_profile("work", "https://work", "osk_work")

    with pytest.raises(CliError, match=r"no profile 'home' \(known: work\)") as refused:
        resolve_target("home", {}, tmp_path)
    assert refused.value.code is ExitCode.REFUSED


def test_nothing_configured_says_how_to_configure(tmp_path) -> None:
    with pytest.raises(CliError, match="odoo-sync login") as refused:
        resolve_target(None, {}, tmp_path)
    assert refused.value.code is ExitCode.REFUSED


def test_a_damaged_config_file_is_reported(config_home, tmp_path) -> None:
    path = config_home / "odoo-sync" / "config.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")

    with pytest.raises(CliError, match="cannot read"):
        resolve_target(None, {}, tmp_path)

"""What every command shares: the options --json and --profile, the API client, the output."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from odoo_sync_cli.client import ApiClient
from odoo_sync_cli.config import resolve_target

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    json_mode: bool = False
    profile: str | None = None
    _client: ApiClient | None = field(default=None, repr=False)

    def client(self) -> ApiClient:
        if self._client is None:
            target = resolve_target(self.profile)
            self._client = ApiClient(target.api_url, target.api_key)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def state() -> State:
    return click.get_current_context().ensure_object(State)


def _set_json(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.ensure_object(State).json_mode = True


def _set_profile(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(State).profile = value


def common_options(command: F) -> F:
    """--json and --profile, taken on the group and on every command alike."""
    command = click.option(
        "--json",
        "json_mode",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        help="Print the result as JSON (for scripts); errors too.",
    )(command)
    return click.option(
        "--profile",
        expose_value=False,
        callback=_set_profile,
        help="The saved profile to use (default: ODOO_SYNC_PROFILE, else 'default').",
    )(command)


# -- output --------------------------------------------------------------------------------------

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False)


def emit(data: Any, human: Callable[[], None]) -> None:
    """The result: as JSON with --json, else as `human` shows it."""
    if state().json_mode:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    else:
        human()


def emit_line(data: Any) -> None:
    """One JSON object on one line (for results that stream, like `logs --follow`)."""
    click.echo(json.dumps(data, ensure_ascii=False, default=str))


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None) -> None:
    shown = Table(*columns, title=title, title_justify="left")
    for row in rows:
        shown.add_row(*("" if value is None else str(value) for value in row))
    stdout.print(shown)


def say(text: str) -> None:
    stdout.print(text, markup=False)


def note(text: str) -> None:
    """Progress and hints go to stderr, so that stdout stays the result."""
    stderr.print(text, markup=False)

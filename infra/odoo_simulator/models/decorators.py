"""Markers for the methods the simulator exposes over RPC and JSON-2 (Odoo's public methods)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def public(func: F) -> F:
    """A record method callable remotely (ids first over RPC, `ids` in a JSON-2 body)."""
    func._public = True  # type: ignore[attr-defined]
    return func


def model_method(func: F) -> F:
    """An @api.model method: callable remotely, without ids."""
    func._public = True  # type: ignore[attr-defined]
    func._api_model = True  # type: ignore[attr-defined]
    return func


def since(major: int) -> Callable[[F], F]:
    """Only exists from this Odoo major version on."""

    def mark(func: F) -> F:
        func._since = major  # type: ignore[attr-defined]
        return func

    return mark


def until(major: int) -> Callable[[F], F]:
    """Only exists up to this Odoo major version."""

    def mark(func: F) -> F:
        func._until = major  # type: ignore[attr-defined]
        return func

    return mark

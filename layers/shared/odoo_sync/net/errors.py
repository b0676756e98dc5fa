"""The one error the network guard raises."""

from __future__ import annotations


class UnsafeUrlError(ValueError):
    """The URL or one of the addresses its host resolves to may not be contacted."""

    def __init__(self, message: str, *, host: str | None = None, address: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.host = host
        self.address = address

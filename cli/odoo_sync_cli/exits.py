"""Exit codes, the same for every command, and the error that carries one."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED_RECORDS = 1  # the work finished, some records failed
    REFUSED = 2  # bad input, or the API refused (401/403/404/409/422...)
    UNREACHABLE = 3  # the service, or the tenant's Odoo behind it, could not be reached


class CliError(Exception):
    """Ends the command with a message and an exit code; `answer` is the API's body, if any."""

    def __init__(self, message: str, code: ExitCode, answer: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.answer = answer


class Finished(Exception):  # noqa: N818 - not an error: the command's result has been shown
    """Ends the command, its result shown, with this exit code (e.g. 1: some records failed)."""

    def __init__(self, code: ExitCode) -> None:
        super().__init__(int(code))
        self.code = code

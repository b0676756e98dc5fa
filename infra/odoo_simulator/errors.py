"""Odoo's exceptions as the simulator raises them, with how each transport reports them.

XML-RPC reports a fault code (1 traceback, 2 user/validation/missing, 3 access denied, 4 access
error), JSON-RPC the exception's dotted name, JSON-2 an HTTP status. Werkzeug HTTP exceptions (JSON-2
only) add the status to their arguments, as Odoo serialises them.
"""

from __future__ import annotations

from typing import ClassVar


class OdooException(Exception):  # noqa: N818 - named after what Odoo raises
    """An exception raised while executing a call; transports turn it into their error shape."""

    odoo_name: ClassVar[str] = "builtins.Exception"
    fault_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        # What Odoo adds to the error's `context` on JSON-RPC and JSON-2 (base_automation names
        # the rule whose action failed); empty for most errors.
        self.context: dict[str, object] = {}

    @property
    def arguments(self) -> list[object]:
        return [self.message]

    @property
    def short_name(self) -> str:
        return self.odoo_name.rsplit(".", 1)[-1]

    def traceback_text(self) -> str:
        """A traceback-shaped text: clients only rely on its last line, like with real Odoo."""
        return (
            "Traceback (most recent call last):\n"
            '  File "odoo/service/model.py", line 1, in execute_kw\n'
            f"{self.short_name}: {self.message}\n"
        )

    def fault_string(self) -> str:
        return self.traceback_text() if self.fault_code == 1 else self.message


class UserError(OdooException):
    odoo_name = "odoo.exceptions.UserError"
    fault_code = 2
    http_status = 422


class ValidationError(UserError):
    odoo_name = "odoo.exceptions.ValidationError"


class ServerActionWithWarningsError(UserError):
    """Odoo 19 refuses to run a server action that carries a `warning` (ir_actions.py `_run`);
    when an automation rule runs it, the user's create or write fails with it."""

    odoo_name = "odoo.addons.base.models.ir_actions.ServerActionWithWarningsError"


class MissingError(UserError):
    odoo_name = "odoo.exceptions.MissingError"
    http_status = 404


class AccessError(OdooException):
    odoo_name = "odoo.exceptions.AccessError"
    fault_code = 4
    http_status = 403


class AccessDenied(OdooException):
    odoo_name = "odoo.exceptions.AccessDenied"
    fault_code = 3
    http_status = 403

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class PythonError(OdooException):
    """A non-Odoo exception (ValueError, TypeError, ...): fault 1 with a traceback, HTTP 500."""

    def __init__(self, kind: str, message: str, *, module: str = "builtins") -> None:
        super().__init__(message)
        self.kind = kind
        self.module = module

    @property
    def short_name(self) -> str:
        # Python prints non-builtin exceptions with their module (psycopg2.OperationalError: ...).
        return self.kind if self.module == "builtins" else f"{self.module}.{self.kind}"

    @property
    def odoo_name(self) -> str:  # type: ignore[override]
        return f"{self.module}.{self.kind}"


class HttpError(OdooException):
    """A werkzeug HTTP exception raised by Odoo's JSON-2 controller."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind

    @property
    def odoo_name(self) -> str:  # type: ignore[override]
        return f"werkzeug.exceptions.{self.kind}"

    @property
    def http_status(self) -> int:  # type: ignore[override]
        return self.status

    @property
    def arguments(self) -> list[object]:
        return [self.message, self.status]


def value_error(message: str) -> PythonError:
    return PythonError("ValueError", message)


def type_error(message: str) -> PythonError:
    return PythonError("TypeError", message)

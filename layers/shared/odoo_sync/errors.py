"""Domain errors of the service. Handlers map them to HTTP answers; the core raises them."""

from __future__ import annotations

import json
from collections.abc import Sequence


class ServiceError(Exception):
    """Base: a stable machine-readable code, a message for people, and the field at fault."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, details: dict[str, object] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}


class InvalidInputError(ServiceError):
    code = "invalid_input"


class InvalidJsonError(InvalidInputError):
    """A body that is not JSON at all: no field is at fault, so the message says where it breaks."""

    code = "invalid_json"

    def __init__(self, message: str) -> None:
        super().__init__(message, field=None)

    @classmethod
    def from_decode_error(cls, exc: json.JSONDecodeError) -> InvalidJsonError:
        return cls.at(exc.msg, exc.doc, exc.pos)

    @classmethod
    def at(cls, reason: str, document: str, position: int) -> InvalidJsonError:
        """`reason` is the JSON decoder's ("Expecting ',' delimiter"), `position` a character offset."""
        line = document.count("\n", 0, position) + 1
        column = position - document.rfind("\n", 0, position)
        reason = reason[:1].lower() + reason[1:].removesuffix(" at")  # "Unterminated string starting at"
        return cls(
            f"the body is not valid JSON: {reason} at line {line}, column {column} (character {position})"
        )

    @classmethod
    def too_deep(cls) -> InvalidJsonError:
        return cls("the body's JSON nests arrays and objects too deeply to be read")


class UnprocessableError(ServiceError):
    """Well formed, but not acceptable as it is: answered 422, with every problem in `errors`."""

    code = "validation_error"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        first_field, first_message = problems[0]
        errors = [{"field": field, "message": message} for field, message in problems]
        super().__init__(f"{first_field}: {first_message}", field=first_field, details={"errors": errors})


class NotFoundError(ServiceError):
    code = "not_found"

    def __init__(self, resource: str, identifier: object, *, field: str | None = None) -> None:
        super().__init__(f"{resource} {identifier} was not found", field=field)
        self.resource = resource


class ConflictError(ServiceError):
    code = "conflict"


class ForbiddenError(ServiceError):
    code = "forbidden"


class StorageError(ServiceError):
    """Our own storage (DynamoDB, KMS) failed; the caller may retry."""

    code = "storage_unavailable"

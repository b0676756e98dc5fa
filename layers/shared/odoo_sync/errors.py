"""Domain errors of the service. Handlers map them to HTTP answers; the core raises them."""

from __future__ import annotations

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

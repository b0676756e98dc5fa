"""Domain errors of the service. Handlers map them to HTTP answers; the core raises them."""

from __future__ import annotations


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


class NotFoundError(ServiceError):
    code = "not_found"

    def __init__(self, resource: str, identifier: object, *, field: str | None = None) -> None:
        super().__init__(f"{resource} {identifier} was not found", field=field)
        self.resource = resource


class ConflictError(ServiceError):
    code = "conflict"


class ForbiddenError(ServiceError):
    code = "forbidden"


class PayloadTooLargeError(ServiceError):
    code = "payload_too_large"


class StorageError(ServiceError):
    """Our own storage (DynamoDB, KMS) failed; the caller may retry."""

    code = "storage_unavailable"

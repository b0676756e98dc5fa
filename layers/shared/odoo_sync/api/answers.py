"""Shapes of the API's answers, for the OpenAPI document: errors, pages of items, a route's answers.

Handlers keep returning what they return; these models only describe it. `documented` builds a
route's `responses=` from (status, model, description) so that every answer has a schema.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseContentModel
from pydantic import BaseModel, ConfigDict, Field

ItemT = TypeVar("ItemT")


class FieldProblem(BaseModel):
    model_config = ConfigDict(extra="allow")

    field: str | None = Field(description="The field at fault, as a dotted path")
    message: str = Field(description="What is wrong with it")
    type: str | None = Field(default=None, description="The kind of problem, e.g. missing, string_too_long")


class ErrorAnswer(BaseModel):
    """Every refusal: a stable code for programs, a message for people, the field at fault."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(
        description="Stable and machine-readable: validation_error, invalid_json, invalid_input, "
        "not_found, conflict, payload_too_large, insufficient_scope, odoo_* for Odoo's verdicts, ..."
    )
    message: str = Field(description="For people: what is wrong and, where it helps, how to fix it")
    field: str | None = Field(
        default=None,
        description="The field at fault (a dotted path into the body, a query parameter or a header); "
        "null when no field is, as for invalid_json",
    )
    errors: list[FieldProblem] | None = Field(
        default=None, description="Every problem found (validation errors only)"
    )
    odoo: dict[str, Any] | None = Field(
        default=None, description="Odoo's own verdict when Odoo refused: exception name, message, code"
    )
    retry_after_s: float | None = Field(
        default=None, description="When rate-limited: seconds to wait (also in Retry-After)"
    )


class Listing(BaseModel, Generic[ItemT]):
    """A page of a list; ask again with `cursor=<next>` until `next` is null."""

    items: list[ItemT] = Field(description="This page's items")
    next: str | None = Field(description="The cursor of the next page; null on the last page")


_ERROR_MEANINGS = {
    HTTPStatus.BAD_REQUEST: "invalid_json (the body is not JSON: the message says where it breaks) "
    "or invalid_input (a value that cannot be used, e.g. a cursor)",
    HTTPStatus.NOT_FOUND: "not_found: no such object for this tenant (another tenant's ids too)",
    HTTPStatus.CONFLICT: "conflict, e.g. an Idempotency-Key reused with another body",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "payload_too_large: the body is over 1 MiB",
    HTTPStatus.UNPROCESSABLE_ENTITY: "validation_error: well-formed but not acceptable; `errors` "
    "lists every problem with its field",
}


Answer = tuple[int, type[Any] | None, str]


def documented(*answers: Answer) -> dict[int, OpenAPIResponse]:
    """`responses=` for a route: each (status, model or None for no body, description)."""
    responses: dict[int, OpenAPIResponse] = {}
    for status, model, description in answers:
        if model is None:  # no body: an empty content, or the generator would invent one
            responses[status] = {"description": description, "content": {}}
        else:
            body: OpenAPIResponseContentModel = {"model": model}
            responses[status] = {"description": description, "content": {"application/json": body}}
    return responses


def error_responses(*statuses: HTTPStatus) -> dict[int, OpenAPIResponse]:
    """The OpenAPI `responses` of a route's error answers, all shaped as `ErrorAnswer`."""
    return {
        int(status): {
            "description": _ERROR_MEANINGS.get(status, status.phrase),
            "content": {"application/json": {"model": ErrorAnswer}},
        }
        for status in statuses
    }

"""Shapes of the API's answers, for the OpenAPI document: errors, pages of items, a route's answers.

Handlers keep returning what they return; these models only describe it. `documented` builds a
route's `responses=` from (status, model, description) so that every answer has a schema.
"""

from __future__ import annotations

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

    code: str = Field(description="Stable error code, e.g. validation_error, not_found, odoo_unreachable")
    message: str = Field(description="What went wrong, for people")
    field: str | None = Field(default=None, description="The input at fault, when one is")
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

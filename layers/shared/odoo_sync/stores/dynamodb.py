"""DynamoDB plumbing shared by the repositories: tables, error translation, cursors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.conditions import Key
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from odoo_sync.errors import InvalidInputError, StorageError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


# The requests are built by this code, never typed in by a user, and DynamoDB checks them again:
# botocore's own check of every attribute of every item was a sixth of an import's CPU.
_CONFIG = Config(parameter_validation=False)


@cache
def table(name: str) -> Table:
    return boto3.resource("dynamodb", config=_CONFIG).Table(name)


class ConditionFailedError(Exception):
    """A conditional write lost its race; repositories turn it into a domain error."""


@contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Turn boto3's errors into domain errors, so the core never sees ClientError."""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "ConditionalCheckFailedException":
            raise ConditionFailedError(action) from exc
        if code == "TransactionCanceledException":
            reasons = exc.response.get("CancellationReasons", [])
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                raise ConditionFailedError(action) from exc
        raise StorageError(f"storage failed to {action}") from exc
    except BotoCoreError as exc:
        raise StorageError(f"storage failed to {action}") from exc


def put_new_items(table: Table, items: list[dict[str, Any]], action: str) -> None:
    """Write several items in one transaction, each only if its key is not taken yet.

    The table's own client serialises plain Python values, like the resource API does.
    """
    with storage_errors(action):
        table.meta.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table.name,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
                for item in items
            ]
        )


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, default=_json_default, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition_key: str) -> dict[str, Any] | None:
    """Decode a cursor and make sure it points into the caller's own partition."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInputError("the cursor is not valid", field="cursor") from exc
    if not isinstance(key, dict) or key.get("pk") != partition_key or not isinstance(key.get("sk"), str):
        raise InvalidInputError("the cursor is not valid", field="cursor")
    return {"pk": key["pk"], "sk": key["sk"]}


def query_page(
    table: Table, pk: str, sk_prefix: str, limit: int, cursor: str | None, *, action: str
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a partition's items whose sort key starts with `sk_prefix`, and the cursor
    after it (None: no more). The cursor must point into the same partition."""
    query: dict[str, Any] = {
        "KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with(sk_prefix),
        "Limit": limit,
    }
    start = decode_cursor(cursor, partition_key=pk)
    if start is not None:
        query["ExclusiveStartKey"] = start
    with storage_errors(action):
        page = table.query(**query)
    return page.get("Items", []), encode_cursor(page.get("LastEvaluatedKey"))


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    raise TypeError(type(value).__name__)


def to_item(model: BaseModel, **keys: str) -> dict[str, Any]:
    """A pydantic model as a DynamoDB item (floats as Decimal, which boto3 requires)."""
    body: dict[str, Any] = json.loads(model.model_dump_json(), parse_float=Decimal)
    return {**keys, **body}


def strip_keys(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("pk", "sk")}

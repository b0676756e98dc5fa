"""BatchGetItem in chunks of 100, retrying what DynamoDB leaves unprocessed (with backoff)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from odoo_sync.errors import StorageError
from odoo_sync.stores.dynamodb import storage_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

BATCH_GET_LIMIT = 100
MAX_ATTEMPTS = 8
_BASE_DELAY_S = 0.05
_MAX_DELAY_S = 2.0


def backoff_delay(attempt: int) -> float:
    """Full jitter: a random wait up to an exponentially growing cap."""
    return random.uniform(0, min(_MAX_DELAY_S, _BASE_DELAY_S * 2**attempt))  # noqa: S311 - not for secrets


def batch_get(
    table: Table,
    keys: Sequence[dict[str, str]],
    action: str,
    *,
    projection: str | None = None,
    names: dict[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """The items that exist among `keys`, in no particular order; consistent reads."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), BATCH_GET_LIMIT):
        items.extend(
            _one_batch(
                table,
                keys=list(keys[start : start + BATCH_GET_LIMIT]),
                action=action,
                projection=projection,
                names=names,
                sleep=sleep,
            )
        )
    return items


def _one_batch(
    table: Table,
    *,
    keys: list[dict[str, str]],
    action: str,
    projection: str | None,
    names: dict[str, str] | None,
    sleep: Callable[[float], None],
) -> list[dict[str, Any]]:
    request: dict[str, Any] = {"Keys": keys, "ConsistentRead": True}
    if projection is not None:
        request["ProjectionExpression"] = projection
    if names:
        request["ExpressionAttributeNames"] = names
    items: list[dict[str, Any]] = []
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            sleep(backoff_delay(attempt))
        with storage_errors(action):
            # The resource's own client takes and returns plain Python values.
            answer = table.meta.client.batch_get_item(RequestItems={table.name: request})  # type: ignore[dict-item]
        items.extend(answer.get("Responses", {}).get(table.name, []))
        unprocessed = answer.get("UnprocessedKeys", {}).get(table.name)
        if not unprocessed or not unprocessed.get("Keys"):
            return items
        request = {**request, "Keys": unprocessed["Keys"]}
    raise StorageError(f"storage kept throttling; could not {action}; retry later")

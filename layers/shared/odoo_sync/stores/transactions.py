"""Many item writes in few requests: TransactWriteItems of up to 100 items (and 4 MB) each.

A transaction is all or nothing: when one item's condition fails (a record changed since it was
read), DynamoDB cancels the whole transaction and says which item failed. That item is a loser:
it is left out and reported to the caller, and the transaction runs again without it, so one
conflicting record never holds back the others. A transaction cancelled for another reason (a
concurrent transaction on one of its items, throttling) runs again after a pause with jitter.

Transactions bill twice the write units of plain writes: they are used where an item needs a
condition (a version check) or where one request instead of a hundred is worth that (see
docs/performance.md for the cost of each path). botocore gives each TransactWriteItems a client
request token and reuses it when it resends the request, so a resend never applies twice.

A write of one item (one webhook change, one record pushed now) is no transaction: the same
conditional write alone costs half the write units. Its condition guards it the same way; should
botocore resend it after its answer was lost, the resend finds its own write and is reported a
loser, which the caller reads again and writes again, as for any race.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from odoo_sync.errors import StorageError

MAX_ITEMS = 100
MAX_BYTES = 3_500_000  # DynamoDB's limit is 4 MB per transaction
_ATTEMPTS = 8
_PARALLEL = 4
_RETRIED = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)


@dataclass(frozen=True)
class ItemWrite:
    """One action of a TransactWriteItems (`{"Update": {...}}`, `{"Put": ...}`, ...), named by the
    caller's own key (a local id), so losers can be reported by that key."""

    key: str
    action: dict[str, Any]
    size: int = 0  # bytes, roughly (0: computed)


def write_all(
    client: Any,
    writes: Sequence[ItemWrite],
    *,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
    parallel: int = _PARALLEL,
) -> set[str]:
    """Write every item; answers the keys of the items whose condition failed (not written).

    Groups run a few at a time. StorageError when DynamoDB keeps refusing for other reasons.
    """
    groups = list(_groups(writes))
    if not groups:
        return set()
    if len(groups) == 1 or parallel <= 1:
        return set().union(*(_write_group(client, group, what, sleep) for group in groups))
    with ThreadPoolExecutor(max_workers=min(parallel, len(groups))) as pool:
        return set().union(*pool.map(lambda group: _write_group(client, group, what, sleep), groups))


_SINGLE = {"Put": "put_item", "Update": "update_item", "Delete": "delete_item"}


def _write_group(client: Any, group: list[ItemWrite], what: str, sleep: Callable[[float], None]) -> set[str]:
    if len(group) == 1 and len(group[0].action) == 1 and next(iter(group[0].action)) in _SINGLE:
        return _write_one(client, group[0], what)
    losers: set[str] = set()
    pending = group
    for attempt in range(_ATTEMPTS):
        if not pending:
            return losers
        try:
            client.transact_write_items(TransactItems=[write.action for write in pending])
            return losers
        except ClientError as exc:
            reasons = [str(r.get("Code") or "None") for r in exc.response.get("CancellationReasons", [])]
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException" or not reasons:
                raise StorageError(f"storage failed to {what}") from exc
            failed = {pending[i].key for i, code in enumerate(reasons) if code == "ConditionalCheckFailed"}
            unknown = set(reasons) - _RETRIED - {"ConditionalCheckFailed", "None"}
            if unknown:
                raise StorageError(f"storage failed to {what} ({', '.join(sorted(unknown))})") from exc
            losers |= failed
            pending = [write for write in pending if write.key not in failed]
            if set(reasons) & _RETRIED:
                sleep(random.uniform(0, min(1.0, 0.02 * 2**attempt)))  # noqa: S311 - not for secrets
        except BotoCoreError as exc:
            raise StorageError(f"storage failed to {what}") from exc
    raise StorageError(f"storage kept refusing to {what}; try again")


def _write_one(client: Any, write: ItemWrite, what: str) -> set[str]:
    ((kind, body),) = write.action.items()
    try:
        getattr(client, _SINGLE[kind])(**body)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return {write.key}
        raise StorageError(f"storage failed to {what}") from exc
    except BotoCoreError as exc:
        raise StorageError(f"storage failed to {what}") from exc
    return set()


def _groups(writes: Sequence[ItemWrite]) -> Iterator[list[ItemWrite]]:
    group: list[ItemWrite] = []
    size = 0
    for write in writes:
        write_size = write.size or approximate_size(write.action)
        if group and (len(group) == MAX_ITEMS or size + write_size > MAX_BYTES):
            yield group
            group, size = [], 0
        group.append(write)
        size += write_size
    if group:
        yield group


def approximate_size(value: Any) -> int:
    return len(json.dumps(value, default=_plain, separators=(",", ":")))


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)

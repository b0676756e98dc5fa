"""Many item writes in few requests: conditional writes 100 to a transaction, losers left out."""

from __future__ import annotations

from typing import Any

from local_stack.meter import AwsMeter
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.transactions import ItemWrite, write_all


def _put(name: str, key: str, *, only_new: bool = True) -> ItemWrite:
    action: dict[str, Any] = {"TableName": name, "Item": {"pk": "TEST", "sk": key, "value": key}}
    if only_new:
        action["ConditionExpression"] = "attribute_not_exists(pk)"
    return ItemWrite(key, {"Put": action})


def _stored(name: str) -> set[str]:
    items = table(name).scan()["Items"]
    return {str(item["sk"]) for item in items if item["pk"] == "TEST"}


def test_a_conflicting_item_is_reported_and_the_others_are_written(aws: Any) -> None:
    name = aws.tables["RecordsTable"]
    client = table(name).meta.client
    write_all(client, [_put(name, "taken")], what="seed")

    with AwsMeter() as meter:
        losers = write_all(
            client, [_put(name, f"r{n:03d}") for n in range(150)] + [_put(name, "taken")], what="t"
        )

    assert losers == {"taken"}
    assert len(_stored(name)) == 151
    assert meter.reading().by_operation("dynamodb") == {
        "TransactWriteItems": 3
    }  # 100, then 51 less the loser


def test_one_item_is_written_alone_at_half_the_write_units_with_the_same_condition(aws: Any) -> None:
    name = aws.tables["RecordsTable"]
    client = table(name).meta.client

    with AwsMeter() as meter:
        first = write_all(client, [_put(name, "alone")], what="t")
    second = write_all(client, [_put(name, "alone")], what="t")

    assert (first, second) == (set(), {"alone"})
    assert meter.reading().by_operation("dynamodb") == {"PutItem": 1}
    assert meter.reading().write_units == {name: 1}

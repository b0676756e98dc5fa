"""Fixes for moto's DynamoDB, applied while the local stack runs, so it measures the service.

Answers: moto writes every answer through a generic serializer that walks the service's shapes
value by value; for DynamoDB's items (AttributeValue maps) that walk was three quarters of
moto's time, more than the work it answers for. DynamoDB's answers are built as JSON already:
an AttributeValue that holds no binary data is written as it is.

Transactions: moto backs up every table a TransactWriteItems touches so that it can roll back:
it deep-copies each whole table, once per *item* of the transaction (and each item again). A
100-item transaction on a table of 100,000 items copied ten million items; the cost grew with
the table, which DynamoDB's does not. Here the conditions of all the transaction's items are
checked first, against the state before any of them is written (moto refuses two actions on one
item, so no action sees another's write); when one fails, the transaction is cancelled with the
same reasons before anything is written, and when none does, the writes are applied without a
backup. Transactions are serialised meanwhile (moto's own state is not thread-safe either).

Update expressions: moto parses an UpdateItem's expression twice (for the answer and for the
write), then walks its tree once per validation step (ten of them, twice for a new item); each
step rebuilt its table of node types at every node and checked them with isinstance against
abstract classes, and the action-count check re-walked the whole tree at every node. A 100-item
transaction of updates cost 0.2-0.35 s of CPU. Here a parsed expression is kept by its text
(validation works on a copy of it, so it is never changed), each step looks a node's type up once,
and the action counts are checked once, at the root (a subtree has no more clauses than the tree).

Conditions: moto parsed a condition expression (lexing it, checking every word against DynamoDB's
reserved words) for each item it applied to, twice in a transaction; a 100-item transaction of new
records parsed `attribute_not_exists(pk)` two hundred times. A parsed condition is kept by its text,
names and values (it holds no state of the item it is checked against).

Requests: moto walked every request's JSON along the service's shapes, value by value, though a
DynamoDB item's AttributeValues come out as they went in (only binary values are decoded). Here an
AttributeValue without binary data is taken as it is.

Items: moto checked an item's 400 KB limit as each attribute went in, summing the sizes of all
attributes so far every time (quadratic in the attributes, the larger part of a PutItem). Here a
new item's size is summed once, with the same limit. And a map's size wrapped each of its values
in a new DynamoType first, which copies the value's own maps and lists again, at every level
(a fifth of moto's time on an import of records with a data map); the same sum is taken here
without the copies.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import types
from typing import Any

from moto.core import parse, serialize
from moto.dynamodb import comparisons
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ItemSizeTooLarge,
    MultipleTransactionsException,
    TransactionCanceledException,
)
from moto.dynamodb.models import dynamo_type
from moto.dynamodb.models import table as dynamodb_table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing import ast_nodes as moto_ast_nodes
from moto.dynamodb.parsing import expressions as moto_expressions
from moto.dynamodb.parsing import validators as moto_validators

_lock = threading.Lock()
_transactions = threading.Lock()
_applied = False
_NO_COPY = types.SimpleNamespace(deepcopy=lambda value, memo=None: value)
ast_nodes: Any = moto_ast_nodes  # untyped


def apply() -> None:
    global _applied  # noqa: PLW0603 - the patch is process-wide by nature
    with _lock:
        if _applied:
            return
        original = dynamodb_models.DynamoDBBackend.transact_write_items

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            with _transactions:
                _check_conditions(self, transact_items)
                # Every condition holds: nothing will be rolled back, so nothing is backed up.
                setattr(dynamodb_models, "copy", _NO_COPY)  # noqa: B010
                try:
                    original(self, transact_items)
                finally:
                    setattr(dynamodb_models, "copy", copy)  # noqa: B010

        dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
        _serialize_attribute_values_as_they_are()
        _parse_attribute_values_as_they_are()
        _keep_parsed_conditions()
        _faster_update_expressions()
        dynamo_type.Item.__init__ = _new_item  # type: ignore[method-assign]
        dynamo_type.DynamoType.size = _size  # type: ignore[method-assign]
        _applied = True


def _check_conditions(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    """Cancel the transaction, as moto would, before it writes, if any item's condition fails."""
    if len(transact_items) > 100 or any(len(entry) != 1 for entry in transact_items):
        return  # moto refuses these itself, before writing
    errors: list[tuple[str | None, str | None, Any]] = []
    seen: set[tuple[str, str]] = set()
    for entry in transact_items:
        ((_, op),) = entry.items()
        table = backend.tables.get(op.get("TableName"))
        if table is None:
            return  # moto answers a missing table itself
        source = op.get("Item") if "Item" in op else op.get("Key") or {}
        key = {name: source[name] for name in (table.hash_key_attr, table.range_key_attr) if name in source}
        identity = (str(op.get("TableName")), str(sorted(key.items())))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        condition = op.get("ConditionExpression")
        if condition is None:
            errors.append((None, None, None))
            continue
        current = backend.get_item(op["TableName"], key)
        check = _parse_condition(
            condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        )
        if check.expr(current):
            errors.append((None, None, None))
            continue
        old = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current is not None:
            old = current.to_json()["Attributes"]
        errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)


def _serialize_attribute_values_as_they_are() -> None:
    structure = serialize.BaseJSONSerializer._serialize_type_structure

    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if shape.name == "AttributeValue" and isinstance(value, dict) and _plain_json(value):
            self._default_serialize(serialized, value, shape, key)
            return
        structure(self, serialized, value, shape, key)

    serialize.BaseJSONSerializer._serialize_type_structure = serialize_structure  # type: ignore[method-assign]


def _parse_attribute_values_as_they_are() -> None:
    structure: Any = parse.BaseJSONParser._parse_structure

    def parse_structure(self: Any, shape: Any, value: Any) -> Any:
        if shape.name == "AttributeValue" and isinstance(value, dict) and _no_binary(value):
            return value
        return structure(self, shape, value)

    parse.BaseJSONParser._parse_structure = parse_structure  # type: ignore[method-assign]


def _no_binary(value: dict[str, Any]) -> bool:
    """An AttributeValue (as JSON) holding no B or BS value at any depth."""
    for kind, inner in value.items():
        if kind in ("B", "BS"):
            return False
        if kind == "M" and not all(isinstance(v, dict) and _no_binary(v) for v in inner.values()):
            return False
        if kind == "L" and not all(isinstance(v, dict) and _no_binary(v) for v in inner):
            return False
    return True


def _keep_parsed_conditions() -> None:
    parse_condition = comparisons.get_filter_expression

    @functools.lru_cache(maxsize=4096)
    def parsed(expression: str | None, names: str, values: str) -> Any:
        return parse_condition(expression, json.loads(names), json.loads(values))

    def get_condition(expression: str | None, names: Any, values: Any) -> Any:
        try:
            key = json.dumps(names, sort_keys=True), json.dumps(values, sort_keys=True)
        except TypeError:  # binary values: parsed each time
            return parse_condition(expression, names, values)
        return parsed(expression, *key)

    for module in (dynamodb_models, dynamodb_table):
        setattr(module, "get_filter_expression", get_condition)  # noqa: B010
    global _parse_condition  # noqa: PLW0603 - the transactions' own checks use it too
    _parse_condition = get_condition


_parse_condition: Any = get_filter_expression


def _plain_json(value: Any) -> bool:
    """No bytes anywhere (binary values need the serializer's base64)."""
    if isinstance(value, dict):
        return all(_plain_json(inner) for inner in value.values())
    if isinstance(value, list):
        return all(_plain_json(inner) for inner in value)
    return not isinstance(value, bytes | bytearray)


def _faster_update_expressions() -> None:
    expressions: Any = moto_expressions
    parser = expressions.UpdateExpressionParser
    parse: Any = functools.lru_cache(maxsize=1024)(parser.make.__func__)
    parser.make = classmethod(parse)
    ast_nodes.DepthFirstTraverser.traverse_node_recursively = _traverse
    validators: Any = moto_validators
    validators.ActionCountValidator.traverse = _count_actions_once
    validators.deepcopy = _copy


_is_node: dict[type, bool] = {}
_handlers: dict[tuple[type, type], Any] = {}  # (traverser class, node class): handler function


def _traverse(self: Any, node: Any, child_id: int = -1) -> Any:
    """moto's DepthFirstTraverser.traverse_node_recursively, with each node's type looked up once."""
    kind = type(node)
    is_node = _is_node.get(kind)
    if is_node is None:
        is_node = _is_node[kind] = issubclass(kind, ast_nodes.Node)
    if not is_node:
        return node
    parent_node = node.parent
    if node.children is not None:
        for i, child_node in enumerate(node.children):
            self.pre_processing_of_child(node, i)
            self.traverse_node_recursively(child_node, i)
    key = (type(self), kind)
    function = _handlers.get(key, _handlers)
    if function is _handlers:
        handler = next(
            (h for node_type, h in self._processing_map().items() if issubclass(kind, node_type)), None
        )
        # A bound method's function is the same for every traverser of the class; anything else
        # is asked for again each time.
        function = _handlers[key] = getattr(handler, "__func__", None) if handler is not None else None
        if handler is not None and function is None:
            _handlers.pop(key)
            function = lambda _self, n: handler(n)  # noqa: E731 - this once
    if function is not None:
        node = function(self, node)
        node.parent = parent_node
        if parent_node:
            parent_node.children[child_id] = node
    return node


def _copy(value: Any, memo: Any = None) -> Any:
    """deepcopy, faster for an expression's tree (a node holds its type, children and parent)."""
    if isinstance(value, ast_nodes.Node):
        return _copy_tree(value, None)
    return copy.deepcopy(value, memo)


def _copy_tree(node: Any, parent: Any) -> Any:
    twin = object.__new__(type(node))
    twin.__dict__.update(node.__dict__)
    twin.parent = parent
    if node.children is not None:
        twin.children = [
            _copy_tree(child, twin)
            if isinstance(child, ast_nodes.Node)
            else child
            if isinstance(child, str | int | float | bool | type(None))
            else copy.deepcopy(child)
            for child in node.children
        ]
    return twin


def _count_actions_once(self: Any, node: Any) -> Any:
    if isinstance(node, ast_nodes.UpdateExpression):
        return self.verify_action_counts(node)
    return node


_ITEM_LIMIT = 405_000  # moto's: DynamoDB's 400 KB, as measured between 409 and 410 KB


def _new_item(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    """moto's Item.__init__, the item's size summed once."""
    self.hash_key = hash_key
    self.range_key = range_key
    values = {key: dynamo_type.DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in values.items()) > _ITEM_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = dynamo_type.LimitedSizeDict(values)  # later writes are checked as moto checks them


_SETS = {"SS": "S", "NS": "N", "BS": "B"}


def _size(self: Any) -> int:
    """moto's DynamoType.size, without wrapping a map's values in new DynamoTypes first."""
    kind, value = self.type, self.value
    if kind == "N":
        return len(str(value))
    if kind in _SETS:
        return sum(len(str(v)) if kind == "NS" else bytesize(v) for v in value)
    if kind == "L":
        return sum(_size(v) for v in value)
    if kind == "M":
        return sum(
            bytesize(k) + _size(v if isinstance(v, dynamo_type.DynamoType) else dynamo_type.DynamoType(v))
            for k, v in value.items()
        )
    if isinstance(value, bool):
        return 1
    return bytesize(value)

"""Entities, field mappings, value maps and cached Odoo fields in the configuration table.

Items (each body is the model as JSON text, so numbers in parameters keep their JSON type):
  pk=TENANT#<tenant_id>  sk=ENTITY#<entity>                    a tenant entity
  pk=TENANT#<tenant_id>  sk=PRESETPOLICY#<entity>              the tenant's conflict policy of a preset
  pk=TENANT#<tenant_id>  sk=MAPPING#<entity>#<mapping_id>       a tenant field mapping
  pk=TENANT#<tenant_id>  sk=VALUEMAP#<kind>#<name>              a value map
  pk=TENANT#<tenant_id>  sk=ODOOFIELDS#<connection_id>#<model>  fields_get of one model, with fetched_at
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, Key

from odoo_sync.actors import Actor
from odoo_sync.core.odoo_fields import CachedFields
from odoo_sync.core.settings_models import EntityView, PresetPolicy, ValueMapView
from odoo_sync.core.warm_cache import SETTINGS, changed
from odoo_sync.stores.batching import batch_get
from odoo_sync.stores.dynamodb import storage_errors
from odoo_sync.stores.tenants import tenant_pk
from odoo_sync.sync.model import ConflictPolicy, EntityDefinition, FieldMapping
from odoo_sync.sync.value_maps import ValueMap, ValueMapKind

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

_ENTITY = "ENTITY#"
_PRESET_POLICY = "PRESETPOLICY#"
_MAPPING = "MAPPING#"
_VALUE_MAP = "VALUEMAP#"
_FIELDS = "ODOOFIELDS#"


class DynamoSettingsRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    # entities

    def get_entity(self, tenant_id: str, name: str) -> EntityView | None:
        item = self._get(tenant_id, f"{_ENTITY}{name}", "read the entity")
        return None if item is None else _entity_view(item)

    def list_entities(self, tenant_id: str) -> list[EntityView]:
        return [_entity_view(item) for item in self._query(tenant_id, _ENTITY, "list entities")]

    def put_entity(
        self, tenant_id: str, entity: EntityDefinition, updated_at: str, updated_by: Actor | None = None
    ) -> None:
        item = {**self._key(tenant_id, f"{_ENTITY}{entity.name}"), "body": entity.model_dump_json()}
        with storage_errors("store the entity"):
            self._table.put_item(Item={**item, "updated_at": updated_at, **_by(updated_by)})
        changed(SETTINGS, tenant_id)

    def delete_entity(self, tenant_id: str, name: str) -> bool:
        with storage_errors("delete the entity"):
            answer = self._table.delete_item(
                Key=self._key(tenant_id, f"{_ENTITY}{name}"), ReturnValues="ALL_OLD"
            )
            # Its mappings go with it: a new entity of the same name starts from nothing.
            with self._table.batch_writer() as batch:
                for item in self._query(tenant_id, f"{_MAPPING}{name}#", "list the entity's mappings"):
                    batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
        changed(SETTINGS, tenant_id)
        return "Attributes" in answer

    # conflict policies of presets

    def get_preset_policy(self, tenant_id: str, name: str) -> PresetPolicy | None:
        item = self._get(tenant_id, f"{_PRESET_POLICY}{name}", "read the conflict policy")
        return None if item is None else _preset_policy(item)

    def list_preset_policies(self, tenant_id: str) -> dict[str, PresetPolicy]:
        return {
            str(item["sk"]).removeprefix(_PRESET_POLICY): _preset_policy(item)
            for item in self._query(tenant_id, _PRESET_POLICY, "list conflict policies")
        }

    def put_preset_policy(self, tenant_id: str, name: str, policy: PresetPolicy) -> None:
        item = {
            **self._key(tenant_id, f"{_PRESET_POLICY}{name}"),
            "body": policy.policy.model_dump_json(),
            "updated_at": policy.updated_at,
            **_by(policy.updated_by),
        }
        with storage_errors("store the conflict policy"):
            self._table.put_item(Item=item)
        changed(SETTINGS, tenant_id)

    # field mappings

    def list_mappings(self, tenant_id: str, entity: str | None = None) -> list[FieldMapping]:
        prefix = f"{_MAPPING}{entity}#" if entity is not None else _MAPPING
        return [
            FieldMapping.model_validate_json(item["body"])
            for item in self._query(tenant_id, prefix, "list field mappings")
        ]

    def put_mapping(self, tenant_id: str, mapping: FieldMapping) -> None:
        item = {
            **self._key(tenant_id, f"{_MAPPING}{mapping.entity}#{mapping.mapping_id}"),
            "mapping_id": mapping.mapping_id,
            "body": mapping.model_dump_json(),
        }
        with storage_errors("store the field mapping"):
            self._table.put_item(Item=item)
        changed(SETTINGS, tenant_id)

    def delete_mapping(self, tenant_id: str, mapping_id: str) -> bool:
        found = list(
            self._query(tenant_id, _MAPPING, "find the field mapping", Attr("mapping_id").eq(mapping_id))
        )
        with storage_errors("delete the field mapping"):
            for item in found:
                self._table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
        changed(SETTINGS, tenant_id)
        return bool(found)

    # value maps

    def get_value_map(self, tenant_id: str, kind: ValueMapKind, name: str) -> ValueMapView | None:
        item = self._get(tenant_id, _value_map_sk(kind, name), "read the value map")
        if item is None:
            return None
        return ValueMapView(
            value_map=ValueMap.model_validate_json(item["body"]),
            updated_at=item["updated_at"],
            updated_by=_actor(item),
        )

    def get_value_maps(self, tenant_id: str, keys: Iterable[tuple[ValueMapKind, str]]) -> list[ValueMap]:
        wanted = [self._key(tenant_id, _value_map_sk(kind, name)) for kind, name in dict.fromkeys(keys)]
        items = batch_get(self._table, wanted, "read value maps")
        return [ValueMap.model_validate_json(item["body"]) for item in items]

    def put_value_map(
        self, tenant_id: str, value_map: ValueMap, updated_at: str, updated_by: Actor | None = None
    ) -> None:
        item = {
            **self._key(tenant_id, _value_map_sk(value_map.kind, value_map.name)),
            "body": value_map.model_dump_json(),
            "updated_at": updated_at,
            **_by(updated_by),
        }
        with storage_errors("store the value map"):
            self._table.put_item(Item=item)
        changed(SETTINGS, tenant_id)

    # cached fields_get answers

    def get_fields(self, tenant_id: str, connection_id: str, model: str) -> CachedFields | None:
        item = self._get(tenant_id, f"{_FIELDS}{connection_id}#{model}", "read cached Odoo fields")
        if item is None:
            return None
        return CachedFields(str(item["fields_json"]), datetime.fromisoformat(str(item["fetched_at"])))

    def put_fields(self, tenant_id: str, connection_id: str, model: str, cached: CachedFields) -> None:
        item = {
            **self._key(tenant_id, f"{_FIELDS}{connection_id}#{model}"),
            "fields_json": cached.fields_json,
            "fetched_at": cached.fetched_at.isoformat(),
        }
        with storage_errors("cache Odoo fields"):
            self._table.put_item(Item=item)

    # plumbing

    @staticmethod
    def _key(tenant_id: str, sk: str) -> dict[str, str]:
        return {"pk": tenant_pk(tenant_id), "sk": sk}

    def _get(self, tenant_id: str, sk: str, action: str) -> dict[str, Any] | None:
        with storage_errors(action):
            item = self._table.get_item(Key=self._key(tenant_id, sk), ConsistentRead=True).get("Item")
        return dict(item) if item else None

    def _query(
        self, tenant_id: str, prefix: str, action: str, filter_expression: Any = None
    ) -> Iterator[dict[str, Any]]:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(tenant_pk(tenant_id)) & Key("sk").begins_with(prefix),
            "ConsistentRead": True,
        }
        if filter_expression is not None:
            query["FilterExpression"] = filter_expression
        while True:
            with storage_errors(action):
                page = self._table.query(**query)
            yield from (dict(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _value_map_sk(kind: ValueMapKind, name: str) -> str:
    return f"{_VALUE_MAP}{kind.value}#{name}"


def _by(actor: Actor | None) -> dict[str, str]:
    """Who saved an item, as JSON text beside its body (none: the attribute is left out)."""
    return {"updated_by": actor.model_dump_json()} if actor is not None else {}


def _actor(item: dict[str, Any]) -> Actor | None:
    raw = item.get("updated_by")
    return Actor.model_validate_json(str(raw)) if raw else None


def _entity_view(item: dict[str, Any]) -> EntityView:
    return EntityView(
        entity=EntityDefinition.model_validate_json(item["body"]),
        updated_at=item["updated_at"],
        updated_by=_actor(item),
    )


def _preset_policy(item: dict[str, Any]) -> PresetPolicy:
    return PresetPolicy(
        policy=ConflictPolicy.model_validate_json(item["body"]),
        updated_at=str(item["updated_at"]),
        updated_by=_actor(item),
    )

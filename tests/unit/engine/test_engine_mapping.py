"""Mapping one record: every issue collected, skipped fields warned, images only when asked."""

from __future__ import annotations

from typing import Any

from odoo_sync.sync.images import content_digest
from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.lookups import StaticResolver
from odoo_sync.sync.mapping import RecordMapper
from odoo_sync.sync.model import (
    EntityDefinition,
    FieldMapping,
    LocalRecord,
    MappingType,
    MatchKey,
    SyncAction,
)
from odoo_sync.sync.plan import SyncPlan
from odoo_sync.sync.transform_core import OdooFieldInfo
from odoo_sync.sync.validation import FieldRule, RecordRules
from odoo_sync.sync.value_maps import ValueMaps

FIELDS = {
    "name": OdooFieldInfo("name", "char"),
    "default_code": OdooFieldInfo("default_code", "char"),
    "list_price": OdooFieldInfo("list_price", "float"),
    "image_1920": OdooFieldInfo("image_1920", "binary"),
}


def mapping(local: str, odoo: str, transform: str | None = None, **extra: Any) -> FieldMapping:
    params = extra.pop("params", {})
    return FieldMapping(
        mapping_id=f"m.{local}",
        entity="product",
        local_field=local,
        odoo_field=odoo,
        odoo_model="product.template",
        mapping_type=MappingType.TRANSFORM if transform else MappingType.DIRECT,
        transform=transform,
        transform_params=params,
        **extra,
    )


def plan(*mappings: FieldMapping, skipped: tuple[str, ...] = ()) -> SyncPlan:
    entity = EntityDefinition(
        name="product",
        odoo_model="product.template",
        match_keys=[MatchKey(local_field="sku", odoo_field="default_code", default_from_local_id=True)],
    )
    return SyncPlan(
        entity=entity,
        mappings=mappings,
        value_maps=ValueMaps(),
        odoo_fields={"product.template": FIELDS},
        rules=RecordRules(fields=[FieldRule(field="title", kind="single_line", required=True)]),
        skipped_fields=skipped,
    )


def mapped(sync_plan: SyncPlan, data: dict[str, Any], **options: Any) -> Any:
    mapper = RecordMapper(sync_plan, **options)
    item = mapper.prepare(
        LocalRecord(entity="product", local_id="p-1", data=data, updated_at="2026-01-01T00:00:00Z")
    )
    mapper.apply(item, StaticResolver())
    return mapper, item


class Images:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.urls: list[str] = []

    def fetch_base64(self, url: str) -> str:
        self.urls.append(url)
        if self.fail:
            raise InvalidValueError(IssueCode.INVALID_URL, "image cannot be used: HTTP 404", url)
        return "aGVsbG8="


def test_values_are_mapped_and_the_match_key_defaults_to_the_local_id() -> None:
    _, item = mapped(
        plan(mapping("title", "name"), mapping("price", "list_price", "decimal", params={"digits": 2})),
        {"title": " Chair ", "price": "19.999"},
    )
    assert item.issues == []
    assert item.vals == {"name": "Chair", "list_price": 20.0, "default_code": "p-1"}
    assert item.sources == {"name": "title", "list_price": "price", "default_code": "sku"}


def test_every_issue_of_a_record_is_collected_and_nothing_is_kept() -> None:
    _, item = mapped(
        plan(
            mapping("title", "name"),
            mapping("price", "list_price", "decimal", params={"digits": 2, "rounding": "reject"}),
            mapping("cost", "list_price", "no_such_transform"),
        ),
        {"title": "T", "price": "1.234", "cost": 1},
    )
    assert [(i.field, i.code) for i in item.issues] == [("price", "too_precise"), ("cost", "configuration")]
    assert item.vals == {}


def test_a_required_mapping_with_an_empty_value_is_an_issue() -> None:
    _, item = mapped(
        plan(mapping("title", "name"), mapping("sku", "default_code", is_required=True)),
        {"title": "T", "sku": ""},
    )
    assert [(i.field, i.code) for i in item.issues] == []  # the sku defaults to the local id
    _, item = mapped(
        plan(mapping("title", "name"), mapping("cost", "list_price", is_required=True)),
        {"title": "T", "cost": None},
    )
    assert [(i.field, i.code) for i in item.issues] == [("cost", "required")]


def test_a_field_the_record_does_not_carry_is_left_alone() -> None:
    _, item = mapped(plan(mapping("title", "name"), mapping("price", "list_price")), {"title": "T"})
    assert "list_price" not in item.vals


def test_fields_this_odoo_lacks_are_skipped_with_a_warning() -> None:
    mapper, item = mapped(
        plan(
            mapping("title", "name"),
            mapping("brand", "x_brand"),
            mapping("mobile", "mobile"),
            skipped=("mobile",),
        ),
        {"title": "T", "brand": "Acme", "mobile": "+32"},
    )
    assert item.issues == []
    assert "x_brand" not in item.vals
    assert "mobile" not in item.vals
    assert [(w.field, w.code) for w in mapper.warnings] == [("brand", "skipped_field")]


def test_images_are_fetched_only_when_asked() -> None:
    images = Images()
    image = mapping("image_url", "image_1920", "image_url")
    _, without = mapped(
        plan(mapping("title", "name"), image), {"title": "T", "image_url": "https://x/a.png"}, images=images
    )
    _, with_images = mapped(
        plan(mapping("title", "name"), image),
        {"title": "T", "image_url": "https://x/a.png"},
        sync_images=True,
        images=images,
    )
    assert "image_1920" not in without.vals
    assert with_images.vals["image_1920"] == "aGVsbG8="
    assert with_images.digests == {"image_1920": content_digest("aGVsbG8=")}
    assert images.urls == ["https://x/a.png"]


def test_a_failed_image_download_is_an_issue_on_its_field() -> None:
    image = mapping("image_url", "image_1920", "image_url")
    _, item = mapped(
        plan(mapping("title", "name"), image),
        {"title": "T", "image_url": "https://x/a.png"},
        sync_images=True,
        images=Images(fail=True),
    )
    assert [(i.field, i.code) for i in item.issues] == [("image_url", "invalid_url")]


def test_the_route_answers_odoo_refusals_with_odoo_details() -> None:
    from odoo_sync.sync.model import RecordOutcome  # noqa: PLC0415
    from sync_api.handler import _answer  # noqa: PLC0415

    outcome = RecordOutcome(
        local_id="p-1",
        action=SyncAction.ERROR,
        odoo_id=4,
        error_message="Wrong value for res.partner.lang: 'xx'",
        error_details={"code": "odoo_rejected", "category": "server", "field": "lang", "value": "xx"},
        started_at="2026-01-01T00:00:00Z",
        completed_at="2026-01-01T00:00:00Z",
        duration_ms=3,
    )
    answer = _answer(outcome)
    assert answer.status_code == 422
    body = answer.body
    assert isinstance(body, dict)
    assert body["code"] == "odoo_rejected"
    assert body["odoo"] == {"category": "server", "field": "lang", "value": "xx"}
    assert body["odoo_id"] == 4

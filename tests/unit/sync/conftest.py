"""Shared builders for the sync core tests: a transform context for a given Odoo field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from odoo_sync.sync.lookups import Resolver
from odoo_sync.sync.transform_core import OdooFieldInfo, TransformContext
from odoo_sync.sync.value_maps import ValueMaps

ContextFactory = Callable[..., TransformContext]


@pytest.fixture
def make_ctx() -> ContextFactory:
    def build(
        field_type: str,
        *,
        field: str = "local_field",
        odoo_field: str = "odoo_field",
        relation: str | None = None,
        selection: tuple[str, ...] | None = None,
        tz: str = "UTC",
        record: Mapping[str, Any] | None = None,
        value_maps: ValueMaps | None = None,
        resolver: Resolver | None = None,
    ) -> TransformContext:
        return TransformContext(
            field=field,
            target=OdooFieldInfo(name=odoo_field, type=field_type, relation=relation, selection=selection),
            tenant_tz=ZoneInfo(tz),
            record=record or {},
            value_maps=value_maps or ValueMaps(),
            resolver=resolver,
        )

    return build

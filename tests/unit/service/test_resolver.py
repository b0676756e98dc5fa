"""The shared HTTP edge: what a broken body and a crash deep in the service answer."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_sync.api.resolver import build_resolver, resolve
from tests.support.events import LambdaContextStub, api_event

app = build_resolver()


@app.post("/v1/deep")
def deep() -> dict[str, Any]:
    def down(level: int) -> int:
        return down(level + 1)

    return {"level": down(0)}


def test_a_recursion_error_of_the_service_itself_is_not_blamed_on_the_body() -> None:
    event = api_event("POST", "/v1/deep", body={"fine": True})

    with pytest.raises(RecursionError):
        resolve(app, event, LambdaContextStub())  # type: ignore[arg-type]

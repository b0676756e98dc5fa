"""The record routes called as API Gateway does, for one tenant or another."""

from __future__ import annotations

from typing import Any

from records_api.handler import lambda_handler
from tests.support.api import ApiAnswer, call
from tests.unit.records.conftest import TENANT_A

ONE = "/v1/records/{entity}/{local_id}"
LIST = "/v1/records/{entity}"
BATCH = "/v1/records/{entity}/batch"


Headers = dict[str, str] | None


def put_record(
    local_id: str, body: Any, entity: str = "customer", tenant: str = TENANT_A, headers: Headers = None
) -> ApiAnswer:
    params = {"entity": entity, "local_id": local_id}
    return call(lambda_handler, "PUT", ONE, params, body=body, tenant_id=tenant, headers=headers)


def get_record(local_id: str, entity: str = "customer", tenant: str = TENANT_A) -> ApiAnswer:
    return call(lambda_handler, "GET", ONE, {"entity": entity, "local_id": local_id}, tenant_id=tenant)


def list_records(query: str = "", entity: str = "customer", tenant: str = TENANT_A) -> ApiAnswer:
    return call(lambda_handler, "GET", LIST, {"entity": entity}, query=query, tenant_id=tenant)


def post_batch(records: list[dict[str, Any]], entity: str = "customer", tenant: str = TENANT_A) -> ApiAnswer:
    body = {"records": records}
    return call(lambda_handler, "POST", BATCH, {"entity": entity}, body=body, tenant_id=tenant)


def listed_ids(answer: ApiAnswer) -> list[str]:
    assert answer.status == 200, answer.body
    return [item["local_id"] for item in answer.body["items"]]

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import settings
from moto import mock_aws

from local_stack import moto_fixes
from odoo_sync.api import dependencies
from odoo_sync.settings import service_settings
from odoo_sync.stores import dynamodb
from tests.support.aws import create_kms_key, create_queues, create_tables

# Property tests check what holds, not how fast: a loaded CI machine must not fail them on time.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")
# The template sets it deployed; functions read it when first imported, after this file.
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "OdooSyncTests")

TABLE_VARIABLES = {
    "ConfigTable": "CONFIG_TABLE",
    "RecordsTable": "RECORDS_TABLE",
    "SyncLogTable": "SYNC_LOG_TABLE",
    "OperationsTable": "OPERATIONS_TABLE",
    "IdempotencyTable": "IDEMPOTENCY_TABLE",
    "ChangesTable": "CHANGES_TABLE",
}


@dataclass
class AwsResources:
    config_table: str
    key_id: str
    tables: dict[str, str]
    queues: dict[str, str]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsResources]:
    """Moto in-process, with the template's tables and a KMS key; service caches rebuilt around it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "odoo-sync-tests",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    moto_fixes.apply()  # as the local stack runs it: thread-safe transactions, faster answers
    with mock_aws():
        tables = create_tables()
        queues = create_queues()
        resources = AwsResources(
            config_table=tables["ConfigTable"], key_id=create_kms_key(), tables=tables, queues=queues
        )
        for logical_id, variable in TABLE_VARIABLES.items():
            monkeypatch.setenv(variable, tables[logical_id])
        monkeypatch.setenv("SYNC_QUEUE_URL", queues["SyncQueue"])
        monkeypatch.setenv("SYNC_DEAD_LETTER_QUEUE_URL", queues["SyncDeadLetterQueue"])
        monkeypatch.setenv("DELIVERY_QUEUE_URL", queues["DeliveryQueue"])
        monkeypatch.setenv("ODOO_CHANGE_QUEUE_URL", queues["OdooChangeQueue"])
        monkeypatch.setenv("ODOO_CHANGE_DEAD_LETTER_QUEUE_URL", queues["OdooChangeDeadLetterQueue"])
        monkeypatch.setenv("SECRETS_KEY_ID", resources.key_id)
        monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", os.environ.get("ALLOW_PRIVATE_ODOO_HOSTS", "false"))
        _clear_caches()
        yield resources
        _clear_caches()


def _clear_caches() -> None:
    """Functions build their services once per warm container; each test gets a cold one."""
    service_settings.cache_clear()
    dynamodb.table.cache_clear()
    for value in vars(dependencies).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()

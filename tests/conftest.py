from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from moto import mock_aws

from odoo_sync.api import dependencies
from odoo_sync.settings import service_settings
from odoo_sync.stores import dynamodb
from tests.support.aws import create_kms_key, create_tables


@dataclass
class AwsResources:
    config_table: str
    key_id: str


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
    with mock_aws():
        tables = create_tables()
        resources = AwsResources(config_table=tables["ConfigTable"], key_id=create_kms_key())
        monkeypatch.setenv("CONFIG_TABLE", resources.config_table)
        monkeypatch.setenv("SECRETS_KEY_ID", resources.key_id)
        monkeypatch.setenv("ALLOW_PRIVATE_ODOO_HOSTS", os.environ.get("ALLOW_PRIVATE_ODOO_HOSTS", "false"))
        _clear_caches()
        yield resources
        _clear_caches()


def _clear_caches() -> None:
    service_settings.cache_clear()
    dynamodb.table.cache_clear()
    dependencies.tenant_service.cache_clear()
    dependencies.connection_service.cache_clear()

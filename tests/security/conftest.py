"""Fixtures of the security suite: the Odoo client unit fixtures, and moto for a whole module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from tests.conftest import TABLE_VARIABLES, AwsResources, _clear_caches
from tests.security.world import LOOPBACK_API_URL
from tests.support.aws import create_kms_key, create_queues, create_tables
from tests.unit.odoo.conftest import make_client, sleeps

__all__ = ["make_client", "module_aws", "sleeps"]


@pytest.fixture(scope="module")
def module_aws() -> Iterator[AwsResources]:
    """The `aws` fixture for a module whose tests share one (read-mostly) world of tenants."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "POWERTOOLS_SERVICE_NAME": "odoo-sync-tests",
            "ALLOW_PRIVATE_ODOO_HOSTS": "true",
            "PUBLIC_API_URL": LOOPBACK_API_URL,
        }.items():
            patch.setenv(name, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        with mock_aws():
            tables = create_tables()
            queues = create_queues()
            resources = AwsResources(
                config_table=tables["ConfigTable"], key_id=create_kms_key(), tables=tables, queues=queues
            )
            for logical_id, variable in TABLE_VARIABLES.items():
                patch.setenv(variable, tables[logical_id])
            patch.setenv("SYNC_QUEUE_URL", queues["SyncQueue"])
            if "OdooChangeQueue" in queues:
                patch.setenv("ODOO_CHANGE_QUEUE_URL", queues["OdooChangeQueue"])
            if "DeliveryQueue" in queues:
                patch.setenv("DELIVERY_QUEUE_URL", queues["DeliveryQueue"])
            patch.setenv("SECRETS_KEY_ID", resources.key_id)
            _clear_caches()
            yield resources
            _clear_caches()

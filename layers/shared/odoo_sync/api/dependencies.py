"""Wiring of services to their AWS adapters, built once per warm function."""

from __future__ import annotations

from functools import cache

import boto3

from odoo_sync.core.connections import ConnectionService
from odoo_sync.core.tenants import TenantService
from odoo_sync.security.envelope import EnvelopeCipher
from odoo_sync.settings import service_settings
from odoo_sync.stores.connections import DynamoConnectionRepository
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.tenants import DynamoTenantRepository


@cache
def tenant_service() -> TenantService:
    return TenantService(DynamoTenantRepository(table(service_settings().config_table)))


@cache
def connection_service() -> ConnectionService:
    settings = service_settings()
    cipher = EnvelopeCipher(boto3.client("kms"), settings.secrets_key_id)
    return ConnectionService(
        DynamoConnectionRepository(table(settings.config_table)),
        cipher,
        allow_private_hosts=settings.allow_private_odoo_hosts,
    )

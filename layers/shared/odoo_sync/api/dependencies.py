"""Wiring of services to their AWS adapters, built once per warm function."""

from __future__ import annotations

from functools import cache

import boto3

from odoo_sync.core.bulk import BulkSyncService
from odoo_sync.core.connections import ConnectionService
from odoo_sync.core.odoo_fields import OdooFieldsCache
from odoo_sync.core.plans import PlanService
from odoo_sync.core.push import PushService
from odoo_sync.core.records import RecordService
from odoo_sync.core.settings import SettingsService
from odoo_sync.core.tenants import TenantService
from odoo_sync.security.envelope import EnvelopeCipher
from odoo_sync.settings import service_settings
from odoo_sync.stores.batches import DynamoBatches
from odoo_sync.stores.connections import DynamoConnectionRepository
from odoo_sync.stores.dynamodb import table
from odoo_sync.stores.queue import SqsChunkQueue
from odoo_sync.stores.records import DynamoRecordStore
from odoo_sync.stores.settings import DynamoSettingsRepository
from odoo_sync.stores.stats import DynamoStats
from odoo_sync.stores.sync_log import DynamoSyncLog
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


@cache
def sync_log() -> DynamoSyncLog:
    settings = service_settings()
    return DynamoSyncLog(table(settings.sync_log_table), settings.sync_log_retention_days)


@cache
def stats() -> DynamoStats:
    return DynamoStats(table(service_settings().operations_table))


@cache
def batches() -> DynamoBatches:
    return DynamoBatches(table(service_settings().operations_table))


@cache
def chunk_queue() -> SqsChunkQueue:
    return SqsChunkQueue(boto3.client("sqs"), service_settings().sync_queue_url)


@cache
def bulk_service() -> BulkSyncService:
    return BulkSyncService(
        settings_service().catalog, record_store(), connection_service(), batches(), chunk_queue()
    )


@cache
def settings_repository() -> DynamoSettingsRepository:
    return DynamoSettingsRepository(table(service_settings().config_table))


@cache
def odoo_fields_cache() -> OdooFieldsCache:
    return OdooFieldsCache(settings_repository())


@cache
def settings_service() -> SettingsService:
    return SettingsService(settings_repository(), connection_service(), odoo_fields_cache())


@cache
def record_store() -> DynamoRecordStore:
    return DynamoRecordStore(table(service_settings().records_table))


@cache
def record_service() -> RecordService:
    return RecordService(record_store(), settings_service().catalog, connection_service())


@cache
def plan_loader() -> PlanService:
    return PlanService(settings_repository(), odoo_fields_cache())


@cache
def push_service() -> PushService:
    return PushService(
        record_store(),
        plan_loader(),
        connection_service(),
        sync_log(),
        stats(),
        batches(),
        allow_private_image_hosts=service_settings().allow_private_odoo_hosts,
    )

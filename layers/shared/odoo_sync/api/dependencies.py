"""Wiring of services to their AWS adapters, built once per warm function.

Each factory imports its service and adapters itself: every handler imports this module, and
importing all of them here would load httpx, cryptography, croniter, phonenumbers... into
functions whose routes use none of them (the authorizer runs on every request), which a user
pays for as cold-start latency. Type annotations come from the `TYPE_CHECKING` imports.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import boto3

from odoo_sync.settings import service_settings
from odoo_sync.stores.dynamodb import table

if TYPE_CHECKING:
    from odoo_sync.core.automation import AutomationService
    from odoo_sync.core.bulk import BulkSyncService
    from odoo_sync.core.changes import ChangeFeed
    from odoo_sync.core.conflicts import ConflictService
    from odoo_sync.core.connections import ConnectionService
    from odoo_sync.core.notice_apply import NoticeService
    from odoo_sync.core.odoo_fields import OdooFieldsCache
    from odoo_sync.core.odoo_webhooks import WebhookReceiver
    from odoo_sync.core.outbound_webhooks import WebhookService
    from odoo_sync.core.plans import PlanService
    from odoo_sync.core.pull import PullService
    from odoo_sync.core.pull_apply import PageApplier
    from odoo_sync.core.push import PushService
    from odoo_sync.core.records import RecordService
    from odoo_sync.core.schedules import ScheduleService
    from odoo_sync.core.settings import SettingsService
    from odoo_sync.core.tenants import TenantService
    from odoo_sync.core.warm_cache import CachedPlans, ReusedClients
    from odoo_sync.core.webhook_delivery import WebhookDeliverer
    from odoo_sync.stores.batch_list import DynamoBatchList
    from odoo_sync.stores.batches import DynamoBatches
    from odoo_sync.stores.changes import DynamoChangeLog
    from odoo_sync.stores.conflicts import DynamoConflicts
    from odoo_sync.stores.deliveries import DynamoDeliveryLog
    from odoo_sync.stores.leases import DynamoSlotLeases
    from odoo_sync.stores.queue import SqsChunkQueue
    from odoo_sync.stores.records import DynamoRecordStore
    from odoo_sync.stores.settings import DynamoSettingsRepository
    from odoo_sync.stores.stats import DynamoStats
    from odoo_sync.stores.sync_log import DynamoSyncLog
    from odoo_sync.stores.webhook_tokens import DynamoWebhookTokens


@cache
def tenant_service() -> TenantService:
    from odoo_sync.core.tenants import TenantService
    from odoo_sync.stores.tenants import DynamoTenantRepository

    return TenantService(DynamoTenantRepository(table(service_settings().config_table)))


@cache
def connection_service() -> ConnectionService:
    from odoo_sync.core.connections import ConnectionService
    from odoo_sync.security.envelope import EnvelopeCipher
    from odoo_sync.stores.connections import DynamoConnectionRepository

    settings = service_settings()
    cipher = EnvelopeCipher(boto3.client("kms"), settings.secrets_key_id)
    return ConnectionService(
        DynamoConnectionRepository(table(settings.config_table)),
        cipher,
        allow_private_hosts=settings.allow_private_odoo_hosts,
        tokens=webhook_tokens(),
    )


@cache
def sync_log() -> DynamoSyncLog:
    from odoo_sync.stores.sync_log import DynamoSyncLog

    settings = service_settings()
    return DynamoSyncLog(table(settings.sync_log_table), settings.sync_log_retention_days)


@cache
def stats() -> DynamoStats:
    from odoo_sync.stores.stats import DynamoStats

    return DynamoStats(table(service_settings().operations_table))


@cache
def batches() -> DynamoBatches:
    from odoo_sync.stores.batches import DynamoBatches

    return DynamoBatches(table(service_settings().operations_table))


@cache
def slot_leases() -> DynamoSlotLeases:
    from odoo_sync.stores.leases import DynamoSlotLeases

    return DynamoSlotLeases(table(service_settings().operations_table))


@cache
def chunk_queue() -> SqsChunkQueue:
    from odoo_sync.stores.queue import SqsChunkQueue

    return SqsChunkQueue(boto3.client("sqs"), service_settings().sync_queue_url)


@cache
def bulk_service() -> BulkSyncService:
    from odoo_sync.core.bulk import BulkSyncService

    return BulkSyncService(
        settings_service().catalog, record_store(), connection_service(), batches(), chunk_queue()
    )


@cache
def settings_repository() -> DynamoSettingsRepository:
    from odoo_sync.stores.settings import DynamoSettingsRepository

    return DynamoSettingsRepository(table(service_settings().config_table))


@cache
def odoo_fields_cache() -> OdooFieldsCache:
    from odoo_sync.core.odoo_fields import OdooFieldsCache

    return OdooFieldsCache(settings_repository())


@cache
def settings_service() -> SettingsService:
    from odoo_sync.core.settings import SettingsService

    return SettingsService(settings_repository(), connection_service(), odoo_fields_cache())


@cache
def record_store() -> DynamoRecordStore:
    from odoo_sync.stores.records import DynamoRecordStore

    return DynamoRecordStore(table(service_settings().records_table))


@cache
def record_service() -> RecordService:
    from odoo_sync.core.records import RecordService

    return RecordService(record_store(), settings_service().catalog, connection_service())


@cache
def plan_loader() -> PlanService:
    from odoo_sync.core.plans import PlanService

    return PlanService(settings_repository(), odoo_fields_cache())


@cache
def warm_plans() -> CachedPlans:
    """The workers' plans, kept for a few seconds between chunks (core.warm_cache)."""
    from odoo_sync.core.warm_cache import CachedPlans

    return CachedPlans(plan_loader())


@cache
def warm_clients() -> ReusedClients:
    """The workers' Odoo clients, kept for a few seconds between chunks (core.warm_cache)."""
    from odoo_sync.core.warm_cache import ReusedClients

    return ReusedClients(connection_service())


@cache
def push_service() -> PushService:
    from odoo_sync.core.push import PushService

    return PushService(
        record_store(),
        warm_plans(),
        warm_clients(),
        sync_log(),
        stats(),
        batches(),
        allow_private_image_hosts=service_settings().allow_private_odoo_hosts,
        conflicts=conflict_store(),
        leases=slot_leases(),
    )


@cache
def conflict_store() -> DynamoConflicts:
    from odoo_sync.stores.conflicts import DynamoConflicts

    return DynamoConflicts(table(service_settings().operations_table))


@cache
def conflict_service() -> ConflictService:
    from odoo_sync.core.conflicts import ConflictService

    return ConflictService(conflict_store(), record_store(), connection_service(), plan_loader(), sync_log())


@cache
def schedule_service() -> ScheduleService:
    from odoo_sync.core.schedule_runs import ScheduleRunner
    from odoo_sync.core.schedules import ScheduleService
    from odoo_sync.stores.schedules import DynamoScheduleStore

    runner = ScheduleRunner(bulk_service(), pull_service())
    return ScheduleService(
        DynamoScheduleStore(table(service_settings().config_table)),
        settings_service().catalog,
        connection_service(),
        runner,
    )


@cache
def webhook_tokens() -> DynamoWebhookTokens:
    from odoo_sync.stores.webhook_tokens import DynamoWebhookTokens

    return DynamoWebhookTokens(table(service_settings().config_table))


@cache
def automation_service() -> AutomationService:
    from odoo_sync.core.automation import AutomationService

    return AutomationService(connection_service(), settings_service().catalog, webhook_tokens())


@cache
def webhook_receiver() -> WebhookReceiver:
    from odoo_sync.core.odoo_webhooks import WebhookReceiver
    from odoo_sync.stores.webhook_tokens import DynamoWebhookRateLimiter

    settings = service_settings()
    limiter = DynamoWebhookRateLimiter(
        table(settings.operations_table), settings.webhook_rate_limit_per_minute
    )
    return WebhookReceiver(webhook_tokens(), limiter, notice_queue())


@cache
def notice_queue() -> SqsChunkQueue:
    from odoo_sync.stores.queue import SqsChunkQueue

    return SqsChunkQueue(boto3.client("sqs"), service_settings().odoo_change_queue_url, fifo=False)


@cache
def notice_service() -> NoticeService:
    from odoo_sync.core.notice_apply import NoticeService
    from odoo_sync.core.warm_cache import CachedEntityLists

    return NoticeService(CachedEntityLists(settings_service().catalog), warm_clients(), page_applier())


@cache
def change_log() -> DynamoChangeLog:
    from odoo_sync.stores.changes import DynamoChangeLog

    settings = service_settings()
    return DynamoChangeLog(table(settings.changes_table), settings.change_retention_days)


@cache
def webhook_service() -> WebhookService:
    from odoo_sync.core.outbound_webhooks import WebhookService
    from odoo_sync.security.envelope import EnvelopeCipher
    from odoo_sync.stores.subscriptions import DynamoSubscriptionRepository

    settings = service_settings()
    return WebhookService(
        DynamoSubscriptionRepository(table(settings.config_table)),
        EnvelopeCipher(boto3.client("kms"), settings.secrets_key_id),
        allow_private_hosts=settings.allow_private_odoo_hosts,
    )


@cache
def delivery_log() -> DynamoDeliveryLog:
    from odoo_sync.stores.deliveries import DynamoDeliveryLog

    settings = service_settings()
    return DynamoDeliveryLog(table(settings.changes_table), settings.change_retention_days)


@cache
def change_sink() -> ChangeFeed:
    """core.ports.ChangeSink: the change feed, fanning changes out to webhook subscriptions."""
    from odoo_sync.core.changes import ChangeFeed
    from odoo_sync.stores.deliveries import SqsDeliveryQueue

    settings = service_settings()
    return ChangeFeed(
        change_log(),
        webhook_service(),
        SqsDeliveryQueue(boto3.client("sqs"), settings.delivery_queue_url),
        retention_days=settings.change_retention_days,
    )


@cache
def webhook_deliverer(max_attempts: int) -> WebhookDeliverer:
    import httpx

    from odoo_sync.core.webhook_delivery import WebhookDeliverer
    from odoo_sync.net import guarded_transport

    http = httpx.Client(
        transport=guarded_transport(service_settings().allow_private_odoo_hosts), follow_redirects=False
    )
    return WebhookDeliverer(webhook_service(), change_log(), delivery_log(), http, max_attempts=max_attempts)


@cache
def page_applier() -> PageApplier:
    from odoo_sync.core.pull_apply import PageApplier
    from odoo_sync.stores.pull_records import DynamoPulledRecords

    return PageApplier(
        record_store(),
        DynamoPulledRecords(table(service_settings().records_table)),
        warm_plans(),
        warm_clients(),
        sync_log(),
        stats(),
        batches(),
        changes=change_sink(),
        conflicts=conflict_store(),
    )


@cache
def pull_service() -> PullService:
    from odoo_sync.core.pull import PullService
    from odoo_sync.stores.cursors import DynamoCursorStore

    return PullService(
        settings_service().catalog,
        connection_service(),
        plan_loader(),
        batches(),
        chunk_queue(),
        DynamoCursorStore(table(service_settings().config_table)),
        page_applier(),
        page_applier().deletions,
    )


@cache
def batch_list() -> DynamoBatchList:
    from odoo_sync.stores.batch_list import DynamoBatchList

    return DynamoBatchList(table(service_settings().operations_table))

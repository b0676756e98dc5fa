"""Environment of a function, parsed once into a typed model."""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field


class ServiceSettings(BaseModel):
    """What every function reads from its environment (set by template.yaml)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    config_table: str = Field(alias="CONFIG_TABLE", min_length=1)
    records_table: str = Field(default="", alias="RECORDS_TABLE")
    sync_log_table: str = Field(default="", alias="SYNC_LOG_TABLE")
    operations_table: str = Field(default="", alias="OPERATIONS_TABLE")
    idempotency_table: str = Field(default="", alias="IDEMPOTENCY_TABLE")
    sync_queue_url: str = Field(default="", alias="SYNC_QUEUE_URL")
    # The sync worker moves a message that can never be processed there itself (set for it only).
    sync_dead_letter_queue_url: str = Field(default="", alias="SYNC_DEAD_LETTER_QUEUE_URL")
    sync_log_retention_days: int = Field(default=90, ge=1, le=3650, alias="SYNC_LOG_RETENTION_DAYS")
    # Odoo's change notices: a standard queue the notices function reads in gathered batches.
    odoo_change_queue_url: str = Field(default="", alias="ODOO_CHANGE_QUEUE_URL")
    odoo_change_dead_letter_queue_url: str = Field(default="", alias="ODOO_CHANGE_DEAD_LETTER_QUEUE_URL")
    changes_table: str = Field(default="", alias="CHANGES_TABLE")
    change_retention_days: int = Field(default=30, ge=1, le=365, alias="CHANGE_RETENTION_DAYS")
    delivery_queue_url: str = Field(default="", alias="DELIVERY_QUEUE_URL")
    secrets_key_id: str = Field(default="", alias="SECRETS_KEY_ID")
    allow_private_odoo_hosts: bool = Field(default=False, alias="ALLOW_PRIVATE_ODOO_HOSTS")
    operator_key_hash_parameter: str = Field(
        default="/odoo-sync/operator-key-sha256", alias="OPERATOR_KEY_HASH_PARAMETER"
    )
    stage: str = Field(default="dev", alias="STAGE")
    # Where Odoo reaches this API (its webhooks POST there); empty: the URL the request came to.
    public_api_url: str = Field(default="", alias="PUBLIC_API_URL")
    webhook_rate_limit_per_minute: int = Field(
        default=1200, ge=1, le=1_000_000, alias="WEBHOOK_RATE_LIMIT_PER_MINUTE"
    )


@cache
def service_settings() -> ServiceSettings:
    return ServiceSettings.model_validate(dict(os.environ))

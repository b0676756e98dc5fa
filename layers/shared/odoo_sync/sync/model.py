"""The sync vocabulary shared by records, mappings, the engine, the worker and the API.

Entities say what a kind of record is on each side; field mappings say how one local field
becomes one Odoo field (and back); records are the tenant's copies, each with one link per Odoo
connection; outcomes are what a push did to one record. Everything here is plain data.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from odoo_sync.actors import Actor
from odoo_sync.sync.issues import FieldIssue
from odoo_sync.sync.validation import FieldRule

ENTITY_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
LOCAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@\-]{0,127}$"
LOCAL_FIELD_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
ODOO_FIELD_PATTERN = r"^[a-z_][a-z0-9_]{0,63}$"
ODOO_MODEL_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
ODOO_LANG_PATTERN = r"^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?(@[a-z]+)?$"  # fr_FR, sr@latin, es_419
MESSAGE_VERSION: Literal[1] = 1
SLOTS = 10  # records hash into this many slots per connection (and lanes are at most this many)


class Direction(StrEnum):
    TO_ODOO = "to_odoo"
    FROM_ODOO = "from_odoo"
    BOTH = "both"


class MappingType(StrEnum):
    DIRECT = "direct"
    TRANSFORM = "transform"
    CUSTOM = "custom"


class MatchKey(BaseModel):
    """A field pair that identifies a record on both sides (ref, default_code, barcode, email, VAT)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    local_field: str = Field(pattern=LOCAL_FIELD_PATTERN)
    odoo_field: str = Field(pattern=ODOO_FIELD_PATTERN)
    # When the record has no value for this key, its local id is used (and written to Odoo), so
    # that every record can be found again after a create whose answer was lost.
    default_from_local_id: bool = False


class ConflictRule(StrEnum):
    """Who wins a field that changed on both sides since the last sync."""

    ODOO = "odoo"  # Odoo is the system of record for the field
    LOCAL = "local"  # the tenant's system is
    NEWEST_WINS = "newest_wins"  # the side whose change is newer (record timestamps)
    MANUAL = "manual"  # hold the field, list it at /v1/conflicts, until someone resolves it


class ConflictPolicy(BaseModel):
    """The entity's default rule and per-field overrides (keyed by Odoo field name)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: ConflictRule = ConflictRule.MANUAL
    fields: dict[str, ConflictRule] = Field(default_factory=dict, max_length=200)

    def rule_for(self, odoo_field: str) -> ConflictRule:
        return self.fields.get(odoo_field, self.default)


class EntityDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=ENTITY_NAME_PATTERN)
    odoo_model: str = Field(pattern=ODOO_MODEL_PATTERN, max_length=128)
    description: str = Field(default="", max_length=500)
    match_keys: list[MatchKey] = Field(min_length=1, max_length=5)
    fields: list[FieldRule] = Field(default_factory=list, max_length=200)
    # Some Odoo fields live on a second model reached through the first (product.product for the
    # variant fields of a product.template); None for most entities.
    variant_model: str | None = Field(default=None, pattern=ODOO_MODEL_PATTERN)
    timezone: str = "UTC"
    preset: bool = False
    conflicts: ConflictPolicy = ConflictPolicy()


class FieldMapping(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mapping_id: str
    entity: str = Field(pattern=ENTITY_NAME_PATTERN)
    local_field: str = Field(pattern=LOCAL_FIELD_PATTERN)
    odoo_field: str = Field(pattern=ODOO_FIELD_PATTERN)
    odoo_model: str = Field(pattern=ODOO_MODEL_PATTERN)
    mapping_type: MappingType = MappingType.DIRECT
    transform: str | None = None  # a name from odoo_sync.sync.transforms.registered_transforms()
    transform_params: dict[str, Any] = Field(default_factory=dict)
    direction: Direction = Direction.BOTH
    is_required: bool = False
    is_active: bool = True
    priority: int = Field(default=100, ge=0, le=10_000)  # lower runs first; later ones win a field
    source: Literal["preset", "tenant"] = "tenant"
    # The local field is the Odoo field's value in this language (a translatable field), written
    # and read with context {'lang': lang}; None: the connection's language, as every other field.
    lang: str | None = Field(default=None, pattern=ODOO_LANG_PATTERN)
    updated_by: Actor | None = None  # who saved this tenant mapping (presets and older ones: none)

    def applies(self, direction: Direction) -> bool:
        return self.is_active and self.direction in (direction, Direction.BOTH)


class LinkStatus(StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    ERROR = "error"
    ARCHIVED = "archived"  # archived in Odoo (active=False); the local data is kept
    DELETED = "deleted"  # gone from Odoo; the local data is kept, the link remembers the id


class OdooLink(BaseModel):
    """Where a local record lives in one Odoo connection, and what was last agreed on."""

    odoo_id: int | None = None
    status: LinkStatus = LinkStatus.PENDING
    last_synced_at: str | None = None
    last_error: str | None = None
    synced_version: int | None = None  # the record version last pushed successfully
    snapshot: dict[str, Any] | None = None  # mapped Odoo values as last written or read
    odoo_write_date: str | None = None  # Odoo's write_date of the version last pulled


class LocalRecord(BaseModel):
    entity: str
    local_id: str = Field(pattern=LOCAL_ID_PATTERN)
    data: dict[str, Any]
    version: int = 1
    updated_at: str
    links: dict[str, OdooLink] = Field(default_factory=dict)  # by connection id


class SyncAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"


class TriggeredBy(StrEnum):
    API = "api"
    BULK = "bulk"
    SCHEDULE = "schedule"
    WEBHOOK = "webhook"
    RETRY = "retry"
    IMPORT = "import"


class SyncOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    force_update: bool = False  # write mapped values even when Odoo already has them
    sync_images: bool = False
    # A record whose link says Odoo deleted it is refused (deleted_in_odoo) unless this is set:
    # then it is matched like a record never pushed (external id, match keys) or created anew.
    recreate_deleted: bool = False
    # A record linked to an Odoo record archived there is refused (archived_in_odoo) unless set.
    write_archived: bool = False


class RecordOutcome(BaseModel):
    """What a push did to one record; becomes a log entry, a link update and counters."""

    local_id: str
    action: SyncAction
    odoo_id: int | None = None
    fields_synced: list[str] = Field(default_factory=list)
    error_message: str | None = None
    # Odoo's exception name/code, or every validation issue ({field, code, message, value}).
    error_details: dict[str, Any] | None = None
    issues: list[FieldIssue] = Field(default_factory=list)
    # Not reasons to fail: an unchecked VAT number, a mapped field this Odoo lacks, ...
    warnings: list[FieldIssue] = Field(default_factory=list)
    retryable: bool = False
    snapshot: dict[str, Any] | None = None  # mapped values now in Odoo, for the link
    started_at: str
    completed_at: str
    duration_ms: int

    @property
    def success(self) -> bool:
        return self.action is not SyncAction.ERROR


class PushChunkMessage(BaseModel):
    """One SQS message: push these records of one entity through one connection."""

    model_config = ConfigDict(extra="forbid")

    message_version: Literal[1] = MESSAGE_VERSION
    kind: Literal["push_chunk"] = "push_chunk"
    tenant_id: str
    connection_id: str
    entity: str
    batch_id: str
    chunk: int = Field(ge=0)
    local_ids: list[str] = Field(min_length=1, max_length=1000)
    options: SyncOptions = SyncOptions()
    triggered_by: TriggeredBy = TriggeredBy.BULK
    actor: Actor | None = None  # who queued it (messages queued before actors existed: none)
    # The chunk's FIFO group is its lane (odoo_sync.core.lanes): the slots its records hash to
    # all fall in that lane among `lanes` (the connection's max_in_flight when it was queued).
    lane: int = Field(default=0, ge=0, lt=SLOTS)
    slots: list[int] = Field(default_factory=list, max_length=SLOTS)


class BulkSelectMessage(BaseModel):
    """One SQS message: select the next slice of a bulk batch's records, from `cursor` on, and queue
    their chunks (and the next slice's message); each step is bounded, so any batch size fits."""

    model_config = ConfigDict(extra="forbid")

    message_version: Literal[1] = MESSAGE_VERSION
    kind: Literal["bulk_select"] = "bulk_select"
    tenant_id: str
    connection_id: str
    entity: str
    batch_id: str
    slice: int = Field(ge=1)  # slice 0 is selected by the request itself
    cursor: str = Field(min_length=1, max_length=2000)
    filters: dict[str, Any] = Field(default_factory=dict)  # the request's BulkFilters, as JSON
    triggered_by: TriggeredBy = TriggeredBy.BULK
    actor: Actor | None = None


class SyncLogEntry(BaseModel):
    """One record operation, as `GET /v1/logs` shows it."""

    id: str
    entity: str
    local_id: str
    connection_id: str
    odoo_id: int | None = None
    sync_direction: Literal["to_odoo", "from_odoo"] = "to_odoo"
    sync_type: Literal["create", "update", "skip"] | None = None
    sync_status: Literal["success", "error"]
    fields_synced: list[str] = Field(default_factory=list)
    duration_ms: int
    started_at: str
    completed_at: str
    triggered_by: TriggeredBy
    batch_id: str | None = None
    error_message: str | None = None
    error_details: dict[str, Any] | None = None
    actor: Actor | None = None  # who acted (entries written before actors existed: none)


class PullOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    create_missing: bool = True  # an Odoo record with no local copy becomes a new local record
    update_existing: bool = True  # a linked or matched local record takes Odoo's changes
    # A delta's cursor (Odoo's naive UTC datetime): records Odoo created after it are reported
    # CREATED the first time they are read from Odoo (odoo_sync.sync.pull.decide).
    created_after: str | None = Field(default=None, max_length=32)


class PullPageMessage(BaseModel):
    """One SQS message: read these Odoo ids of one entity in one call and apply them locally."""

    model_config = ConfigDict(extra="forbid")

    message_version: Literal[1] = MESSAGE_VERSION
    kind: Literal["pull_page"] = "pull_page"
    tenant_id: str
    connection_id: str
    entity: str
    batch_id: str
    chunk: int = Field(ge=0)
    odoo_ids: list[int] = Field(min_length=1, max_length=5000)
    options: PullOptions = PullOptions()
    triggered_by: TriggeredBy = TriggeredBy.IMPORT
    actor: Actor | None = None
    lane: int = Field(default=0, ge=0, lt=SLOTS)  # as PushChunkMessage's, by Odoo id
    slots: list[int] = Field(default_factory=list, max_length=SLOTS)


class OdooChangeMessage(BaseModel):
    """One SQS message: Odoo said these records changed (webhook); re-read them and apply.

    The payload Odoo sent is not trusted: only the model and ids are kept, the worker reads the
    records again through the connection's own credentials.
    """

    model_config = ConfigDict(extra="forbid")

    message_version: Literal[1] = MESSAGE_VERSION
    kind: Literal["odoo_change"] = "odoo_change"
    tenant_id: str
    connection_id: str
    odoo_model: str = Field(pattern=ODOO_MODEL_PATTERN)
    odoo_ids: list[int] = Field(min_length=1, max_length=1000)
    # Odoo's write_date as sent (microseconds kept): the version Odoo 17 must show before the
    # notice is applied (core.pull_notices); on the sync queue also part of the deduplication id.
    write_date: str | None = None
    received_at: str
    batch_id: str | None = None
    chunk: int = 0


class ChangeAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    ARCHIVED = "archived"
    DELETED = "deleted"


class RecordChange(BaseModel):
    """A change that came from Odoo and was applied to a tenant record: one change-feed entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: str = Field(description="The entity of the record (customer, product, ... or the tenant's own)")
    local_id: str = Field(description="The tenant's id of the record")
    connection_id: str = Field(description="The connection (Odoo) the change came from")
    odoo_id: int = Field(description="The record's id in that Odoo")
    action: ChangeAction = Field(
        description="created (new to the tenant's link with this Odoo), updated, archived (Odoo "
        "archived it), deleted (Odoo no longer has it; the tenant's record is kept)"
    )
    fields_changed: list[str] = Field(
        default_factory=list,
        description="Local fields whose value changed; empty for archived and deleted",
    )
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="The local record after the change, as GET /v1/records shows it (decimals as text)",
    )
    odoo_write_date: str | None = Field(
        default=None,
        description="Odoo's write_date of the version applied, 'YYYY-MM-DD HH:MM:SS' in UTC as Odoo "
        "gives it; null for a deletion",
    )
    applied_at: str = Field(description="When the change was applied here, ISO 8601 in UTC")
    triggered_by: TriggeredBy = Field(
        description="What started the read from Odoo: import, schedule, webhook (an Odoo notice), retry"
    )
    batch_id: str | None = Field(default=None, description="The import or delta batch that applied it")

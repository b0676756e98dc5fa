"""Technical models: models and fields introspection, external ids, modules, automations."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ..errors import ValidationError, value_error
from ..fields import Field, FieldSet, with_changes
from ..personality import Personality
from .automation import webhook_body
from .base import BaseModel
from .decorators import model_method
from .external_ids import RECORD_COLUMNS, XMLID_COLUMNS, xmlid_rows
from .res import ALL_OPERATIONS, WRITE_OPERATIONS


class IrModel(BaseModel):
    _name = "ir.model"
    _description = "Models"
    _order = "model, id"
    _restricted_operations = WRITE_OPERATIONS
    _inverse_fields: ClassVar[dict[str, str]] = {"field_id": "model_id"}
    _declared_fields = (
        Field("name", "char", "Model Description", required=True),
        Field("model", "char", "Model", required=True),
        Field("info", "text", "Information"),
        Field("state", "selection", "Type", selection=(("manual", "Custom Object"), ("base", "Base Object"))),
        Field("transient", "boolean", "Transient Model"),
        Field("modules", "char", "In Apps", readonly=True),
        Field("field_id", "one2many", "Fields", required=True, relation="ir.model.fields"),
    )


class IrModelFields(BaseModel):
    _name = "ir.model.fields"
    _description = "Fields"
    _order = "name, id"
    _restricted_operations = WRITE_OPERATIONS
    _declared_fields = (
        Field("name", "char", "Field Name", required=True),
        Field("field_description", "char", "Field Label", required=True),
        Field("model", "char", "Model Name", required=True),
        Field("model_id", "many2one", "Model", required=True, relation="ir.model"),
        Field("ttype", "char", "Field Type", required=True),
        Field("relation", "char", "Related Model"),
        Field("required", "boolean", "Required"),
        Field("readonly", "boolean", "Readonly"),
        Field("store", "boolean", "Stored"),
        Field("help", "text", "Field Help"),
        Field("state", "selection", "Type", selection=(("manual", "Custom Field"), ("base", "Base Field"))),
        # Odoo never fills this for fields declared in code (its reflection leaves the relation
        # table empty): a field's `groups=` lives on the Python field only, which is what the
        # webhook check reads. So it reads [] here too, restricted fields included.
        Field("groups", "many2many", "Groups", relation="res.groups"),
    )

    def _display_name(self, rid: int) -> str:
        row = self._table().get(rid) or {}
        return f"{row.get('field_description')} ({row.get('model')})"


class ResGroups(BaseModel):
    _name = "res.groups"
    _description = "Access Groups"
    _order = "name, id"
    _restricted_operations = WRITE_OPERATIONS
    _declared_fields = (Field("name", "char", "Name", required=True),)


class IrModelData(BaseModel):
    _name = "ir.model.data"
    _description = "Model Data"
    _order = "module, model, name, id"
    _restricted_operations = ALL_OPERATIONS
    _indexes = (XMLID_COLUMNS, RECORD_COLUMNS)
    _computed_fields = frozenset({"complete_name", "reference"})
    _defaults: ClassVar[dict[str, Any]] = {"noupdate": False}

    def _display_name(self, rid: int) -> str:
        row = self._table().get(rid) or {}
        model = row.get("model")
        if model in self.env and row.get("res_id") in self.env[str(model)]._table():
            return self.env[str(model)]._display_name(int(row["res_id"]))
        return f"{row.get('module')}.{row.get('name')}"

    def _compute(self, rid: int, name: str) -> Any:
        row = self._table().get(rid) or {}
        if name == "complete_name":
            return f"{row.get('module')}.{row.get('name')}"
        if name == "reference":
            return f"{row.get('model')},{row.get('res_id')}"
        return super()._compute(rid, name)

    def _check_constraints(self, names: set[str] | None) -> None:
        for rid in self.ids:
            if " " in str(self._table()[rid].get("name") or ""):
                raise ValidationError("The operation cannot be completed: External IDs cannot contain spaces")
        if names is not None and not {"module", "name"} & names:
            return
        # The first clash in table order, as a scan of the table meets it: the key whose second
        # row comes first. Only the keys of these rows can clash (every create and rename of an
        # external id is checked), so the index answers without reading the table.
        clashes = []
        for rid in dict.fromkeys(self.ids):
            row = self._table()[rid]
            rows = xmlid_rows(self.env.store, row.get("module"), row.get("name"))
            if len(rows) > 1:
                clashes.append((rows[1][0], (row.get("module"), row.get("name"))))
        if clashes:
            key = min(clashes)[1]
            raise ValidationError(
                "The operation cannot be completed: duplicate key value violates unique constraint "
                '"ir_model_data_module_name_uniq_index"\n'
                f"DETAIL:  Key (module, name)=({key[0]}, {key[1]}) already exists.\n"
            )

    @model_method
    def check_object_reference(
        self, module: str, xml_id: str, raise_on_access_error: bool = False
    ) -> list[Any]:
        for _xid, row in xmlid_rows(self.env.store, module, xml_id):
            return [row["model"], row["res_id"]]
        raise value_error(f"External ID not found in the system: {module}.{xml_id}")


class IrModuleModule(BaseModel):
    _name = "ir.module.module"
    _description = "Module"
    _order = "application desc, sequence, name, id"
    _rec_name = "shortdesc"
    _restricted_operations = WRITE_OPERATIONS
    _declared_fields = (
        Field("name", "char", "Technical Name", required=True, readonly=True),
        Field("shortdesc", "char", "Module Name", readonly=True),
        Field("summary", "char", "Summary", readonly=True),
        Field("author", "char", "Author", readonly=True),
        Field("latest_version", "char", "Installed Version", readonly=True),
        Field("application", "boolean", "Application", readonly=True),
        Field("sequence", "integer", "Sequence"),
        Field(
            "state",
            "selection",
            "Status",
            readonly=True,
            selection=(
                ("uninstallable", "Uninstallable"),
                ("uninstalled", "Not Installed"),
                ("installed", "Installed"),
                ("to upgrade", "To be upgraded"),
                ("to remove", "To be removed"),
                ("to install", "To be installed"),
            ),
        ),
    )


class BaseAutomation(BaseModel):
    _name = "base.automation"
    _description = "Automation Rule"
    _order = "id"
    _restricted_operations = ALL_OPERATIONS
    _inverse_fields: ClassVar[dict[str, str]] = {"action_server_ids": "base_automation_id"}
    _computed_fields = frozenset({"model_name", "url"})
    _defaults: ClassVar[dict[str, Any]] = {"active": True}

    def _compute(self, rid: int, name: str) -> Any:
        if name == "model_name":
            model_id = self._raw(rid, "model_id")
            return self.env["ir.model"]._raw(model_id, "model") if model_id else False
        return super()._compute(rid, name)


WEBHOOK_FIELDS = ("webhook_url", "webhook_field_ids", "webhook_sample_payload")
# Odoo 17 and 18.0 refuse such an action (a constraint); from 18.2 (here: 19) it is saved with a
# `warning`, and running it raises ServerActionWithWarningsError (odoo/odoo#190613).
RESTRICTED_PAYLOAD_REFUSED = (
    "Group-restricted fields cannot be included in webhook payloads, as it could allow any user "
    "to accidentally leak sensitive information. You will have to remove the following fields "
    "from the webhook payload in the following actions:\n {actions}"
)
RESTRICTED_PAYLOAD_WARNING = (
    "Group-restricted fields cannot be included in webhook payloads, as it could allow any user "
    "to accidentally leak sensitive information. You will have to remove the following fields "
    "from the webhook payload:\n{fields}"
)
WARNINGS_MAJOR = 19


class IrActionsServer(BaseModel):
    _name = "ir.actions.server"
    _description = "Server Actions"
    _order = "sequence, name, id"
    _restricted_operations = ALL_OPERATIONS
    _inverse_fields: ClassVar[dict[str, str]] = {"child_ids": "parent_id"}
    _computed_fields = frozenset({"model_name", "webhook_sample_payload", "warning"})
    _defaults: ClassVar[dict[str, Any]] = {
        "type": "ir.actions.server",
        "usage": "ir_actions_server",
        "state": "object_write",
        "sequence": 5,
    }

    @classmethod
    def _personalise_fields(cls, fieldset: FieldSet, personality: Personality) -> None:
        """Webhook actions arrived in Odoo 17: before, 'webhook' is no valid `state`."""
        if personality.major >= 17 or "state" not in fieldset:
            return
        state = fieldset["state"]
        options = tuple(option for option in state.selection or () if option[0] != "webhook")
        fieldset.fields["state"] = with_changes(state, selection=options)
        for name in WEBHOOK_FIELDS:
            fieldset.fields.pop(name, None)

    def _after_create(self) -> None:
        if self.env.personality.major != 17:
            return
        for rid in self.ids:
            # Odoo 17 renames a webhook action created through the API (after its constraints:
            # a refused one is named as it was sent in the error).
            if self._raw(rid, "state") == "webhook":
                self.env.store.update(self._name, rid, {"name": "Send Webhook Notification"})

    def _check_constraints(self, names: set[str] | None) -> None:
        if self.env.personality.major >= WARNINGS_MAJOR:
            return
        if names is not None and "webhook_field_ids" not in names:
            return
        refused = {str(self._raw(rid, "name")): self.restricted_payload(rid) for rid in self.ids}
        refused = {action: labels for action, labels in refused.items() if labels}
        if refused:
            actions = "\n".join(f"{action}: {', '.join(labels)}" for action, labels in refused.items())
            raise ValidationError(RESTRICTED_PAYLOAD_REFUSED.format(actions=actions))

    def restricted_payload(self, rid: int) -> list[str]:
        """The labels of the group-restricted fields this webhook action would send."""
        row = self._table().get(rid) or {}
        model = self._compute(rid, "model_name")
        if row.get("state") != "webhook" or not model or model not in self.env:
            return []
        fields = self.env[str(model)]._fields
        rows = self.env.store.table("ir.model.fields")
        labels = []
        for field_id in row.get("webhook_field_ids") or []:
            described = rows.get(field_id) or {}
            name = str(described.get("name") or "")
            if name in fields and fields[name].groups:
                labels.append(str(described.get("field_description") or name))
        return labels

    def warning_of(self, rid: int) -> str | None:
        """Odoo 19's `warning` (the restricted-payload one: the only warning simulated)."""
        if self.env.personality.major < WARNINGS_MAJOR:
            return None
        labels = self.restricted_payload(rid)
        if not labels:
            return None
        return RESTRICTED_PAYLOAD_WARNING.format(fields="\n".join(f"- {label}" for label in labels))

    def _compute(self, rid: int, name: str) -> Any:
        if name == "model_name":
            model_id = self._raw(rid, "model_id")
            return self.env["ir.model"]._raw(model_id, "model") if model_id else False
        if name == "webhook_sample_payload":
            return self._sample_payload(rid)
        if name == "warning":
            return self.warning_of(rid) or False
        return super()._compute(rid, name)

    def _sample_payload(self, rid: int) -> Any:
        """The payload this action would send for the model's first record (indented like Odoo)."""
        row = self._table().get(rid) or {}
        model = self._compute(rid, "model_name")
        if row.get("state") != "webhook" or not model or model not in self.env:
            return False
        records = self.env[str(model)]
        sample = records._search_ids([], limit=1)
        if not sample:
            return False
        payload = json.loads(webhook_body(records, rid, row, sample[0]))
        if self.env.personality.major <= 17:  # 17 shows the action's name, without the ids
            payload = {"_model": payload.pop("_model"), "_name": row.get("name"), **payload}
            payload.pop("_action")
            payload.pop("_id")
        return json.dumps(payload, sort_keys=True, indent=4, default=str)

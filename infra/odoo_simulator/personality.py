"""What differs between Odoo versions on the wire: versions, transports, messages, return shapes."""

from __future__ import annotations

from dataclasses import dataclass, field

VERSIONS = ("14", "15", "16", "17", "18", "19", "future")


@dataclass(frozen=True)
class Personality:
    key: str
    server_version: str
    major: int
    fields_data: str  # which captured fields_get set the models use ("17" or "19")
    has_rpc: bool = True
    has_json2: bool = False
    jsonrpc_error_code: int = 200
    xml_prolog: str = "<?xml version='1.0'?>"
    xml_trailer: str = ""  # Odoo 19 adds an empty line before </methodResponse>
    web_version_json: bool = False  # GET /web/version answers JSON (else the 404 page)
    demo_uid: int = 6
    demo_name: str = "Marc Demo"
    modules: tuple[str, ...] = ()
    messages: dict[str, str] = field(default_factory=dict)

    @property
    def server_version_info(self) -> list[object]:
        return [self.major, 0, 0, "final", 0, ""]

    @property
    def server_serie(self) -> str:
        return f"{self.major}.0"

    @property
    def new_style(self) -> bool:
        """Odoo 18+ wording and semantics (Domain class, has_access, copy returning a list...)."""
        return self.major >= 18

    def version_info(self) -> dict[str, object]:
        return {
            "server_version": self.server_version,
            "server_version_info": self.server_version_info,
            "server_serie": self.server_serie,
            "protocol_version": 1,
        }

    def msg(self, key: str, **values: object) -> str:
        return (self.messages.get(key) or OLD_MESSAGES[key]).format(**values)


OLD_MESSAGES = {
    "invalid_field_write": "Invalid field {field!r} on model {model!r}",
    "invalid_field_read": "Invalid field {field!r} on model {model!r}",
    "invalid_field_domain": "Invalid field {model}.{field} in leaf {leaf}",
    "invalid_operator": "Invalid leaf {leaf}",
    "unknown_method": "The method {method!r} does not exist on the model {model!r}",
    "private_method": "Private methods (such as {method}) cannot be called remotely.",
    "required": (
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
        "Model: {model_description} ({model})\nField: {field_string} ({field})\n"
    ),
    "group_access_rights": "Administration/Access Rights",
    "group_settings": "Administration/Settings",
    "group_sales_manager": "Sales/Administrator",
    "barcode_join": ", ",
}

NEW_MESSAGES = {
    "invalid_field_write": "Invalid field {field!r} in {model!r}",
    "invalid_field_read": "Invalid field {field!r} on {model!r}",
    "invalid_field_domain": "Invalid field {model}.{field} in condition {leaf}",
    "invalid_operator": "Invalid operator in condition {leaf}",
    "unknown_method": "The method '{model}.{method}' does not exist",
    "private_method": "Private methods (such as '{model}.{method}') cannot be called remotely.",
    "required": (
        "The operation cannot be completed: Missing required value for the field '{field_string}' "
        "({field}).\nModel: '{model_description}' ({model})\n- create/update: a mandatory field is not set\n"
        "- delete: another model requires the record being deleted, you can archive it instead\n"
    ),
    "group_access_rights": "Access Rights",
    "group_settings": "Role / Administrator",
    "group_sales_manager": "Sales / Administrator",
    "barcode_join": " and ",
}

_BASE_MODULES = ("base", "web", "contacts", "product", "uom", "base_automation", "sale_management", "sale")

PERSONALITIES: dict[str, Personality] = {
    "14": Personality("14", "14.0-20231205", 14, "17", modules=_BASE_MODULES),
    "15": Personality("15", "15.0-20240110", 15, "17", modules=_BASE_MODULES),
    "16": Personality("16", "16.0-20240312", 16, "17", modules=_BASE_MODULES),
    "17": Personality("17", "17.0-20240709", 17, "17", modules=_BASE_MODULES),
    "18": Personality(
        "18",
        "18.0-20250318",
        18,
        "19",
        demo_uid=5,
        modules=_BASE_MODULES,
    ),
    "19": Personality(
        "19",
        "19.0+e-20251227",
        19,
        "19",
        has_json2=True,
        jsonrpc_error_code=0,
        xml_prolog='<?xml version="1.0"?>',
        xml_trailer="\n",
        web_version_json=True,
        demo_uid=5,
        modules=(*_BASE_MODULES, "rpc", "api_doc"),
        messages=NEW_MESSAGES,
    ),
    "future": Personality(
        "future",
        "22.0-20281015",
        22,
        "19",
        has_rpc=False,
        has_json2=True,
        jsonrpc_error_code=0,
        xml_prolog='<?xml version="1.0"?>',
        xml_trailer="\n",
        web_version_json=True,
        demo_uid=5,
        modules=(*_BASE_MODULES, "api_doc"),
        messages=NEW_MESSAGES,
    ),
}


def personality_for(version: str) -> Personality:
    try:
        return PERSONALITIES[str(version)]
    except KeyError:
        raise ValueError(f"unknown Odoo version {version!r}; expected one of {', '.join(VERSIONS)}") from None

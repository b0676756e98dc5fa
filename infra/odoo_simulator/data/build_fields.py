"""Regenerate fields.json from the fields_get captures of real Odoo 17 and 19.

Usage: python -m odoo_simulator.data.build_fields <odoo-wire folder>

Keeps, per model, only the fields a sync service plausibly touches (plus the magic columns), so the
committed file stays small. The timezone selection is stored as a marker and expanded at load time.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MAGIC = ["id", "display_name", "create_date", "create_uid", "write_date", "write_uid"]

KEEP: dict[str, list[str]] = {
    "res.partner": [
        "name",
        "complete_name",
        "active",
        "is_company",
        "company_type",
        "type",
        "parent_id",
        "child_ids",
        "commercial_partner_id",
        "category_id",
        "ref",
        "vat",
        "email",
        "phone",
        "mobile",
        "website",
        "street",
        "street2",
        "zip",
        "city",
        "state_id",
        "country_id",
        "country_code",
        "lang",
        "tz",
        "comment",
        "function",
        "title",
        "company_id",
        "company_name",
        "user_id",
        "customer_rank",
        "supplier_rank",
        "partner_latitude",
        "partner_longitude",
        "barcode",
        "color",
        "employee",
        "date",
        "image_128",
        "industry_id",
        "property_product_pricelist",
    ],
    "res.partner.category": ["name", "color", "parent_id", "active", "partner_ids"],
    "res.country": ["name", "code", "currency_id", "phone_code", "state_ids", "address_format", "image_url"],
    "res.country.state": ["name", "code", "country_id"],
    "res.currency": [
        "name",
        "full_name",
        "symbol",
        "rounding",
        "decimal_places",
        "active",
        "position",
        "currency_unit_label",
        "rate",
    ],
    "res.company": [
        "name",
        "partner_id",
        "currency_id",
        "email",
        "phone",
        "website",
        "vat",
        "street",
        "street2",
        "zip",
        "city",
        "state_id",
        "country_id",
        "parent_id",
        "sequence",
        "active",
    ],
    "product.template": [
        "name",
        "active",
        "sequence",
        "description",
        "description_sale",
        "description_purchase",
        "type",
        "categ_id",
        "list_price",
        "standard_price",
        "default_code",
        "barcode",
        "sale_ok",
        "purchase_ok",
        "uom_id",
        "uom_po_id",
        "company_id",
        "currency_id",
        "taxes_id",
        "supplier_taxes_id",
        "product_variant_ids",
        "product_variant_id",
        "product_variant_count",
        "weight",
        "volume",
        "is_storable",
        "detailed_type",
        "invoice_policy",
        "color",
    ],
    "product.product": [
        "name",
        "active",
        "product_tmpl_id",
        "default_code",
        "barcode",
        "code",
        "partner_ref",
        "list_price",
        "lst_price",
        "standard_price",
        "price_extra",
        "categ_id",
        "type",
        "sale_ok",
        "purchase_ok",
        "uom_id",
        "uom_po_id",
        "company_id",
        "currency_id",
        "taxes_id",
        "supplier_taxes_id",
        "description",
        "description_sale",
        "weight",
        "volume",
        "is_product_variant",
        "detailed_type",
        "is_storable",
        "combination_indices",
        "sequence",
        "color",
    ],
    "product.category": ["name", "complete_name", "parent_id", "child_id", "parent_path", "product_count"],
    "uom.uom": [
        "name",
        "category_id",
        "factor",
        "factor_inv",
        "rounding",
        "active",
        "uom_type",
        "relative_factor",
        "relative_uom_id",
        "ratio",
    ],
    "account.tax": [
        "name",
        "type_tax_use",
        "amount_type",
        "active",
        "company_id",
        "sequence",
        "amount",
        "description",
        "invoice_label",
        "price_include",
        "include_base_amount",
        "tax_scope",
        "country_id",
    ],
    "ir.model.data": ["name", "complete_name", "module", "model", "res_id", "noupdate", "reference"],
    "base.automation": [
        "name",
        "description",
        "model_id",
        "model_name",
        "active",
        "trigger",
        "trigger_field_ids",
        "filter_domain",
        "filter_pre_domain",
        "action_server_ids",
        "url",
        "on_change_field_ids",
    ],
    "ir.actions.server": [
        "name",
        "type",
        "usage",
        "state",
        "model_id",
        "model_name",
        "sequence",
        "code",
        "webhook_url",
        "webhook_field_ids",
        "webhook_sample_payload",
        "base_automation_id",
        "binding_model_id",
        "child_ids",
        "crud_model_id",
        "update_field_id",
        "value",
    ],
}

ATTRS = ("string", "type", "required", "readonly", "relation", "selection")


def compact(field: dict[str, Any]) -> dict[str, Any]:
    out = {key: field[key] for key in ATTRS if key in field}
    if any(option[0] == "Europe/Brussels" for option in out.get("selection") or []):
        out["selection"] = "__timezones__"
    return out


def build(folder: Path) -> dict[str, dict[str, dict[str, Any]]]:
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for version in ("17", "19"):
        capture = json.loads((folder / f"v{version}-fields-get.json").read_text())
        models: dict[str, Any] = {}
        for exchange in capture["exchanges"]:
            model = exchange["name"].split()[-1]
            if model not in KEEP:
                continue
            fields = exchange["response"]["parsed"]["result"]
            wanted = MAGIC + KEEP[model]
            models[model] = {name: compact(fields[name]) for name in wanted if name in fields}
        result[version] = models
    return result


def main() -> None:
    folder = Path(sys.argv[1])
    target = Path(__file__).with_name("fields.json")
    target.write_text(json.dumps(build(folder), sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

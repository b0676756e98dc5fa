"""Products: templates, variants (delegating to their template), categories, units, taxes, pricelists."""

from __future__ import annotations

from itertools import islice
from typing import Any, ClassVar

from ..errors import ValidationError
from ..fields import Field
from ..store import Row
from .base import BaseModel, Vals
from .decorators import public
from .res import WRITE_OPERATIONS, CompanyRuleMixin

TEMPLATE_FIELDS = frozenset(
    {
        "name", "list_price", "categ_id", "type", "detailed_type", "sale_ok", "purchase_ok", "uom_id",
        "uom_po_id", "company_id", "currency_id", "taxes_id", "supplier_taxes_id", "description",
        "description_sale", "description_purchase", "sequence", "color", "invoice_policy", "standard_price",
        "weight", "volume",
    }
)  # fmt: skip
NO_VARIANT_KEY = "_simulator_no_default_variant"
_VARIANT_INDEX = "_simulator_variants_by_template"


def _code_and_name(code: Any, name: Any) -> str:
    return f"[{code}] {name}" if code else str(name or "")


class _VariantIndex:
    """Variant ids by template id over one call's product.product table, extended with the rows
    added since it was built (rows are only ever added at the end of the table)."""

    def __init__(self, rows: dict[int, Row]) -> None:
        self.rows = rows
        self.size = 0
        self.last: int | None = None
        self.by_template: dict[int, list[int]] = {}
        self._add(list(rows))

    def covers(self, rows: dict[int, Row]) -> bool:
        """Whether this index is (or, by adding the newest rows, becomes) the table's."""
        gone = self.last is not None and self.last not in rows
        if rows is not self.rows or len(rows) < self.size or gone:
            return False
        if len(rows) > self.size:
            self._add(list(islice(reversed(rows), len(rows) - self.size))[::-1])
        return True

    def _add(self, ids: list[int]) -> None:
        for vid in ids:
            self.by_template.setdefault(self.rows[vid]["product_tmpl_id"], []).append(vid)
        self.size += len(ids)
        self.last = ids[-1] if ids else self.last


class ProductCategory(BaseModel):
    _name = "product.category"
    _description = "Product Category"
    _order = "complete_name, id"
    _inverse_fields: ClassVar[dict[str, str]] = {"child_id": "parent_id"}
    _computed_fields = frozenset({"complete_name", "parent_path", "product_count"})
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_sales_manager"

    def _display_name(self, rid: int) -> str:
        row = self._table().get(rid) or {}
        parent = row.get("parent_id")
        own = str(row.get("name") or "")
        return f"{self._display_name(parent)} / {own}" if parent and parent in self._table() else own

    def _compute(self, rid: int, name: str) -> Any:
        if name == "complete_name":
            return self._display_name(rid)
        if name == "parent_path":
            chain: list[int] = []
            current: Any = rid
            while current and current not in chain:
                chain.insert(0, current)
                current = (self._table().get(current) or {}).get("parent_id")
            return "".join(f"{i}/" for i in chain)
        if name == "product_count":
            templates = self.env["product.template"]._table().values()
            return sum(1 for row in templates if row.get("categ_id") == rid)
        return super()._compute(rid, name)

    def _check_constraints(self, names: set[str] | None) -> None:
        self._check_recursion(names, "You cannot create recursive categories.")


class ProductTemplate(CompanyRuleMixin):
    _name = "product.template"
    _description = "Product"
    _order = "is_favorite desc, name, id"
    _inverse_fields: ClassVar[dict[str, str]] = {"product_variant_ids": "product_tmpl_id"}
    _computed_fields = frozenset(
        {"default_code", "barcode", "product_variant_id", "product_variant_count", "currency_id"}
    )
    _declared_fields = (Field("is_favorite", "boolean", "Favorite"),)
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_sales_manager"
    _copy_suffix = True
    _defaults: ClassVar[dict[str, Any]] = {
        "type": "consu",
        "detailed_type": "consu",
        "uom_id": 1,
        "uom_po_id": 1,
        "categ_id": 1,
        "sale_ok": True,
        "purchase_ok": True,
        "list_price": 1.0,
        "invoice_policy": "order",
        "active": True,
    }

    def _variants(self, rid: int) -> list[int]:
        # An index per call, kept up to date as variants are added (a create of thousands of
        # templates adds one variant each) and rebuilt when any go: a search over thousands of
        # templates would otherwise scan every variant for every template.
        rows = self.env.store.table("product.product")
        cached: _VariantIndex | None = self.env.scratch.get(_VARIANT_INDEX)
        if cached is None or not cached.covers(rows):
            cached = _VariantIndex(rows)
            self.env.scratch[_VARIANT_INDEX] = cached
        return [vid for vid in cached.by_template.get(rid, ()) if vid in rows]

    def _display_name(self, rid: int) -> str:
        return _code_and_name(self._compute(rid, "default_code"), (self._table().get(rid) or {}).get("name"))

    def _compute(self, rid: int, name: str) -> Any:
        variants = self._variants(rid)
        if name in ("default_code", "barcode"):
            rows = self.env.store.table("product.product")
            return rows[variants[0]].get(name) or False if len(variants) == 1 else False
        if name == "product_variant_id":
            return variants[0] if variants else False
        if name == "product_variant_count":
            return len(variants)
        if name == "currency_id":
            return 1
        return super()._compute(rid, name)

    @classmethod
    def _inverse_writable(cls) -> frozenset[str]:
        return frozenset({"default_code", "barcode"})

    def _write_inverse(self, rid: int, vals: Vals) -> None:
        variants = self._variants(rid)
        if vals and len(variants) == 1:
            self.env["product.product"].browse(variants)._write_values(vals)
            self.env["product.product"].browse(variants)._check_constraints(set(vals))
        elif vals and not variants:
            self.env.scratch.setdefault("variant_vals", {})[rid] = vals

    def _after_create(self) -> None:
        if self.env.context.get(NO_VARIANT_KEY):
            return
        products = self.env["product.product"].with_context(**{NO_VARIANT_KEY: True})
        for rid in self.ids:
            if not self._variants(rid):
                pending = self.env.scratch.get("variant_vals", {}).pop(rid, {})
                products.create({"product_tmpl_id": rid, **pending})

    def _create_parent_for(self, child_model: str, vals: Vals) -> int:
        return self.with_context(**{NO_VARIANT_KEY: True}).create(vals).ids[0]


class ProductProduct(CompanyRuleMixin):
    _name = "product.product"
    _description = "Product Variant"
    _order = "default_code, name, id"
    _inherits: ClassVar[dict[str, str]] = {"product.template": "product_tmpl_id"}
    _computed_fields = frozenset({"lst_price", "code", "partner_ref", "is_product_variant", "price_extra"})
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_sales_manager"
    _no_copy = frozenset({"barcode"})
    _defaults: ClassVar[dict[str, Any]] = {"active": True}

    @classmethod
    def _delegated_names(cls) -> frozenset[str]:
        return frozenset(name for name in TEMPLATE_FIELDS if name in cls._fields)

    def _display_name(self, rid: int) -> str:
        row = self._table().get(rid) or {}
        return _code_and_name(row.get("default_code"), self._raw(rid, "name"))

    def _compute(self, rid: int, name: str) -> Any:
        row = self._table().get(rid) or {}
        if name == "lst_price":
            return float(self._raw(rid, "list_price") or 0.0)
        if name == "price_extra":
            return 0.0
        if name == "code":
            return row.get("default_code") or False
        if name == "partner_ref":
            return self._display_name(rid)
        if name == "is_product_variant":
            return True
        return super()._compute(rid, name)

    def _check_constraints(self, names: set[str] | None) -> None:
        if names is not None and "barcode" not in names:
            return
        self._check_barcodes()

    def _check_barcodes(self) -> None:
        mine = {str(self._table()[rid]["barcode"]) for rid in self.ids if self._table()[rid].get("barcode")}
        if not mine:
            return
        by_barcode: dict[str, list[int]] = {}
        for rid, row in self._table().items():
            if row.get("barcode") and row.get("active", True):
                by_barcode.setdefault(str(row["barcode"]), []).append(rid)
        clashes = [(code, ids) for code, ids in by_barcode.items() if code in mine and len(ids) > 1]
        if not clashes:
            return
        joiner = self.env.personality.msg("barcode_join")
        lines = []
        for code, ids in clashes:
            names = [self._display_name(rid) for rid in sorted(ids)]
            listed = ", ".join(names) if joiner == ", " else ", ".join(names[:-1]) + joiner + names[-1]
            lines.append(f'- Barcode "{code}" already assigned to product(s): {listed}')
        raise ValidationError(
            "Barcode(s) already assigned:\n\n"
            + "\n".join(lines)
            + "\n\nNote: products that you don't have access to will not be shown above."
        )

    def _before_unlink(self) -> None:
        self._orphans = {self._table()[rid]["product_tmpl_id"] for rid in self.ids}

    @public
    def unlink(self) -> bool:
        result = super().unlink()
        templates = self.env["product.template"]
        assert isinstance(templates, ProductTemplate)
        for tid in getattr(self, "_orphans", set()):
            if tid in templates._table() and not templates._variants(tid):
                templates.browse([tid]).unlink()
        return result


class UomCategory(BaseModel):
    _name = "uom.category"
    _description = "Product UoM Categories"
    _restricted_operations = WRITE_OPERATIONS
    _declared_fields = (Field("name", "char", "Unit of Measure Category", required=True),)


class UomUom(BaseModel):
    _name = "uom.uom"
    _description = "Product Unit of Measure"
    _order = "name, id"
    _restricted_operations = WRITE_OPERATIONS
    _defaults: ClassVar[dict[str, Any]] = {
        "factor": 1.0,
        "factor_inv": 1.0,
        "rounding": 0.01,
        "uom_type": "reference",
        "relative_factor": 1.0,
        "category_id": 1,
    }


class AccountTax(CompanyRuleMixin):
    _name = "account.tax"
    _description = "Tax"
    _order = "sequence, id"
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_settings"
    _defaults: ClassVar[dict[str, Any]] = {
        "amount_type": "percent",
        "type_tax_use": "sale",
        "company_id": 1,
        "country_id": lambda model: model.env["res.company"]._raw(1, "country_id") or False,
        "sequence": 1,
        "amount": 0.0,
        "active": True,
    }


class ProductPricelist(CompanyRuleMixin):
    _name = "product.pricelist"
    _description = "Pricelist"
    _order = "sequence, id"
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_sales_manager"
    _declared_fields = (
        Field("name", "char", "Pricelist Name", required=True),
        Field("active", "boolean", "Active"),
        Field("sequence", "integer", "Sequence"),
        Field("currency_id", "many2one", "Currency", required=True, relation="res.currency"),
        Field("company_id", "many2one", "Company", relation="res.company"),
    )
    _defaults: ClassVar[dict[str, Any]] = {"currency_id": 1, "sequence": 16, "active": True}

"""An order's lines: their Odoo references resolved for a chunk (the lines themselves are read by
`odoo_sync.sync.order_line_input`).

Every problem is an issue with the line's path (`lines[2].sku`), so an order is rejected with all
its reasons. Resolution costs one search_read per kind for the whole chunk: products by SKU
(default_code) or barcode on product.product, units by the `uom` value map or by name (and the
products' own units, to check that they convert: same category up to 17, same reference unit
from 19), taxes by the `tax` value map or by name among sale taxes (of the connection's company
when it has one). A kind with names not found costs one more search, over just those names
among archived records, so a line says "archived, activate it" rather than "not found".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from odoo_sync.odoo import OdooClient, OdooError
from odoo_sync.sync.issues import FieldIssue, IssueCode
from odoo_sync.sync.lookups import archived_message
from odoo_sync.sync.mapping import is_record_level
from odoo_sync.sync.order_line_input import LineInput, line_issue, parse_lines
from odoo_sync.sync.transform_core import OdooFieldInfo
from odoo_sync.sync.value_maps import ValueMapKind, ValueMaps

__all__ = ["LineFields", "LineInput", "ReferenceResolver", "parse_lines"]

_MAX_UOM_HOPS = 5  # reference-unit chains (19) are one or two steps in practice


# resolution ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineFields:
    """The names this Odoo gives the order line's unit and taxes (17: product_uom/tax_id,
    19: product_uom_id/tax_ids), and what makes two units convertible."""

    uom: str
    taxes: str
    uom_family: str  # uom.uom field: category_id (up to 18) or relative_uom_id (19+)

    @classmethod
    def of(cls, odoo_fields: Mapping[str, Mapping[str, OdooFieldInfo]]) -> LineFields:
        line = odoo_fields.get("sale.order.line", {})
        uom = odoo_fields.get("uom.uom", {})
        return cls(
            uom="product_uom" if "product_uom" in line else "product_uom_id",
            taxes="tax_id" if "tax_id" in line else "tax_ids",
            uom_family="category_id"
            if "category_id" in uom or "relative_uom_id" not in uom
            else "relative_uom_id",
        )


@dataclass(frozen=True)
class Product:
    odoo_id: int
    uom_id: int | None


@dataclass
class References:
    """What a chunk's lines name, as Odoo ids."""

    products_by_sku: dict[str, list[Product]] = field(default_factory=dict)
    products_by_barcode: dict[str, list[Product]] = field(default_factory=dict)
    uoms: dict[str, list[int]] = field(default_factory=dict)  # casefolded name -> ids
    uom_family: dict[int, Any] = field(default_factory=dict)  # uom id -> category / reference unit
    taxes: dict[str, list[int]] = field(default_factory=dict)  # casefolded name -> ids
    failures: list[str] = field(default_factory=list)  # lookups Odoo refused (access, fields)
    # What exists only archived in Odoo, of the names above not found active (same keys).
    archived_by_sku: dict[str, list[int]] = field(default_factory=dict)
    archived_by_barcode: dict[str, list[int]] = field(default_factory=dict)
    archived_uoms: dict[str, list[int]] = field(default_factory=dict)
    archived_taxes: dict[str, list[int]] = field(default_factory=dict)


class ReferenceResolver:
    """Fetches a chunk's references in the fewest calls, then turns each line into Odoo values."""

    def __init__(
        self,
        client: OdooClient,
        fields: LineFields,
        value_maps: ValueMaps,
        company_id: int | None = None,
    ) -> None:
        self.client = client
        self.fields = fields
        self.uom_map = value_maps.get(ValueMapKind.UOM.value)
        self.tax_map = value_maps.get(ValueMapKind.TAX.value)
        self.company_id = company_id

    def fetch(self, lines: Iterable[LineInput]) -> References:
        lines = list(lines)
        refs = References()
        skus = sorted({line.sku for line in lines if line.sku})
        barcodes = sorted({line.barcode for line in lines if line.barcode})
        product_uoms = self._products(skus, barcodes, refs)
        names = sorted({line.uom for line in lines if line.uom and not self._mapped(self.uom_map, line.uom)})
        mapped_uoms = {self._map_id(self.uom_map, line.uom) for line in lines if line.uom}
        self._uoms(names, sorted((product_uoms | mapped_uoms) - {None}), refs)  # type: ignore[arg-type]
        tax_names = sorted(
            {name for line in lines for name in line.taxes or () if not self._mapped(self.tax_map, name)}
        )
        self._taxes(tax_names, refs)
        return refs

    # calls -------------------------------------------------------------------------------------
    def _search(
        self, model: str, domain: list[Any], fields: list[str], refs: References, *, archived: bool = False
    ) -> list[dict[str, Any]]:
        """Active records, or with `archived` the archived ones too (for names not found active)."""
        context = {"active_test": False} if archived else None
        try:
            rows: list[dict[str, Any]] = self.client.search_read(model, domain, fields, context=context)
        except OdooError as exc:
            if not is_record_level(exc):
                raise
            if not archived:  # without the second look the names are only "not found"
                refs.failures.append(f"lookup of {model} failed: {exc.message}")
            return []
        return rows

    def _products(self, skus: list[str], barcodes: list[str], refs: References) -> set[int | None]:
        if not skus and not barcodes:
            return set()
        by_sku, by_barcode = self._search_products(skus, barcodes, refs)
        refs.products_by_sku, refs.products_by_barcode = by_sku, by_barcode
        unknown_skus = [sku for sku in skus if sku not in by_sku]
        unknown_barcodes = [code for code in barcodes if code not in by_barcode]
        if unknown_skus or unknown_barcodes:
            archived_skus, archived_barcodes = self._search_products(
                unknown_skus, unknown_barcodes, refs, archived=True
            )
            refs.archived_by_sku = _ids(archived_skus)
            refs.archived_by_barcode = _ids(archived_barcodes)
        return {product.uom_id for group in (*by_sku.values(), *by_barcode.values()) for product in group}

    def _search_products(
        self, skus: list[str], barcodes: list[str], refs: References, *, archived: bool = False
    ) -> tuple[dict[str, list[Product]], dict[str, list[Product]]]:
        parts: list[list[Any]] = []
        if skus:
            parts.append(["default_code", "in", skus])
        if barcodes:
            parts.append(["barcode", "in", barcodes])
        domain: list[Any] = ["|", *parts] if len(parts) == 2 else parts
        fields = ["default_code", "barcode", "uom_id"]
        rows = self._search("product.product", domain, fields, refs, archived=archived)
        by_sku: dict[str, list[Product]] = defaultdict(list)
        by_barcode: dict[str, list[Product]] = defaultdict(list)
        for row in rows:
            product = Product(int(row["id"]), _many2one_id(row.get("uom_id")))
            if row.get("default_code") in skus:
                by_sku[str(row["default_code"])].append(product)
            if row.get("barcode") in barcodes:
                by_barcode[str(row["barcode"])].append(product)
        return dict(by_sku), dict(by_barcode)

    def _uoms(self, names: list[str], ids: list[int], refs: References) -> None:
        if not names and not ids:
            return
        parts: list[list[Any]] = []
        if names:
            parts.append(["name", "in", names])
        if ids:
            parts.append(["id", "in", ids])
        domain: list[Any] = ["|", *parts] if len(parts) == 2 else parts
        family = self.fields.uom_family
        rows = self._search("uom.uom", domain, ["name", family], refs)
        parents: dict[int, int | None] = {}
        for row in rows:
            uom_id = int(row["id"])
            if str(row.get("name") or "").casefold() in {name.casefold() for name in names}:
                refs.uoms.setdefault(str(row["name"]).casefold(), []).append(uom_id)
            parents[uom_id] = _many2one_id(row.get(family))
        unknown = [name for name in names if name.casefold() not in refs.uoms]
        if unknown:
            archived = self._search("uom.uom", [["name", "in", unknown]], ["name"], refs, archived=True)
            refs.archived_uoms = _by_name(archived)
        if family == "category_id":
            refs.uom_family.update(dict(parents.items()))
            return
        self._reference_units(parents, refs)

    def _reference_units(self, parents: dict[int, int | None], refs: References) -> None:
        """19: units convert when their chains of relative units end at the same unit."""
        for _ in range(_MAX_UOM_HOPS):
            unknown = sorted({p for p in parents.values() if p is not None and p not in parents})
            if not unknown:
                break
            rows = self._search("uom.uom", [["id", "in", unknown]], ["relative_uom_id"], refs)
            parents.update({int(row["id"]): _many2one_id(row.get("relative_uom_id")) for row in rows})
        for uom_id in parents:
            current, seen = uom_id, {uom_id}
            while (parent := parents.get(current)) is not None and parent not in seen:
                seen.add(parent)
                current = parent
            refs.uom_family[uom_id] = current

    def _taxes(self, names: list[str], refs: References) -> None:
        if not names:
            return
        domain: list[Any] = [["name", "in", names], ["type_tax_use", "=", "sale"]]
        if self.company_id is not None:
            domain.append(["company_id", "=", self.company_id])
        refs.taxes = _by_name(self._search("account.tax", domain, ["name"], refs))
        unknown = [name for name in names if name.casefold() not in refs.taxes]
        if unknown:
            again = [["name", "in", unknown], *domain[1:]]
            refs.archived_taxes = _by_name(self._search("account.tax", again, ["name"], refs, archived=True))

    # per line ----------------------------------------------------------------------------------
    def line_values(self, line: LineInput, refs: References) -> tuple[dict[str, Any], list[FieldIssue]]:
        """The sale.order.line values of one line (no order_id), and every reason it cannot be sent."""
        issues: list[FieldIssue] = []
        vals: dict[str, Any] = {"product_uom_qty": float(line.quantity)}
        product = self._product(line, refs, issues)
        if product is not None:
            vals["product_id"] = product.odoo_id
        if line.uom is not None:
            uom_id = self._uom(line, refs, issues)
            if uom_id is not None:
                vals[self.fields.uom] = uom_id
                if product is not None and not self._convertible(uom_id, product.uom_id, refs):
                    issues.append(
                        line_issue(
                            line.path("uom"),
                            IssueCode.UNMAPPED_VALUE,
                            f"unit {line.uom!r} does not convert to the product's unit "
                            "(another unit category)",
                            line.uom,
                        )
                    )
        elif product is not None and product.uom_id is not None:
            vals[self.fields.uom] = product.uom_id
        if line.price is not None:
            vals["price_unit"] = float(line.price)
        if line.discount is not None:
            vals["discount"] = float(line.discount)
        if line.description is not None:
            vals["name"] = line.description
        if line.taxes is not None:
            tax_ids = [
                tax
                for position, name in enumerate(line.taxes)
                if (tax := self._tax(line, position, name, refs, issues)) is not None
            ]
            vals[self.fields.taxes] = [[6, 0, list(dict.fromkeys(tax_ids))]]
        return vals, issues

    def _product(self, line: LineInput, refs: References, issues: list[FieldIssue]) -> Product | None:
        if line.sku is not None:
            key, value, found = "sku", line.sku, refs.products_by_sku.get(line.sku, [])
        elif line.barcode is not None:
            key, value, found = "barcode", line.barcode, refs.products_by_barcode.get(line.barcode, [])
        else:
            return None
        odoo_field = "default_code" if key == "sku" else "barcode"
        if len(found) == 1:
            return found[0]
        if found:
            ids = sorted(product.odoo_id for product in found)
            issues.append(
                line_issue(
                    line.path(key),
                    IssueCode.AMBIGUOUS_MATCH,
                    f"{len(found)} Odoo products have {odoo_field} {value!r} (ids {ids[:10]})",
                    value,
                )
            )
        elif archived := (refs.archived_by_sku if key == "sku" else refs.archived_by_barcode).get(value):
            what = f"Odoo product with {odoo_field} {value!r}"
            message = archived_message(what, "product.product", archived)
            issues.append(line_issue(line.path(key), IssueCode.ARCHIVED_IN_ODOO, message, value))
        else:
            issues.append(
                line_issue(
                    line.path(key),
                    IssueCode.NOT_FOUND_IN_ODOO,
                    f"no Odoo product with {odoo_field} {value!r}",
                    value,
                )
            )
        return None

    def _uom(self, line: LineInput, refs: References, issues: list[FieldIssue]) -> int | None:
        assert line.uom is not None
        mapped = self._map_id(self.uom_map, line.uom)
        if mapped is not None:
            return mapped
        found = refs.uoms.get(line.uom.casefold(), [])
        if len(found) == 1:
            return found[0]
        archived = refs.archived_uoms.get(line.uom.casefold())
        if not found and archived:
            message = archived_message(f"Odoo unit named {line.uom!r}", "uom.uom", archived)
            issues.append(line_issue(line.path("uom"), IssueCode.ARCHIVED_IN_ODOO, message, line.uom))
            return None
        message = (
            f"{len(found)} Odoo units are named {line.uom!r}"
            if found
            else f"no Odoo unit named {line.uom!r} (and not in value map 'uom')"
        )
        code = IssueCode.AMBIGUOUS_MATCH if found else IssueCode.NOT_FOUND_IN_ODOO
        issues.append(line_issue(line.path("uom"), code, message, line.uom))
        return None

    @staticmethod
    def _convertible(uom_id: int, product_uom: int | None, refs: References) -> bool:
        if product_uom is None or uom_id == product_uom:
            return True
        mine, theirs = refs.uom_family.get(uom_id), refs.uom_family.get(product_uom)
        return mine is None or theirs is None or mine == theirs

    def _tax(
        self, line: LineInput, position: int, name: str, refs: References, issues: list[FieldIssue]
    ) -> int | None:
        mapped = self._map_id(self.tax_map, name)
        if mapped is not None:
            return mapped
        found = refs.taxes.get(name.casefold(), [])
        if len(found) == 1:
            return found[0]
        where = line.path(f"taxes[{position}]")
        if found:
            issues.append(
                line_issue(
                    where,
                    IssueCode.AMBIGUOUS_MATCH,
                    f"{len(found)} Odoo sale taxes are named {name!r}; map it in value map 'tax'",
                    name,
                )
            )
        elif archived := refs.archived_taxes.get(name.casefold()):
            message = archived_message(f"Odoo sale tax named {name!r}", "account.tax", archived)
            issues.append(line_issue(where, IssueCode.ARCHIVED_IN_ODOO, message, name))
        else:
            issues.append(
                line_issue(
                    where,
                    IssueCode.NOT_FOUND_IN_ODOO,
                    f"no Odoo sale tax named {name!r} (and not in value map 'tax')",
                    name,
                )
            )
        return None

    @staticmethod
    def _mapped(value_map: Any, local: str) -> bool:
        return value_map is not None and bool(value_map.knows_local(local))

    def _map_id(self, value_map: Any, local: str | None) -> int | None:
        if value_map is None or local is None or not value_map.knows_local(local):
            return None
        mapped = value_map.to_odoo(local)
        return mapped if isinstance(mapped, int) else None


def _many2one_id(value: object) -> int | None:
    if isinstance(value, list | tuple) and value:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _by_name(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[int]]:
    """Ids by casefolded name (units and taxes are named as people type them)."""
    found: dict[str, list[int]] = {}
    for row in rows:
        found.setdefault(str(row.get("name") or "").casefold(), []).append(int(row["id"]))
    return found


def _ids(products: Mapping[str, list[Product]]) -> dict[str, list[int]]:
    return {key: [product.odoo_id for product in group] for key, group in products.items()}

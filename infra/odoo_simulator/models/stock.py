"""Stock: warehouses, locations and quants (quantity per product and location), and the product's
on-hand figures computed from them (qty_available, free_qty, virtual_available), which Odoo narrows
with the context keys `location` and `warehouse`.

The fields are declared here (the captured servers had no stock module); names, types and labels
follow Odoo 17's stock module.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import UserError
from ..fields import Field
from .multicompany import CompanyScopedMixin
from .product import ProductProduct
from .res import WRITE_OPERATIONS

LOCATION_USAGES = (
    ("supplier", "Vendor Location"),
    ("view", "View"),
    ("internal", "Internal Location"),
    ("customer", "Customer Location"),
    ("inventory", "Inventory Loss"),
    ("production", "Production"),
    ("transit", "Transit Location"),
)


class StockWarehouse(CompanyScopedMixin):
    _name = "stock.warehouse"
    _description = "Warehouse"
    _order = "sequence, id"
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_settings"
    _declared_fields = (
        Field("name", "char", "Warehouse", required=True),
        Field("code", "char", "Short Name", required=True),
        Field("active", "boolean", "Active"),
        Field("sequence", "integer", "Sequence"),
        Field("company_id", "many2one", "Company", required=True, relation="res.company"),
        Field("partner_id", "many2one", "Address", relation="res.partner"),
        Field("view_location_id", "many2one", "View Location", relation="stock.location"),
        Field("lot_stock_id", "many2one", "Location Stock", relation="stock.location"),
    )
    _defaults: ClassVar[dict[str, Any]] = {
        "active": True,
        "sequence": 10,
        "company_id": lambda model: model._default_company_id(),
    }


class StockLocation(CompanyScopedMixin):
    _name = "stock.location"
    _description = "Inventory Locations"
    _order = "complete_name, id"
    _rec_name = "complete_name"
    _parent_name = "location_id"
    _computed_fields = frozenset({"complete_name", "warehouse_id"})
    _inverse_fields: ClassVar[dict[str, str]] = {"child_ids": "location_id"}
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_settings"
    _declared_fields = (
        Field("name", "char", "Location Name", required=True),
        Field("complete_name", "char", "Full Location Name", readonly=True),
        Field("active", "boolean", "Active"),
        Field("usage", "selection", "Location Type", required=True, selection=LOCATION_USAGES),
        Field("location_id", "many2one", "Parent Location", relation="stock.location"),
        Field("child_ids", "one2many", "Contains", relation="stock.location"),
        Field("company_id", "many2one", "Company", relation="res.company"),
        Field("warehouse_id", "many2one", "Warehouse", readonly=True, relation="stock.warehouse"),
        Field("barcode", "char", "Barcode"),
    )
    _defaults: ClassVar[dict[str, Any]] = {"active": True, "usage": "internal"}

    def _display_name(self, rid: int) -> str:
        row = self._table().get(rid) or {}
        parent = row.get("location_id")
        own = str(row.get("name") or "")
        if parent and parent in self._table() and row.get("usage") != "view":
            return f"{self._display_name(parent)}/{own}"
        return own

    def _ancestors(self, rid: int) -> list[int]:
        chain: list[int] = []
        current: Any = rid
        while current and current not in chain:
            chain.append(current)
            current = (self._table().get(current) or {}).get("location_id")
        return chain

    def _compute(self, rid: int, name: str) -> Any:
        if name == "complete_name":
            return self._display_name(rid)
        if name == "warehouse_id":
            chain = set(self._ancestors(rid))
            for wid, row in self.env.store.table("stock.warehouse").items():
                if row.get("view_location_id") in chain:
                    return wid
            return False
        return super()._compute(rid, name)

    def child_of(self, rid: int) -> set[int]:
        """The location and every location under it."""
        return {lid for lid in self._table() if rid in self._ancestors(lid)}

    def _check_constraints(self, names: set[str] | None) -> None:
        self._check_recursion(names, "You cannot create recursive locations.")


class StockQuant(CompanyScopedMixin):
    _name = "stock.quant"
    _description = "Quants"
    _order = "location_id, id"
    _rec_name = "product_id"
    _computed_fields = frozenset({"available_quantity", "company_id", "warehouse_id", "product_uom_id"})
    _restricted_operations = WRITE_OPERATIONS
    _granting_group = "group_settings"
    _declared_fields = (
        Field("product_id", "many2one", "Product", required=True, relation="product.product"),
        Field("location_id", "many2one", "Location", required=True, relation="stock.location"),
        Field("quantity", "float", "Quantity", readonly=True),
        Field("reserved_quantity", "float", "Reserved Quantity", required=True, readonly=True),
        Field("available_quantity", "float", "Available Quantity", readonly=True),
        Field("inventory_quantity", "float", "Counted Quantity"),
        Field("in_date", "datetime", "Incoming Date", readonly=True),
        Field("company_id", "many2one", "Company", readonly=True, relation="res.company"),
        Field("warehouse_id", "many2one", "Warehouse", readonly=True, relation="stock.warehouse"),
        Field("product_uom_id", "many2one", "Unit of Measure", readonly=True, relation="uom.uom"),
    )
    _defaults: ClassVar[dict[str, Any]] = {
        "quantity": 0.0,
        "reserved_quantity": 0.0,
        "in_date": lambda model: model.env.now,
    }

    def _display_name(self, rid: int) -> str:
        product = (self._table().get(rid) or {}).get("product_id")
        return self.env["product.product"]._display_name(product) if product else f"{self._name},{rid}"

    def _compute(self, rid: int, name: str) -> Any:
        row = self._table().get(rid) or {}
        if name == "available_quantity":
            return float(row.get("quantity") or 0.0) - float(row.get("reserved_quantity") or 0.0)
        if name in ("company_id", "warehouse_id"):
            location = row.get("location_id")
            return self.env["stock.location"]._raw(location, name) if location else False
        if name == "product_uom_id":
            product = row.get("product_id")
            return self.env["product.product"]._raw(product, "uom_id") if product else False
        return super()._compute(rid, name)

    def _check_constraints(self, names: set[str] | None) -> None:
        products = self.env["product.product"]
        for rid in self.ids:
            row = self._table()[rid]
            product = row.get("product_id")
            kind = products._raw(product, "type") if product else False
            if kind == "service":
                raise UserError("Quants cannot be created for consumables or services.")

    def set_quantity(self, product_id: int, location_id: int, quantity: float, reserved: float = 0.0) -> int:
        """Set the quant of a product at a location (what an inventory adjustment does)."""
        for rid, row in self._table().items():
            if row.get("product_id") == product_id and row.get("location_id") == location_id:
                self.browse([rid])._write_values({"quantity": quantity, "reserved_quantity": reserved})
                return rid
        created = self.create(
            {
                "product_id": product_id,
                "location_id": location_id,
                "quantity": quantity,
                "reserved_quantity": reserved,
            }
        )
        return created.ids[0]


class ProductProductWithStock(ProductProduct):
    """product.product as the stock module extends it: on-hand figures per location or warehouse."""

    _name = "product.product"
    _declared_fields = (
        *ProductProduct._declared_fields,
        Field("qty_available", "float", "Quantity On Hand", readonly=True),
        Field("free_qty", "float", "Free To Use Quantity ", readonly=True),
        Field("virtual_available", "float", "Forecasted Quantity", readonly=True),
        Field("stock_quant_ids", "one2many", "Stock Quants", relation="stock.quant"),
    )
    _computed_fields = ProductProduct._computed_fields | {"qty_available", "free_qty", "virtual_available"}
    _inverse_fields: ClassVar[dict[str, str]] = {
        **ProductProduct._inverse_fields,
        "stock_quant_ids": "product_id",
    }

    def _compute(self, rid: int, name: str) -> Any:
        if name in ("qty_available", "free_qty", "virtual_available"):
            return self._stock_figure(rid, name)
        return super()._compute(rid, name)

    def _scope_locations(self) -> set[int] | None:
        """Internal locations under the context's `location` or `warehouse` (None: all internal)."""
        locations = self.env["stock.location"]
        assert isinstance(locations, StockLocation)
        location = self.env.context.get("location")
        warehouse = self.env.context.get("warehouse")
        if location:
            return locations.child_of(int(location))
        if warehouse:
            view = self.env["stock.warehouse"]._raw(int(warehouse), "view_location_id")
            return locations.child_of(int(view)) if view else set()
        return None

    def _stock_figure(self, rid: int, name: str) -> float:
        scope = self._scope_locations()
        locations = self.env.store.table("stock.location")
        total = 0.0
        for row in self.env.store.table("stock.quant").values():
            location = int(row.get("location_id") or 0)
            if row.get("product_id") != rid or (locations.get(location) or {}).get("usage") != "internal":
                continue
            if scope is not None and location not in scope:
                continue
            quantity = float(row.get("quantity") or 0.0)
            total += quantity - float(row.get("reserved_quantity") or 0.0) if name == "free_qty" else quantity
        return round(total, 4)

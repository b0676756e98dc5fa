"""Deterministic demo data: a company, users, countries, currencies, units, taxes, partners, products."""

from __future__ import annotations

import random
import secrets
from typing import Any

from .credentials import Credentials
from .fields import X2MANY
from .models import ADMIN_UID, SUPERUSER_ID, Env, Registry
from .seed_sales import seed_sales
from .store import Store

COUNTRIES: list[tuple[str, str, int, list[tuple[str, str]]]] = [
    ("BE", "Belgium", 32, []),
    ("CA", "Canada", 1, [("QC", "Quebec"), ("ON", "Ontario")]),
    ("DE", "Germany", 49, [("BY", "Bavaria"), ("BE", "Berlin"), ("HH", "Hamburg")]),
    ("ES", "Spain", 34, []),
    ("FR", "France", 33, []),
    ("GB", "United Kingdom", 44, []),
    ("IT", "Italy", 39, []),
    ("NL", "Netherlands", 31, []),
    ("CH", "Switzerland", 41, []),
    (
        "US",
        "United States",
        1,
        [("CA", "California"), ("NY", "New York"), ("TX", "Texas"), ("WA", "Washington")],
    ),
]
FIRST_NAMES = [
    "Anna",
    "Bruno",
    "Chloe",
    "David",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Luca",
]
LAST_NAMES = ["Adams", "Becker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Janssens"]
COMPANY_WORDS = [
    "Azure",
    "Granite",
    "Harbor",
    "Lumen",
    "Maple",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Summit",
]
COMPANY_KINDS = ["Interiors", "Logistics", "Foods", "Systems", "Textiles", "Partners", "Labs", "Trading"]
PRODUCT_WORDS = ["Chair", "Desk", "Lamp", "Cable", "Shelf", "Monitor", "Bottle", "Notebook", "Bag", "Mug"]
PRODUCT_ADJECTIVES = ["Office", "Compact", "Deluxe", "Eco", "Large", "Mini", "Pro", "Classic"]
_AREA_CODES = ["202", "212", "312", "415", "512", "617"]
UNINSTALLED_MODULES = ("account", "crm", "stock", "purchase", "website", "hr")


def new_api_key() -> str:
    return secrets.token_hex(20)


def _ean13(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(12)]
    checksum = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
    return "".join(map(str, digits)) + str(checksum)


class Seeder:
    def __init__(self, registry: Registry, store: Store, seed: int) -> None:
        self.env = Env(registry, store, SUPERUSER_ID)
        self.store = store
        self.rng = random.Random(seed)
        self.xmlids: list[tuple[str, str, str, int]] = []

    def make(
        self, model: str, vals: dict[str, Any], xmlid: str | None = None, at_id: int | None = None
    ) -> int:
        if at_id is not None:
            self.store.bump_sequence(model, at_id - 1)
        records = self.env[model]
        # Versions differ in their fields (uom.uom has no category on 19...): seed what exists.
        known = {name: value for name, value in vals.items() if name in records._fields}
        rid = records.create(known).ids[0]
        if xmlid:
            module, _, name = xmlid.partition(".")
            self.xmlids.append((module, name, model, rid))
        return rid

    def run(self, partners: int, products: int, credentials: Credentials, demo_uid: int) -> None:
        with self.store.lock:
            self.store.begin()
            self._reference_data()
            self._users(credentials, demo_uid)
            self._partners(partners)
            self._products(products)
            seed_sales(self, demo_uid)
            self._technical()
            self.store.commit()

    def _reference_data(self) -> None:
        self.make(
            "res.currency",
            {"name": "USD", "symbol": "$", "full_name": "United States dollar", "position": "before"},
            "base.USD",
        )
        self.make("res.currency", {"name": "EUR", "symbol": "€", "full_name": "Euro"}, "base.EUR")
        self.make(
            "res.currency",
            {"name": "GBP", "symbol": "£", "full_name": "Pound sterling", "active": False},
            "base.GBP",
        )
        eur = {"BE", "DE", "ES", "FR", "IT", "NL"}
        self.countries: dict[str, int] = {}
        for code, name, phone, states in COUNTRIES:
            cid = self.make(
                "res.country",
                {"name": name, "code": code, "phone_code": phone, "currency_id": 2 if code in eur else 1},
                f"base.{code.lower()}",
            )
            self.countries[code] = cid
            for state_code, state_name in states:
                self.make("res.country.state", {"name": state_name, "code": state_code, "country_id": cid})
        for tag in (
            "Customer",
            "Vendor",
            "Prospect",
            "Consulting Services",
            "Employees",
            "Services",
            "Partner",
        ):
            self.make("res.partner.category", {"name": tag})
        main_partner = self.make(
            "res.partner",
            {
                "name": "YourCompany",
                "is_company": True,
                "email": "info@yourcompany.com",
                "phone": "+1 555-555-5556",
                "country_id": self.countries["US"],
                "city": "Tracy",
                "street": "250 Executive Park Blvd",
            },
            "base.main_partner",
        )
        self.make(
            "res.company",
            {
                "name": "YourCompany",
                "partner_id": main_partner,
                "currency_id": 1,
                "country_id": self.countries["US"],
                "email": "info@yourcompany.com",
            },
            "base.main_company",
        )
        self.make(
            "res.company", {"name": "Chicago Branch", "currency_id": 1, "country_id": self.countries["US"]}
        )
        self.make("uom.category", {"name": "Unit"}, "uom.product_uom_categ_unit")
        self.make("uom.category", {"name": "Weight"}, "uom.product_uom_categ_kgm")
        self.make(
            "uom.uom", {"name": "Units", "category_id": 1, "uom_type": "reference"}, "uom.product_uom_unit"
        )
        self.make(
            "uom.uom",
            {
                "name": "Dozens",
                "category_id": 1,
                "uom_type": "bigger",
                "factor_inv": 12.0,
                "factor": 1 / 12,
                "relative_factor": 12.0,
            },
            "uom.product_uom_dozen",
        )
        self.make("uom.uom", {"name": "kg", "category_id": 2, "uom_type": "reference"}, "uom.product_uom_kgm")
        self.make("product.category", {"name": "All"}, "product.product_category_all")
        self.make("product.category", {"name": "Saleable", "parent_id": 1}, "product.product_category_1")
        self.make(
            "product.category", {"name": "Office Furniture", "parent_id": 1}, "product.product_category_5"
        )
        self.make(
            "account.tax", {"name": "15%", "amount": 15.0, "type_tax_use": "sale"}, "account.tax_sale_15"
        )
        self.make("account.tax", {"name": "15% (purchase)", "amount": 15.0, "type_tax_use": "purchase"})
        self.make("account.tax", {"name": "0% Exempt", "amount": 0.0, "type_tax_use": "sale"})
        self.make("product.pricelist", {"name": "Default", "currency_id": 1}, "product.list0")

    def _users(self, credentials: Credentials, demo_uid: int) -> None:
        self.make(
            "res.users",
            {"name": "OdooBot", "login": "__system__", "active": False},
            "base.user_root",
            at_id=SUPERUSER_ID,
        )
        self.make(
            "res.users",
            {
                "name": "Mitchell Admin",
                "login": "admin",
                "email": "admin@yourcompany.example.com",
                "company_ids": [(6, 0, [1, 2])],
            },
            "base.user_admin",
            at_id=ADMIN_UID,
        )
        self.make(
            "res.users",
            {
                "name": "Marc Demo",
                "login": "demo",
                "email": "mark.brown23@example.com",
                "tz": "Europe/Brussels",
            },
            "base.user_demo",
            at_id=demo_uid,
        )
        users = self.store.table("res.users")
        for uid in (ADMIN_UID, demo_uid):
            # As in Odoo's data, the users' partners are contacts of the main company.
            self.env["res.partner"].browse([users[uid]["partner_id"]]).write({"parent_id": 1})
        credentials.passwords.update({ADMIN_UID: "admin", demo_uid: "demo"})

    def _partners(self, count: int) -> None:
        companies: list[int] = []
        codes = sorted(self.countries)
        for index in range(count):
            country = self.countries[self.rng.choice(codes)]
            if index % 4 == 0 or not companies:
                name = f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(COMPANY_KINDS)}"
                slug = name.lower().replace(" ", "")
                vals: dict[str, Any] = {"name": name, "is_company": True, "email": f"info@{slug}.example.com"}
            else:
                first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
                name = f"{first} {last}"
                vals = {"name": name, "email": f"{first}.{last}{index}@example.com".lower()}
                if self.rng.random() < 0.5:
                    vals["parent_id"] = self.rng.choice(companies)
            vals.update(
                ref=f"SIM-P{index + 1:05d}",
                # 555-0100..0199: the numbers set aside for fiction, yet valid, so a pulled
                # partner's phone passes validation when it is pushed back.
                phone=f"+1 {self.rng.choice(_AREA_CODES)}-555-01{self.rng.randint(0, 99):02d}",
                country_id=country,
                city=self.rng.choice(["Brussels", "Berlin", "Austin", "Lyon", "Leeds", "Milan"]),
                customer_rank=self.rng.randint(0, 3),
                category_id=[(6, 0, [self.rng.randint(1, 3)])],
            )
            rid = self.make("res.partner", vals)
            if vals.get("is_company"):
                companies.append(rid)
        # Records of the second company: hidden from the demo user by the multi-company rule.
        self.make(
            "res.partner",
            {
                "name": "Chicago Branch Supplier",
                "is_company": True,
                "company_id": 2,
                "ref": "SIM-CHI-1",
                "country_id": self.countries["US"],
            },
        )

    def _products(self, count: int) -> None:
        for index in range(count):
            name = f"{self.rng.choice(PRODUCT_ADJECTIVES)} {self.rng.choice(PRODUCT_WORDS)} {index + 1}"
            self.make(
                "product.template",
                {
                    "name": name,
                    "default_code": f"SIM-{index + 1:05d}",
                    "barcode": _ean13(self.rng),
                    "list_price": round(self.rng.uniform(2, 500), 2),
                    "standard_price": round(self.rng.uniform(1, 250), 2),
                    "categ_id": self.rng.choice([1, 2, 3]),
                    "type": self.rng.choice(["consu", "service"]),
                    "taxes_id": [(6, 0, [1])],
                },
            )

    def _technical(self) -> None:
        registry = self.env.registry
        for model_name in sorted(registry.models):
            cls = registry.models[model_name]
            model_id = self.make(
                "ir.model",
                {
                    "name": cls._description or model_name,
                    "model": model_name,
                    "state": "base",
                    "transient": False,
                    "modules": "base",
                },
                f"base.model_{model_name.replace('.', '_')}",
            )
            for fld in cls._fields.fields.values():
                self.make(
                    "ir.model.fields",
                    {
                        "name": fld.name,
                        "field_description": fld.string,
                        "model": model_name,
                        "model_id": model_id,
                        "ttype": fld.type,
                        "relation": fld.relation or False,
                        "required": fld.required,
                        "readonly": fld.readonly,
                        "store": not fld.computed and fld.type not in X2MANY - {"many2many"},
                        "state": "base",
                    },
                )
        personality = registry.personality
        installed = set(personality.modules)
        for name in sorted(installed | set(UNINSTALLED_MODULES)):
            self.make(
                "ir.module.module",
                {
                    "name": name,
                    "shortdesc": name.replace("_", " ").title(),
                    "author": "Odoo S.A.",
                    "state": "installed" if name in installed else "uninstalled",
                    "latest_version": f"{personality.server_serie}.1.0" if name in installed else False,
                    "application": name
                    in {"contacts", "sale_management", "crm", "stock", "account", "website"},
                },
            )
        for module, name, model, rid in self.xmlids:
            self.env["ir.model.data"].create(
                {"module": module, "name": name, "model": model, "res_id": rid, "noupdate": True}
            )

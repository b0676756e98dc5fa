"""Every simulated model; importing this package registers them all."""

from . import account, currency, ir, product, res, sale, sale_line, stock
from .base import BaseModel
from .env import ADMIN_UID, SUPERUSER_ID, Env
from .registry import MODEL_CLASSES, Registry

__all__ = [
    "ADMIN_UID",
    "MODEL_CLASSES",
    "SUPERUSER_ID",
    "BaseModel",
    "Env",
    "Registry",
    "account",
    "currency",
    "ir",
    "product",
    "res",
    "sale",
    "sale_line",
    "stock",
]

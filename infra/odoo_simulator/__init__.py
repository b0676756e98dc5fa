"""A faithful stand-in for Odoo's external API (XML-RPC, JSON-RPC, JSON-2) over real HTTP."""

from .knobs import Knobs
from .personality import VERSIONS
from .server import OdooSimulator

__all__ = ["VERSIONS", "Knobs", "OdooSimulator"]

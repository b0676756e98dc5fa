"""A faithful stand-in for Odoo's external API (XML-RPC, JSON-RPC, JSON-2) over real HTTP."""

from .clock import SimClock
from .knobs import Knobs
from .personality import VERSIONS
from .server import OdooSimulator
from .transactions import OpenTransaction, TransactionClosedError

__all__ = ["VERSIONS", "Knobs", "OdooSimulator", "OpenTransaction", "SimClock", "TransactionClosedError"]

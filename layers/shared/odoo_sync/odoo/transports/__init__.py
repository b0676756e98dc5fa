"""The three ways to talk to Odoo, behind one small interface (base.Transport)."""

from odoo_sync.odoo.transports.base import EndpointMissingError, Transport
from odoo_sync.odoo.transports.json2 import Json2Transport
from odoo_sync.odoo.transports.jsonrpc import JsonRpcTransport
from odoo_sync.odoo.transports.xmlrpc import XmlRpcTransport

__all__ = ["EndpointMissingError", "Json2Transport", "JsonRpcTransport", "Transport", "XmlRpcTransport"]

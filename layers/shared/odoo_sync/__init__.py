"""Odoo Sync shared library: Odoo client, sync core, stores. Ships as the Lambda layer."""

"""The sync engine: pure logic that turns a tenant's records into Odoo values and back.

Nothing in this package talks to AWS, HTTP or Odoo; lookups that need Odoo are passed in.
"""

"""`python -m odoo_sync_cli`, the same as the `odoo-sync` command."""

from odoo_sync_cli.app import main

main()

"""The simulator and a tenant linked to it, shared with the service tests."""

from __future__ import annotations

from tests.integration.service.conftest import allow_loopback, linked, sim

__all__ = ["allow_loopback", "linked", "sim"]

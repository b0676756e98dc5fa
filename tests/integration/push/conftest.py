from __future__ import annotations

from collections.abc import Iterator

import pytest

from odoo_simulator import OdooSimulator
from odoo_sync.odoo import OdooClient
from tests.integration.push.builders import open_client


@pytest.fixture(scope="module")
def sim() -> Iterator[OdooSimulator]:
    with OdooSimulator(version="19", port=0, seed_partners=10, seed_products=10) as simulator:
        yield simulator


@pytest.fixture
def client(sim: OdooSimulator) -> Iterator[OdooClient]:
    sim.knobs.reset()
    with open_client(sim) as opened:
        yield opened
    sim.knobs.reset()

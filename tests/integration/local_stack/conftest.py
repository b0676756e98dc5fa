"""A local stack built from the fixture template, one per test module."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_stack import Invocation, LocalStack

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_TEMPLATE = FIXTURES / "template.yaml"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack(FIXTURE_TEMPLATE, port=0) as running:
        yield running


def invocations_of(stack: LocalStack, function: str) -> list[Invocation]:
    return [call for call in stack.invocations if call.function == function]

"""Sealed HTTP for client tests: every request must be scripted, every script consumed."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
import responses
from responses import registries

from deployer.client import DSClient, RetryPolicy
from tests.client.helpers import BASE, TOKEN, FakeTime


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def policy(fake_time: FakeTime) -> RetryPolicy:
    return RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock, rng=random.Random(7))  # noqa: S311 - seeded jitter, not crypto


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """Ordered script: requests must come in exactly the scripted order."""
    with responses.RequestsMock(
        assert_all_requests_are_fired=True, registry=registries.OrderedRegistry
    ) as mock:
        yield mock


@pytest.fixture
def client(policy: RetryPolicy) -> Iterator[DSClient]:
    with DSClient(BASE, TOKEN, api_version="3.3", policy=policy) as c:
        yield c

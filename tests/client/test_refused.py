"""A scheduler address where nothing listens fails at the first attempt, over real sockets:
retrying a refused connection (or an unknown host) cannot help. Once the server has
answered, a refused connection is a restart and keeps its retries, as timeouts and 5xx do."""

from __future__ import annotations

import random
import socket

import pytest

from deployer.client import DSClient, RetryPolicy
from deployer.core.errors import NothingListens, TransportError
from deployer.sandbox import Sandbox
from tests.client.helpers import TOKEN, FakeTime


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _client(url: str, fake_time: FakeTime) -> DSClient:
    policy = RetryPolicy(sleep=fake_time.sleep, clock=fake_time.clock,
                         rng=random.Random(7))  # noqa: S311 - seeded jitter, not crypto
    return DSClient(url, TOKEN, api_version="3.3", policy=policy)


def test_a_refused_connection_is_not_retried(fake_time: FakeTime) -> None:
    port = _closed_port()
    with _client(f"http://127.0.0.1:{port}/dolphinscheduler", fake_time) as c:
        with pytest.raises(NothingListens) as err:
            c.find_project("p")
        assert c.request_count == 1
    assert fake_time.sleeps == []
    assert err.value.message == (f"GET /projects/list: connection refused by 127.0.0.1:{port}"
                                 ": nothing listens there")


def test_an_unknown_host_is_not_retried(fake_time: FakeTime) -> None:
    with _client("http://ds.dagship-test.invalid/dolphinscheduler", fake_time) as c:
        with pytest.raises(NothingListens) as err:
            c.find_project("p")
        assert c.request_count == 1
    assert fake_time.sleeps == []
    assert "no such host: ds.dagship-test.invalid" in err.value.message


def test_refused_after_the_server_answered_is_a_restart_and_is_retried(
        fake_time: FakeTime) -> None:
    with Sandbox(api_version="3.3", token=TOKEN) as sb, _client(sb.base_url, fake_time) as c:
        assert c.find_project("p") is None  # this run has reached the server
    # The server has stopped: its port now refuses connections. A new client of the same run
    # (apply opens one per worker) still retries, as for a server restarting mid-deploy.
    with _client(sb.base_url, fake_time) as c:
        with pytest.raises(TransportError) as err:
            c.find_project("p")
        assert not isinstance(err.value, NothingListens)
        assert c.request_count == 8  # the policy's max_attempts
    assert len(fake_time.sleeps) == 7
    assert "gave up after 8 attempt(s)" in err.value.message

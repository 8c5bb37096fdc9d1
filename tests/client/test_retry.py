"""The retry policy, driven through the client over scripted HTTP (no real sleeping)."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime

import pytest
import requests
import responses

from deployer.client import DSClient, RetryPolicy
from deployer.client.retry import parse_retry_after
from deployer.core.errors import ApiError, TransportError
from tests.client.helpers import BASE, TOKEN, env

LIST = f"{BASE}/projects/list"


def test_503_503_200_retries_with_growing_jittered_waits(rsps, client, fake_time):
    rsps.get(LIST, status=503, body="busy")
    rsps.get(LIST, status=503, body="busy")
    rsps.get(LIST, json=env([{"name": "p", "code": 1}]))

    assert client.find_project("p") == {"name": "p", "code": 1}

    assert len(rsps.calls) == 3
    assert client.request_count == 3
    first, second = fake_time.sleeps
    assert 0.25 <= first <= 0.5  # equal jitter around initial 0.5 s
    assert 0.5 <= second <= 1.0


def test_backoff_is_capped_and_jitter_bounded():
    policy = RetryPolicy(rng=random.Random(1))  # noqa: S311 - seeded jitter
    for attempt in range(1, 30):
        base = min(10.0, 0.5 * 2 ** (attempt - 1))
        assert base / 2 <= policy.backoff(attempt) <= base
    assert policy.backoff(40) <= 10.0


def test_connection_errors_then_success(rsps, client):
    rsps.get(LIST, body=requests.ConnectionError("connection refused"))
    rsps.get(LIST, body=requests.ConnectionError("connection reset"))
    rsps.get(LIST, json=env([]))

    assert client.find_project("p") is None
    assert client.request_count == 3


def test_read_timeout_is_retried(rsps, client):
    rsps.get(LIST, body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.get(LIST, json=env([]))

    assert client.find_project("p") is None
    assert len(rsps.calls) == 2


def test_retry_after_seconds_wins_over_backoff(rsps, client, fake_time):
    rsps.get(LIST, status=429, headers={"Retry-After": "2"}, body="slow down")
    rsps.get(LIST, json=env([]))

    client.find_project("p")

    assert fake_time.sleeps == [2.0]


def test_retry_after_beyond_the_deadline_gives_up_at_once(rsps, fake_time):
    """Retrying before the server's Retry-After is not honouring it, and sleeping out the
    whole deadline first only makes CI wait for the same failure."""
    policy = RetryPolicy(deadline=5.0, sleep=fake_time.sleep, clock=fake_time.clock)
    rsps.get(LIST, status=429, headers={"Retry-After": "120"})

    with pytest.raises(TransportError) as caught:
        DSClient(BASE, TOKEN, api_version="3.3", policy=policy).find_project("p")

    assert fake_time.sleeps == []
    assert "gave up after 1 attempt(s)" in caught.value.message
    assert "retry after 120 s, beyond the 5 s deadline" in caught.value.message


def test_backoff_wait_is_still_capped_by_the_deadline(rsps, fake_time):
    policy = RetryPolicy(deadline=0.3, initial_wait=10, max_wait=10,
                         sleep=fake_time.sleep, clock=fake_time.clock)
    rsps.get(LIST, status=503)
    rsps.get(LIST, json=env([]))

    DSClient(BASE, TOKEN, api_version="3.3", policy=policy).find_project("p")

    assert fake_time.sleeps == [0.3]


def test_parse_retry_after_forms():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_business_error_is_never_retried(rsps, client):
    path = "/projects/1/workflow-definition/5"
    rsps.put(f"{BASE}{path}", json=env(code=50008, msg="workflow definition not allowed edit"))

    with pytest.raises(ApiError) as caught:
        client.update_workflow(1, 5, {"name": "w"})

    assert caught.value.code == 50008
    assert caught.value.endpoint == f"PUT {path}"
    assert "not allowed edit" in caught.value.message
    assert len(rsps.calls) == 1


def test_the_deadline_stops_retries(fake_time):
    policy = RetryPolicy(deadline=3.0, sleep=fake_time.sleep, clock=fake_time.clock)
    client = DSClient(BASE, TOKEN, api_version="3.3", policy=policy)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(LIST, status=503)  # forever
        with pytest.raises(TransportError, match="last failure was HTTP 503"):
            client.find_project("p")
        sent = len(mock.calls)

    assert sum(fake_time.sleeps) == pytest.approx(3.0)
    assert 2 <= sent < 8
    assert client.request_count == sent


def test_max_attempts_then_transport_error(fake_time):
    policy = RetryPolicy(max_attempts=4, sleep=fake_time.sleep, clock=fake_time.clock)
    client = DSClient(BASE, TOKEN, api_version="3.3", policy=policy)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(LIST, body=requests.ConnectionError("refused"))
        with pytest.raises(TransportError) as caught:
            client.find_project("p")
        assert len(mock.calls) == 4

    assert "GET /projects/list" in caught.value.message
    assert "gave up after 4 attempt(s)" in caught.value.message
    assert "a connection error" in caught.value.message
    assert len(fake_time.sleeps) == 3


def test_retry_warning_names_request_attempt_and_wait(rsps, client, caplog):
    rsps.get(LIST, status=503)
    rsps.get(LIST, json=env([]))

    with caplog.at_level(logging.WARNING, logger="dagship.http"):
        client.find_project("p")

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("retrying GET /projects/list after HTTP 503 (attempt 2/8, ")
    assert warnings[0].endswith(" s)")


def test_tls_failure_is_not_retried(rsps, client):
    rsps.get(LIST, body=requests.exceptions.SSLError("certificate verify failed"))

    with pytest.raises(TransportError, match=r"TLS verification failed.*ca_bundle"):
        client.find_project("p")
    assert client.request_count == 1


def test_other_statuses_are_not_retried(rsps, client):
    rsps.get(LIST, status=500, body="<html>oops</html>")

    with pytest.raises(TransportError, match="HTTP 500"):
        client.find_project("p")
    assert client.request_count == 1


def test_policy_rejects_zero_attempts():
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)

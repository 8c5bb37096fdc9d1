"""The one retry policy for talking to the scheduler, spelled out over tenacity.

Never tenacity's defaults (retry forever, on everything, without pause): this policy retries
only what a repeat can fix (connection errors, timeouts, HTTP 429/502/503/504), waits with
capped exponential backoff and jitter (or the server's `Retry-After`), and stops after
`max_attempts` or once `deadline` seconds have passed, whichever comes first. After the last
attempt the real error is re-raised and mapped to `TransportError` here, so the user sees why.

Business errors (`code != 0` in the body) are not the policy's business: they raise `ApiError`,
which the predicate below does not match, so they are never retried.

`sleep`, `clock` and `rng` are injectable so tests run instantly and can assert the waits.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from deployer.core.errors import TransportError
from deployer.core.redact import RedactingFilter, redact

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({429, 502, 503, 504})

log = logging.getLogger("dagship.http")


class RetryableStatus(Exception):
    """An HTTP answer whose status says "try again later" (429/502/503/504)."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


def is_retryable(exc: BaseException) -> bool:
    """The narrow retry predicate: transient transport trouble only."""
    if isinstance(exc, requests.exceptions.SSLError):
        return False  # a certificate problem does not heal by waiting
    return isinstance(exc, RetryableStatus | requests.ConnectionError | requests.Timeout)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def describe_failure(exc: BaseException) -> str:
    """A short reason for a failed attempt, safe to show (redacted)."""
    if isinstance(exc, RetryableStatus):
        return str(exc)
    if isinstance(exc, requests.Timeout):
        return "a timeout"
    if isinstance(exc, requests.ConnectionError):
        return "a connection error"
    return type(exc).__name__


@dataclass
class RetryPolicy:
    """Capped exponential backoff with jitter, `Retry-After` honoured, attempts and deadline."""

    max_attempts: int = 8
    deadline: float = 300.0  # seconds for all attempts of one step (target config `deadline`)
    initial_wait: float = 0.5
    max_wait: float = 10.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        _install_filter()

    def backoff(self, attempt: int) -> float:
        """Wait after failed attempt number `attempt` (1-based): in [base/2, base]."""
        base = min(self.max_wait, self.initial_wait * 2.0 ** (attempt - 1))
        # "Equal jitter": never less than half the step, so backoff still grows, but
        # clients that failed together do not retry together.
        jitter: float = self.rng.uniform(0, base / 2)
        return base / 2 + jitter

    def run(self, fn: Callable[[int], T], describe: str) -> T:
        """Call `fn(attempt_number)` until it returns, fails for good, or the policy gives up.

        `describe` ("GET /projects/list") names the step in log lines and errors.
        """
        start = self.clock()
        retrying = Retrying(
            sleep=self.sleep,
            stop=_StopPolicy(self, start),
            wait=_WaitPolicy(self, start),
            retry=retry_if_exception(is_retryable),
            before_sleep=lambda state: self._log_retry(state, describe),
            reraise=True,
        )
        attempts = 0

        def attempt() -> T:
            nonlocal attempts
            attempts += 1
            return fn(attempts)

        try:
            return retrying(attempt)
        except (RetryableStatus, requests.ConnectionError, requests.Timeout) as exc:
            elapsed = self.clock() - start
            reason = describe_failure(exc)
            detail = redact(str(exc)) if not isinstance(exc, RetryableStatus) else ""
            msg = (
                f"{describe}: the scheduler could not be reached: gave up after {attempts} "
                f"attempt(s) in {elapsed:.1f} s, last failure was {reason}"
            )
            left = self.deadline - elapsed
            if isinstance(exc, RetryableStatus) and (exc.retry_after or 0) > left > 0:
                msg += (f" asking to retry after {exc.retry_after:.0f} s, beyond the "
                        f"{self.deadline:.0f} s deadline of a step (target `deadline`)")
            raise TransportError(f"{msg} ({detail})" if detail else msg) from exc

    def _log_retry(self, state: RetryCallState, describe: str) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.upcoming_sleep
        log.warning(
            "retrying %s after %s (attempt %d/%d, waiting %.1f s)",
            describe,
            describe_failure(exc) if exc else "a failure",
            state.attempt_number + 1,
            self.max_attempts,
            wait,
        )


class _StopPolicy(stop_base):
    """Stop at max attempts, or once the deadline has passed."""

    def __init__(self, policy: RetryPolicy, start: float) -> None:
        self.policy = policy
        self.start = start

    def __call__(self, retry_state: RetryCallState) -> bool:
        if retry_state.attempt_number >= self.policy.max_attempts:
            return True
        remaining = self.policy.deadline - (self.policy.clock() - self.start)
        return remaining <= 0 or _asked_wait(retry_state) > remaining


def _asked_wait(retry_state: RetryCallState) -> float:
    """The server's `Retry-After` for the failed attempt, 0 when it named none.

    A wait beyond what is left of the deadline ends the step at once: retrying sooner than
    asked would not be honouring it, and sleeping out the deadline first only wastes it.
    """
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
        return exc.retry_after
    return 0.0


class _WaitPolicy(wait_base):
    """Backoff with jitter, unless the server said `Retry-After`; never past the deadline."""

    def __init__(self, policy: RetryPolicy, start: float) -> None:
        self.policy = policy
        self.start = start

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
            wait = exc.retry_after
        else:
            wait = self.policy.backoff(retry_state.attempt_number)
        remaining = self.policy.deadline - (self.policy.clock() - self.start)
        return max(0.0, min(wait, remaining))


_filter_installed = False


def _install_filter() -> None:
    """Mask the token in everything logged on `dagship.http` (once per process)."""
    global _filter_installed
    if not _filter_installed:
        log.addFilter(RedactingFilter())
        _filter_installed = True

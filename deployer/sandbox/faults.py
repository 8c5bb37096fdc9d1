"""Fault injection for retry tests and benchmarks, reproducible with a seed.

A faulted request gets one of: HTTP 502, 503 or 429 (the last two with `Retry-After: 0|1`), or
a dropped connection (the socket closes with no answer). Half of the kinds strike *after* the
request was applied - the worst case for a client, which cannot tell whether its create
happened. `/actuator/health` and `/login` are never faulted.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass

__all__ = ["KINDS", "Fault", "Faults"]

# (name, HTTP status or 0 for a dropped connection, applied before answering?)
KINDS: tuple[tuple[str, int, bool], ...] = (
    ("502", 502, False), ("503", 503, False), ("429", 429, False), ("drop", 0, False),
    ("502-after", 502, True), ("drop-after", 0, True),
)
_NEVER = ("/actuator/health", "/login")


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int          # 0 = close the connection without answering
    after: bool          # the request is applied first
    retry_after: str | None


class Faults:
    def __init__(self, rate: float = 0.0, latency: float = 0.0, seed: int | None = None) -> None:
        self.rate = rate
        self.latency = latency
        self._rng = random.Random(seed)  # noqa: S311 - test randomness, not security
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def set(self, rate: float, latency: float | None = None) -> None:
        with self._lock:
            self.rate = rate
            if latency is not None:
                self.latency = latency

    def draw(self, path: str) -> Fault | None:
        """Decide the fate of one request (None = answer normally)."""
        if path in _NEVER:
            return None
        with self._lock:
            if self.rate <= 0 or self._rng.random() >= self.rate:
                return None
            kind, status, after = self._rng.choice(KINDS)
            retry = self._rng.choice(("0", "1")) if status in (429, 503) else None
            self.counts[kind] += 1
        return Fault(kind, status, after, retry)

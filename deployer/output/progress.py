"""Progress on stderr: a redrawn bar in a terminal, one plain line per workflow in CI logs.

`[#####-----] 12/40 3.2 s applying etl_daily` in a TTY, which ends on a summary line
(`[##########] 40/40 applied in 9.8 s: 39 ok, 1 failed`) rather than on the last workflow's
name; `[12/40] etl_daily: ok` elsewhere (CI logs keep every line, and a carriage-return bar
would be noise there). Thread-safe; the clock is injectable for tests.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from deployer.output.tty import is_terminal

WIDTH = 20


def interactive(stream: TextIO | None = None) -> bool:
    """A live bar only on a terminal, and never when CI=true."""
    stream = stream or sys.stderr
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return False
    return is_terminal(stream)


class Progress:
    def __init__(self, *, enabled: bool = True, bar: bool | None = None,
                 stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.bar = interactive(self.stream) if bar is None else bar
        self.total = 0
        self.done = 0
        self.verb = self.past = ""
        self.clock = clock
        self.started = 0.0
        self.statuses: dict[str, int] = {}
        self._lock = threading.Lock()
        self._drawn = False

    def start(self, total: int, verb: str, past: str | None = None) -> None:
        """`verb` while it runs ("applying"), `past` on the summary line ("applied")."""
        with self._lock:
            self.total, self.done, self.verb, self.past = total, 0, verb, past or verb
            self.started, self.statuses = self.clock(), {}

    def current(self, name: str) -> None:
        """The workflow being worked on (a bar shows it before it finishes)."""
        if self.enabled and self.bar:
            with self._lock:
                self._draw(name)

    def advance(self, name: str, status: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            self.done += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if self.bar:
                self._draw(name)
            else:
                self.stream.write(f"[{self.done}/{self.total}] {name}: {status}\n")
                self.stream.flush()

    def _bar(self) -> str:
        filled = WIDTH * self.done // self.total if self.total else WIDTH
        return f"[{'#' * filled}{'-' * (WIDTH - filled)}] {self.done}/{self.total}"

    def _draw(self, name: str) -> None:
        elapsed = self.clock() - self.started
        self.stream.write(f"\r\x1b[2K{self._bar()} {elapsed:.1f} s {self.verb} {name}")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """The bar's last line: how many, how long, and how they ended."""
        if self.enabled and self.bar and self._drawn:
            with self._lock:
                elapsed = self.clock() - self.started
                counts = ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items()))
                self.stream.write(f"\r\x1b[2K{self._bar()} {self.past} in {elapsed:.1f} s"
                                  + (f": {counts}" if counts else "") + "\n")
                self.stream.flush()
                self._drawn = False

"""Progress on stderr: a redrawn bar in a terminal, one plain line per workflow in CI logs.

`[#####-----] 12/40 applying etl_daily` in a TTY; `[12/40] etl_daily: ok` elsewhere (CI logs
keep every line, and a carriage-return bar would be noise there). Thread-safe.
"""

from __future__ import annotations

import os
import sys
import threading
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
                 stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.bar = interactive(self.stream) if bar is None else bar
        self.total = 0
        self.done = 0
        self.verb = ""
        self._lock = threading.Lock()
        self._drawn = False

    def start(self, total: int, verb: str) -> None:
        with self._lock:
            self.total, self.done, self.verb = total, 0, verb

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
            if self.bar:
                self._draw(name)
            else:
                self.stream.write(f"[{self.done}/{self.total}] {name}: {status}\n")
                self.stream.flush()

    def _draw(self, name: str) -> None:
        filled = WIDTH * self.done // self.total if self.total else WIDTH
        bar = "#" * filled + "-" * (WIDTH - filled)
        line = f"[{bar}] {self.done}/{self.total} {self.verb} {name}"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self.enabled and self.bar and self._drawn:
            with self._lock:
                self.stream.write("\n")
                self.stream.flush()
                self._drawn = False

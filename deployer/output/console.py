"""Where dagship's words go: the console (`echo`) and report files (`write_report`).

Everything echoed passes through `redact`, so a token that reached a message (a server
error, an exception) never reaches the screen or a CI log. Reports are the caller's text
as it is (each report redacts what it renders). Both are plain `sys.stdout` /
`sys.stderr` writes, looked up at call time, so a second run in one process (tests,
embedding) writes where its caller points them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from deployer.core.errors import UsageError
from deployer.core.redact import redact
from deployer.output.tty import WARNING, paint


def echo(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(redact(text) + "\n")
    stream.flush()


def warn(message: str, *, color: bool) -> None:
    """`dagship: warning: MESSAGE` on stderr; the label in yellow when colour is on."""
    echo(f"dagship: {paint('warning', WARNING, color)}: {message}", err=True)


def write_report(path: str, text: str) -> None:
    """Write a report (JSON, Markdown, JUnit, Code Quality) to `path`; `-` is stdout.
    A path that cannot be written is the user's to fix: a usage error naming it."""
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write report: {exc.strerror or exc}") from exc

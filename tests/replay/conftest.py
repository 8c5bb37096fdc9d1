"""Where the recordings are, and the replay summary printed at the end of every run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RECORDINGS = REPO.parent / "shared" / "dolphinscheduler" / "recordings"
ALLOWANCES = Path(__file__).resolve().parent / "allowances"
REQUIRE_ENV = "DAGSHIP_REQUIRE_SHARED"
SUMMARY: list[str] = []


def shared_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def no_recordings(what: str) -> None:
    """Skip without ../shared, or fail when DAGSHIP_REQUIRE_SHARED=1 says it is part of the run
    (CI): a lost folder must not pass on skips."""
    why = f"no recordings: {what} does not exist (../shared is not beside this clone)"
    if shared_required():
        pytest.fail(f"{why}, and {REQUIRE_ENV}=1 requires them", pytrace=False)
    pytest.skip(why)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SUMMARY:
        terminalreporter.section("replay of recorded real-server exchanges")
        for line in SUMMARY:
            terminalreporter.write_line(line)

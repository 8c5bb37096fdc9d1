"""The replay summary, printed at the end of every run that replayed a recording."""

from __future__ import annotations

import pytest

from tests.helpers.shared_data import SUMMARY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SUMMARY:
        terminalreporter.section("replay of recorded real-server exchanges")
        for line in SUMMARY:
            terminalreporter.write_line(line)

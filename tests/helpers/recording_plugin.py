"""The pytest side of record mode (scripts/real-ds/recorder.py): which test is running.

Active when DAGSHIP_RECORD_TAG names a file (realds.py `--record` / `record` set it): before
each phase of a test the node id and the phase go into that file, which the recording proxy
reads per request; each test's outcome is appended to DAGSHIP_RECORD_DIR/_outcomes.jsonl
(tests of the real backend only: the in-process sandboxes never pass through the proxy).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

TAG_ENV = "DAGSHIP_RECORD_TAG"
DIR_ENV = "DAGSHIP_RECORD_DIR"


class RecordingPlugin:
    def __init__(self, tag: Path, out: Path) -> None:
        self.tag = tag
        self.out = out

    def _around(self, item: pytest.Item, phase: str) -> Iterator[None]:
        self.tag.write_text(f"{item.nodeid}\t{phase}", encoding="utf-8")
        try:
            yield
        finally:
            self.tag.write_text("", encoding="utf-8")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        yield from self._around(item, "setup")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        yield from self._around(item, "call")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Iterator[None]:
        yield from self._around(item, "teardown")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if "[real" not in report.nodeid:
            return
        if report.when != "call" and report.outcome == "passed":
            return
        line = {"test": report.nodeid, "when": report.when, "outcome": report.outcome,
                "duration_s": round(report.duration, 3)}
        with (self.out / "_outcomes.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")


def register(config: pytest.Config) -> None:
    tag = os.environ.get(TAG_ENV)
    if tag:
        out = Path(os.environ.get(DIR_ENV) or Path(tag).parent)
        out.mkdir(parents=True, exist_ok=True)
        config.pluginmanager.register(RecordingPlugin(Path(tag), out), "dagship-recording")

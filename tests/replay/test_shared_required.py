"""Without ../shared the tests that read its recordings skip with the reason; with
DAGSHIP_REQUIRE_SHARED=1 (CI) they fail, so a lost folder cannot pass on skips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.shared_data import REPO

TESTS = ["tests/replay/test_replay_recordings.py", "tests/client/test_recorded.py",
         "-k", "there_are_recordings or reads_recorded_answers and none or 401"]


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DAGSHIP_REQUIRE_SHARED", "DAGSHIP_REPLAY_DIRS")}
    clean.update(env, DAGSHIP_RECORDINGS=str(tmp_path / "no-shared"))
    return subprocess.run([sys.executable, "-m", "pytest", *TESTS, "-q", "-rs",
                           "-p", "no:cacheprovider"], cwd=REPO, env=clean,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_missing_recordings_skip_with_the_reason(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 0, done.stdout
    assert "no recordings:" in done.stdout
    assert "skipped" in done.stdout
    assert "passed" not in done.stdout.splitlines()[-1]


@pytest.mark.slow
def test_missing_recordings_fail_where_they_are_required(tmp_path: Path) -> None:
    done = _run(tmp_path, DAGSHIP_REQUIRE_SHARED="1")
    assert done.returncode == 1, done.stdout
    assert "DAGSHIP_REQUIRE_SHARED=1 requires it" in done.stdout
    assert "skipped" not in done.stdout.splitlines()[-1]

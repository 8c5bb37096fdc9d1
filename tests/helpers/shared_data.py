"""The data of ../shared the tests read: the real servers' recordings (tests/replay, tests/client).

They live in ../shared/dolphinscheduler/recordings (beside the clone, not in it), plus any
folders named by DAGSHIP_REPLAY_DIRS (os.pathsep-separated; CI names the 3.1.1 recording it
just made). Without ../shared the tests that read them skip with the reason, unless
DAGSHIP_REQUIRE_SHARED=1 (CI) says the folder is part of the run: then they fail.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from deployer.sandbox.replay.recording import discover

REPO = Path(__file__).resolve().parents[2]
# DAGSHIP_RECORDINGS points elsewhere (the tests of the skip/fail switch use a missing folder)
RECORDINGS = Path(os.environ.get("DAGSHIP_RECORDINGS")
                  or REPO.parent / "shared" / "dolphinscheduler" / "recordings")
ALLOWANCES = REPO / "tests" / "replay" / "allowances"
REQUIRE_ENV = "DAGSHIP_REQUIRE_SHARED"
DIRS_ENV = "DAGSHIP_REPLAY_DIRS"
SUMMARY: list[str] = []  # printed in the run's summary by tests/replay/conftest.py


def folders() -> list[Path]:
    extra = [Path(p) for p in os.environ.get(DIRS_ENV, "").split(os.pathsep) if p]
    return discover(RECORDINGS) + extra


def shared_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def missing_shared(why: str) -> NoReturn:
    """Skip a test whose ../shared data is absent, or fail it where the data is required."""
    if shared_required():
        pytest.fail(f"{why}, and {REQUIRE_ENV}=1 requires it", pytrace=False)
    pytest.skip(why)


def no_recordings(what: Path | str = RECORDINGS) -> NoReturn:
    missing_shared(f"no recordings: {what} does not exist (../shared is not beside this clone)")

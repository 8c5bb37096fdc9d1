"""Where the real servers' recordings are, for tests/replay and tests/client.

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

REPO = Path(__file__).resolve().parents[1]
RECORDINGS = REPO.parent / "shared" / "dolphinscheduler" / "recordings"
ALLOWANCES = REPO / "tests" / "replay" / "allowances"
REQUIRE_ENV = "DAGSHIP_REQUIRE_SHARED"
DIRS_ENV = "DAGSHIP_REPLAY_DIRS"
SUMMARY: list[str] = []  # printed in the run's summary by tests/replay/conftest.py


def folders() -> list[Path]:
    extra = [Path(p) for p in os.environ.get(DIRS_ENV, "").split(os.pathsep) if p]
    return discover(RECORDINGS) + extra


def shared_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def no_recordings(what: Path | str = RECORDINGS) -> NoReturn:
    why = f"no recordings: {what} does not exist (../shared is not beside this clone)"
    if shared_required():
        pytest.fail(f"{why}, and {REQUIRE_ENV}=1 requires them", pytrace=False)
    pytest.skip(why)

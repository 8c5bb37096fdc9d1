"""Every real server's recording in ../shared/dolphinscheduler/recordings (and any folder named
by DAGSHIP_REPLAY_DIRS) replayed against a fresh sandbox of its dialect: no difference may
be unexplained by tests/replay/allowances/<name>.yaml, no `fixed` one may come back, no
allowance may be stale. The counts are printed in the run's summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.sandbox.replay import judge, load, load_allowances, replay
from tests.helpers.shared_data import ALLOWANCES, RECORDINGS, SUMMARY, folders, no_recordings

FOLDERS = folders()


def test_there_are_recordings_to_replay() -> None:
    if not RECORDINGS.is_dir():
        no_recordings()
    assert FOLDERS, f"{RECORDINGS} holds no real server's recording"


@pytest.mark.parametrize("folder", FOLDERS or [None], ids=[f.name for f in FOLDERS] or ["none"])
def test_recording_replays_without_unexplained_difference(folder: Path | None) -> None:
    if folder is None or not folder.is_dir():
        no_recordings(folder or RECORDINGS)
    allowances = load_allowances(ALLOWANCES / f"{folder.name}.yaml")
    recording = load(folder, skip=allowances.unreplayed_files)
    verdict = judge(replay(recording), allowances)
    lines = verdict.lines() + [f"  not replayed: {name}: {why}" for name, why in
                               allowances.unreplayed if (folder / name).is_file()]
    SUMMARY.extend(lines)
    assert verdict.ok, "\n".join(lines)
    assert verdict.replay.results, f"{folder}: no exchange was replayed"

"""Sandbox fidelity from real servers' recorded answers: replay, compare, allow, report.

    python -m deployer.sandbox.replay RECORDING_DIR... [--allowances DIR]

replays each recording folder against a fresh in-process sandbox of its dialect and prints
the exchanges compared and every difference, allowed (with its reason) or unexplained;
exit 1 when any is unexplained, a fixed one came back, or an allowance is stale.
"""

from __future__ import annotations

from deployer.sandbox.replay.allowances import Allowances, load_allowances
from deployer.sandbox.replay.recording import Recording, RecordingError, discover, load
from deployer.sandbox.replay.replayer import Replay, replay
from deployer.sandbox.replay.report import Verdict, judge

__all__ = ["Allowances", "Recording", "RecordingError", "Replay", "Verdict", "discover",
           "judge", "load", "load_allowances", "replay"]

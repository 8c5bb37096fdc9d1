"""The sandbox's run-time tables: workflow instances, task instances and their logs.

Kept in memory only (a `--state` file holds definitions, not runs: a restarted sandbox has no
instances, like a real server whose H2 database went with it).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

# How long each simulated state lasts without --execute: long enough for a poller to see
# RUNNING_EXECUTION, short enough for tests.
STEP_SECONDS = 0.05
TASK_TIMEOUT = 60.0  # --execute: a task that runs longer is killed and fails


@dataclass
class Runs:
    execute: bool = False  # actually run Shell and Python tasks (`dagship sandbox --execute`)
    task_timeout: float = TASK_TIMEOUT
    step: float = STEP_SECONDS
    instances: dict[int, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    logs: dict[int, list[str]] = field(default_factory=dict)
    triggers: dict[int, list[int]] = field(default_factory=dict)  # 3.2 trigger code -> ids
    stops: set[int] = field(default_factory=set)  # instances asked to STOP
    threads: list[threading.Thread] = field(default_factory=list)

    def running(self, workflow_code: int) -> bool:
        return any(i["code"] == workflow_code and i["state"] not in FINAL
                   for i in self.instances.values())


FINAL = frozenset({"SUCCESS", "FAILURE", "STOP", "KILL", "PAUSE", "FORCED_SUCCESS"})

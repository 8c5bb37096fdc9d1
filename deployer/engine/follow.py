"""Follow started workflow instances until each ends or the timeout passes.

One poll reads every unfinished instance and its task instances; each change of state is
handed to `on_change` (the console shows it), so a CI log gets one line per change and never
a line per poll. The clock and the sleep are injectable (tests, the bench).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from deployer.client.executor import TASK_FINAL, WORKFLOW_FINAL, Executor

SUCCESS_STATES = frozenset({"SUCCESS", "FORCED_SUCCESS"})
KILLED_STATES = frozenset({"STOP", "KILL", "PAUSE"})


@dataclass
class TaskRun:
    id: int
    name: str
    task_type: str
    state: str
    duration: str = ""  # as the server words it ("3s", "1m 2s")
    log_tail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.state in SUCCESS_STATES

    @property
    def final(self) -> bool:
        return self.state in TASK_FINAL


@dataclass
class InstanceRun:
    workflow: str
    instance_id: int
    state: str = "SUBMITTED_SUCCESS"
    dry_run: bool = False
    started: float = 0.0  # monotonic, when dagship sent the start
    seconds: float = 0.0  # from the start to the end dagship saw (or to the timeout)
    tasks: dict[int, TaskRun] = field(default_factory=dict)
    project_code: int = 0  # the instance's project: one run may start in several projects

    @property
    def final(self) -> bool:
        return self.state in WORKFLOW_FINAL

    @property
    def outcome(self) -> str:
        """success | failed | killed | running (still going when the wait ended)."""
        if self.state in SUCCESS_STATES:
            return "success"
        if self.state in KILLED_STATES:
            return "killed"
        if self.state == "FAILURE":
            return "failed"
        return "running"

    @property
    def failed_tasks(self) -> list[TaskRun]:
        return [t for t in self.tasks.values() if t.final and not t.ok]


# on_change(instance, task or None, old state or None): a new state to show
OnChange = Callable[[InstanceRun, TaskRun | None, str | None], None]


def follow(executor: Executor, runs: list[InstanceRun], *,
           timeout: float | None, poll: float, on_change: OnChange,
           on_poll: Callable[[], None] = lambda: None,
           clock: Callable[[], float] = time.monotonic,
           sleep: Callable[[float], None] = time.sleep) -> bool:
    """Poll until every instance is final (True) or `timeout` seconds passed (False)."""
    start = clock()
    while True:
        for run in runs:
            if run.final:
                continue
            _refresh(executor, run.project_code, run, on_change)
            run.seconds = clock() - run.started
        on_poll()
        if all(run.final for run in runs):
            return True
        if timeout is not None and clock() - start >= timeout:
            return False
        sleep(poll if timeout is None else max(0.0, min(poll, timeout - (clock() - start))))


def _refresh(executor: Executor, project_code: int, run: InstanceRun,
             on_change: OnChange) -> None:
    # tasks first: an instance that just ended must not be reported before its last task
    for row in executor.tasks(project_code, run.instance_id):
        tid = int(row["id"])
        state = str(row.get("state") or "")
        task = run.tasks.get(tid)
        if task is None:
            task = run.tasks[tid] = TaskRun(tid, str(row.get("name")),
                                            str(row.get("taskType") or ""), state)
            on_change(run, task, None)
        elif task.state != state:
            old, task.state = task.state, state
            on_change(run, task, old)
        task.duration = str(row.get("duration") or "")
    data = executor.instance(project_code, run.instance_id)
    state = str(data.get("state") or run.state)
    if state != run.state:
        old, run.state = run.state, state
        on_change(run, None, old)
    if run.final:  # the tasks as they ended (a last one may have finished after our read)
        for row in executor.tasks(project_code, run.instance_id):
            task = run.tasks.get(int(row["id"]))
            if task is not None and task.state != row.get("state"):
                old, task.state = task.state, str(row.get("state"))
                on_change(run, task, old)
            elif task is None:
                task = run.tasks[int(row["id"])] = TaskRun(
                    int(row["id"]), str(row.get("name")), str(row.get("taskType") or ""),
                    str(row.get("state") or ""))
                on_change(run, task, None)
            task.duration = str(row.get("duration") or "")

"""Starting workflow instances and reading them back: the executor, instance, task-instance
and log endpoints, in every API generation.

What each generation answers to a start, and so how the new instance is found:
- 3.1 (`start-process-instance`): no data at all. The instance is the newest one of the
  workflow whose id is above the newest id seen just before the start (a run started by
  someone else in that second could be taken for ours; the docs say so).
- 3.2 (`start-process-instance`): a trigger code; `process-instances/trigger?triggerCode=`
  lists the instances it made once the master has picked the command up.
- 3.3+ (`start-workflow-instance`): the list of the new instances' ids.

A start is not idempotent (a repeat starts a second instance), so it is sent once, never
retried; every read below is retried under the policy.

Answers are normalised to 3.3+ names (`workflowDefinitionCode`, `workflowInstanceState`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from deployer.client.generations import Generation, JsonDict
from deployer.client.transport import Transport
from deployer.core.errors import TransportError

# Workflow-instance states that end an instance, and task-instance states that end a task.
WORKFLOW_FINAL = frozenset({"SUCCESS", "FAILURE", "STOP", "PAUSE", "KILL", "FORCED_SUCCESS"})
TASK_FINAL = frozenset({"SUCCESS", "FAILURE", "KILL", "STOP", "PAUSE", "FORCED_SUCCESS",
                        "NEED_FAULT_TOLERANCE"})
LOG_PAGE = 1000  # lines per log request
FIND_WAIT = 60.0  # seconds a 3.1/3.2 start may take to show up as an instance


@dataclass(frozen=True)
class StartRequest:
    """What `run` asks for; the fields map onto the executor's form."""

    workflow_code: int
    params: Mapping[str, str]
    dry_run: bool = False
    test_flag: bool = False  # 3.2+: run against the test data sources
    failure_strategy: str = "END"
    warning_type: str = "NONE"
    worker_group: str = "default"
    tenant: str = "default"  # 3.2+ only; 3.1 takes the workflow's tenant


def instance_segment(g: Generation) -> str:
    return "process-instances" if g.legacy else "workflow-instances"


def start_form(g: Generation, req: StartRequest) -> JsonDict:
    form: JsonDict = {
        "workflowDefinitionCode" if not g.legacy else "processDefinitionCode": req.workflow_code,
        "scheduleTime": "",
        "failureStrategy": req.failure_strategy,
        "warningType": req.warning_type,
        "workerGroup": req.worker_group,
        "dryRun": 1 if req.dry_run else 0,
        "execType": "START_PROCESS",
        "taskDependType": "TASK_POST",
    }
    if req.params:
        form["startParams"] = json.dumps(dict(req.params), separators=(",", ":"))
    if g.name != "3.1":  # 3.1 has neither testFlag nor a start-time tenant
        form["testFlag"] = 1 if req.test_flag else 0
        form["tenantCode"] = req.tenant
    return form


def _instance(data: Any) -> JsonDict:
    out = dict(data) if isinstance(data, Mapping) else {}
    if "processDefinitionCode" in out:
        out.setdefault("workflowDefinitionCode", out["processDefinitionCode"])
    return out


class Executor:
    """The run-time endpoints of one project; `gen` resolves (or detects) the dialect."""

    def __init__(self, http: Transport, gen: Callable[[int], Generation],
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._http = http
        self._gen = gen
        self._clock = clock
        self._sleep = sleep

    def _path(self, project_code: int, *rest: object) -> str:
        tail = "".join(f"/{part}" for part in rest)
        return f"/projects/{project_code}/{instance_segment(self._gen(project_code))}{tail}"

    # -- start -------------------------------------------------------------------------------
    def start(self, project_code: int, req: StartRequest, *, poll: float = 1.0) -> int:
        """Start one instance and return its id."""
        g = self._gen(project_code)
        verb = "start-process-instance" if g.legacy else "start-workflow-instance"
        path = f"/projects/{project_code}/executors/{verb}"
        before = self._newest_id(project_code, req.workflow_code) if g.name == "3.1" else 0
        data = self._http.once("POST", path, start_form(g, req))
        if not g.legacy:
            ids = data if isinstance(data, list) else [data]
            return int(ids[0])
        deadline = self._clock() + FIND_WAIT
        while True:
            if g.name == "3.1":
                found = self._newest_id(project_code, req.workflow_code)
                if found > before:
                    return found
            else:
                made = self._http.call("GET", self._path(project_code, "trigger"),
                                       {"triggerCode": data})
                if isinstance(made, list) and made:
                    return int(min(int(item["id"]) for item in made))
            if self._clock() > deadline:
                raise TransportError(
                    f"{path}: the start was accepted but no instance of workflow "
                    f"{req.workflow_code} appeared within {FIND_WAIT:.0f} s (is a master "
                    "running?)")
            self._sleep(poll)

    def _newest_id(self, project_code: int, workflow_code: int) -> int:
        g = self._gen(project_code)
        key = "processDefineCode" if g.legacy else "workflowDefinitionCode"
        page = self._http.call("GET", self._path(project_code),
                               {key: workflow_code, "pageNo": 1, "pageSize": 10})
        rows = page.get("totalList") if isinstance(page, Mapping) else None
        return max((int(r["id"]) for r in rows or []), default=0)

    # -- read back ---------------------------------------------------------------------------
    def instance(self, project_code: int, instance_id: int) -> JsonDict:
        return _instance(self._http.call("GET", self._path(project_code, instance_id)))

    def tasks(self, project_code: int, instance_id: int) -> list[JsonDict]:
        """The instance's task instances (one per task that was started, retries folded)."""
        data = self._http.call("GET", self._path(project_code, instance_id, "tasks"))
        rows = data.get("taskList") if isinstance(data, Mapping) else None
        return [dict(r) for r in rows or [] if isinstance(r, Mapping)]

    def log_tail(self, task_instance_id: int, lines: int) -> list[str]:
        """The last `lines` lines of a task instance's log (pages through it: the API counts
        lines from the start and has no "from the end")."""
        kept: list[str] = []
        skip = 0
        while True:
            data = self._http.call("GET", "/log/detail", {
                "taskInstanceId": task_instance_id, "skipLineNum": skip, "limit": LOG_PAGE})
            # ResponseTaskLog {lineNum, message}; the project-scoped variant answers the text
            text = str(data.get("message") or "") if isinstance(data, Mapping) else str(data or "")
            got = text.splitlines()
            kept = (kept + got)[-lines:]
            if len(got) < LOG_PAGE:
                return kept
            skip += len(got)

    def stop(self, project_code: int, instance_id: int) -> None:
        g = self._gen(project_code)
        key = "processInstanceId" if g.legacy else "workflowInstanceId"
        self._http.call("POST", f"/projects/{project_code}/executors/execute",
                        {key: instance_id, "executeType": "STOP"})

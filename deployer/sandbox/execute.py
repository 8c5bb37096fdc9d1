"""What the sandbox's master and worker do with a started instance.

Tasks run one at a time in dependency order (a task starts once every task before it
succeeded; one after a failure is never started, as on the real server). With `--execute`
SHELL and PYTHON tasks really run: the script, with `${name}` replaced from the workflow's
global parameters, the task's local ones and the start parameters, runs in a temporary
folder of its own under `bash` / this Python (the task's resource_list files placed in it
as the real worker places them: task_files.py), killed after the task's timeout (the
sandbox's default when the task sets none). Any other task type succeeds without running.

Without `--execute` the outcome is decided from the script alone, so that a test can ask for
a failure (docs/runs.md):
- a SHELL script with a command `exit N` (N > 0, anywhere: `false || exit 2`), or a PYTHON
  script calling `sys.exit(N)` or `exit(N)` with N > 0, fails; every other task succeeds;
- a line `sleep N` makes the task last N seconds (at most 3600), so that timeouts can be tried.

A dry run (dryRun=1) runs no task body: every task succeeds, as on the real server.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any

from deployer.sandbox.store import now_text
from deployer.sandbox.task_files import DownloadFailed, place

if TYPE_CHECKING:
    from deployer.sandbox.store import State

_SHELL_FAIL = re.compile(r"(?<![\w.$-])exit\s+0*([1-9]\d*)\b")
_PY_FAIL = re.compile(r"(?:sys\.exit|^\s*exit|SystemExit)\(\s*0*([1-9]\d*)\s*\)", re.M)
_SLEEP = re.compile(r"^\s*(?:time\.)?sleep[\s(]+(\d+(?:\.\d+)?)", re.M)
_VAR = re.compile(r"\$\{([^}]+)\}")
MAX_SLEEP = 3600.0
RUNNABLE = ("SHELL", "PYTHON")


def order(tasks: list[dict[str, Any]], relations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks in dependency order (Kahn; ties in definition order)."""
    codes = [t["code"] for t in tasks]
    before: dict[int, set[int]] = {c: set() for c in codes}
    for rel in relations:
        if rel.get("preTaskCode") in before and rel.get("postTaskCode") in before:
            before[rel["postTaskCode"]].add(rel["preTaskCode"])
    done: list[int] = []
    while len(done) < len(codes):
        ready = [c for c in codes if c not in done and before[c] <= set(done)]
        if not ready:  # a cycle cannot be deployed; keep what is left in file order
            ready = [c for c in codes if c not in done]
        done.append(ready[0])
    by_code = {t["code"]: t for t in tasks}
    return [by_code[c] for c in done]


def predecessors(relations: list[dict[str, Any]], code: int) -> set[int]:
    return {r["preTaskCode"] for r in relations
            if r.get("postTaskCode") == code and r.get("preTaskCode")}


def _props(value: Any) -> dict[str, str]:
    import json

    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return {}
    out: dict[str, str] = {}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and item.get("prop"):
            out[str(item["prop"])] = str(item.get("value") or "")
    return out


def _script(task: dict[str, Any]) -> str:
    params = task.get("taskParams")
    raw = params.get("rawScript") if isinstance(params, dict) else None
    return raw if isinstance(raw, str) else ""


def _log(st: State, tid: int, line: str) -> None:
    with st.lock:
        st.runs.logs.setdefault(tid, []).append(line)


def _set(st: State, row: dict[str, Any], state: str) -> None:
    with st.lock:
        row["state"] = state
        if state == "RUNNING_EXECUTION" and not row.get("startTime"):
            row["startTime"] = now_text()
            row["_t0"] = time.monotonic()
        if state in ("SUCCESS", "FAILURE", "KILL", "STOP"):
            row["endTime"] = now_text()
            row["duration"] = f"{time.monotonic() - row.get('_t0', time.monotonic()):.0f}s"


def run_instance(st: State, iid: int, tasks: list[dict[str, Any]],
                 relations: list[dict[str, Any]], variables: dict[str, str]) -> None:
    """The body of one instance's thread."""
    runs = st.runs
    inst = runs.instances[iid]
    time.sleep(runs.step)
    _set(st, inst, "RUNNING_EXECUTION")
    succeeded: set[int] = set()
    failed = False
    for task in order(tasks, relations):
        if iid in runs.stops:
            break
        if not predecessors(relations, task["code"]) <= succeeded:
            continue  # downstream of a failure: never started
        outcome = _run_task(st, inst, task, variables)
        if outcome == "SUCCESS":
            succeeded.add(task["code"])
        elif outcome == "KILL":
            break
        else:
            failed = True
            if inst.get("failureStrategy", "END") == "END":
                break
    if iid in runs.stops:
        _set(st, inst, "STOP")
    else:
        _set(st, inst, "FAILURE" if failed else "SUCCESS")


def _new_task_instance(st: State, inst: dict[str, Any], task: dict[str, Any]) -> dict[str, Any]:
    with st.lock:
        tid = st.next_id("task_instance")
        row: dict[str, Any] = {
            "id": tid, "name": task["name"], "taskType": task["taskType"],
            "taskCode": task["code"], "taskDefinitionVersion": task.get("version", 1),
            st.gen.code_key.replace("DefinitionCode", "InstanceId"): inst["id"],
            "processInstanceName" if not st.gen.g3 else "workflowInstanceName": inst["name"],
            "state": "SUBMITTED_SUCCESS", "submitTime": now_text(), "firstSubmitTime": now_text(),
            "startTime": None, "endTime": None, "duration": None, "host": "127.0.0.1:1234",
            "logPath": f"/tmp/dolphinscheduler/sandbox/{tid}.log",  # noqa: S108 - shown only "retryTimes": 0,
            "maxRetryTimes": task.get("failRetryTimes", 0), "dryRun": inst["dryRun"],
            "executorName": "admin",
        }
        st.runs.tasks[tid] = row
        st.runs.logs[tid] = []
    return row


def _run_task(st: State, inst: dict[str, Any], task: dict[str, Any],
              variables: dict[str, str]) -> str:
    row = _new_task_instance(st, inst, task)
    tid = row["id"]
    time.sleep(st.runs.step)
    _set(st, row, "RUNNING_EXECUTION")
    _log(st, tid, f"[INFO] {now_text()} - begin to run task {task['name']} "
                  f"({task['taskType']}) of instance {inst['id']}")
    if inst["dryRun"]:
        _log(st, tid, f"[INFO] {now_text()} - dry run: the task body is not executed")
        outcome = "SUCCESS"
    elif task["taskType"] not in RUNNABLE:
        _log(st, tid, f"[INFO] {now_text()} - the sandbox does not run {task['taskType']} "
                      "tasks; marked SUCCESS")
        outcome = "SUCCESS"
    elif st.runs.execute:
        outcome = _execute(st, inst, task, tid, variables)
    else:
        outcome = _decide(st, inst, task, tid)
    time.sleep(st.runs.step)
    _log(st, tid, f"[INFO] {now_text()} - task {task['name']} ended: {outcome}")
    _set(st, row, outcome)
    return outcome


def _wait(st: State, inst: dict[str, Any], seconds: float) -> bool:
    """Sleep, waking for a STOP; False when stopped."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if inst["id"] in st.runs.stops:
            return False
        time.sleep(min(0.05, max(0.0, end - time.monotonic())))
    return True


def _decide(st: State, inst: dict[str, Any], task: dict[str, Any], tid: int) -> str:
    script = _script(task)
    _log(st, tid, f"[INFO] {now_text()} - sandbox without --execute: the script is not run; "
                  "its outcome is read from it (a non-zero exit fails, sleep lasts)")
    for found in _SLEEP.finditer(script):
        if not _wait(st, inst, min(float(found.group(1)), MAX_SLEEP)):
            return "KILL"
    pattern = _SHELL_FAIL if task["taskType"] == "SHELL" else _PY_FAIL
    fail = pattern.search(script)
    if fail:
        _log(st, tid, f"[ERROR] {now_text()} - process has exited with code {fail.group(1)}")
        return "FAILURE"
    return "SUCCESS"


def _substitute(script: str, values: dict[str, str]) -> str:
    return _VAR.sub(lambda m: values.get(m.group(1), m.group(0)), script)


def _execute(st: State, inst: dict[str, Any], task: dict[str, Any], tid: int,
             variables: dict[str, str]) -> str:
    raw = task.get("taskParams")
    params: dict[str, Any] = raw if isinstance(raw, dict) else {}
    values = dict(variables)
    values.update(_props(params.get("localParams")))
    values.update(inst.get("_startParams", {}))
    script = _substitute(_script(task), values)
    limit = st.runs.task_timeout
    if task.get("timeoutFlag") == "OPEN" and int(task.get("timeout") or 0) > 0:
        limit = int(task["timeout"]) * 60.0  # minutes, as the real server counts them
    with tempfile.TemporaryDirectory(prefix=f"dagship-sandbox-{tid}-") as folder:
        try:
            for line in place(st, task, folder):
                _log(st, tid, f"[INFO] {now_text()} - {line}")
        except DownloadFailed as exc:
            _log(st, tid, f"[ERROR] {now_text()} - {exc}")
            return "FAILURE"
        name = "task.sh" if task["taskType"] == "SHELL" else "task.py"
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(script)
        argv = ["bash", path] if task["taskType"] == "SHELL" else [sys.executable, path]
        _log(st, tid, f"[INFO] {now_text()} - executing {name} in {folder}")
        # output into a file, not a pipe: a chatty task must not block on a full pipe
        sink = open(os.path.join(folder, "output.log"), "w+b")  # noqa: SIM115 - closed below
        proc = subprocess.Popen(argv, cwd=folder, stdout=sink, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + limit
        outcome = ""
        while proc.poll() is None:
            if inst["id"] in st.runs.stops:
                outcome = "KILL"
            elif time.monotonic() > deadline:
                outcome = "FAILURE"
                _log(st, tid, f"[ERROR] {now_text()} - timed out after {limit:.0f} s; killed")
            if outcome:
                # the whole process group: a script's own children (a `sleep`) go too
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
        proc.wait()
        sink.seek(0)
        output = sink.read()
        sink.close()
        for line in output.decode("utf-8", "replace").splitlines():
            _log(st, tid, line)
        if outcome:
            return outcome
        _log(st, tid, f"[INFO] {now_text()} - process has exited with code {proc.returncode}")
        return "SUCCESS" if proc.returncode == 0 else "FAILURE"

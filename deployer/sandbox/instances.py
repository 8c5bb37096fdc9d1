"""Executor, instance, task-instance and log endpoints (what `dagship run` talks to).

Start answers as the real generations do (3.1: no data, 3.2: a trigger code, 3.3+: the list of
new instance ids); instance and task-instance rows carry the real state names
(SUBMITTED_SUCCESS, RUNNING_EXECUTION, SUCCESS, FAILURE, STOP, KILL). What a started instance
does is `deployer.sandbox.execute`.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from deployer.sandbox import execute, render, tenants, workflows
from deployer.sandbox.context import Ctx
from deployer.sandbox.generation import Generation
from deployer.sandbox.status import ApiError
from deployer.sandbox.store import now_text

_FAILURE = ("CONTINUE", "END")
_WARNING = ("NONE", "SUCCESS", "FAILURE", "ALL")


def _project(c: Ctx) -> int:
    code = c.p.var("projectCode")
    if code not in c.st.projects:
        raise ApiError(10018, code, thrown=False)
    return code


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_") and k != "code"}


def _instance_out(c: Ctx, inst: dict[str, Any]) -> dict[str, Any]:
    out = _public(inst)
    out[c.gen.code_key] = inst["code"]
    return out


def start(c: Ctx) -> Any:
    project = _project(c)
    code = c.p.num(c.gen.code_key)
    c.p.text("scheduleTime")  # required, may be empty
    strategy = c.p.enum("failureStrategy", _FAILURE)
    c.p.enum("warningType", _WARNING)
    dry_run = c.p.num("dryRun", 0)
    test_flag = 0 if c.gen.g1 else c.p.num("testFlag", 0)
    raw_params = c.p.opt("startParams")
    try:
        start_params = json.loads(raw_params) if raw_params else {}
    except ValueError:
        raise ApiError(10001, "startParams") from None
    if not isinstance(start_params, dict):
        raise ApiError(10001, "startParams")
    wf = workflows.find(c.st, project, code)
    if wf["releaseState"] != "ONLINE":
        raise ApiError(50004, wf["name"])
    if c.gen.g1 and not tenants.creator_has_tenant(c):  # 3.1: the creator's tenant runs it
        raise ApiError(50027)
    tenant = None if c.gen.g1 else c.p.text("tenantCode", "default")
    made = {t["tenantCode"] for t in c.st.tenant_rows.values()}
    if tenant not in (None, "default") and tenant not in made:
        raise ApiError(10017, tenant)
    st = c.st
    iid = st.next_id("process_instance")
    inst: dict[str, Any] = {
        "id": iid, "code": code, "name": f"{wf['name']}-{wf['version']}-{iid}",
        "projectCode": project, c.gen.version_key: wf["version"],
        "state": "SUBMITTED_SUCCESS", "commandType": "START_PROCESS", "runTimes": 1,
        "startTime": None, "endTime": None, "duration": None, "scheduleTime": None,
        "commandStartTime": now_text(), "host": "127.0.0.1:5678", "executorId": c.user_id,
        "executorName": "admin", "dryRun": 1 if dry_run else 0, "failureStrategy": strategy,
        "tenantCode": tenant or "default", "workerGroup": c.p.text("workerGroup", "default"),
        "_startParams": {str(k): str(v) for k, v in start_params.items()},
    }
    if not c.gen.g1:
        inst["testFlag"] = 1 if test_flag else 0
    st.runs.instances[iid] = inst
    tasks = [dict(st.tasks[key]) for key in wf["tasks"]]
    variables = execute._props(wf.get("globalParams"))
    thread = threading.Thread(target=execute.run_instance, name=f"sandbox-instance-{iid}",
                              args=(st, iid, tasks, list(wf["relations"]), variables),
                              daemon=True)
    st.runs.threads.append(thread)
    thread.start()
    if c.gen.g3:
        return [iid]
    if c.gen.g1:
        return None
    trigger = st.codes.next()
    st.runs.triggers[trigger] = [iid]
    return trigger


def _find(c: Ctx, project: int) -> dict[str, Any]:
    iid = c.p.var("id")
    inst = c.st.runs.instances.get(iid)
    if inst is None or inst["projectCode"] != project:
        raise ApiError(50001, iid)
    return inst


def instance_get(c: Ctx) -> Any:
    return _instance_out(c, _find(c, _project(c)))


def instance_page(c: Ctx) -> Any:
    project = _project(c)
    key = c.gen.code_key if c.gen.g3 else "processDefineCode"
    code = c.p.num(key, 0)
    page_no, page_size = c.p.paging()
    rows = [_instance_out(c, i) for i in sorted(c.st.runs.instances.values(),
                                                 key=lambda i: -int(i["id"]))
            if i["projectCode"] == project and (not code or i["code"] == code)]
    return render.page(c.st, rows, page_no, page_size)


def instance_tasks(c: Ctx) -> Any:
    inst = _find(c, _project(c))
    key = "workflowInstanceState" if c.gen.g3 else "processInstanceState"
    owner = c.gen.code_key.replace("DefinitionCode", "InstanceId")
    rows = [_public(t) for t in sorted(c.st.runs.tasks.values(), key=lambda t: int(t["id"]))
            if t.get(owner) == inst["id"]]
    return {key: inst["state"], "taskList": rows}


def by_trigger(c: Ctx) -> Any:
    project = _project(c)
    ids = c.st.runs.triggers.get(c.p.num("triggerCode"), [])
    return [_instance_out(c, c.st.runs.instances[i]) for i in ids
            if c.st.runs.instances[i]["projectCode"] == project]


def log_detail(c: Ctx) -> Any:
    tid = c.p.num("taskInstanceId")
    skip, limit = c.p.num("skipLineNum"), c.p.num("limit")
    if tid not in c.st.runs.tasks:
        raise ApiError(10008)
    lines = c.st.runs.logs.get(tid, [])[skip:skip + limit]
    return {"lineNum": len(lines), "message": "".join(line + "\n" for line in lines)}


def execute_action(c: Ctx) -> Any:
    """Only STOP is modelled (what `dagship run` might send); others answer 50006."""
    project = _project(c)
    key = "workflowInstanceId" if c.gen.g3 else "processInstanceId"
    iid = c.p.num(key)
    action = c.p.enum("executeType", ("NONE", "REPEAT_RUNNING", "RECOVER_SUSPENDED_PROCESS",
                                      "START_FAILURE_TASK_PROCESS", "STOP", "PAUSE",
                                      "EXECUTE_TASK"))
    inst = c.st.runs.instances.get(iid)
    if inst is None or inst["projectCode"] != project:
        raise ApiError(50001, iid)
    if action != "STOP" or inst["state"] in ("SUCCESS", "FAILURE", "STOP", "KILL"):
        raise ApiError(50006, inst["name"], inst["state"], action)
    c.st.runs.stops.add(iid)
    inst["state"] = "READY_STOP"
    return None


def routes(gen: Generation) -> list[tuple[str, str, Any, int, int, bool]]:
    """(method, path, handler, HTTP status, generic error code, mutates) rows for the
    route table of one generation."""
    g3 = gen.g3
    pi = f"/projects/{{projectCode}}/{'workflow' if g3 else 'process'}-instances"
    verb = "start-workflow-instance" if g3 else "start-process-instance"
    rows: list[tuple[str, str, Any, int, int, bool]] = [
        ("POST", f"/projects/{{projectCode}}/executors/{verb}", start, 200, 50014, False),
        ("POST", "/projects/{projectCode}/executors/execute", execute_action, 200, 50015,
         False),
        ("GET", pi, instance_page, 200, 10113, False),
        ("GET", pi + "/{id}", instance_get, 200, 10116, False),
        ("GET", pi + "/{id}/tasks", instance_tasks, 200, 10114, False),
        ("GET", "/log/detail", log_detail, 200, 10103, False),
    ]
    if not g3 and not gen.g1:  # 3.2's trigger codes; 3.3 answers the instance ids instead
        rows.insert(3, ("GET", pi + "/trigger", by_trigger, 200, 10113, False))
    return rows

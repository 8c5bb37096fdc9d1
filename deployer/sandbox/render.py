"""JSON shapes of the sandbox's rows as the real server answers them (reference §4.9, §5.2)."""

from __future__ import annotations

import json
from typing import Any

from deployer.sandbox.store import State

__all__ = ["dag_data", "definition", "page", "project_out", "prop_map", "props", "relation_out",
           "schedule_out", "task_out"]


def page(st: State, rows: list[Any], page_no: int, page_size: int) -> dict[str, Any]:
    """PageInfo. The row offset is serialised as `pageNo` from 3.2 on (Lombok getter of the
    field), as `start` in 3.1 (whose PageInfo has `getStart()` and no `getPageNo()`)."""
    offset = (page_no - 1) * page_size
    total = len(rows)
    return {
        "totalList": rows[offset:offset + page_size],
        "total": total,
        "totalPage": max(1, -(-total // page_size)),
        "pageSize": page_size,
        "currentPage": page_no,
        ("start" if st.gen.g1 else "pageNo"): offset,
    }


def project_out(st: State, proj: dict[str, Any], *, paged: bool = False) -> dict[str, Any]:
    """Only the paged list joins the owner's name and counts workflows (real 3.1.1, 3.2.2);
    `perm` is 0 for the admin everywhere."""
    count = sum(1 for w in st.wfs.values() if w["projectCode"] == proj["code"])
    out = dict(proj)
    out.update(userName="admin" if paged else None, perm=0, defCount=count if paged else 0)
    if st.gen.version != "3.4":
        out["instRunningCount"] = 0
    return out


def props(text: str | None) -> list[Any]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def prop_map(props: list[Any]) -> dict[str, Any]:
    return {str(p.get("prop")): p.get("value") for p in props if isinstance(p, dict)}


def definition(st: State, wf: dict[str, Any], *, paged: bool = False,
               by_name: bool = False) -> dict[str, Any]:
    """A workflow definition. Only the paged list joins the users' names and the schedule;
    `query-by-name` (3.2+) joins the creator's and the project's names (real 3.1.1, 3.2.2, dev)."""
    params = props(wf["globalParams"])
    out: dict[str, Any] = {
        "id": wf["id"], "code": wf["code"], "name": wf["name"], "version": wf["version"],
        "releaseState": wf["releaseState"], "projectCode": wf["projectCode"],
        "description": wf["description"], "globalParams": wf["globalParams"],
        "globalParamList": params, "globalParamMap": prop_map(params),
        "createTime": wf["createTime"], "updateTime": wf["updateTime"], "flag": "YES",
        "userId": 1, "userName": "admin" if (paged and not st.gen.g1) or by_name else None,
        "projectName": st.projects.get(wf["projectCode"], {}).get("name") if by_name else None,
        "locations": wf["locations"], "timeout": wf["timeout"],
        "modifyBy": "admin" if paged else None,
        "warningGroupId": wf.get("warningGroupId"), "executionType": wf["executionType"],
    }
    if st.gen.g1:
        out["tenantCode"] = None  # required on the form, never joined into an answer (3.1.1)
        out["tenantId"] = -1
    # Only the paged list fills these in (real 3.1.1 and 3.2.2; the dev source too): a DagData
    # (GET by code, query-by-name, /list) carries them as null. 3.1 has no `schedule` key.
    ids = st.schedule_of.get(wf["code"], []) if paged else []
    sched = st.schedules[ids[0]] if ids else None
    out["scheduleReleaseState"] = sched["releaseState"] if sched else None
    if not st.gen.g1:
        out["schedule"] = schedule_out(st, sched, joined=False) if sched else None
    return out


def task_out(st: State, task: dict[str, Any]) -> dict[str, Any]:
    """A task of a DagData: the log row's operator, no names joined (real 3.1.1, 3.2.2)."""
    params = task["taskParams"]
    local = params.get("localParams") if isinstance(params, dict) else None
    local = local if isinstance(local, list) else None  # null without `localParams` (3.2.2)
    out = dict(task)
    dependence = params.get("dependence") if isinstance(params, dict) else None
    out.update(userId=1, userName=None, projectName=None, modifyBy=None,
               operator=1, operateTime=task.get("updateTime"),
               taskParamList=local, taskParamMap=prop_map(local) if local else None,
               # the server keeps taskParams.dependence in a column of its own as well
               dependence="" if dependence is None else json.dumps(
                   dependence, separators=(",", ":"), ensure_ascii=False))
    if st.gen.g1 and out.get("resourceIds") is None:
        out["resourceIds"] = ""  # 3.1.1 answers an empty string where 3.2 has null
    return out


def relation_out(st: State, wf: dict[str, Any], rel: dict[str, Any], index: int) -> dict[str, Any]:
    out = {"id": index, "projectCode": wf["projectCode"], st.gen.code_key: wf["code"],
           st.gen.version_key: wf["version"]}
    out.update(rel)
    out.update(createTime=wf["updateTime"], updateTime=wf["updateTime"], operator=1,
               operateTime=wf["updateTime"])
    return out


def dag_data(st: State, wf: dict[str, Any], *, by_name: bool = False) -> dict[str, Any]:
    # the server reads a DAG's tasks through its relations: a task no edge names is saved
    # but never listed (a real 3.1.1 after an update with an orphan task)
    linked = {r[k] for r in wf["relations"] for k in ("preTaskCode", "postTaskCode")}
    return {
        st.gen.dag_def_key: definition(st, wf, by_name=by_name),
        st.gen.dag_rel_key: [relation_out(st, wf, r, i)
                             for i, r in enumerate(wf["relations"], start=1)],
        "taskDefinitionList": [task_out(st, st.tasks[key]) for key in wf["tasks"]
                               if key[0] in linked],
    }


def schedule_out(st: State, sched: dict[str, Any], *, joined: bool = True) -> dict[str, Any]:
    """A schedule row; only the schedule lists join the workflow's, project's and user's
    names (`joined`): a saved row, or one inside a definition, has them null (real 3.2.2)."""
    gen = st.gen
    wf = st.wfs.get(sched["workflowCode"], {})
    proj = st.projects.get(wf.get("projectCode", 0), {})
    env = next((e for e in st.environments if e["code"] == sched["environmentCode"]), None)
    out: dict[str, Any] = {
        "id": sched["id"], gen.code_key: sched["workflowCode"], gen.name_key: wf.get("name"),
        "projectName": proj.get("name"), "definitionDescription": None,  # never joined
        "startTime": sched["startTime"], "endTime": sched["endTime"],
        "timezoneId": sched["timezoneId"], "crontab": sched["crontab"],
        "failureStrategy": sched["failureStrategy"], "warningType": sched["warningType"],
        "createTime": sched["createTime"], "updateTime": sched["updateTime"],
        "userId": 1, "userName": "admin", "releaseState": sched["releaseState"],
        "warningGroupId": sched["warningGroupId"], gen.priority_key: sched["priority"],
        "workerGroup": sched["workerGroup"], "environmentCode": sched["environmentCode"],
        "environmentName": env["name"] if env else None,
    }
    if gen.g1:
        del out["environmentName"]  # 3.1.1's schedule rows have no such key
    else:
        out["tenantCode"] = sched.get("tenantCode", "default")
    if not joined:
        out.update({gen.name_key: None, "projectName": None, "userName": None})
    return out

"""Workflow definitions: create/update with the server's validation order (§4.7), per-task
versioning (§4.8) and the release/delete state machine (§7). Callers hold `st.lock`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from deployer.sandbox import render
from deployer.sandbox.status import ApiError
from deployer.sandbox.store import State, now_text
from deployer.sandbox.validate import parse_relations, parse_tasks

__all__ = ["WorkflowForm", "create", "delete", "project_for_write", "release", "update"]

_DEF_FIELDS = ("name", "description", "globalParams", "locations", "timeout", "executionType",
               "tenantCode")
_META = ("code", "version", "projectCode", "createTime", "updateTime", "id")


@dataclass
class WorkflowForm:
    name: str
    description: str | None
    global_params: str
    locations: str | None
    timeout: int
    task_json: str | None
    relation_json: str | None
    execution_type: str
    tenant_code: str | None = None


def project_for_write(st: State, project_code: int) -> dict[str, Any]:
    """The project, or the returned (not thrown) not-found error of the generation."""
    proj = st.projects.get(project_code)
    if proj is None:
        raise ApiError(10190 if st.gen.g1 else 10018, project_code, thrown=False)
    return proj


def find(st: State, project_code: int, code: int) -> dict[str, Any]:
    wf = st.wfs.get(code)
    if wf is None or wf["projectCode"] != project_code:
        raise ApiError(50003, code)
    return wf


def _check_common(st: State, form: WorkflowForm) -> None:
    """Description length counts code points, as Java's codePointCount does."""
    if form.description is not None and len(form.description) > 255:
        raise ApiError(1400004)


def _check_tenant(st: State, tenant: str | None) -> None:
    if st.gen.g1 and tenant not in (None, "default"):
        raise ApiError(10017, tenant)


def _parse(st: State, form: WorkflowForm) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tasks = parse_tasks(form.task_json, st.gen)
    relations = parse_relations(form.relation_json, tasks, st.gen)
    return tasks, relations


def create(st: State, project_code: int, form: WorkflowForm) -> dict[str, Any]:
    proj = project_for_write(st, project_code)
    _check_common(st, form)
    if (proj["code"], form.name) in st.by_name:
        raise ApiError(10168, form.name)
    tasks, relations = _parse(st, form)
    _check_tenant(st, form.tenant_code)
    now = now_text()
    wf: dict[str, Any] = {
        "id": st.next_id("workflow"), "code": st.codes.next(), "projectCode": project_code,
        "version": 0, "releaseState": "OFFLINE", "createTime": now, "updateTime": now,
        # 3.1 stores 0, 3.2+ null; a schedule's alert group is not copied here (real
        # 3.1.1, 3.2.2 and dev /list)
        "warningGroupId": 0 if st.gen.g1 else None, "tasks": [], "relations": [],
    }
    _apply_fields(wf, form)
    refs, _ = _save_tasks(st, tasks, project_code)
    _commit(st, wf, refs, _link(relations, refs))
    st.wfs[wf["code"]] = wf
    st.by_name[(project_code, wf["name"])] = wf["code"]
    st.changed()
    out = render.definition(st, wf)
    # the real answer describes the pre-save copy: no version, no state, no parsed list
    out.update(version=0, releaseState=None, globalParamList=None)
    if st.gen.g1:
        out["id"] = None  # 3.1.1 answers the object it inserted from, before the id is read
    return out


def update(st: State, project_code: int, code: int, form: WorkflowForm,
           release_state: str) -> dict[str, Any]:
    project_for_write(st, project_code)
    _check_common(st, form)
    tasks, relations = _parse(st, form)
    wf = find(st, project_code, code)
    if wf["releaseState"] == "ONLINE":
        raise ApiError(50008, wf["name"])
    if form.name != wf["name"] and (project_code, form.name) in st.by_name:
        raise ApiError(10168, form.name)
    _check_tenant(st, form.tenant_code)
    answer = _update_answer(st, wf, form)
    old_name = wf["name"]
    _apply_fields(wf, form, keep_omitted=True)
    refs, _ = _save_tasks(st, tasks, project_code)
    # Every successful PUT writes a new workflow version, even an identical one: the server's
    # change check compares the posted relations with the stored log rows using Lombok
    # `equals`, which includes id/createTime/..., so it never finds them equal (3.1.1 observed;
    # same code in 3.2.2 and dev). Task versions still only move when a task changed.
    _commit(st, wf, refs, _link(relations, refs), posted=_posted(form))
    if old_name != wf["name"]:
        del st.by_name[(project_code, old_name)]
        st.by_name[(project_code, wf["name"])] = wf["code"]
    st.changed()
    if release_state == "ONLINE":
        release(st, project_code, code, "ONLINE")
    return answer


def _update_answer(st: State, wf: dict[str, Any], form: WorkflowForm) -> dict[str, Any]:
    """What a PUT answers: the stored row (its old version and times) with the posted fields
    set on it, nulls included, before the save (real 3.2.2 and dev)."""
    out = render.definition(st, wf)  # globalParamList/Map stay the stored row's
    out.update(name=form.name, description=form.description, locations=form.locations,
               globalParams=form.global_params, timeout=form.timeout,
               executionType=form.execution_type)
    return out


# Optional form fields without a controller default: absent means null, and MyBatis-Plus
# `updateById` skips null columns, so on update the stored value stays (the version log row
# still records the null). Fields with a default (timeout, globalParams, executionType) reset.
_NULL_KEEPS = ("description", "locations")


def _posted(form: WorkflowForm) -> dict[str, Any]:
    return {"description": form.description, "locations": form.locations}


def _apply_fields(wf: dict[str, Any], form: WorkflowForm, *, keep_omitted: bool = False) -> None:
    """Replacement of the definition fields; with `keep_omitted` (update) an absent
    description/locations keeps the stored value, everything else resets to its default."""
    posted = _posted(form)
    kept = {k: wf.get(k) if keep_omitted and posted[k] is None else posted[k]
            for k in _NULL_KEEPS}
    # globalParams is stored as posted, spacing included (real 3.2.2 version rows)
    wf.update(name=form.name, globalParams=form.global_params,
              timeout=form.timeout, executionType=form.execution_type,
              tenantCode=form.tenant_code, **kept)


def _content(task: dict[str, Any]) -> dict[str, Any]:
    """What decides whether a posted task is a new version. An absent `resourceIds` is
    stored as "", which 3.1.1's answers carry: a task copied back from an answer is the same
    task (real 3.1.1 keeps its version)."""
    out = {k: v for k, v in task.items() if k not in _META}
    out["resourceIds"] = out.get("resourceIds") or ""
    return out


def resource_ids(params: Any) -> str:
    """3.1 writes a task's resource ids into `resourceIds` itself (the ids of
    `resourceList` and `mainJar`), joined in the order of the Java HashSet they are
    collected into: by `id & (capacity - 1)`, then as added (recorded: "64,62")."""
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except ValueError:
            return ""
    if not isinstance(params, dict):
        return ""
    refs = [*(params.get("resourceList") or []), params.get("mainJar")]
    ids: list[int] = []
    for ref in refs:
        rid = ref.get("id") if isinstance(ref, dict) else None
        if isinstance(rid, int) and rid != 0 and rid not in ids:
            ids.append(rid)
    capacity = 16
    while len(ids) > capacity * 3 // 4:
        capacity *= 2
    ordered = sorted(range(len(ids)), key=lambda i: (ids[i] & (capacity - 1), i))
    return ",".join(str(ids[i]) for i in ordered)


def _save_tasks(st: State, tasks: list[dict[str, Any]],
                project_code: int) -> tuple[list[tuple[int, int]], bool]:
    """Store each task; a changed (code, version) gets version max+1. Returns the references
    and whether any task was new or changed."""
    refs: list[tuple[int, int]] = []
    changed = False
    now = now_text()
    for task in tasks:
        if st.gen.g1:
            task = dict(task, resourceIds=resource_ids(task.get("taskParams")))
        code = task["code"] or st.codes.next()
        version = task["version"] or 1
        stored = st.tasks.get((code, version))
        if stored is not None and _content(stored) == _content(task):
            refs.append((code, version))
            continue
        if stored is not None:
            version = st.task_max.get(code, version) + 1
        changed = True
        row = dict(task, code=code, version=version, projectCode=project_code,
                   createTime=now, updateTime=now, id=st.next_id("task"))
        st.tasks[(code, version)] = row
        st.task_max[code] = max(st.task_max.get(code, 0), version)
        refs.append((code, version))
    return refs, changed


def _link(relations: list[dict[str, Any]], refs: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """The server overwrites the edge versions from the task list."""
    versions = dict(refs)
    return [dict(r, preTaskVersion=versions.get(r["preTaskCode"], 0),
                 postTaskVersion=versions.get(r["postTaskCode"], 0)) for r in relations]


def _commit(st: State, wf: dict[str, Any], refs: list[tuple[int, int]],
            links: list[dict[str, Any]], posted: dict[str, Any] | None = None) -> None:
    """Write a new definition version (max + 1) and its log row; the log row holds the
    `posted` values (nulls included) where the current row kept the stored ones."""
    log = st.versions.setdefault(wf["code"], {})
    wf.update(version=max(log, default=0) + 1, tasks=refs, relations=links,
              updateTime=now_text())
    snap = {k: v for k, v in wf.items() if k != "releaseState"}
    snap.update(posted or {})
    snap.update(operator=1, operateTime=wf["updateTime"])
    log[wf["version"]] = snap


def release(st: State, project_code: int, code: int, state: str) -> None:
    wf = find(st, project_code, code)
    if state == "ONLINE":
        if wf["releaseState"] == "ONLINE" and not st.gen.g1:
            return
        if not wf["relations"]:
            raise ApiError(50035)
        # 3.2+ only: 3.1 releases a parent whatever state its sub-workflows are in.
        for child in [] if st.gen.g1 else _children(st, wf):
            target = st.wfs.get(child)
            if target is None or target["releaseState"] != "ONLINE":
                name = target["name"] if target else child
                raise ApiError(10000, f"SubWorkflowDefinition {name} is not online")
        wf["releaseState"] = "ONLINE"
    else:
        wf["releaseState"] = "OFFLINE"
        for sid in st.schedule_of.get(code, []):
            st.schedules[sid]["releaseState"] = "OFFLINE"
    wf["updateTime"] = now_text()
    st.changed()


def _children(st: State, wf: dict[str, Any]) -> list[int]:
    key = "workflowDefinitionCode" if st.gen.g3 else "processDefinitionCode"
    out = []
    for ref in wf["tasks"]:
        task = st.tasks[ref]
        if task["taskType"] == st.gen.sub_type and isinstance(task["taskParams"], dict):
            out.append(int(task["taskParams"].get(key) or 0))
    return out


def _references(st: State, task: dict[str, Any]) -> set[int]:
    params = task["taskParams"]
    if not isinstance(params, dict):
        return set()
    if task["taskType"] == st.gen.sub_type:
        key = "workflowDefinitionCode" if st.gen.g3 else "processDefinitionCode"
        return {int(params.get(key) or 0)}
    if task["taskType"] != "DEPENDENT":
        return set()
    found: set[int] = set()
    dep = params.get("dependence") or {}
    for group in dep.get("dependTaskList") or []:
        for item in (group or {}).get("dependItemList") or []:
            if isinstance(item, dict) and item.get("definitionCode"):
                found.add(int(item["definitionCode"]))
    return found


def delete(st: State, project_code: int, code: int) -> None:
    wf = st.wfs.get(code)
    if wf is None:
        raise ApiError(50003, code)
    if wf["releaseState"] == "ONLINE":
        raise ApiError(50021, wf["name"])
    if st.runs.running(code):
        raise ApiError(10163, wf["name"])
    # a real 3.1.1 deletes a workflow that a DEPENDENT task of another project waits on
    # (recorded, tests/deploy_contract/test_projects.py); 3.2+ refuse it
    users = sorted(other["name"] for other in st.wfs.values() if other["code"] != code
                   and not (st.gen.g1 and other["projectCode"] != wf["projectCode"])
                   and any(code in _references(st, st.tasks[r]) for r in other["tasks"]))
    if users:
        raise ApiError(10193, wf["name"], ",".join(users))
    ids = st.schedule_of.get(code, [])
    online = [sid for sid in ids if st.schedules[sid]["releaseState"] == "ONLINE"]
    if online:
        raise ApiError(50023, online[0])
    for sid in st.schedule_of.pop(code, []):
        del st.schedules[sid]
    for ref in {ref for snap in st.versions.pop(code, {}).values() for ref in snap["tasks"]}:
        st.tasks.pop(ref, None)
    del st.wfs[code]
    st.by_name.pop((wf["projectCode"], wf["name"]), None)
    st.changed()


def switch_version(st: State, project_code: int, code: int, version: int) -> None:
    wf = st.wfs.get(code)
    if wf is None or wf["projectCode"] != project_code:
        raise ApiError(10152, code)
    snap = st.versions.get(code, {}).get(version)
    if snap is None:
        raise ApiError(10153, code, version)
    st.by_name.pop((project_code, wf["name"]), None)
    for key in (*_DEF_FIELDS, "version", "tasks", "relations"):
        if key in _NULL_KEEPS and snap.get(key) is None:
            continue  # `updateById` with the log row skips its null columns
        wf[key] = snap.get(key)
    wf.update(releaseState="OFFLINE", updateTime=now_text())
    st.by_name[(project_code, wf["name"])] = code
    st.changed()


def delete_version(st: State, project_code: int, code: int, version: int) -> None:
    wf = find(st, project_code, code)
    if wf["version"] == version:
        raise ApiError(50053)
    if st.versions.get(code, {}).pop(version, None) is None:
        raise ApiError(10153, code, version)
    st.changed()


def version_rows(st: State, code: int) -> list[dict[str, Any]]:
    rows = []
    for snap in sorted(st.versions.get(code, {}).values(), key=lambda s: -s["version"]):
        # a whole definition, as saved: always while OFFLINE (real 3.1.1 and 3.2.2)
        row = render.definition(st, dict(snap, releaseState="OFFLINE"))
        row.update(operator=snap["operator"], operateTime=snap["operateTime"])
        rows.append(row)
    return rows

"""The logic tasks (Switch, Condition, Dependent) of `deployer.adopt.reverse`, and the helpers both
halves share: branch targets and condition inputs by name, dependent items by project,
workflow and task name, and the DAG edges the dialect implies instead of writing them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from deployer.adopt.context import Reversal
from deployer.definitions.dialect import TaskType
from deployer.definitions.logic import infer_cycle
from deployer.definitions.subst import CONFIG_PROJECT
from deployer.engine.canonical import json_field, to_int


def logic(r: Reversal, ttype: TaskType, params: dict[str, Any], out: dict[str, Any],
          where: str) -> None:
    """Switch, Condition and Dependent taskParams -> their dialect keys."""
    rest = dict(params)
    for key in ("localParams", "resourceList"):
        if rest.get(key) in (None, []):
            rest.pop(key, None)
    if ttype.name == "Switch":
        _switch(r, rest.pop("switchResult", None) or {}, out, where)
    elif ttype.name == "Condition":
        _condition(r, rest, out, where)
    else:
        dep = rest.pop("dependence", None) or {}
        out["op"] = op(dep.get("relation"))
        out["groups"] = _groups(r, dep, where, lambda raw: _dep_item(r, raw))
        extra(r, where, "dependence", dep, {"relation", "dependTaskList"})
    for key in sorted(rest):
        if rest[key] not in (None, [], {}):
            r.lose(where, f"taskParams.{key} (no key of {ttype.name} carries it)")


def task_name(r: Reversal, code: Any, where: str) -> str:
    name = r.own.get(to_int(code))
    if name is None:
        r.lose(where, f"task code {code} is not a task of this workflow")
        return f"task_{code}"
    return name


def _switch(r: Reversal, sw: Mapping[str, Any], out: dict[str, Any], where: str) -> None:
    items: list[dict[str, Any]] = []
    for branch in sw.get("dependTaskList") or []:
        target = task_name(r, branch.get("nextNode"), where)
        items.append({"task": target, "condition": str(branch.get("condition") or "")})
        extra(r, where, "switch branch", branch, {"condition", "nextNode"})
    default = sw.get("nextNode")
    if isinstance(default, list):  # some UI versions keep a list of one
        default = default[0] if default else None
    if default not in (None, 0, ""):
        items.append({"task": task_name(r, default, where)})
    out["condition"] = items
    extra(r, where, "switchResult", sw, {"dependTaskList", "nextNode"})


def _condition(r: Reversal, rest: dict[str, Any], out: dict[str, Any], where: str) -> None:
    result = rest.pop("conditionResult", None) or {}
    dep = rest.pop("dependence", None) or {}
    for key, dkey in (("successNode", "success_task"), ("failedNode", "failed_task")):
        nodes = result.get(key) or []
        if len(nodes) != 1:
            r.lose(where, f"conditionResult.{key} has {len(nodes)} task(s); the dialect "
                      "takes exactly one")
        if nodes:
            out[dkey] = task_name(r, nodes[0], where)
    out["op"] = op(dep.get("relation"))

    def item(raw: Mapping[str, Any]) -> dict[str, Any]:
        extra(r, where, "condition item", raw, {"depTaskCode", "status"})
        return {"task": task_name(r, raw.get("depTaskCode"), where),
                "flag": raw.get("status") == "SUCCESS"}

    out["groups"] = _groups(r, dep, where, item)


def _groups(r: Reversal, dep: Mapping[str, Any], where: str,
        item: Callable[[Mapping[str, Any]], dict[str, Any]]) -> list[dict[str, Any]]:
    groups = []
    for group in dep.get("dependTaskList") or []:
        extra(r, where, "dependence group", group, {"relation", "dependItemList"})
        groups.append({"op": op(group.get("relation")),
                       "groups": [item(i) for i in group.get("dependItemList") or []]})
    return groups


def _dep_item(r: Reversal, raw: Mapping[str, Any]) -> dict[str, Any]:
    where = "dependent item"
    extra(r, where, "dependent item", raw,
           {"projectCode", "definitionCode", "depTaskCode", "cycle", "dateValue"})
    project_code = to_int(raw.get("projectCode"))
    r.names.ensure(project_code)
    project = r.names.projects.get(project_code, f"project_{project_code}")
    if project_code not in r.names.projects:
        r.lose(where, f"project code {project_code} matches no project")
    wf_code = to_int(raw.get("definitionCode"))
    _proj, workflow = r.names.workflows.get(wf_code, (None, f"workflow_{wf_code}"))
    if wf_code not in r.names.workflows:
        r.lose(where, f"workflow code {wf_code} matches no workflow")
    task_code = to_int(raw.get("depTaskCode"))
    task = "0" if task_code == 0 else r.names.tasks.get(task_code, f"task_{task_code}")
    if task_code and task_code not in r.names.tasks:
        r.lose(where, f"task code {task_code} matches no task of {workflow!r}")
    date = str(raw.get("dateValue") or "today")
    if raw.get("cycle") and raw.get("cycle") != infer_cycle(date):
        r.lose(where, f"cycle {raw.get('cycle')!r} with date {date!r} (the dialect "
                  f"infers {infer_cycle(date)!r})")
    return {"project_name": CONFIG_PROJECT if project is None else project,
            "workflow_name": workflow, "dependent_task_name": task,
            "dependent_date": date}


def extra(r: Reversal, where: str, what: str, raw: Mapping[str, Any], known: set[str]) -> None:
    for key in sorted(set(raw) - known):
        if raw[key] not in (None, "", [], {}):
            r.lose(where, f"{what}.{key} = {json.dumps(raw[key])[:60]} (the dialect has no key "
                   "for it)")


def op(relation: Any) -> str:
    return str(relation or "AND").lower()


def logic_targets(t: Mapping[str, Any], own: Mapping[int, str]) -> list[str]:
    """Tasks a switch/condition names (branches, inputs): declared above it in the dialect."""
    return [*logic_downstream(t, own), *implied_upstream(t, own)]


def logic_downstream(t: Mapping[str, Any], own: Mapping[int, str]) -> list[str]:
    params = json_field(t.get("taskParams"), {})
    if not isinstance(params, Mapping):
        return []
    codes: list[Any] = []
    if t.get("taskType") == "SWITCH":
        sw = params.get("switchResult") or {}
        codes += [b.get("nextNode") for b in sw.get("dependTaskList") or []]
        nxt = sw.get("nextNode")
        codes += nxt if isinstance(nxt, list) else [nxt]
    elif t.get("taskType") == "CONDITIONS":
        cr = params.get("conditionResult") or {}
        codes += list(cr.get("successNode") or []) + list(cr.get("failedNode") or [])
    return [own[to_int(c)] for c in codes if to_int(c) in own]


def implied_upstream(t: Mapping[str, Any], own: Mapping[int, str]) -> list[str]:
    if t.get("taskType") != "CONDITIONS":
        return []
    params = json_field(t.get("taskParams"), {})
    dep = params.get("dependence") or {} if isinstance(params, Mapping) else {}
    return [own[to_int(i.get("depTaskCode"))] for g in dep.get("dependTaskList") or []
            for i in g.get("dependItemList") or [] if to_int(i.get("depTaskCode")) in own]

"""A workflow in the words of its file: the dialect's keys and values for the model's fields.

`plan`, `status` and `diff` say what changed in these words (`command:`, `Shell`,
`timezone:`), never in the API's (`params.rawScript`, `SHELL`, `timezoneId`). Each view is
a flat mapping from a dialect key to a plain value (references by name, parameters as
`name: TYPE(value)`), so two views compare key by key. A field the dialect has no key for
(a native export's `taskParams.segmentSeparator`) keeps DolphinScheduler's name, prefixed
with where it lives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from deployer.definitions import dialect
from deployer.definitions.dialect import TaskType
from deployer.definitions.model import (
    DatasourceRef,
    ForeignTaskRef,
    ProjectRef,
    Property,
    ScheduleSpec,
    TaskRef,
    TaskSpec,
    WorkflowRef,
    WorkflowSpec,
)

# TaskSpec attribute -> dialect key (the task keys every non-logic task may carry)
_COMMON = (("description", "description"), ("flag", "flag"), ("priority", "task_priority"),
           ("worker_group", "worker_group"), ("environment", "environment_name"),
           ("fail_retry_times", "fail_retry_times"),
           ("fail_retry_interval", "fail_retry_interval"), ("timeout", "timeout"),
           ("timeout_notify_strategy", "timeout_notify_strategy"),
           ("delay_time", "delay_time"), ("task_group_id", "task_group_id"),
           ("task_group_priority", "task_group_priority"), ("cpu_quota", "cpu_quota"),
           ("memory_max", "memory_max"), ("is_cache", "is_cache"))
# taskParams keys the loader writes itself for every task of a type (pyds' constants)
_SQL_FIXED = {"sendEmail", "showType", "connParams", "title", "groupId"}
_DATASOURCE = (("datasource", "type", "datasource_name", "datasource_type"),
               ("dataSource", "dsType", "datasource_name", "datasource_type"),
               ("dataTarget", "dtType", "datatarget_name", "datatarget_type"))
# ScheduleSpec attribute -> the workflow key that sets it (None: the dialect has no key)
_SCHEDULE = (("crontab", "schedule"), ("timezone", "timezone"), ("start_time", "start_time"),
             ("end_time", "end_time"), ("online", "online_schedule"),
             ("warning_type", "warning_type"), ("worker_group", "worker_group"),
             ("failure_strategy", None), ("warning_group_id", None), ("priority", None),
             ("environment", None), ("tenant_code", None))
_SCHEDULE_DS = {"failure_strategy": "failureStrategy", "warning_group_id": "warningGroupId",
                "priority": "workflowInstancePriority", "environment": "environmentCode",
                "tenant_code": "tenantCode"}


def task_type(task: TaskSpec) -> TaskType | None:
    """The dialect's type of a task: DolphinScheduler's type plus the fixed params that tell
    DVCInit from DVCUpload; None for a type the dialect lacks (a native export's)."""
    for ttype in dialect.TASK_TYPES:
        if ttype.ds_type == task.task_type and ttype.name != "SubProcess" and all(
                task.params.get(k) == v for k, v in ttype.fixed.items()):
            return ttype
    return None


def type_name(task: TaskSpec) -> str:
    ttype = task_type(task)
    return ttype.name if ttype else task.task_type


def plain(value: Any) -> Any:
    """A model value as the file writes it: a reference becomes its name."""
    if isinstance(value, WorkflowRef):
        return value.name if value.project is None else f"{value.project}/{value.name}"
    if isinstance(value, TaskRef | DatasourceRef):
        return value.name
    if isinstance(value, ProjectRef):
        return value.name
    if isinstance(value, ForeignTaskRef):
        return value.task
    if isinstance(value, Property):
        return param_text(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def param_text(p: Property) -> str:
    """`value`, or `TYPE(value)` as `input_params`/`output_params` write a typed one."""
    return p.value if p.type == "VARCHAR" else f"{p.type}({p.value})"


def _params_map(items: Iterable[Any], direct: str) -> dict[str, str]:
    out = {}
    for item in items:
        if isinstance(item, Property) and item.direct == direct:
            out[item.prop] = param_text(item)
        elif isinstance(item, Mapping) and str(item.get("direct") or "IN") == direct:
            ptype = str(item.get("type") or "VARCHAR")
            value = "" if item.get("value") is None else str(item["value"])
            out[str(item.get("prop", ""))] = value if ptype == "VARCHAR" else f"{ptype}({value})"
    return out


def task_view(task: TaskSpec) -> dict[str, Any]:
    """Dialect key -> value for one task (`deps` left out: edges are compared apart)."""
    ttype = task_type(task)
    out: dict[str, Any] = {"task_type": ttype.name if ttype else task.task_type}
    if ttype is None or not ttype.logic:
        out.update({key: plain(getattr(task, attr)) for attr, key in _COMMON})
    rest = dict(task.params)
    for fixed in (ttype.fixed if ttype else {}):
        rest.pop(fixed, None)
    if ttype is not None:
        for spec in ttype.keys:
            if spec.param is not None and spec.param in rest:
                out[spec.name] = plain(rest.pop(spec.param))
        if ttype.name == "Sql":
            for fixed_key in _SQL_FIXED:
                rest.pop(fixed_key, None)
            if "sqlType" in rest:
                out["sql_type"] = str(rest.pop("sqlType"))
    _special(rest, out)
    for key in sorted(rest):
        out[f"taskParams.{key}"] = plain(rest[key])
    return out


def _special(rest: dict[str, Any], out: dict[str, Any]) -> None:
    """The taskParams the loader builds by hand, back under the keys that wrote them."""
    for ref_key, type_key, name_key, dtype_key in _DATASOURCE:
        if ref_key in rest:
            ref = rest.pop(ref_key)
            dtype = rest.pop(type_key, None)
            out[name_key] = plain(ref)
            out[dtype_key] = dtype or (ref.type if isinstance(ref, DatasourceRef) else None)
    if isinstance(rest.get("mainJar"), Mapping):
        out["main_package"] = rest.pop("mainJar").get("resourceName")
    if isinstance(rest.get("httpParams"), list):
        out["http_params"] = {str(p.get("prop")): p.get("value") for p in rest.pop("httpParams")
                              if isinstance(p, Mapping)}
    if "workflowDefinitionCode" in rest:
        out["workflow_name"] = plain(rest.pop("workflowDefinitionCode"))
    local = rest.pop("localParams", None) or []
    out["input_params"] = _params_map(local, "IN")
    out["output_params"] = _params_map(local, "OUT")
    out["resource_list"] = [r.get("resourceName") for r in rest.pop("resourceList", None) or []
                            if isinstance(r, Mapping)]
    if isinstance(rest.get("switchResult"), Mapping):
        out["condition"] = _switch(rest.pop("switchResult"))
    if isinstance(rest.get("conditionResult"), Mapping):
        result = rest.pop("conditionResult")
        out["success_task"] = [plain(t) for t in result.get("successNode") or []]
        out["failed_task"] = [plain(t) for t in result.get("failedNode") or []]
    if isinstance(rest.get("dependence"), Mapping):
        dep = rest.pop("dependence")
        out["op"] = str(dep.get("relation") or "AND").lower()
        out["groups"] = [_group(g) for g in dep.get("dependTaskList") or []]


def _switch(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    branches = [{"task": plain(b.get("nextNode")), "condition": b.get("condition")}
                for b in result.get("dependTaskList") or []]
    if result.get("nextNode") is not None:
        branches.append({"task": plain(result["nextNode"])})
    return branches


def _group(group: Mapping[str, Any]) -> dict[str, Any]:
    items = []
    for item in group.get("dependItemList") or []:
        if "status" in item:  # a Condition input
            items.append({"task": plain(item.get("depTaskCode")),
                          "flag": item.get("status") == "SUCCESS"})
            continue
        wf = item.get("definitionCode")
        task = item.get("depTaskCode")
        items.append({
            "project_name": plain(item.get("projectCode")) or "${CONFIG.WORKFLOW_PROJECT}",
            "workflow_name": wf.name if isinstance(wf, WorkflowRef) else plain(wf),
            "dependent_task_name": (task.task or "0") if isinstance(task, ForeignTaskRef)
            else plain(task),
            "dependent_date": item.get("dateValue"),
        })
    return {"op": str(group.get("relation") or "AND").lower(), "groups": items}


def workflow_view(spec: WorkflowSpec) -> dict[str, Any]:
    """Dialect key -> value for the workflow's own keys (the schedule apart)."""
    return {
        "description": spec.description,
        "project": spec.project,
        "release_state": spec.release_state.lower(),
        "execution_type": spec.execution_type,
        "timeout": spec.timeout,
        "warning_group_id": spec.warning_group_id,
        "param": {p.prop: param_text(p) for p in spec.global_params},
    }


def schedule_view(schedule: ScheduleSpec | None) -> dict[str, Any]:
    """The schedule's keys as the workflow writes them; fields the dialect cannot set keep
    DolphinScheduler's name (`schedule.failureStrategy`). Empty without a schedule."""
    if schedule is None:
        return {}
    out: dict[str, Any] = {}
    for attr, key in _SCHEDULE:
        out[key or f"schedule.{_SCHEDULE_DS[attr]}"] = plain(getattr(schedule, attr))
    return out

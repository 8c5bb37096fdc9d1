"""API dialects: the 3.1 / 3.2 / 3.3+ naming differences, in one place.

Callers speak 3.3+ names (`workflow-definition`, `workflowDefinitionCode`, `SUB_WORKFLOW`, ...).
A `Generation` renames requests for the server it talks to and normalises responses back, so
nothing above the client knows which generation it deploys to. 3.4.x speaks the 3.3 dialect.

Generation 3.1 cannot be told from 3.2 by probing (same paths; they differ in `tenantCode`
placement), so 3.1 must be pinned with `api_version`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deployer.core.errors import ConfigError

JsonDict = dict[str, Any]

# 3.3+ name -> 3.1/3.2 name, for every place the rename touched that the client sends or reads.
_DAG_KEYS = {
    "workflowDefinition": "processDefinition",
    "workflowTaskRelationList": "processTaskRelationList",
}
_RELATION_KEYS = {
    "workflowDefinitionCode": "processDefinitionCode",
    "workflowDefinitionVersion": "processDefinitionVersion",
}
_SCHEDULE_KEYS = {
    "workflowDefinitionCode": "processDefinitionCode",
    "workflowDefinitionName": "processDefinitionName",
    "workflowInstancePriority": "processInstancePriority",
}
_TASK_TYPES = {"SUB_WORKFLOW": "SUB_PROCESS"}
_SUB_PARAMS = {"workflowDefinitionCode": "processDefinitionCode"}


def _rename(obj: Mapping[str, Any], names: Mapping[str, str]) -> JsonDict:
    return {names.get(key, key): value for key, value in obj.items()}


def _invert(names: Mapping[str, str]) -> dict[str, str]:
    return {new: old for old, new in names.items()}


@dataclass(frozen=True)
class Generation:
    """One API dialect. `legacy` = the `process` naming of 3.1 and 3.2."""

    name: str  # "3.1" | "3.2" | "3.3"
    legacy: bool
    workflow_tenant: bool  # 3.1: tenantCode is a required workflow field, absent on schedules
    # 3.1's query-by-name INNER JOINs creator -> tenant -> queue: a workflow made by a user
    # without a tenant (the default admin) answers 50003. Look names up in simple-list there.
    query_by_name: bool = True

    # -- paths -------------------------------------------------------------------------------
    def workflow_path(self, project_code: int, *rest: object) -> str:
        segment = "process-definition" if self.legacy else "workflow-definition"
        tail = "".join(f"/{part}" for part in rest)
        return f"/projects/{project_code}/{segment}{tail}"

    def param(self, name: str) -> str:
        """A 3.3+ form/query parameter name in this dialect."""
        return _SCHEDULE_KEYS.get(name, name) if self.legacy else name

    # -- requests ----------------------------------------------------------------------------
    def workflow_form(self, form: Mapping[str, Any]) -> JsonDict:
        out = dict(form)
        if self.legacy:
            if "taskDefinitionJson" in out:
                out["taskDefinitionJson"] = [
                    self._task_out(task) for task in _as_list(out["taskDefinitionJson"])
                ]
            if "taskRelationJson" in out:
                out["taskRelationJson"] = [
                    _rename(rel, _RELATION_KEYS) for rel in _as_list(out["taskRelationJson"])
                ]
        if self.workflow_tenant:
            out.setdefault("tenantCode", "default")
        return out

    def schedule_form(self, form: Mapping[str, Any]) -> JsonDict:
        out = _rename(form, _SCHEDULE_KEYS) if self.legacy else dict(form)
        if self.workflow_tenant:
            out.pop("tenantCode", None)  # 3.1 schedules have no tenant
        return out

    def _task_out(self, task: Mapping[str, Any]) -> JsonDict:
        out = dict(task)
        task_type = out.get("taskType")
        if isinstance(task_type, str):
            out["taskType"] = _TASK_TYPES.get(task_type, task_type)
        params = _params_dict(out.get("taskParams"))
        if params is not None and out.get("taskType") == "SUB_PROCESS":
            out["taskParams"] = _rename(params, _SUB_PARAMS)
        return out

    # -- responses ---------------------------------------------------------------------------
    def dag(self, data: Mapping[str, Any]) -> JsonDict:
        """A DagData in 3.3+ names: workflowDefinition, workflowTaskRelationList, tasks."""
        out = _rename(data, _invert(_DAG_KEYS)) if self.legacy else dict(data)
        definition = out.get("workflowDefinition")
        if isinstance(definition, Mapping):
            out["workflowDefinition"] = self.definition(definition)
        relations = out.get("workflowTaskRelationList")
        if isinstance(relations, list):
            out["workflowTaskRelationList"] = [self.relation(rel) for rel in relations]
        tasks = out.get("taskDefinitionList")
        if isinstance(tasks, list):
            out["taskDefinitionList"] = [self.task(task) for task in tasks]
        return out

    def definition(self, data: Mapping[str, Any]) -> JsonDict:
        out = dict(data)
        if isinstance(out.get("schedule"), Mapping):
            out["schedule"] = self.schedule(out["schedule"])
        return out

    def relation(self, data: Mapping[str, Any]) -> JsonDict:
        return _rename(data, _invert(_RELATION_KEYS)) if self.legacy else dict(data)

    def schedule(self, data: Mapping[str, Any]) -> JsonDict:
        return _rename(data, _invert(_SCHEDULE_KEYS)) if self.legacy else dict(data)

    def task(self, data: Mapping[str, Any]) -> JsonDict:
        """A task definition in 3.3+ names; `taskParams` always as an object."""
        out = dict(data)
        params = _params_dict(out.get("taskParams"))
        if params is not None:
            out["taskParams"] = params
        if self.legacy and out.get("taskType") == "SUB_PROCESS":
            out["taskType"] = "SUB_WORKFLOW"
            if params is not None:
                out["taskParams"] = _rename(params, _invert(_SUB_PARAMS))
        return out


def _as_list(value: Any) -> list[JsonDict]:
    if isinstance(value, str):
        value = json.loads(value)
    return [copy.deepcopy(item) for item in value]


def _params_dict(value: Any) -> JsonDict | None:
    """taskParams come as an object or as a JSON string (the server accepts both)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


G1 = Generation("3.1", legacy=True, workflow_tenant=True, query_by_name=False)
G2 = Generation("3.2", legacy=True, workflow_tenant=False)
G3 = Generation("3.3", legacy=False, workflow_tenant=False)
GENERATIONS = {g.name: g for g in (G1, G2, G3)}


def generation_for(api_version: str) -> Generation:
    """Map a configured version ("3.1", "3.2.2", "3.4.1", ...) to its dialect."""
    parts = api_version.strip().split(".")
    try:
        major, minor = int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        major, minor = -1, -1
    if major == 3 and minor in (1, 2):
        return GENERATIONS[f"3.{minor}"]
    if (major, minor) >= (3, 3):
        return G3
    raise ConfigError(
        f"unsupported api_version {api_version!r} (expected 3.1, 3.2, 3.3 or later, e.g. 3.2.2)"
    )

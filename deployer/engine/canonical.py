"""The canonical form of a workflow definition, and its digest.

One function serves both sides of a comparison: the DagData the server returns (already
normalised by the client to 3.3+ keys) and the form dagship would send. Everything the
server owns or that carries no meaning is dropped (ids, codes, versions, timestamps, users,
canvas locations), every list whose order means nothing is sorted, and a task's own code,
wherever it appears (relations, switch and condition branches), becomes the task's name.
So "apply, then plan" finds nothing to do, and an edit made in the UI changes the digest.

Release state and schedule are *not* part of it: they are compared field by field and
converged to Git's values, so a deploy killed half-way never looks like drift.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from deployer.engine import metadata

# Task fields that make up a definition, with the value the server assumes when absent.
TASK_FIELDS: dict[str, Any] = {
    "taskType": "",
    "description": "",
    "flag": "YES",
    "taskPriority": "MEDIUM",
    "workerGroup": "default",
    "environmentCode": -1,
    "failRetryTimes": 0,
    "failRetryInterval": 0,
    "timeoutFlag": "CLOSE",
    "timeoutNotifyStrategy": "",
    "timeout": 0,
    "delayTime": 0,
    "taskGroupId": 0,
    "taskGroupPriority": 0,
    "cpuQuota": -1,
    "memoryMax": -1,
    "taskExecuteType": "BATCH",
}
# Runtime-only keys the server may echo back inside taskParams.
_DROPPED_PARAMS = frozenset({"varPool"})
Canonical = dict[str, Any]


def json_field(value: Any, default: Any) -> Any:
    """The value of a JSON-string field of the API (globalParams, taskParams, ...), which
    may arrive encoded or already decoded; `default` when absent or empty.

    Text that is not valid JSON comes back as that text, never as `default`: the digest of
    a remote workflow must differ from a clean one when the server holds garbage (else a
    broken field would read as "in sync"), and pull names it as a loss instead of writing
    an empty value (both callers check the type they expect)."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _props(value: Any) -> list[dict[str, str]]:
    items = json_field(value, [])
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping):
            out.append({
                "prop": str(item.get("prop", "")),
                "direct": str(item.get("direct") or "IN"),
                "type": str(item.get("type") or "VARCHAR"),
                "value": "" if item.get("value") is None else str(item.get("value")),
            })
    return out


def _names(value: Any, codes: Mapping[int, str]) -> Any:
    """Recursively sort keys, drop nulls, and turn own task codes into {"task": name}."""
    if isinstance(value, Mapping):
        return {
            str(k): _names(v, codes)
            for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            if v is not None and k not in _DROPPED_PARAMS
        }
    if isinstance(value, list | tuple):
        return [_names(v, codes) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value in codes:
        return {"task": codes[value]}
    return value


def _task(task: Mapping[str, Any], codes: Mapping[int, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, default in TASK_FIELDS.items():
        value = task.get(key)
        out[key] = default if value is None else value
    params = json_field(task.get("taskParams"), {})
    if isinstance(params, Mapping):
        params = {k: v for k, v in params.items() if k not in ("localParams", "resourceList")
                  or v not in (None, [])}
        if "localParams" in params:
            params["localParams"] = _props(params["localParams"])
    out["taskParams"] = _names(params, codes)
    return out


def to_int(value: Any) -> int:
    """A code or number the API may send as int, str or null; 0 for none or garbage."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def canonical(*, description: str | None, global_params: Any, timeout: Any,
              execution_type: Any, tasks: Sequence[Mapping[str, Any]],
              relations: Sequence[Mapping[str, Any]]) -> Canonical:
    codes = {to_int(t.get("code")): str(t.get("name", "")) for t in tasks if to_int(t.get("code"))}
    user, _meta = metadata.parse(description)
    edges = sorted({
        (codes.get(to_int(r.get("preTaskCode")), "") if to_int(r.get("preTaskCode")) else "",
         codes.get(to_int(r.get("postTaskCode")), f"#{to_int(r.get('postTaskCode'))}"))
        for r in relations
    })
    return {
        "description": user.strip(),
        "globalParams": _props(global_params),
        "timeout": int(timeout or 0),
        "executionType": str(execution_type or "PARALLEL"),
        "tasks": {str(t.get("name", "")): _task(t, codes)
                  for t in sorted(tasks, key=lambda t: str(t.get("name", "")))},
        "edges": [list(e) for e in edges],
    }


def from_dag(dag: Mapping[str, Any]) -> Canonical:
    """Canonical form of a remote DagData (3.3+ keys)."""
    wf = dag.get("workflowDefinition") or {}
    return canonical(
        description=wf.get("description"), global_params=wf.get("globalParams"),
        timeout=wf.get("timeout"), execution_type=wf.get("executionType"),
        tasks=dag.get("taskDefinitionList") or [],
        relations=dag.get("workflowTaskRelationList") or [],
    )


def from_form(form: Mapping[str, Any]) -> Canonical:
    """Canonical form of a workflow create/update form (3.3+ names, Python values)."""
    return canonical(
        description=form.get("description"), global_params=form.get("globalParams"),
        timeout=form.get("timeout"), execution_type=form.get("executionType"),
        tasks=json_field(form.get("taskDefinitionJson"), []),
        relations=json_field(form.get("taskRelationJson"), []),
    )


def digest(canon: Canonical) -> str:
    """12 hex digits of the sha256 of the canonical JSON."""
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

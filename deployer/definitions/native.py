"""DolphinScheduler's native export JSON (3.2 `processDefinition` keys and 3.3+
`workflowDefinition` keys) into the same WorkflowSpec as the YAML dialect.

Task codes become task names. Codes that point outside the file (sub-workflow children,
dependent projects/workflows, datasource ids, environment codes) are kept as numbers with
warning WF110: they differ between servers, so such a file is not portable.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from deployer.definitions._collect import Collector
from deployer.definitions.graph import find_cycle
from deployer.definitions.model import Property, ScheduleSpec, TaskRef, TaskSpec, WorkflowSpec
from deployer.definitions.positions import offset_to_mark
from deployer.yamlmarks import Mark

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_DESCRIPTION_ROOM = 255 - 48


def scan_duplicates(text: str, out: Collector) -> None:
    """Duplicate keys with their positions (json.loads keeps the last one silently)."""
    stack: list[set[str] | None] = []
    n = len(text)
    for m in _TOKENS.finditer(text):
        tok = m.group(0)
        if tok in ("{", "["):
            stack.append(set() if tok == "{" else None)
        elif tok in ("}", "]"):
            if stack:
                stack.pop()
        elif stack and stack[-1] is not None:
            i = m.end()
            while i < n and text[i] in " \t\r\n":
                i += 1
            if i < n and text[i] == ":":
                key = json.loads(tok)
                if key in stack[-1]:
                    out.add("WF101", offset_to_mark(text, m.start()), f"duplicate key {tok}; "
                            "JSON readers keep only the last value")
                stack[-1].add(key)


def read_native(path: Path, text: str, out: Collector) -> list[WorkflowSpec]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        out.add("WF100", Mark(exc.lineno, exc.colno), f"invalid JSON: {exc.msg}")
        return []
    scan_duplicates(text, out)
    items = data if isinstance(data, list) else [data]
    specs = []
    for i, item in enumerate(items):
        spec = _one(path, text, item, i, out)
        if spec is not None:
            specs.append(spec)
    return specs if out.errors == 0 else []


def _where(text: str, needle: str) -> Mark:
    at = text.find(needle)
    return offset_to_mark(text, at) if at >= 0 else Mark(1, 1)


def _one(path: Path, text: str, item: Any, index: int, out: Collector) -> WorkflowSpec | None:
    wf = item.get("workflowDefinition") or item.get("processDefinition") \
        if isinstance(item, dict) else None
    tasks = item.get("taskDefinitionList") if isinstance(item, dict) else None
    rels = (item.get("workflowTaskRelationList") or item.get("processTaskRelationList") or []) \
        if isinstance(item, dict) else None
    if not isinstance(wf, dict) or not isinstance(tasks, list) or not isinstance(rels, list):
        out.add("WF109", Mark(1, 1), f"export element {index}: expected `workflowDefinition` "
                "(3.3+) or `processDefinition` (3.2), `taskDefinitionList` and "
                "`workflowTaskRelationList` / `processTaskRelationList`")
        return None
    name = str(wf.get("name", ""))
    wmark = _where(text, f'"{name}"') if name else Mark(1, 1)
    names = {t.get("code"): str(t.get("name")) for t in tasks if isinstance(t, dict)}
    deps: dict[str, list[str]] = {n: [] for n in names.values()}
    for rel in rels:
        pre, post = names.get(rel.get("preTaskCode")), names.get(rel.get("postTaskCode"))
        if post is not None and pre is not None:
            deps[post].append(pre)
    if len(set(names.values())) != len(names):
        out.add("WF201", wmark, f"workflow {name!r}: task names are not unique")
    cycle = find_cycle(deps)
    if cycle:
        out.add("WF203", wmark, "dependency cycle: " + " -> ".join(cycle))
    description = str(wf.get("description") or "")
    if len(description) > _DESCRIPTION_ROOM:
        out.add("WF701", wmark, f"description has {len(description)} characters; at most "
                f"{_DESCRIPTION_ROOM} are accepted (255 minus dagship's deploy marker)")
    specs = tuple(_task(t, names, deps, text, out) for t in tasks if isinstance(t, dict))
    return WorkflowSpec(
        name=name, path=path, tasks=specs, description=description,
        release_state=str(wf.get("releaseState") or "OFFLINE"),
        execution_type=str(wf.get("executionType") or "PARALLEL"),
        timeout=int(wf.get("timeout") or 0), warning_group_id=int(wf.get("warningGroupId") or 0),
        global_params=tuple(_props(wf.get("globalParams"))),
        schedule=_schedule(item.get("schedule")), source_format="native", line=wmark.line,
    )


def _props(raw: Any) -> list[Property]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "[]")
        except json.JSONDecodeError:
            return []
    return [Property(str(p.get("prop")), str(p.get("value") or ""), str(p.get("direct") or "IN"),
                     str(p.get("type") or "VARCHAR")) for p in raw or [] if isinstance(p, dict)]


def _schedule(raw: Any) -> ScheduleSpec | None:
    if not isinstance(raw, dict) or not raw.get("crontab"):
        return None
    return ScheduleSpec(
        crontab=str(raw["crontab"]), timezone=str(raw.get("timezoneId") or "UTC"),
        start_time=str(raw.get("startTime")), end_time=str(raw.get("endTime")),
        online=raw.get("releaseState") == "ONLINE",
        failure_strategy=str(raw.get("failureStrategy") or "END"),
        warning_type=str(raw.get("warningType") or "NONE"),
        warning_group_id=int(raw.get("warningGroupId") or 0),
        priority=str(raw.get("workflowInstancePriority") or raw.get("processInstancePriority")
                     or "MEDIUM"),
        worker_group=str(raw.get("workerGroup") or "default"),
        tenant_code=str(raw.get("tenantCode") or "default"),
    )


def _task(t: dict[str, Any], names: dict[Any, str], deps: dict[str, list[str]], text: str,
          out: Collector) -> TaskSpec:
    name = str(t.get("name"))
    mark = _where(text, f'"code" : {t.get("code")}')
    params = t.get("taskParams") or {}
    if isinstance(params, str):
        params = json.loads(params or "{}")
    params = dict(params)
    ttype = str(t.get("taskType"))
    if ttype == "SUB_PROCESS":
        ttype = "SUB_WORKFLOW"
        params["workflowDefinitionCode"] = params.pop("processDefinitionCode", 0)
    _refs(ttype, params, names, name, mark, out)
    params["localParams"] = _props(params.get("localParams"))
    env = t.get("environmentCode")
    if env not in (None, -1):
        out.add("WF110", mark, f"task {name!r}: environmentCode {env} is a server-specific "
                "number; the environment is kept by code, not by name")
    timeout = int(t.get("timeout") or 0) if t.get("timeoutFlag") == "OPEN" else 0
    return TaskSpec(
        name=name, task_type=ttype, params=params, deps=tuple(deps.get(name, ())),
        description=str(t.get("description") or ""), flag=str(t.get("flag") or "YES"),
        priority=str(t.get("taskPriority") or "MEDIUM"),
        worker_group=str(t.get("workerGroup") or "default"),
        environment=None if env in (None, -1) else str(env),
        fail_retry_times=int(t.get("failRetryTimes") or 0),
        fail_retry_interval=int(t.get("failRetryInterval") or 0), timeout=timeout,
        timeout_notify_strategy=t.get("timeoutNotifyStrategy"),
        delay_time=int(t.get("delayTime") or 0), task_group_id=int(t.get("taskGroupId") or 0),
        task_group_priority=int(t.get("taskGroupPriority") or 0),
        cpu_quota=_int(t.get("cpuQuota"), -1), memory_max=_int(t.get("memoryMax"), -1),
        is_cache=t.get("isCache") == "YES", line=mark.line,
    )


def _refs(ttype: str, params: dict[str, Any], names: dict[Any, str], task: str, mark: Mark,
          out: Collector) -> None:
    def ref(code: Any) -> Any:
        return TaskRef(names[code]) if code in names else code

    def numeric(what: str) -> None:
        out.add("WF110", mark, f"task {task!r}: {what} is a server-specific code; it will not "
                "match on another DolphinScheduler (convert the file to YAML to refer by name)")

    if ttype == "SUB_WORKFLOW":
        numeric("workflowDefinitionCode")
    elif ttype in ("SQL", "PROCEDURE") and params.get("datasource"):
        numeric("datasource")
    elif ttype == "SWITCH":
        sw = params.get("switchResult") or {}
        for item in sw.get("dependTaskList") or []:
            item["nextNode"] = ref(item.get("nextNode"))
        sw["nextNode"] = ref(sw.get("nextNode")) if sw.get("nextNode") else None
    elif ttype == "CONDITIONS":
        cr = params.get("conditionResult") or {}
        for key in ("successNode", "failedNode"):
            cr[key] = [ref(c) for c in cr.get(key) or []]
        for group in (params.get("dependence") or {}).get("dependTaskList") or []:
            for item in group.get("dependItemList") or []:
                item["depTaskCode"] = ref(item.get("depTaskCode"))
    elif ttype == "DEPENDENT":
        numeric("dependence projectCode/definitionCode")


def _int(value: Any, default: int) -> int:
    return int(value) if isinstance(value, int | float | str) and str(value).strip() else default

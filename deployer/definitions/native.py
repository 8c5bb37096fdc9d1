"""DolphinScheduler's native export JSON (3.2 `processDefinition` keys and 3.3+
`workflowDefinition` keys) into the same WorkflowSpec as the YAML dialect.

Task codes become task names. Codes that point outside the file (sub-workflow children,
dependent projects/workflows, datasource ids, environment codes) are kept as numbers with
warning WF110: they differ between servers, so such a file is not portable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deployer.definitions._collect import Collector
from deployer.definitions.graph import find_cycle
from deployer.definitions.model import Property, ScheduleSpec, TaskRef, TaskSpec, WorkflowSpec
from deployer.definitions.positions import offset_to_mark
from deployer.definitions.secrets import allowed_at, find_credentials
from deployer.yaml.nodes import Mark

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
    except ValueError as exc:  # a number past Python's 4300-digit int limit
        out.add("WF100", Mark(1, 1), f"invalid JSON: {str(exc).split(':')[0]}")
        return []
    except RecursionError:  # json's C scanner recurses once per bracket
        out.add("WF100", _too_deep(text), "invalid JSON: nested too deeply for a workflow "
                "file (hundreds of brackets inside each other)")
        return []
    scan_duplicates(text, out)
    items = data if isinstance(data, list) else [data]
    if not items:
        out.add("WF109", Mark(1, 1), "the export holds no workflow: expected a JSON array of "
                "objects with `workflowDefinition` (3.3+) or `processDefinition` (3.2), "
                "`taskDefinitionList` and the relation list")
        return []
    starts = _element_starts(text) if isinstance(data, list) else [0]
    specs = []
    for i, item in enumerate(items):
        start = starts[i] if i < len(starts) else 0
        spec = _one(path, text, item, i, start, out)
        if spec is not None:
            specs.append(spec)
    return specs if out.errors == 0 else []


def _too_deep(text: str, limit: int = 200) -> Mark:
    """Where the nesting first exceeds `limit` brackets (strings skipped roughly)."""
    depth, in_string, escaped = 0, False, False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return offset_to_mark(text, i)
        elif ch in "]}":
            depth -= 1
    return Mark(1, 1)


def _element_starts(text: str) -> list[int]:
    """Offsets of the elements of the top-level JSON array (objects or not)."""
    starts: list[int] = []
    depth = 0
    expect = False  # at depth 1, the next token starts an element
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            if depth == 1 and expect:
                starts.append(i)
                expect = False
            m = _TOKENS.match(text, i)
            i = m.end() if m else i + 1
            continue
        if c in "[{":
            depth += 1
            if depth == 1:
                expect = True
            elif depth == 2 and expect:
                starts.append(i)
                expect = False
        elif c in "]}":
            depth -= 1
        elif c == "," and depth == 1:
            expect = True
        elif depth == 1 and expect and not c.isspace():
            starts.append(i)
            expect = False
        i += 1
    return starts


def _where(text: str, needle: str, start: int = 0) -> Mark:
    at = text.find(needle, start)
    return offset_to_mark(text, at) if at >= 0 else offset_to_mark(text, start)


def _code_mark(text: str, code: Any, start: int) -> Mark:
    m = re.compile(rf'"code"\s*:\s*{re.escape(str(code))}\b').search(text, start)
    return offset_to_mark(text, m.start()) if m else offset_to_mark(text, start)


_SHAPE = ("expected an object with `workflowDefinition` (3.3+) or `processDefinition` (3.2), "
          "`taskDefinitionList` and `workflowTaskRelationList` / `processTaskRelationList`")


def _one(path: Path, text: str, item: Any, index: int, start: int,
         out: Collector) -> WorkflowSpec | None:
    emark = offset_to_mark(text, start)
    wf = item.get("workflowDefinition") or item.get("processDefinition") \
        if isinstance(item, dict) else None
    tasks = item.get("taskDefinitionList") if isinstance(item, dict) else None
    rels = (item.get("workflowTaskRelationList") or item.get("processTaskRelationList") or []) \
        if isinstance(item, dict) else None
    if not isinstance(wf, dict) or not isinstance(tasks, list) or not isinstance(rels, list):
        out.add("WF109", emark, f"export element {index}: {_SHAPE}")
        return None
    bad = [f"taskDefinitionList[{i}]" for i, t in enumerate(tasks) if not isinstance(t, dict)]
    rel_key = "workflowTaskRelationList" if "workflowTaskRelationList" in item \
        else "processTaskRelationList"
    bad += [f"{rel_key}[{i}]" for i, r in enumerate(rels) if not isinstance(r, dict)]
    if bad:
        out.add("WF109", emark, f"export element {index}: not a JSON object: {', '.join(bad)}; "
                "every task definition and relation is an object")
        return None
    name = str(wf.get("name", ""))
    wmark = _where(text, f'"{name}"', start) if name else emark
    errors = out.errors

    def num(raw: Any, default: int, label: str, mark: Mark) -> int:
        if raw is None or raw == "":
            return default
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return int(raw)
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            return int(raw)
        out.add("WF109", mark, f"export element {index}: `{label}` is {raw!r}; expected an "
                "integer")
        return default

    for t in tasks:
        if not isinstance(t.get("code"), int) or isinstance(t.get("code"), bool):
            out.add("WF109", _where(text, f'"{t.get("name")}"', start), f"export element "
                    f"{index}: task {t.get('name')!r}: `code` is {t.get('code')!r}; expected "
                    "the task's numeric code")
    if out.errors != errors:
        return None
    names = {t["code"]: str(t.get("name")) for t in tasks}
    deps: dict[str, list[str]] = {n: [] for n in names.values()}
    for rel in rels:
        pre_code, post_code = rel.get("preTaskCode"), rel.get("postTaskCode")
        pre = names.get(pre_code) if _hashable(pre_code) else None
        post = names.get(post_code) if _hashable(post_code) else None
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
    specs = tuple(_task(t, names, deps, text, start, index, num, out) for t in tasks)
    schedule = item.get("schedule")
    spec = WorkflowSpec(
        name=name, path=path, tasks=specs, description=description,
        release_state=str(wf.get("releaseState") or "OFFLINE"),
        execution_type=str(wf.get("executionType") or "PARALLEL"),
        timeout=num(wf.get("timeout"), 0, "timeout", wmark),
        warning_group_id=num(wf.get("warningGroupId"), 0, "warningGroupId", wmark),
        global_params=tuple(_props(wf.get("globalParams"))),
        schedule=_schedule(schedule, lambda r, d, k: num(r, d, f"schedule.{k}", wmark)),
        source_format="native", line=wmark.line,
    )
    return spec if out.errors == errors else None


def _props(raw: Any) -> list[Property]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "[]")
        except json.JSONDecodeError:
            return []
    if not isinstance(raw, list):
        return []
    return [Property(str(p.get("prop")), str(p.get("value") or ""), str(p.get("direct") or "IN"),
                     str(p.get("type") or "VARCHAR")) for p in raw if isinstance(p, dict)]


Num = Callable[[Any, int, str], int]


def _schedule(raw: Any, num: Num) -> ScheduleSpec | None:
    if not isinstance(raw, dict) or not raw.get("crontab"):
        return None
    return ScheduleSpec(
        crontab=str(raw["crontab"]), timezone=str(raw.get("timezoneId") or "UTC"),
        start_time=str(raw.get("startTime")), end_time=str(raw.get("endTime")),
        online=raw.get("releaseState") == "ONLINE",
        failure_strategy=str(raw.get("failureStrategy") or "END"),
        warning_type=str(raw.get("warningType") or "NONE"),
        warning_group_id=num(raw.get("warningGroupId"), 0, "warningGroupId"),
        priority=str(raw.get("workflowInstancePriority") or raw.get("processInstancePriority")
                     or "MEDIUM"),
        worker_group=str(raw.get("workerGroup") or "default"),
        tenant_code=str(raw.get("tenantCode") or "default"),
    )


_SCRIPT_PARAMS = ("rawScript", "sql", "json", "url", "mainArgs", "others", "preStatements",
                  "postStatements", "sagemakerRequestJson", "datasyncTaskJson")


def _credentials(params: dict[str, Any], name: str, mark: Mark, out: Collector) -> None:
    """WF601 for credentials in an exported task's scripts and HTTP parameters, at the task
    (an export has no useful line for a value inside a JSON string)."""
    texts = []
    for key in _SCRIPT_PARAMS:
        value = params.get(key)
        if isinstance(value, list):
            texts += [(key, "\n".join(str(v) for v in value))]
        elif isinstance(value, str):
            texts.append((key, value))
    http = params.get("httpParams")
    if isinstance(http, list):
        texts += [("httpParams", f"{p.get('prop')}={p.get('value')}") for p in http
                  if isinstance(p, dict)]
    for key, text in texts:
        for hit in find_credentials(text):
            if not allowed_at(text, hit.offset):
                out.add("WF601", mark, f"task {name!r}: `{key}`: {hit.message}")
                break


def _task(t: dict[str, Any], names: dict[Any, str], deps: dict[str, list[str]], text: str,
          start: int, index: int, num: Callable[[Any, int, str, Mark], int],
          out: Collector) -> TaskSpec:
    name = str(t.get("name"))
    mark = _code_mark(text, t.get("code"), start)
    params = t.get("taskParams") or {}
    if isinstance(params, str):
        try:
            params = json.loads(params or "{}")
        except json.JSONDecodeError as exc:
            out.add("WF109", mark, f"export element {index}: task {name!r}: `taskParams` is a "
                    f"string that is not valid JSON ({exc.msg}); expected a JSON object")
            params = {}
    if not isinstance(params, dict):
        out.add("WF109", mark, f"export element {index}: task {name!r}: `taskParams`: "
                "expected a JSON object (or a string holding one)")
        params = {}
    params = dict(params)
    ttype = str(t.get("taskType"))
    if ttype == "SUB_PROCESS":
        ttype = "SUB_WORKFLOW"
        params["workflowDefinitionCode"] = params.pop("processDefinitionCode", 0)
    _refs(ttype, params, names, name, mark, out)
    _credentials(params, name, mark, out)
    params["localParams"] = _props(params.get("localParams"))
    env = t.get("environmentCode")
    if env not in (None, -1):
        out.add("WF110", mark, f"task {name!r}: environmentCode {env} is a server-specific "
                "number; the environment is kept by code, not by name")

    def n(key: str, default: int) -> int:
        return num(t.get(key), default, f"task {name!r}: {key}", mark)

    timeout = n("timeout", 0) if t.get("timeoutFlag") == "OPEN" else 0
    return TaskSpec(
        name=name, task_type=ttype, params=params, deps=tuple(deps.get(name, ())),
        description=str(t.get("description") or ""), flag=str(t.get("flag") or "YES"),
        priority=str(t.get("taskPriority") or "MEDIUM"),
        worker_group=str(t.get("workerGroup") or "default"),
        environment=None if env in (None, -1) else str(env),
        fail_retry_times=n("failRetryTimes", 0),
        fail_retry_interval=n("failRetryInterval", 0), timeout=timeout,
        timeout_notify_strategy=t.get("timeoutNotifyStrategy"),
        delay_time=n("delayTime", 0), task_group_id=n("taskGroupId", 0),
        task_group_priority=n("taskGroupPriority", 0),
        cpu_quota=n("cpuQuota", -1), memory_max=n("memoryMax", -1),
        is_cache=t.get("isCache") == "YES", line=mark.line,
    )


def _refs(ttype: str, params: dict[str, Any], names: dict[Any, str], task: str, mark: Mark,
          out: Collector) -> None:
    def ref(code: Any) -> Any:
        return TaskRef(names[code]) if _hashable(code) and code in names else code

    def numeric(what: str) -> None:
        out.add("WF110", mark, f"task {task!r}: {what} is a server-specific code; it will not "
                "match on another DolphinScheduler (convert the file to YAML to refer by name)")

    def dicts(value: Any) -> list[dict[str, Any]]:
        return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []

    if ttype == "SUB_WORKFLOW":
        numeric("workflowDefinitionCode")
    elif ttype in ("SQL", "PROCEDURE") and params.get("datasource"):
        numeric("datasource")
    elif ttype == "SWITCH":
        sw = params.get("switchResult")
        if isinstance(sw, dict):
            for item in dicts(sw.get("dependTaskList")):
                item["nextNode"] = ref(item.get("nextNode"))
            sw["nextNode"] = ref(sw.get("nextNode")) if sw.get("nextNode") else None
    elif ttype == "CONDITIONS":
        cr = params.get("conditionResult")
        if isinstance(cr, dict):
            for key in ("successNode", "failedNode"):
                value = cr.get(key)
                cr[key] = [ref(c) for c in value] if isinstance(value, list) else []
        dep = params.get("dependence")
        for group in dicts(dep.get("dependTaskList") if isinstance(dep, dict) else None):
            for item in dicts(group.get("dependItemList")):
                item["depTaskCode"] = ref(item.get("depTaskCode"))
    elif ttype == "DEPENDENT":
        numeric("dependence projectCode/definitionCode")


def _hashable(value: Any) -> bool:
    return value is None or isinstance(value, int | float | str | bool)

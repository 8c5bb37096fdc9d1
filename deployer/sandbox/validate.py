"""Parsing and checking of `taskDefinitionJson` / `taskRelationJson` as the real server does.

The server parses both with a lenient Jackson mapper: unknown fields are ignored, unknown enum
names become null, enums may be given as ordinals, and `taskParams` / `conditionParams` may be
an object or a JSON string. A list that fails to parse as a whole becomes empty, and an empty
list is answered with 50017. Per-type checks mirror each plugin's `checkParameters()` at save
time (reference §4.5); anything else is only checked when a task runs, so it is accepted here.
"""

from __future__ import annotations

import json
from typing import Any

from deployer.sandbox.generation import Generation
from deployer.sandbox.status import ApiError

__all__ = ["parse_json_list", "parse_relations", "parse_tasks"]

_ENUMS: dict[str, tuple[str, ...]] = {
    "flag": ("NO", "YES"),
    "isCache": ("NO", "YES"),
    "taskPriority": ("HIGHEST", "HIGH", "MEDIUM", "LOW", "LOWEST"),
    "timeoutFlag": ("CLOSE", "OPEN"),
    "timeoutNotifyStrategy": ("WARN", "FAILED", "WARNFAILED"),
    "taskExecuteType": ("BATCH", "STREAM"),
}
_INTS: dict[str, int] = {
    "code": 0, "version": 0, "environmentCode": -1, "failRetryTimes": 0, "failRetryInterval": 0,
    "timeout": 0, "delayTime": 0, "taskGroupId": 0, "taskGroupPriority": 0, "cpuQuota": -1,
    "memoryMax": -1,
}
_STRINGS = ("name", "description", "taskType", "workerGroup", "resourceIds")
_COND_TYPES = ("NONE", "JUDGE", "DELAY")


class _Unparseable(Exception):
    """A field does not convert: the whole list fails to parse, as with Jackson."""


def parse_json_list(text: str | None) -> list[Any]:
    """The JSON array in `text`, or [] when it is absent, unparseable or not an array."""
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _enum(value: Any, names: tuple[str, ...]) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < len(names):
            return names[value]
        raise _Unparseable
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Unparseable
    return value if value in names else None  # unknown names become null silently


def _int(value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool):
        raise _Unparseable
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise _Unparseable from None
    raise _Unparseable


def _json_data(value: Any) -> Any:
    """taskParams / conditionParams: an object, or a string holding JSON."""
    if value is None or isinstance(value, dict | list):
        return value
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise _Unparseable from None
    raise _Unparseable


def _task(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Unparseable
    task: dict[str, Any] = {k: _int(raw.get(k), d) for k, d in _INTS.items()}
    for key in _STRINGS:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            value = json.dumps(value) if isinstance(value, dict | list) else str(value)
        task[key] = value
    for key, names in _ENUMS.items():
        task[key] = _enum(raw.get(key), names)
    task["taskParams"] = _json_data(raw.get("taskParams"))
    return task


def parse_tasks(text: str | None, gen: Generation) -> list[dict[str, Any]]:
    """Normalised task dicts; raises 50017 (empty/unparseable), 50020 or 10001 (G3 unknown type)."""
    try:
        tasks = [_task(raw) for raw in parse_json_list(text)]
    except _Unparseable:
        tasks = []
    if not tasks:
        raise ApiError(50017, text or "")
    if not has_cache_flag(gen):
        for t in tasks:
            t.pop("isCache", None)
    for task in tasks:
        kind = task["taskType"]
        if kind not in gen.task_types:
            if gen.g3:
                raise ApiError(10001, "taskDefinitionJson")
            raise ApiError(50020, task["name"])
        if not check_parameters(kind, task["taskParams"], gen):
            raise ApiError(50020, task["name"])
    return tasks


def has_cache_flag(gen: Generation) -> bool:
    """The task-level cache flag (`isCache`) exists in 3.2 and 3.3 only."""
    return gen.version in ("3.2", "3.3")


def _relation(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Unparseable
    return {
        "name": raw.get("name") if isinstance(raw.get("name"), str) else "",
        "preTaskCode": _int(raw.get("preTaskCode"), 0),
        "preTaskVersion": _int(raw.get("preTaskVersion"), 0),
        "postTaskCode": _int(raw.get("postTaskCode"), 0),
        "postTaskVersion": _int(raw.get("postTaskVersion"), 0),
        "conditionType": _enum(raw.get("conditionType"), _COND_TYPES),
        "conditionParams": _json_data(raw.get("conditionParams")),
    }


def parse_relations(text: str | None, tasks: list[dict[str, Any]],
                    gen: Generation | None = None) -> list[dict[str, Any]]:
    """Normalised edges, checked in the server's order: 50017, 10001, 50030, 50019, 50036."""
    try:
        relations = [_relation(raw) for raw in parse_json_list(text)]
    except _Unparseable:
        relations = []
    if not relations:
        raise ApiError(50017, text or "")
    if gen is not None and has_cache_flag(gen):
        # 3.2/3.3 build a TaskNode for every task an edge points at and read
        # `isCache.getCode()` unguarded: a task without a (known) isCache is an NPE there,
        # caught and answered as 10001 with the placeholder left in (seen on a real 3.2.2).
        targets = {r["postTaskCode"] for r in relations}
        if any(t["isCache"] is None for t in tasks if t["code"] in targets):
            raise ApiError(10001, "{0}")
    known = {t["code"] for t in tasks}
    missing = sorted({r["postTaskCode"] for r in relations} - known)
    if missing:
        raise ApiError(50030, ",".join(str(c) for c in missing))
    if _has_cycle(relations):
        raise ApiError(50019)
    if any(r["postTaskCode"] == 0 for r in relations):
        raise ApiError(50036)
    return relations


def _has_cycle(relations: list[dict[str, Any]]) -> bool:
    """Kahn's algorithm over the non-root edges."""
    downstream: dict[int, list[int]] = {}
    indegree: dict[int, int] = {}
    for rel in relations:
        pre, post = rel["preTaskCode"], rel["postTaskCode"]
        indegree.setdefault(post, 0)
        if pre == 0:
            continue
        indegree.setdefault(pre, 0)
        downstream.setdefault(pre, []).append(post)
        indegree[post] += 1
    ready = [code for code, deg in indegree.items() if deg == 0]
    seen = 0
    while ready:
        code = ready.pop()
        seen += 1
        for nxt in downstream.get(code, ()):
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    return seen != len(indegree)


# --- per-type checkParameters ---------------------------------------------------------------

def _nonempty(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _code(value: Any) -> int:
    try:
        return _int(value, 0)
    except _Unparseable:
        return 0


def check_parameters(kind: str, params: Any, gen: Generation) -> bool:
    """True when `params` passes the plugin's save-time check for `kind`."""
    if not isinstance(params, dict):
        if kind == "SWITCH" and gen.g1:  # 3.1 parses it with its plugin: no params, no node
            return False
        return kind in _LENIENT_WITHOUT_PARAMS and params is None and not gen.g3
    check = _CHECKS.get(kind)
    if kind == gen.sub_type:
        code = _code(params.get("workflowDefinitionCode" if gen.g3 else "processDefinitionCode"))
        return code > 0 if gen.g3 else code != 0
    return True if check is None else check(params, gen)


def _script(params: dict[str, Any], gen: Generation) -> bool:
    return _nonempty(params.get("rawScript"))


def _sql(params: dict[str, Any], gen: Generation) -> bool:
    return (_code(params.get("datasource")) != 0 and _nonempty(params.get("type"))
            and _nonempty(params.get("sql")))


def _dependent(params: dict[str, Any], gen: Generation) -> bool:
    if not gen.g3:
        return True
    dep = params.get("dependence")
    if not isinstance(dep, dict) or not dep.get("dependTaskList"):
        return False
    interval = dep.get("checkInterval")
    return interval is None or _code(interval) > 0


def _conditions(params: dict[str, Any], gen: Generation) -> bool:
    if not gen.g3:
        return True
    dep = params.get("dependence")
    result = params.get("conditionResult")
    return (isinstance(dep, dict) and bool(dep.get("dependTaskList"))
            and isinstance(result, dict) and bool(result.get("successNode"))
            and bool(result.get("failedNode")))


def _switch(params: dict[str, Any], gen: Generation) -> bool:
    if gen.g1:
        return _switch_g1(params)
    if not gen.g3:
        return True
    result = params.get("switchResult")
    if not isinstance(result, dict) or not isinstance(result.get("dependTaskList"), list):
        return False
    items = result["dependTaskList"]
    if not items:
        return result.get("nextNode") is not None
    return all(isinstance(i, dict) and i.get("nextNode") is not None for i in items)


def _long_or_none(value: Any) -> int | None:
    """A `Long` field: null/"" -> None; anything not a long fails the whole parse."""
    if value is None or value == "":
        return None
    return _int(value, 0)


def _switch_g1(params: dict[str, Any]) -> bool:
    """3.1's SWITCH plugin: a default branch (`switchResult.nextNode`) is required, and every
    condition with a non-empty `condition` needs its own `nextNode`. 3.2 dropped the plugin
    (SWITCH became a master-side logic task whose check always passes)."""
    result = params.get("switchResult")
    if not isinstance(result, dict):
        return False
    try:
        if _long_or_none(result.get("nextNode")) is None:
            return False
        items = result.get("dependTaskList") or []
        if not isinstance(items, list):
            return False
        for item in items:
            if not isinstance(item, dict):
                return False
            nxt = _long_or_none(item.get("nextNode"))
            if _nonempty(item.get("condition")) and nxt is None:
                return False
    except _Unparseable:
        return False
    return True


def _http(params: dict[str, Any], gen: Generation) -> bool:
    if not _nonempty(params.get("url")):
        return False
    if not gen.g3:
        return True
    methods = ("GET", "POST", "PUT", "DELETE")
    try:
        method = _enum(params.get("httpMethod"), methods)
    except _Unparseable:
        return False
    return method is not None and _code(params.get("connectTimeout")) > 0


def _spark(params: dict[str, Any], gen: Generation) -> bool:
    try:
        program = _enum(params.get("programType"), ("JAVA", "SCALA", "PYTHON", "SQL"))
    except _Unparseable:
        return False
    return program is not None and (params.get("mainJar") is not None
                                    or params.get("rawScript") is not None)


_CHECKS = {
    "SHELL": _script, "PYTHON": _script, "SQL": _sql, "DEPENDENT": _dependent,
    "CONDITIONS": _conditions, "SWITCH": _switch, "HTTP": _http, "SPARK": _spark,
}
# Logic tasks without params pass in G1/G2 (their checks were no-ops there; 3.1's SWITCH
# excepted, see _switch_g1).
_LENIENT_WITHOUT_PARAMS = frozenset({"DEPENDENT", "CONDITIONS", "SWITCH"})

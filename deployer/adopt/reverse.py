"""A remote workflow (DagData, 3.3+ names) -> a document of the pydolphinscheduler YAML dialect.

The inverse of the loader plus `translate`: codes become names (own tasks, sub-workflow
children, dependent projects/workflows/tasks, datasources, environments), `taskParams`
become the dialect's keys, and values equal to what the loader would fill in anyway are
left out, so a pulled file reads like one written by hand. What the dialect cannot say (a
SQL task's `segmentSeparator`, a schedule's failure strategy, ...) is reported as a `Loss`
rather than dropped silently: deploying the pulled file would change those fields.

The document is plain dicts/lists/strings; `deployer.adopt.write` gives it its key order and
scalar styles.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from deployer.adopt.context import Loss, Names, Reversal
from deployer.adopt.logic import (
    implied_upstream,
    logic,
    logic_downstream,
    logic_targets,
)
from deployer.adopt.params import local_params, resources, special
from deployer.definitions import dialect
from deployer.definitions.dialect import TaskType
from deployer.definitions.pyds import DESCRIPTION_ROOM
from deployer.definitions.schedule import DEFAULT_END, DEFAULT_START
from deployer.engine import metadata
from deployer.engine.canonical import json_field, to_int

_LOGIC = {"SWITCH", "CONDITIONS", "DEPENDENT"}


class _Reverser(Reversal):
    def __init__(self, dag: Mapping[str, Any], names: Names,
                 schedule: Mapping[str, Any] | None) -> None:
        super().__init__(dag, names)
        self.schedule = schedule
        self.worker_group = "default"

    # --- workflow ---------------------------------------------------------------------

    def document(self) -> dict[str, Any]:
        self.worker_group = self._workflow_worker_group()
        wf: dict[str, Any] = {"name": self.name}
        user, _meta = metadata.parse(self.wf.get("description"))
        if user.strip():
            wf["description"] = user.strip()
            if len(user.strip()) > DESCRIPTION_ROOM:
                self.lose("description", f"{len(user.strip())} characters; lint accepts "
                          f"{DESCRIPTION_ROOM} (dagship's deploy marker needs the rest of 255)")
        self._schedule(wf)
        if str(self.wf.get("releaseState") or "OFFLINE") != "ONLINE":
            wf["release_state"] = "offline"
        if self.worker_group != "default":
            wf["worker_group"] = self.worker_group
        if str(self.wf.get("executionType") or "PARALLEL") != "PARALLEL":
            wf["execution_type"] = str(self.wf["executionType"])
        if to_int(self.wf.get("timeout")):
            wf["timeout"] = to_int(self.wf.get("timeout"))
        params = self._global_params()
        if params:
            wf["param"] = params
        upstream = self._upstream()
        tasks = [self._task(t, upstream) for t in self._order(upstream)]
        return {"workflow": wf, "tasks": tasks}

    def _workflow_worker_group(self) -> str:
        """The workflow default: the schedule's, else the logic tasks' (they cannot say their
        own), else the one most tasks use."""
        if self.schedule is not None:
            return str(self.schedule.get("workerGroup") or "default")
        logic = {str(t.get("workerGroup") or "default") for t in self.tasks
                 if t.get("taskType") in _LOGIC}
        if len(logic) == 1:
            return logic.pop()
        counts: dict[str, int] = {}
        for t in self.tasks:
            group = str(t.get("workerGroup") or "default")
            counts[group] = counts.get(group, 0) + 1
        if not counts:
            return "default"
        best = max(counts.values())
        tied = sorted(g for g, n in counts.items() if n == best)
        return "default" if "default" in tied else tied[0]

    def _global_params(self) -> dict[str, str]:
        raw = json_field(self.wf.get("globalParams"), [])
        if isinstance(raw, str):
            self.lose("globalParams", "not valid JSON; left out")
        out: dict[str, str] = {}
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, Mapping):
                continue
            prop = str(item.get("prop", ""))
            direct, ptype = str(item.get("direct") or "IN"), str(item.get("type") or "VARCHAR")
            if direct != "IN" or ptype != "VARCHAR" or prop in out:
                self.lose(f"parameter `{prop}`", f"{direct} {ptype} (the dialect's `param:` "
                          "holds IN VARCHAR values only, each name once)")
            out[prop] = "" if item.get("value") is None else str(item.get("value"))
        return out

    def _schedule(self, wf: dict[str, Any]) -> None:
        s = self.schedule
        if s is None:
            return
        wf["schedule"] = str(s.get("crontab"))
        wf["timezone"] = str(s.get("timezoneId") or "UTC")
        start, end = str(s.get("startTime") or ""), str(s.get("endTime") or "")
        if start and start != DEFAULT_START:
            wf["start_time"] = start
        if end and end != DEFAULT_END:
            wf["end_time"] = end
        if str(s.get("releaseState") or "OFFLINE") != "ONLINE":
            wf["online_schedule"] = False
        warning = str(s.get("warningType") or "NONE")
        if warning != "NONE":
            wf["warning_type"] = warning
        for key, default in (("failureStrategy", "END"), ("workflowInstancePriority", "MEDIUM"),
                             ("warningGroupId", 0), ("tenantCode", "default"),
                             ("environmentCode", -1)):
            value = s.get(key)
            if value is not None and str(value) != str(default) and value != "":
                self.lose(f"schedule: {key}", f"{value!r} (the dialect always deploys "
                          f"{default!r})")

    # --- graph ----------------------------------------------------------------------------

    def _upstream(self) -> dict[str, list[str]]:
        ups: dict[str, list[str]] = {str(t.get("name")): [] for t in self.tasks}
        for rel in self.dag.get("workflowTaskRelationList") or []:
            pre, post = to_int(rel.get("preTaskCode")), to_int(rel.get("postTaskCode"))
            if pre and pre in self.own and post in self.own:
                ups[self.own[post]].append(self.own[pre])
        return {k: sorted(set(v)) for k, v in ups.items()}

    def _order(self, upstream: Mapping[str, list[str]]) -> list[Mapping[str, Any]]:
        """Upstream first (ties in the server's order), except that the dialect needs a
        switch's or a condition's targets and inputs declared above it."""
        by_name = {str(t.get("name")): t for t in self.tasks}
        before: dict[str, set[str]] = {n: set(upstream.get(n, ())) for n in by_name}
        for name, t in by_name.items():
            targets = set(logic_targets(t, self.own))
            for target in targets & set(by_name):
                before[target].discard(name)  # the implied edge: written by the logic task
                before[name].add(target)
        rank = {n: i for i, n in enumerate(by_name)}  # ties keep the server's (the UI's) order
        order = _topo(before, rank)
        if order is None:  # the two orders disagree: the dialect's constraint wins
            only_logic = {n: {x for x in by_name if x in logic_targets(by_name[n], self.own)}
                          for n in by_name}
            order = _topo(only_logic, rank) or list(by_name)
        return [by_name[n] for n in order]

    # --- tasks ------------------------------------------------------------------------------

    def _task(self, t: Mapping[str, Any], upstream: Mapping[str, list[str]]) -> dict[str, Any]:
        name = str(t.get("name"))
        ds_type = str(t.get("taskType"))
        params = json_field(t.get("taskParams"), {})
        where = f"task `{name}`"
        if isinstance(params, str):
            self.lose(where, "taskParams is not valid JSON; left out")
        params = dict(params) if isinstance(params, Mapping) else {}
        ttype = _task_type(ds_type, params)
        out: dict[str, Any] = {"name": name}
        if ttype is None:
            # Written under DolphinScheduler's own type name, which lint refuses (WF106):
            # a stand-in that deploys would silently replace the task on the server.
            self.lose(where, f"task type {ds_type} has no form in the YAML dialect; written "
                      "with its DolphinScheduler name, which lint refuses until replaced")
            out["task_type"] = ds_type
            return out
        out["task_type"] = ttype.name
        implied = set(implied_upstream(t, self.own))
        implied |= {n for n, tt in ((str(x.get("name")), x) for x in self.tasks)
                    if name in logic_downstream(tt, self.own)}
        deps = [d for d in upstream.get(name, []) if d not in implied]
        if deps:
            out["deps"] = deps
        if ttype.logic:
            logic(self, ttype, params, out, where)
            self._logic_common(t, where)
        else:
            self._params(ttype, params, out, where)
            self._common(t, ttype, out, where)
        return out

    def _common(self, t: Mapping[str, Any], ttype: TaskType, out: dict[str, Any],
                where: str) -> None:
        if t.get("description"):
            out["description"] = str(t["description"])
        simple = (("flag", "flag", "YES"), ("taskPriority", "task_priority", "MEDIUM"),
                  ("workerGroup", "worker_group", self.worker_group))
        for key, dkey, default in simple:
            value = str(t.get(key) or default)
            if value != default:
                out[dkey] = value
        env = to_int(t.get("environmentCode") if t.get("environmentCode") is not None else -1)
        if env not in (-1, 0):
            if env in self.names.environments:
                out["environment_name"] = self.names.environments[env]
            else:
                self.lose(where, f"environment code {env} matches no environment on the target")
        numbers = (("failRetryTimes", "fail_retry_times", 0),
                   ("failRetryInterval", "fail_retry_interval", 1),
                   ("delayTime", "delay_time", 0), ("taskGroupId", "task_group_id", 0),
                   ("taskGroupPriority", "task_group_priority", 0))
        for field_, dkey, number in numbers:
            count = to_int(t.get(field_)) if t.get(field_) is not None else number
            if count != number:
                out[dkey] = count
        for field_, dkey in (("cpuQuota", "cpu_quota"), ("memoryMax", "memory_max")):
            limit = to_int(t.get(field_)) if t.get(field_) is not None else -1
            if limit != -1:
                if ttype.worker_resource:
                    out[dkey] = limit
                else:
                    self.lose(where, f"{field_} {limit} ({ttype.name} tasks cannot set it)")
        self._timeout(t, out, where)

    def _timeout(self, t: Mapping[str, Any], out: dict[str, Any], where: str) -> None:
        timed = t.get("timeoutFlag") == "OPEN"
        minutes = to_int(t.get("timeout"))
        strategy = t.get("timeoutNotifyStrategy") or None
        if timed and minutes > 0:
            out["timeout"] = minutes
            if strategy and strategy != "WARN":
                out["timeout_notify_strategy"] = str(strategy)
        elif timed or minutes or strategy:
            self.lose(where, f"timeout flag {t.get('timeoutFlag')}, {minutes} minute(s), "
                      f"notify {strategy} (the dialect opens the timeout exactly when it is "
                      "above 0)")

    def _logic_common(self, t: Mapping[str, Any], where: str) -> None:
        """Switch, Condition and Dependent take no common keys: the loader uses defaults."""
        expected = {"description": "", "flag": "YES", "taskPriority": "MEDIUM",
                    "workerGroup": self.worker_group, "failRetryTimes": 0,
                    "failRetryInterval": 1, "timeout": 0, "delayTime": 0, "taskGroupId": 0,
                    "taskGroupPriority": 0, "cpuQuota": -1, "memoryMax": -1,
                    "environmentCode": -1}
        for key, default in expected.items():
            value = t.get(key)
            if value is not None and value != "" and str(value) != str(default):
                self.lose(where, f"{key} {value!r} (logic tasks take pydolphinscheduler's "
                          f"default {default!r})")

    def _params(self, ttype: TaskType, params: dict[str, Any], out: dict[str, Any],
                where: str) -> None:
        rest = dict(params)
        for fixed in ttype.fixed:
            rest.pop(fixed, None)
        for key in ttype.keys:
            if key.param is None or key.param not in rest:
                continue
            value = rest.pop(key.param)
            if value is None:
                continue
            if key.default is not None and value == key.default:
                continue
            out[key.name] = _dialect_value(value, key.kind)
        special(self, ttype, rest, out, where)
        local_params(self, rest.pop("localParams", None), out, where)
        resources(self, rest.pop("resourceList", None), out, where)
        for extra in sorted(rest):
            if rest[extra] not in (None, [], {}):
                self.lose(where, f"taskParams.{extra} = {json.dumps(rest[extra])[:60]} (no key "
                          f"of {ttype.name} carries it)")


def _dialect_value(value: Any, kind: str) -> Any:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind in ("int", "num", "bool") or isinstance(value, list) or (kind == "scalar" and number):
        return value
    return value if isinstance(value, str) else str(value).lower() \
        if isinstance(value, bool) else str(value)


def _task_type(ds_type: str, params: Mapping[str, Any]) -> TaskType | None:
    """The dialect type whose DolphinScheduler type and fixed params match."""
    for ttype in dialect.TASK_TYPES:
        if ttype.ds_type != ds_type or ttype.name == "SubProcess":
            continue
        if all(params.get(k) == v for k, v in ttype.fixed.items()):
            return ttype
    return None


def _topo(before: Mapping[str, set[str]], rank: Mapping[str, int]) -> list[str] | None:
    """Kahn's order, lowest rank first among the ready; None on a cycle."""
    waiting = {n: set(b) & set(before) for n, b in before.items()}
    ready = [(rank[n], n) for n, b in waiting.items() if not b]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _r, n = heapq.heappop(ready)
        order.append(n)
        for m, b in waiting.items():
            if n in b:
                b.discard(n)
                if not b:
                    heapq.heappush(ready, (rank[m], m))
    return order if len(order) == len(before) else None


def reverse(dag: Mapping[str, Any], names: Names,
            schedule: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], list[Loss]]:
    """The dialect document of one workflow, and what it could not express."""
    r = _Reverser(dag, names, schedule)
    return r.document(), r.losses


def file_stem(name: str, taken: Sequence[str]) -> str:
    """A file name for a workflow: lower-case, [a-z0-9_-], unique among `taken`."""
    stem = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_") or "workflow"
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}_{n}", n + 1
    return candidate

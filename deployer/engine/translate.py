"""A validated WorkflowSpec -> the workflow form and the schedule form DolphinScheduler takes.

Names become numbers here and nowhere else: own tasks keep the remote code and version of
the same-named task (so DolphinScheduler's history stays continuous), new tasks get fresh
codes, and every `*Ref` is looked up in the target through a `Resolver` that the plan fills
from a handful of list requests. A workflow that this deploy will create first is known by a
placeholder during the plan and by its real code when the apply reaches its dependents.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deployer import __version__
from deployer.core.errors import DagshipError
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
from deployer.engine import canonical, metadata

# Which key of the same taskParams level carries the type of a datasource reference.
DS_TYPE_KEY = {"datasource": "type", "dataSource": "dsType", "dataTarget": "dtType"}
# Placeholder codes for workflows this deploy has yet to create (plan only).
_PENDING_BASE = -(10**12)
LAYOUT_X0, LAYOUT_Y0, LAYOUT_DX, LAYOUT_DY = 80, 80, 260, 110


class UnresolvedReference(DagshipError):
    """A name in a definition matches nothing in the target (workflow, task, datasource...)."""


@dataclass
class Translation:
    form: dict[str, Any]  # workflow create/update form, 3.3+ names, Python values
    schedule: dict[str, Any] | None  # schedule form, or None when Git has no schedule
    canon: canonical.Canonical
    digest: str
    task_codes: dict[str, int]  # task name -> code used in the form


class Resolver:
    """Name -> code lookups against one target; caches every list it fetches. Thread-safe."""

    def __init__(self, client: Any, project_name: str, project_code: int | None,
                 workflows: Mapping[str, Mapping[str, Any]], pending: Sequence[str] = (),
                 siblings: Mapping[str, frozenset[str]] | None = None) -> None:
        self._client = client
        # other projects of this repository -> the workflows Git defines there: a plan may
        # name one that a deploy of that project (first) is still to create
        self._siblings = dict(siblings or {})
        self.project_name = project_name
        self._lock = threading.Lock()
        # project name -> (code, {workflow name -> DagData})
        self._projects: dict[str, tuple[int, dict[str, Mapping[str, Any]]]] = {}
        self._own = dict(workflows)
        self.project_code = project_code
        self._pending = {name: _PENDING_BASE - i for i, name in enumerate(sorted(pending))}
        self._datasources: list[dict[str, Any]] | None = None
        self._environments: dict[str, int] | None = None
        self.strict = False  # apply mode: a pending workflow is an error, not a placeholder
        # repository path -> what a task sends for that resource (deployer.engine.resources);
        # paths below `resource_folders` are dagship's, any other name is the server's own
        self.resource_refs: dict[str, dict[str, Any]] = {}
        self.resource_folders: tuple[str, ...] = ()

    def record(self, name: str, dag: Mapping[str, Any]) -> None:
        """A workflow of the target project was just deployed: later lookups see its codes."""
        with self._lock:
            self._own[name] = dag
            self._pending.pop(name, None)

    def _workflows_of(self, project: str | None, where: str) -> tuple[int, Mapping[str, Any]]:
        if project is None or project == self.project_name:
            return self.project_code or 0, self._own
        with self._lock:
            if project not in self._projects:
                found = self._client.find_project(project)
                if found is None and project in self._siblings and not self.strict:
                    return _PENDING_BASE, {}  # deployed by this run, before this project
                if found is None:
                    raise UnresolvedReference(
                        f"{where}: project {project!r} not found on the target")
                code = int(found["code"])
                dags = {str(d["workflowDefinition"]["name"]): d
                        for d in self._client.list_workflows(code)}
                self._projects[project] = (code, dags)
            return self._projects[project]

    def project(self, ref: ProjectRef, where: str) -> int:
        return self._workflows_of(ref.name, where)[0]

    def workflow(self, name: str, project: str | None, where: str) -> tuple[int, dict[str, int]]:
        """(workflow code, {task name -> code}) of a workflow, or a placeholder when pending."""
        if project is None or project == self.project_name:
            with self._lock:
                if name in self._pending and name not in self._own:
                    if self.strict:
                        raise UnresolvedReference(f"{where}: workflow {name!r} was not deployed "
                                              "(it failed, or the workflows depend on each "
                                              "other in a cycle)")
                    return self._pending[name], {}
        _code, dags = self._workflows_of(project, where)
        dag = dags.get(name)
        if dag is None and not self.strict and project is not None \
                and name in self._siblings.get(project, ()):
            return _PENDING_BASE, {}  # Git defines it there; that project deploys first
        if dag is None:
            in_project = project or self.project_name
            raise UnresolvedReference(
                f"{where}: workflow {name!r} not found in project {in_project!r}")
        tasks = {str(t["name"]): int(t["code"]) for t in dag.get("taskDefinitionList") or []}
        return int(dag["workflowDefinition"]["code"]), tasks

    def foreign_task(self, ref: ForeignTaskRef, where: str) -> int:
        code, tasks = self.workflow(ref.workflow, ref.project, where)
        if ref.task is None or code < 0:
            return 0 if ref.task is None else code
        if ref.task not in tasks:
            raise UnresolvedReference(f"{where}: task {ref.task!r} not found in workflow "
                                  f"{ref.workflow!r}")
        return tasks[ref.task]

    # What the lookups have read so far, without reading more (the plan's detail names
    # codes with them: it must cost no request).
    def known_datasources(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._datasources or [])

    def known_environments(self) -> dict[str, int]:
        with self._lock:
            return dict(self._environments or {})

    def known_projects(self) -> dict[str, tuple[int, dict[str, Mapping[str, Any]]]]:
        with self._lock:
            return dict(self._projects)

    def datasource_list(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._datasources is None:
                self._datasources = list(self._client.list_datasources())
            return self._datasources

    def environment_list(self) -> dict[str, int]:
        with self._lock:
            if self._environments is None:
                self._environments = {str(e["name"]): int(e["code"])
                                      for e in self._client.list_environments()}
            return self._environments

    def datasource(self, ref: DatasourceRef, where: str) -> tuple[int, str]:
        matches = [d for d in self.datasource_list() if d.get("name") == ref.name
                   and (ref.type is None or str(d.get("type")).upper() == ref.type.upper())]
        if not matches:
            kind = f" of type {ref.type}" if ref.type else ""
            raise UnresolvedReference(
                f"{where}: datasource {ref.name!r}{kind} not found on the target")
        return int(matches[0]["id"]), str(ref.type or matches[0].get("type"))

    def environment(self, name: str | None, where: str) -> int:
        if name is None:
            return -1
        known = self.environment_list()
        if name not in known:
            raise UnresolvedReference(f"{where}: environment {name!r} not found on the target")
        return known[name]


def needs_lookups(specs: Sequence[WorkflowSpec]) -> tuple[bool, bool]:
    """(any datasource reference, any environment name): skip the list calls otherwise."""
    ds = env = False
    for spec in specs:
        if spec.schedule is not None and spec.schedule.environment:
            env = True
        for task in spec.tasks:
            env = env or task.environment is not None
            ds = ds or any(isinstance(r, DatasourceRef) for r in iter_refs(task.params))
    return ds, env


def iter_refs(value: Any) -> list[Any]:
    """Every *Ref inside a taskParams structure."""
    found: list[Any] = []
    if isinstance(value, TaskRef | ProjectRef | WorkflowRef | ForeignTaskRef | DatasourceRef):
        found.append(value)
    elif isinstance(value, Mapping):
        for v in value.values():
            found.extend(iter_refs(v))
    elif isinstance(value, list | tuple):
        for v in value:
            found.extend(iter_refs(v))
    return found


def workflow_dependencies(spec: WorkflowSpec) -> set[str]:
    """Same-project workflows that must exist (deployed) before this one."""
    deps = set(spec.depends_on_workflows)
    for task in spec.tasks:
        for ref in iter_refs(task.params):
            if isinstance(ref, WorkflowRef) and ref.project is None:
                deps.add(ref.name)
            elif isinstance(ref, ForeignTaskRef) and ref.project is None:
                deps.add(ref.workflow)
    deps.discard(spec.name)
    return deps


def _resolve(value: Any, own: Mapping[str, int], r: Resolver, where: str) -> Any:
    if isinstance(value, TaskRef):
        if value.name not in own:
            raise UnresolvedReference(f"{where}: task {value.name!r} not found in this workflow")
        return own[value.name]
    if isinstance(value, WorkflowRef):
        return r.workflow(value.name, value.project, where)[0]
    if isinstance(value, ProjectRef):
        return r.project(value, where)
    if isinstance(value, ForeignTaskRef):
        return r.foreign_task(value, where)
    if isinstance(value, DatasourceRef):
        return r.datasource(value, where)[0]
    if isinstance(value, Property):
        return _prop(value)
    if isinstance(value, Mapping) and r.resource_folders and set(value) == {"resourceName"}:
        return _resource(str(value["resourceName"]), r, where)
    if isinstance(value, Mapping):
        out = {k: _resolve(v, own, r, where) for k, v in value.items()}
        for key, type_key in DS_TYPE_KEY.items():
            ref = value.get(key)
            if isinstance(ref, DatasourceRef) and not out.get(type_key):
                out[type_key] = r.datasource(ref, where)[1]
        return out
    if isinstance(value, list | tuple):
        return [_resolve(v, own, r, where) for v in value]
    return value


def _resource(name: str, r: Resolver, where: str) -> dict[str, Any]:
    if not name.startswith(r.resource_folders):
        return {"resourceName": name}
    ref = r.resource_refs.get(name)
    if ref is None:
        if r.strict:
            raise UnresolvedReference(f"{where}: resource {name!r} is not in the resource "
                                      "center (its upload failed?)")
        return {"resourceName": name}  # a plan before the upload: the workflow differs anyway
    return dict(ref)


def _prop(p: Property) -> dict[str, str]:
    return {"prop": p.prop, "direct": p.direct, "type": p.type, "value": p.value}


def layout(tasks: Sequence[TaskSpec]) -> dict[str, tuple[int, int]]:
    """Layered left to right by longest path from the roots; rows in file order."""
    by_name = {t.name: t for t in tasks}
    level: dict[str, int] = {}

    def depth(name: str, seen: frozenset[str]) -> int:
        if name not in level:
            ups = [d for d in by_name[name].deps if d in by_name and d not in seen]
            level[name] = 1 + max((depth(d, seen | {name}) for d in ups), default=-1)
        return level[name]

    rows: dict[int, int] = {}
    out = {}
    for t in tasks:
        col = depth(t.name, frozenset())
        row = rows.get(col, 0)
        rows[col] = row + 1
        out[t.name] = (LAYOUT_X0 + col * LAYOUT_DX, LAYOUT_Y0 + row * LAYOUT_DY)
    return out


def _task_payload(t: TaskSpec, code: int, version: int, params: Any, env: int) -> dict[str, Any]:
    timed = t.timeout > 0
    return {
        "code": code, "version": version, "name": t.name, "description": t.description,
        "taskType": t.task_type, "taskParams": params, "flag": t.flag,
        "taskPriority": t.priority, "workerGroup": t.worker_group, "environmentCode": env,
        "failRetryTimes": t.fail_retry_times, "failRetryInterval": t.fail_retry_interval,
        "timeoutFlag": "OPEN" if timed else "CLOSE",
        "timeoutNotifyStrategy": (t.timeout_notify_strategy or "WARN") if timed else None,
        "timeout": t.timeout, "delayTime": t.delay_time, "taskGroupId": t.task_group_id,
        "taskGroupPriority": t.task_group_priority, "cpuQuota": t.cpu_quota,
        "memoryMax": t.memory_max, "taskExecuteType": "BATCH",
        # 3.2/3.3 read the task cache flag unguarded when they build the DAG: without it a
        # create or update fails with 10001 (seen on a real 3.2.2). 3.1 and 3.4 ignore it.
        "isCache": "YES" if t.is_cache else "NO",
    }


def schedule_form(s: ScheduleSpec, env: int) -> dict[str, Any]:
    """Every field, always: some endpoints have no default for some of them."""
    return {
        "schedule": {"startTime": s.start_time, "endTime": s.end_time,
                     "crontab": s.crontab, "timezoneId": s.timezone},
        "failureStrategy": s.failure_strategy, "warningType": s.warning_type,
        "warningGroupId": s.warning_group_id, "workflowInstancePriority": s.priority,
        "workerGroup": s.worker_group, "tenantCode": s.tenant_code, "environmentCode": env,
    }


def translate(spec: WorkflowSpec, resolver: Resolver, remote: Mapping[str, Any] | None,
              alloc: Callable[[int], list[int]], commit: str) -> Translation:
    """Build the forms; `alloc(n)` gives n codes for tasks the remote does not have."""
    where = str(spec.path)
    remote_tasks = {str(t["name"]): (int(t["code"]), int(t.get("version") or 1))
                    for t in (remote or {}).get("taskDefinitionList") or []}
    fresh = [t.name for t in spec.tasks if t.name not in remote_tasks]
    new_codes = iter(alloc(len(fresh)) if fresh else [])
    codes: dict[str, tuple[int, int]] = {}
    for t in spec.tasks:
        codes[t.name] = remote_tasks.get(t.name) or (next(new_codes), 1)
    own = {name: c for name, (c, _v) in codes.items()}
    tasks, relations, locations = [], [], []
    places = layout(spec.tasks)
    for t in spec.tasks:
        here = f"{where}: task {t.name!r}" + (f" (line {t.line})" if t.line else "")
        params = _resolve(t.params, own, resolver, here)
        env = resolver.environment(t.environment, here)
        tasks.append(_task_payload(t, own[t.name], codes[t.name][1], params, env))
        ups: list[str | None] = [d for d in t.deps if d in own] or [None]
        for up in ups:
            relations.append({"name": "", "preTaskCode": own[up] if up else 0,
                              "preTaskVersion": 0, "postTaskCode": own[t.name],
                              "postTaskVersion": 0, "conditionType": "NONE",
                              "conditionParams": {}})
        x, y = places[t.name]
        locations.append({"taskCode": own[t.name], "x": x, "y": y})
    form: dict[str, Any] = {
        "name": spec.name,
        "description": metadata.fitted(spec.description, __version__),
        "globalParams": [_prop(p) for p in spec.global_params],
        "locations": locations, "timeout": spec.timeout, "executionType": spec.execution_type,
        "taskDefinitionJson": tasks, "taskRelationJson": relations,
    }
    canon = canonical.from_form(form)
    digest = canonical.digest(canon)
    form["description"] = metadata.render(
        form["description"], metadata.Meta(digest, metadata.short_commit(commit), __version__))
    sched = None
    if spec.schedule is not None:
        env = resolver.environment(spec.schedule.environment, f"{where}: schedule")
        sched = schedule_form(spec.schedule, env)
    return Translation(form, sched, canon, digest, own)


def placeholder_codes() -> Callable[[int], list[int]]:
    """Plan-time allocator: codes that never reach the server (own codes are names in digests)."""
    counter = [0]

    def alloc(n: int) -> list[int]:
        start = counter[0]
        counter[0] += n
        return [-(start + i + 1) for i in range(n)]

    return alloc


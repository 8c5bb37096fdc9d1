"""One plan from a handful of list requests: what a deploy would create, update, delete.

The remote side is read once (project, generation, every workflow's DagData, every
schedule, and datasources/environments only when a definition names one), so a no-op
redeploy of hundreds of workflows costs a few requests. Each desired workflow is then
translated with placeholder codes for new tasks (own codes are names in the digest) and
classified:

- create     absent remotely
- update     definition digest differs from Git, or release state / schedule differ, or an
             unmanaged workflow of the same name that differs from Git is adopted (one
             identical to Git, e.g. just pulled, is left as it is: unchanged)
- unchanged  nothing to send
- drifted    the remote canonical digest differs from the digest recorded at the last deploy:
             someone edited it outside dagship; `--on-drift` decides
- delete     (`--prune`) carries the dagship marker and is gone from Git

New workflows whose Dependent tasks wait on each other, none of them on the target yet, can
be created in no order: `Plan.cycles` names them and `plan`/`deploy` refuse
(deployer.engine.cycles).
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deployer.core.errors import DeployRefused, ValidationFailed
from deployer.definitions.model import WorkflowSpec
from deployer.diff.compare import WorkflowDiff
from deployer.engine import canonical, metadata
from deployer.engine.cycles import new_cycles
from deployer.engine.resources import ResourceSync
from deployer.engine.translate import (
    Resolver,
    Translation,
    UnresolvedReference,
    needs_lookups,
    placeholder_codes,
    translate,
    workflow_dependencies,
)

CREATE, UPDATE, UNCHANGED, DRIFTED, DELETE = "create", "update", "unchanged", "drifted", "delete"
SCHEDULE_FIELDS = ("failureStrategy", "warningType", "warningGroupId", "workflowInstancePriority",
                   "workerGroup", "tenantCode", "environmentCode")
SCHEDULE_TIMES = ("startTime", "endTime", "crontab", "timezoneId")
# the workflow file's keys for them (fields it has no key for keep the API's name)
_SCHEDULE_WORDS = {"startTime": "start_time", "endTime": "end_time", "crontab": "schedule",
                   "timezoneId": "timezone", "warningType": "warning_type",
                   "workerGroup": "worker_group"}


@dataclass
class TaskChanges:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    edges: bool = False  # the relation set differs
    fields: list[str] = field(default_factory=list)  # workflow-level fields that differ

    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.edges or self.fields)


@dataclass
class WorkflowPlan:
    name: str
    action: str
    path: str = ""
    spec: WorkflowSpec | None = None
    code: int | None = None  # remote workflow code
    remote: Mapping[str, Any] | None = None  # remote DagData
    remote_schedule: Mapping[str, Any] | None = None
    translation: Translation | None = None
    meta: metadata.Meta | None = None  # marker found on the remote description
    remote_digest: str | None = None
    definition_changed: bool = False
    changes: TaskChanges = field(default_factory=TaskChanges)
    state_change: str | None = None  # "OFFLINE -> ONLINE"
    schedule_change: str | None = None  # "0 0 2 * * ? * (new)"
    adopted: bool = False
    drift: bool = False
    drift_detail: list[str] = field(default_factory=list)
    depends_on: set[str] = field(default_factory=set)
    referrers: list[str] = field(default_factory=list)  # delete: workflows that still use it
    # field by field, in the words of the workflow file (deployer.engine.detail); None: not
    # computed, or the remote cannot be read back as a workflow file
    diff: WorkflowDiff | None = None
    # the marker records uncommitted changes (`+dirty`) that are now committed: a clean
    # deploy writes the marker again, so it names the commit
    recommit: bool = False

    @property
    def managed(self) -> bool:
        return self.meta is not None

    @property
    def remote_state(self) -> str | None:
        if self.remote is None:
            return None
        return str((self.remote.get("workflowDefinition") or {}).get("releaseState") or "OFFLINE")

    def details(self) -> str:
        """`+2 tasks, ~1 task, -1 task, schedule 0 0 2 * * ? * (new)`."""
        c, parts = self.changes, []
        for sign, names in (("+", c.added), ("~", c.changed), ("-", c.removed)):
            if names:
                parts.append(f"{sign}{len(names)} task{'s' if len(names) != 1 else ''}")
        if c.edges:
            parts.append("edges changed")
        parts.extend(f"{f} changed" for f in c.fields)
        if self.state_change:
            parts.append(self.state_change)
        if self.schedule_change:
            parts.append(f"schedule {self.schedule_change}")
        if self.adopted:
            parts.append("adopting an unmanaged workflow")
        if self.recommit:
            parts.append("records the commit (deployed from uncommitted changes)")
        if self.drift:
            parts.append("edited outside dagship since the last deploy")
        return ", ".join(parts)


@dataclass
class Plan:
    target: str
    project: str
    project_code: int | None  # None: the project will be created
    generation: str | None  # None: unknown until the project exists
    commit: str
    items: list[WorkflowPlan]
    deletes: list[WorkflowPlan]
    orphans: list[str]  # managed remote workflows gone from Git, kept (no --prune)
    resolver: Resolver
    requests: int = 0
    cycles: list[list[str]] = field(default_factory=list)  # new workflows waiting on each other
    # Everything read from the target, for `status` (remote-only workflows included).
    remote_dags: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    remote_schedules: dict[int, Mapping[str, Any]] = field(default_factory=dict)
    source: str | None = None  # where the definitions came from when not the checkout
    uncommitted: list[str] = field(default_factory=list)  # shipped files that differ from HEAD
    resources: ResourceSync | None = None  # None: dagship.yaml names no resource folders
    project_description: str = ""  # given to the project when the deploy creates it

    def counts(self) -> dict[str, int]:
        out = {CREATE: 0, UPDATE: 0, DELETE: len(self.deletes), UNCHANGED: 0, DRIFTED: 0}
        for item in self.items:
            out[item.action] += 1
        return out

    def summary(self) -> str:
        n = self.counts()
        text = (f"Plan: {n[CREATE]} to create, {n[UPDATE]} to update, {n[DELETE]} to delete, "
                f"{n[UNCHANGED]} unchanged, {n[DRIFTED]} drifted")
        return text + (f". {self.resources.summary()}" if self.resources else "")

    @property
    def drifted(self) -> list[WorkflowPlan]:
        return [i for i in self.items if i.action == DRIFTED]

    def has_changes(self) -> bool:
        return (any(i.action != UNCHANGED for i in self.items) or bool(self.deletes)
                or bool(self.resources and self.resources.changed()))


def _kept_edges(canon: canonical.Canonical, kept: set[str]) -> list[list[str]]:
    """Edges between tasks both sides have (added/removed tasks speak for their own edges)."""
    return [e for e in canon["edges"] if e[1] in kept and (e[0] == "" or e[0] in kept)]


def diff(desired: canonical.Canonical, remote: canonical.Canonical) -> TaskChanges:
    want, have = desired["tasks"], remote["tasks"]
    both = set(want) & set(have)
    return TaskChanges(
        added=sorted(set(want) - set(have)),
        removed=sorted(set(have) - set(want)),
        changed=sorted(n for n in set(want) & set(have) if want[n] != have[n]),
        edges=_kept_edges(desired, both) != _kept_edges(remote, both),
        fields=[f for f in ("description", "globalParams", "timeout", "executionType")
                if desired[f] != remote[f]],
    )


def schedule_difference(want: Mapping[str, Any] | None, have: Mapping[str, Any] | None,
                        online: bool) -> str | None:
    """How the remote schedule differs from Git, in words; None when it matches."""
    if want is None:
        return "(removed)" if have is not None else None
    cron = want["schedule"]["crontab"]
    if have is None:
        return f"{cron} (new)"
    changed = [k for k in SCHEDULE_TIMES if str(have.get(k)) != str(want["schedule"][k])]
    changed += [k for k in SCHEDULE_FIELDS if k in have and str(have.get(k)) != str(want[k])]
    state = str(have.get("releaseState") or "OFFLINE")
    wanted_state = "ONLINE" if online else "OFFLINE"
    if changed:
        return f"{cron} (~{', '.join(_SCHEDULE_WORDS.get(k, k) for k in changed)})"
    if state != wanted_state:
        return f"{cron} ({state} -> {wanted_state})"
    return None


def schedule_online(spec: WorkflowSpec) -> bool:
    """A schedule can only be online while its workflow is."""
    return bool(spec.schedule and spec.schedule.online and spec.release_state == "ONLINE")


def classify(item: WorkflowPlan, tr: Translation) -> None:
    """Fill the action and details of a desired workflow that exists remotely."""
    if item.remote is None or item.spec is None:
        raise ValueError("classify() needs a desired workflow that exists remotely")
    remote_canon = canonical.from_dag(item.remote)
    item.remote_digest = canonical.digest(remote_canon)
    item.changes = diff(tr.canon, remote_canon)
    item.definition_changed = item.remote_digest != tr.digest
    if item.remote_state != item.spec.release_state:
        item.state_change = f"{item.remote_state} -> {item.spec.release_state}"
    item.schedule_change = schedule_difference(tr.schedule, item.remote_schedule,
                                               schedule_online(item.spec))
    if item.meta is None:
        # Already exactly what Git says (a freshly pulled project): a PUT would only write
        # the marker, and a real server makes a new version of every PUT. It stays
        # unmanaged, sending nothing, until Git changes it.
        identical = not (item.definition_changed or item.state_change or item.schedule_change)
        item.adopted = not identical
        item.action = UNCHANGED if identical else UPDATE
    elif item.meta.digest != item.remote_digest:
        item.drift = True
        names = item.changes.changed + item.changes.added + item.changes.removed
        item.drift_detail = [f"recorded digest {item.meta.digest}, now {item.remote_digest}"]
        if names:
            item.drift_detail.append("differs from Git in tasks: " + ", ".join(sorted(names)))
        # Edited to exactly what Git says: nothing to overwrite, only the marker to record.
        item.action = DRIFTED if item.definition_changed else UPDATE
    elif item.definition_changed or item.state_change or item.schedule_change:
        item.action = UPDATE
    else:
        item.action = UNCHANGED


def build_plan(client: Any, *, target: str, project: str, api_version: str | None,
               specs: Sequence[WorkflowSpec], commit: str, prune: bool,
               resources: ResourceSync | None = None,
               resource_folders: tuple[str, ...] = (),
               siblings: Mapping[str, frozenset[str]] | None = None) -> Plan:
    """Read the target once, translate every spec, classify. Raises before anything is sent.

    The cyclic garbage collector is paused meanwhile, as for loading: the listed definitions,
    translations and canonical forms are millions of small acyclic objects, and rescanning
    them made a plan super-linear (2,000 workflows: a third of the CPU time, growing with
    the square of the size; bench/scale_bench.py).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        plan = _build_plan(client, target=target, project=project, api_version=api_version,
                           specs=specs, commit=commit, prune=prune, resources=resources,
                           resource_folders=resource_folders, siblings=siblings)
        plan.resources = resources
        return plan
    finally:
        if enabled:
            gc.enable()


def _build_plan(client: Any, *, target: str, project: str, api_version: str | None,
                specs: Sequence[WorkflowSpec], commit: str, prune: bool,
                resources: ResourceSync | None, resource_folders: tuple[str, ...],
                siblings: Mapping[str, frozenset[str]] | None) -> Plan:
    if prune and not specs:
        raise DeployRefused(
            f"refusing to prune target {target!r}: Git defines no workflow for it, so every "
            "managed workflow would be deleted (an empty checkout or a bad merge?)")
    start = client.request_count
    found = client.find_project(project)
    code = int(found["code"]) if found else None
    generation = api_version or (client.detect_generation(code) if code is not None else None)
    dags: dict[str, Mapping[str, Any]] = {}
    schedules: dict[int, Mapping[str, Any]] = {}
    if code is not None:
        for dag in client.list_workflows(code):
            dags[str(dag["workflowDefinition"]["name"])] = dag
        for sched in client.list_schedules(code):
            schedules.setdefault(int(sched.get("workflowDefinitionCode") or 0), sched)
    desired = {s.name for s in specs}
    resolver = Resolver(client, project, code, dags, pending=sorted(desired - set(dags)),
                        siblings=siblings)
    if resources is not None:  # the same dict: the uploads of an apply add to it
        resolver.resource_refs = resources.refs
        resolver.resource_folders = resource_folders
    need_ds, need_env = needs_lookups(specs)
    if need_ds:
        resolver.datasource_list()
    if need_env:
        resolver.environment_list()
    items: list[WorkflowPlan] = []
    errors: list[str] = []
    for spec in sorted(specs, key=lambda s: s.name):
        item = _plan_one(spec, dags.get(spec.name), schedules, resolver, commit, errors)
        item.depends_on = workflow_dependencies(spec) & desired
        items.append(item)
    if errors:
        raise ValidationFailed("cannot resolve references:\n  " + "\n  ".join(errors))
    deletes, orphans = [], []
    for name, dag in sorted(dags.items()):
        _user, meta = metadata.parse((dag.get("workflowDefinition") or {}).get("description"))
        if name in desired or meta is None:
            continue
        if not prune:
            orphans.append(name)
            continue
        wf_code = int(dag["workflowDefinition"]["code"])
        deletes.append(WorkflowPlan(name=name, action=DELETE, code=wf_code, remote=dag, meta=meta,
                                    remote_schedule=schedules.get(wf_code)))
    _find_referrers(deletes, items, dags)
    return Plan(target=target, project=project, project_code=code, generation=generation,
                commit=commit, items=items, deletes=deletes, orphans=orphans, resolver=resolver,
                requests=client.request_count - start, cycles=new_cycles(items),
                remote_dags=dags, remote_schedules=schedules)


def _find_referrers(deletes: Sequence[WorkflowPlan], items: Sequence[WorkflowPlan],
                    dags: Mapping[str, Mapping[str, Any]]) -> None:
    """Which workflows that stay would still reference each delete (the server answers 10193
    to such a delete): Git's translation for desired ones, the remote tasks for the rest."""
    if not deletes:
        return
    gone = {d.name for d in deletes}
    tasks: dict[str, Any] = {}
    for item in items:
        if item.translation is not None:
            tasks[item.name] = item.translation.form["taskDefinitionJson"]
    for name, dag in dags.items():
        if name not in gone and name not in tasks:
            tasks[name] = dag.get("taskDefinitionList") or []
    for d in deletes:
        d.referrers = sorted(n for n, t in tasks.items()
                             if any(_mentions(task.get("taskParams"), d.code) for task in t))


def _mentions(value: Any, code: int | None) -> bool:
    if isinstance(value, Mapping):
        return any(_mentions(v, code) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, code) for v in value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value) == code  # 3.1 sends some codes as strings
    return isinstance(value, int) and not isinstance(value, bool) and value == code


def _plan_one(spec: WorkflowSpec, dag: Mapping[str, Any] | None,
              schedules: Mapping[int, Mapping[str, Any]], resolver: Resolver, commit: str,
              errors: list[str]) -> WorkflowPlan:
    item = WorkflowPlan(name=spec.name, action=CREATE, path=str(spec.path), spec=spec, remote=dag)
    try:
        tr = translate(spec, resolver, dag, placeholder_codes(), commit)
    except UnresolvedReference as exc:
        errors.append(exc.message)
        return item
    item.translation = tr
    if dag is None:
        item.changes = TaskChanges(added=[t.name for t in spec.tasks])
        item.schedule_change = schedule_difference(tr.schedule, None, schedule_online(spec))
        return item
    wf = dag.get("workflowDefinition") or {}
    item.code = int(wf["code"])
    item.remote_schedule = schedules.get(item.code)
    item.meta = metadata.parse(wf.get("description"))[1]
    classify(item, tr)
    if (item.action == UNCHANGED and item.meta is not None and metadata.is_dirty(item.meta.commit)
            and metadata.short_commit(commit) not in ("nogit", item.meta.commit)
            and not metadata.is_dirty(commit)):
        item.action, item.recommit = UPDATE, True
    return item


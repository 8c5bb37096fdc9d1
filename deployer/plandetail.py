"""What a plan would change, field by field, in the words of the workflow file.

The remote workflow is read back as a workflow file would be (pull's reverse into the YAML
dialect, then the loader), so both sides are `WorkflowSpec`s and `diff`'s comparison says
what differs: `~ task load (Shell)`, `~ command:` with a unified diff, `~ timezone:
"Asia/Shanghai" -> "UTC"`. It costs no request: every name the reverse needs was read by
the plan already. A remote workflow the dialect cannot say (a task type it lacks) gets no
detail, and the plan falls back to its summary (`~1 task`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from deployer.config import Config, Target
from deployer.definitions.document import load_document
from deployer.definitions.model import DatasourceRef, TaskSpec, WorkflowSpec
from deployer.plan import CREATE, DRIFTED, UPDATE, Plan, WorkflowPlan
from deployer.reverse import Names, reverse
from deployer.semdiff import WorkflowDiff, compare_workflow

_DS_TYPE_KEY = {"datasource": "type", "dataSource": "dsType", "dataTarget": "dtType"}


def explain(plan: Plan, config: Config, target: Target) -> None:
    """Fill `item.diff` for every workflow the plan creates, updates or finds drifted."""
    names: Names | None = None
    types = {str(d.get("name")): str(d.get("type")) for d in plan.resolver.known_datasources()}
    for item in plan.items:
        if item.spec is None:
            continue
        if item.action == CREATE:
            item.diff = compare_workflow(None, item.spec)
        elif item.action in (UPDATE, DRIFTED) and item.remote is not None:
            names = names or _names(plan)
            item.diff = _update(item, names, types, config, target)


def _update(item: WorkflowPlan, names: Names, types: Mapping[str, str], config: Config,
            target: Target) -> WorkflowDiff | None:
    if item.spec is None or item.remote is None:
        return None
    doc, _losses = reverse(item.remote, names, item.remote_schedule)
    remote = load_document(doc, config=config, target=target,
                           where=f"<{target.name}>/{item.name}")
    if remote is None:
        return None
    return compare_workflow(_typed(remote, types), _typed(item.spec, types))


def _names(plan: Plan) -> Names:
    """Code -> name lookups from what the plan read (never a request of its own)."""
    names = Names(project=plan.project)
    if plan.project_code is not None:
        names.projects[plan.project_code] = None
    for dag in plan.remote_dags.values():
        names.add_dag(dag, None)
    for project, (code, dags) in plan.resolver.known_projects().items():
        names.projects[code] = project
        for dag in dags.values():
            names.add_dag(dag, project)
    names.datasources = {int(d["id"]): (str(d.get("name")), str(d.get("type")))
                         for d in plan.resolver.known_datasources()}
    names.environments = {code: name for name, code
                          in plan.resolver.known_environments().items()}
    return names


def _typed(spec: WorkflowSpec, types: Mapping[str, str]) -> WorkflowSpec:
    """Datasource references with the type the target gives them: `datasource_type:` is
    optional in a file, and pull leaves it out when it is the datasource's own, so written
    or not it means the same and must not read as a change."""
    if not types:
        return spec
    tasks = tuple(dataclasses.replace(t, params=_typed_params(t.params, types))
                  if _has_datasource(t) else t for t in spec.tasks)
    return dataclasses.replace(spec, tasks=tasks)


def _has_datasource(task: TaskSpec) -> bool:
    return any(isinstance(task.params.get(k), DatasourceRef) for k in _DS_TYPE_KEY)


def _typed_params(params: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    out = dict(params)
    for ref_key, type_key in _DS_TYPE_KEY.items():
        ref = out.get(ref_key)
        if isinstance(ref, DatasourceRef):
            kind = (ref.type or out.get(type_key) or types.get(ref.name) or "").upper() or None
            out[ref_key] = DatasourceRef(ref.name, kind)
            out[type_key] = kind
    return out

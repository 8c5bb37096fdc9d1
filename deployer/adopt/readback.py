"""A remote workflow read back as a workflow file would be: pull's reverse into the YAML
dialect, then the loader. Both sides of a plan's comparison are then `WorkflowSpec`s, so
`diff`'s comparison says what a deploy would change in the words of the file. Every name
the reverse needs was read by the plan already: reading back costs no request."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from deployer.adopt.context import Names
from deployer.adopt.reverse import reverse
from deployer.core.config import Config, Target
from deployer.definitions.document import load_document
from deployer.definitions.model import DatasourceRef, TaskSpec, WorkflowSpec
from deployer.engine.plan import Plan
from deployer.engine.translate import DS_TYPE_KEY


def remote_spec(dag: Mapping[str, Any], schedule: Mapping[str, Any] | None, names: Names,
                config: Config, target: Target) -> WorkflowSpec | None:
    """The spec a file holding exactly the remote workflow would load to; None when the
    dialect cannot say it (a task type it lacks, a literal `$ENV{...}` in a script)."""
    doc, _losses = reverse(dag, names, schedule)
    name = str((dag.get("workflowDefinition") or {}).get("name"))
    return load_document(doc, config=config, target=target, where=f"<{target.name}>/{name}")


def plan_names(plan: Plan) -> Names:
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


def typed(spec: WorkflowSpec, types: Mapping[str, str]) -> WorkflowSpec:
    """Datasource references with the type the target gives them: `datasource_type:` is
    optional in a file, and pull leaves it out when it is the datasource's own, so written
    or not it means the same and must not read as a change."""
    if not types:
        return spec
    tasks = tuple(dataclasses.replace(t, params=_typed_params(t.params, types))
                  if _has_datasource(t) else t for t in spec.tasks)
    return dataclasses.replace(spec, tasks=tasks)


def _has_datasource(task: TaskSpec) -> bool:
    return any(isinstance(task.params.get(k), DatasourceRef) for k in DS_TYPE_KEY)


def _typed_params(params: Mapping[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
    out = dict(params)
    for ref_key, type_key in DS_TYPE_KEY.items():
        ref = out.get(ref_key)
        if isinstance(ref, DatasourceRef):
            kind = (ref.type or out.get(type_key) or types.get(ref.name) or "").upper() or None
            out[ref_key] = DatasourceRef(ref.name, kind)
            out[type_key] = kind
    return out

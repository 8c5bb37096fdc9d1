"""What a plan would change, field by field, in the words of the workflow file; shared
by plan, deploy, status and rollback.

The remote workflow is read back as a file (deployer.adopt.readback) and compared the way
`dagship diff` compares two refs: `~ task load (Shell)`, `~ command:` with a unified diff,
`~ timezone: "Asia/Shanghai" -> "UTC"`. A remote workflow the dialect cannot say gets no
detail, and the plan falls back to its summary (`~1 task`).
"""

from __future__ import annotations

import dataclasses

from deployer.adopt.context import Names
from deployer.adopt.readback import plan_names, remote_spec, typed
from deployer.core.config import Config, Target
from deployer.definitions.model import WorkflowSpec
from deployer.diff.compare import compare_workflow
from deployer.engine.plan import CREATE, DRIFTED, UPDATE, Plan, schedule_online
from deployer.engine.resources import localized


def explain(plan: Plan, config: Config, target: Target) -> Plan:
    """Fill `item.diff` of every workflow the plan creates, updates or finds drifted."""
    names: Names | None = None
    types = {str(d.get("name")): str(d.get("type")) for d in plan.resolver.known_datasources()}
    for item in plan.items:
        if item.spec is None:
            continue
        if item.action == CREATE:
            item.diff = compare_workflow(None, _as_applied(item.spec))
        elif item.action in (UPDATE, DRIFTED) and item.remote is not None:
            names = names or plan_names(plan)
            remote = remote_spec(localized(item.remote, plan.resources), item.remote_schedule,
                                 names, config, target)
            if remote is not None:
                desired = typed(_as_applied(item.spec), types)
                item.diff = compare_workflow(typed(remote, types), desired)
    return plan


def _as_applied(spec: WorkflowSpec) -> WorkflowSpec:
    """The spec with the schedule state the deploy will really set: a schedule stays offline
    while its workflow is (`online_schedule` defaults to true, so comparing the file's value
    would show a change the apply never makes)."""
    if spec.schedule is None:
        return spec
    schedule = dataclasses.replace(spec.schedule, online=schedule_online(spec))
    return dataclasses.replace(spec, schedule=schedule)

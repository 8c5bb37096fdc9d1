"""`dagship destroy --target T`: remove what dagship made in a preview target's project(s).

Only a project carrying dagship's preview mark for this target (deployer.core.preview) is
touched; a production target, and a project someone made by hand, are refused before
anything is sent. In each project: schedules offline, workflows offline, the workflows that
carry dagship's marker deleted (the ones others reference last), then dagship's resource
folder of the project (when dagship.yaml names `resources:`), then the project, if that left
it empty. A workflow dagship did not make is kept, and so are its project and the resource
folder (that workflow may use the files). Running it again finds nothing and says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deployer.client import DSClient
from deployer.client.resources import ResourceCenter
from deployer.core import errors
from deployer.core.config import Config, Target
from deployer.core.preview import parse_mark
from deployer.core.projects import is_preview
from deployer.core.units import units
from deployer.engine import metadata
from deployer.engine.resources import resource_generation
from deployer.engine.session import SessionOptions, setup_logging, target_token
from deployer.output.console import echo


@dataclass(frozen=True, kw_only=True)
class DestroyOptions(SessionOptions):
    dry_run: bool = False
    branch: str | None = None  # the preview's branch; default: the one being built


def client_for(target: Target, env: Mapping[str, str]) -> DSClient:
    return DSClient.from_target(target, target_token(target, env))


def refuse_production(target: Target) -> None:
    if target.production:
        raise errors.DeployRefused(f"target {target.name!r} is a production target; dagship "
                                   "destroys only preview projects, nothing was sent")


def destroy_command(config: Config, options: DestroyOptions,
                    env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    setup_logging(options.verbose)
    if options.target is None:
        raise errors.UsageError("name the target to destroy with --target")
    target = config.target(options.target)
    refuse_production(target)
    if not is_preview(target.project):
        raise errors.DeployRefused(
            f"target {target.name!r} is not a preview target (no {{branch}} in "
            f"targets.{target.name}.project); dagship destroys only the projects it made "
            "for a branch, nothing was sent")
    from deployer.commands.across import preview_branch, target_units

    branch = options.branch or preview_branch(target, env, config.root)
    try:  # downstream projects first: their Dependent tasks use the upstream workflows
        names = [u.target.project for u in reversed(target_units(config, target, env, branch))]
    except errors.ValidationFailed:  # the files need not be valid to remove what was made
        names = [u.target.project for u in units(config, target, branch)]
    with client_for(target, env) as c:
        for name in names:
            destroy_project(c, name, target, dry_run=options.dry_run,
                            resources=bool(config.resources))
    return errors.EXIT_OK


def destroy_project(c: DSClient, name: str, preview: Target, *, dry_run: bool,
                    resources: bool) -> bool:
    """Destroy preview project `name` of target `preview`; True when it is gone (or never
    was). `resources`: dagship.yaml names resource folders, so dagship's folder of the
    project is removed too."""
    target = preview.name
    found = c.find_project(name)
    if found is None:
        # a project with no workflows in Git is never created, but its resource folder is
        # (deploy syncs the files for every project): dagship's own folder all the same
        if not (resources and destroy_resources(c, preview, name, dry_run=dry_run)):
            echo(f"dagship: project {name} does not exist; nothing to destroy")
        return True
    mark = parse_mark(found.get("description"))
    if mark is None or mark.target != target:
        raise errors.DeployRefused(
            f"project {name} was not created by dagship for target {target!r} (its description "
            "carries no dagship preview mark of that target); nothing was sent")
    pc = int(found["code"])
    dags = {int(d["workflowDefinition"]["code"]): d for d in c.list_workflows(pc)}
    ours = {code: d for code, d in dags.items()
            if metadata.parse(d["workflowDefinition"].get("description"))[1] is not None}
    kept = sorted(str(d["workflowDefinition"]["name"]) for code, d in dags.items()
                  if code not in ours)
    prefix = "would " if dry_run else ""
    schedules = [s for s in c.list_schedules(pc)
                 if int(s.get("workflowDefinitionCode") or 0) in ours]
    for sched in schedules:
        if sched.get("releaseState") == "ONLINE":
            echo(f"dagship: {prefix}take the schedule of "
                 f"{ours[int(sched['workflowDefinitionCode'])]['workflowDefinition']['name']} "
                 "offline")
            if not dry_run:
                c.set_schedule_state(pc, int(sched["id"]), False)
    for code, dag in ours.items():
        if dag["workflowDefinition"].get("releaseState") == "ONLINE" and not dry_run:
            c.release_workflow(pc, code, "OFFLINE")
    for sched in schedules:
        if not dry_run:
            c.delete_schedule(pc, int(sched["id"]))
    for gone in _referrers_first(list(ours.values())):
        wf = gone["workflowDefinition"]
        echo(f"dagship: {prefix}delete workflow {wf['name']} ({name})")
        if not dry_run:
            c.delete_workflow(pc, int(wf["code"]))
    if kept:
        echo(f"dagship: kept project {name}: {len(kept)} workflow(s) dagship did not make are "
             f"in it ({', '.join(kept)})"
             + ("; its resource folder is kept too (they may use the files)" if resources
                else ""))
        return False
    if resources:
        destroy_resources(c, preview, name, dry_run=dry_run)
    echo(f"dagship: {prefix}delete project {name} (preview of branch {mark.branch})")
    if not dry_run:
        c.delete_project(pc)
    return True


def destroy_resources(c: DSClient, preview: Target, name: str, *, dry_run: bool) -> bool:
    """dagship's resource folder of preview project `name`: its files, then its folders
    deepest first (3.1 refuses to delete a folder that is not empty), then the folder.
    False when there was none."""
    if preview.resource_dir is not None:
        # one folder for every branch's preview: the other previews' workflows use it
        echo(f"dagship: kept resource folder {preview.resource_root}: targets.{preview.name}."
             "resource_dir names one folder for every preview of the target")
        return False
    root = preview._replace(project=name).resource_root
    center = ResourceCenter(c, resource_generation(c, preview, c.generation), root)
    found = center.list()
    top = found.pop("", None)
    if top is None:
        return False  # never uploaded, or removed by an earlier run
    prefix = "would " if dry_run else ""
    for f in sorted(found.values(), key=lambda f: (f.directory, -f.path.count("/"), f.path)):
        echo(f"dagship: {prefix}delete resource {f.path}{'/' if f.directory else ''} "
             f"({root})")
        if not dry_run:
            center.delete(f)
    echo(f"dagship: {prefix}delete resource folder {root}")
    if not dry_run:
        center.delete_folder(top)
    return True


def _referrers_first(dags: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Workflows no other one references go first (the scheduler refuses the others)."""
    left = list(dags)
    out: list[Mapping[str, Any]] = []
    while left:
        free = [d for d in left if not any(
            _mentions(t.get("taskParams"), int(d["workflowDefinition"]["code"]))
            for other in left if other is not d for t in other.get("taskDefinitionList") or [])]
        pick = free or left[:1]  # a cycle: go in listing order
        out += pick
        left = [d for d in left if d not in pick]
    return out


def _mentions(value: Any, code: int) -> bool:
    if isinstance(value, str) and value.startswith(("{", "[")):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            return False
    if isinstance(value, Mapping):
        return any(_mentions(v, code) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, code) for v in value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value) == code
    return isinstance(value, int) and not isinstance(value, bool) and value == code

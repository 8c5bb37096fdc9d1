"""`dagship rollback`: back to a known-good state, two ways.

`--to REF` deploys the definitions as they were at a Git ref (a release tag), through the
usual validate -> plan -> apply with drift handling and reports. The workflows come from
REF (materialised by deployer.definitions.snapshot, with REF's folder layout); the target
(url, token variable, project, variables, api_version) comes from the *current*
dagship.yaml, because it says where to deploy now. The deploy metadata records REF's
commit, so `status` shows which commit runs. Task codes of same-named tasks are kept, as
in any deploy.

`--workflow NAME --version N` uses DolphinScheduler's own version switch for one workflow:
nothing is read from Git. The server's switch writes OFFLINE into the workflow and leaves its
schedule alone, so an ONLINE workflow is first taken offline through the release endpoint
(which also takes the schedule offline), then switched, then released ONLINE again and its
schedule put back online. The switched version carries the marker dagship wrote when it
deployed it, so `status` shows that version's commit; the next deploy from Git replaces it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from deployer.client import DSClient
from deployer.commands.across import across, per_project
from deployer.commands.detail import explain
from deployer.commands.locate import units_naming
from deployer.core import errors
from deployer.core.config import Config
from deployer.core.redact import redact
from deployer.core.targets import select_target
from deployer.definitions.snapshot import snapshot
from deployer.engine import canonical, metadata
from deployer.engine.execute import DeployOptions, execute
from deployer.engine.report import plan_text
from deployer.engine.session import Session, open_session, setup_logging
from deployer.output.console import echo, write_report
from deployer.output.markdown import md_cell, md_code


@dataclass(frozen=True, kw_only=True)
class RollbackOptions(DeployOptions):
    """Either `to` (a Git ref; every DeployOptions field applies) or `workflow` and
    `version` (a stored DolphinScheduler version; dry_run and the reports apply)."""

    to: str | None = None
    workflow: str | None = None
    version: int | None = None


def rollback_command(config: Config, options: RollbackOptions,
                     env: Mapping[str, str] | None = None) -> int:
    if per_project(config) and options.to is None and options.workflow is not None \
            and options.version is not None:  # one workflow: in the project that has it
        return _version_in_its_project(config, options, os.environ if env is None else env)
    if per_project(config):  # several projects, or a preview: once per project
        return across(config, options, os.environ if env is None else env, rollback_command)
    to, workflow, version = options.to, options.workflow, options.version
    env = os.environ if env is None else env
    if to is not None:
        if workflow is not None or version is not None:
            raise errors.UsageError("give either --to REF (a Git ref) or --workflow NAME "
                                    "--version N (a DolphinScheduler version), not both")
        run = open_session(config, options, env)
        return errors.EXIT_OK if run is None else _to_ref(run, to, env, options)
    if workflow is None or version is None:
        raise errors.UsageError("give --to REF to deploy a Git ref, or both --workflow NAME "
                                "and --version N to switch one workflow to a stored version")
    run = open_session(config, options, env)
    return errors.EXIT_OK if run is None else _to_version(run, workflow, version, options)


def _version_in_its_project(config: Config, options: RollbackOptions,
                            env: Mapping[str, str]) -> int:
    setup_logging(options.verbose)
    selection = select_target(config, options.target, env)
    if selection.target is None:  # says why nothing is rolled back
        return across(config, options, env, rollback_command)
    picked = units_naming(config, selection.target, env, (str(options.workflow),),
                          color=options.color)
    (unit, (name,)), = picked  # locate found exactly one, or said why not
    if unit.key is not None:
        echo(f"\n=== project {unit.key}: {unit.target.project} ===")
    return rollback_command(unit.config, dataclasses.replace(
        options, target=unit.target.name, workflow=name), env)


def _to_ref(run: Session, ref: str, env: Mapping[str, str], options: RollbackOptions) -> int:
    worktree = run.config  # its dagship.yaml gives the target: that must be committed too
    with snapshot(run.config, ref) as snap:
        if snap.commit is None:  # a ref always names a commit; for the type checker
            raise errors.UsageError(f"{ref!r} is not a Git ref")
        config_name = run.config.path.name if run.config.path else "dagship.yaml"
        echo(f"dagship: rollback of target {run.target.name} to {ref} (commit "
             f"{snap.short}): workflows as they were at {ref}, target settings "
             f"from the current {config_name}")
        run = dataclasses.replace(run, config=snap.config, commit=snap.commit)
        try:
            specs = run.load_specs(env, shown_as=f"{ref}:")
        except errors.ValidationFailed as exc:
            raise errors.ValidationFailed(f"{exc.message} (the files as they were at "
                                          f"{ref})") from exc
        run.check_committed(allow_dirty=options.allow_dirty, refuse=not options.dry_run,
                            config=worktree)
        plan = explain(run.plan(specs, prune=options.prune, progress=options.progress),
                       run.config, run.target)
        plan.source = f"Rollback to {ref} (commit {snap.commit})"
        echo(plan_text(plan, color=run.color))
        return execute(run, plan, options)


@dataclass
class Switch:
    """What a version rollback of one workflow did (or, with --dry-run, would do)."""

    target: str
    project: str
    workflow: str
    code: int
    from_version: int
    to_version: int
    release_state: str  # before, and restored to after
    schedule_state: str | None  # None: no schedule
    dry_run: bool = False
    steps: list[str] = field(default_factory=list)
    deployed_commit: str | None = None  # the marker of the version switched to
    drift: bool | None = None  # that version differs from its marker (not dagship's deploy)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _find(c: DSClient, run: Session, name: str, version: int) -> tuple[int, Any, Any]:
    project = c.find_project(run.target.project)
    if project is None:
        raise errors.DeployRefused(f"project {run.target.project!r} does not exist on target "
                                   f"{run.target.name!r}; nothing to switch")
    pc = int(project["code"])
    dag = c.get_workflow(pc, name)
    if dag is None:
        raise errors.DeployRefused(f"no workflow {name!r} in project {run.target.project!r} "
                                   f"of target {run.target.name!r}")
    known = sorted(int(r["version"]) for r in c.list_versions(pc, int(
        dag["workflowDefinition"]["code"])))
    if version not in known:
        shown = ", ".join(str(v) for v in known[-20:])
        raise errors.DeployRefused(f"workflow {name!r} has no version {version}; stored "
                                   f"versions: {shown or 'none'}")
    return pc, dag, c.find_schedule(pc, int(dag["workflowDefinition"]["code"]))


def _to_version(run: Session, name: str, version: int, options: RollbackOptions) -> int:
    dry_run = options.dry_run
    c = run.client()
    try:
        with run.target_named():
            pc, dag, sched = _find(c, run, name, version)
            wf = dag["workflowDefinition"]
            sw = Switch(run.target.name, run.target.project, name, int(wf["code"]),
                        int(wf["version"]), version, str(wf.get("releaseState") or "OFFLINE"),
                        str(sched.get("releaseState") or "OFFLINE") if sched else None,
                        dry_run=dry_run)
            if sw.from_version != version and not dry_run:
                _switch(c, pc, sw, int(sched["id"]) if sched else None)
            _describe(c, pc, sw)
    finally:
        c.close()
    _echo_switch(sw)
    if options.json_path:
        write_report(options.json_path,
                     redact(json.dumps(sw.as_dict(), indent=2, sort_keys=True)) + "\n")
    if options.markdown_path:
        write_report(options.markdown_path, _markdown(sw))
    if sw.error:
        raise errors.PartialDeploy(sw.error)
    return errors.EXIT_OK


def _switch(c: DSClient, pc: int, sw: Switch, sched_id: int | None) -> None:
    """offline -> switch -> online -> schedule online; a failure after the switch is
    recorded in `sw.error` (the version did change), one before it restores the state."""
    online = sw.release_state == "ONLINE"
    if online:
        c.release_workflow(pc, sw.code, "OFFLINE")
        sw.steps.append("offline")
    try:
        c.switch_version(pc, sw.code, sw.to_version)
    except errors.ApiError:
        if online:  # put it back as it was before re-raising
            _restore(c, pc, sw, sched_id)
        raise
    sw.steps.append(f"switched to version {sw.to_version}")
    try:
        _restore(c, pc, sw, sched_id)
    except errors.ApiError as exc:
        sw.error = (f"workflow {sw.workflow!r} was switched to version {sw.to_version} but "
                    f"could not be put back {sw.release_state}: [{exc.code}] {exc.message}; "
                    "it is OFFLINE now")


def _restore(c: DSClient, pc: int, sw: Switch, sched_id: int | None) -> None:
    if sw.release_state == "ONLINE":
        c.release_workflow(pc, sw.code, "ONLINE")
        sw.steps.append("online")
        if sched_id is not None and sw.schedule_state == "ONLINE":
            c.set_schedule_state(pc, sched_id, True)
            sw.steps.append("schedule online")


def _describe(c: DSClient, pc: int, sw: Switch) -> None:
    """The marker of the version now current (dry run: of the version it would switch to)."""
    if sw.dry_run:
        row = next((r for r in c.list_versions(pc, sw.code)
                    if int(r["version"]) == sw.to_version), {})
        meta = metadata.parse(row.get("description"))[1]
        sw.deployed_commit = meta.commit if meta else None
        return
    dag = c.get_workflow(pc, sw.workflow)
    if dag is None:
        return
    meta = metadata.parse(dag["workflowDefinition"].get("description"))[1]
    sw.deployed_commit = meta.commit if meta else None
    if meta is not None:
        sw.drift = meta.digest != canonical.digest(canonical.from_dag(dag))


def _echo_switch(sw: Switch) -> None:
    head = (f"Target {sw.target}: project {sw.project}, workflow {sw.workflow} "
            f"(code {sw.code})")
    lines = [head]
    if sw.from_version == sw.to_version:
        lines.append(f"  already at version {sw.to_version}; nothing to do")
    elif sw.dry_run:
        plan = (["offline"] if sw.release_state == "ONLINE" else []) + [
            f"switch to version {sw.to_version}"]
        if sw.release_state == "ONLINE":
            plan.append("online")
            if sw.schedule_state == "ONLINE":
                plan.append("schedule online")
        lines.append(f"  would switch version {sw.from_version} -> {sw.to_version}: "
                     + ", ".join(plan) + " (dry run, nothing sent)")
    else:
        lines.append(f"  version {sw.from_version} -> {sw.to_version}: {', '.join(sw.steps)}")
    if sw.deployed_commit:
        lines.append(f"  version {sw.to_version} was deployed by dagship from commit "
                     f"{sw.deployed_commit}")
    else:
        lines.append(f"  version {sw.to_version} carries no dagship marker (not deployed by "
                     "dagship)")
    if sw.drift:
        lines.append("  it differs from what its marker records (edited in the UI): `plan` "
                     "will report it as drift")
    if sw.from_version != sw.to_version and not sw.dry_run:
        lines.append("  note: Git is unchanged; the next deploy puts Git's definition back "
                     "(revert in Git, or use `rollback --to REF`, to make it stick)")
    if sw.error:
        lines.append(f"  error: {sw.error}")
    echo("\n".join(lines))


def _markdown(sw: Switch) -> str:
    rows = [("Workflow", md_code(sw.workflow)), ("Version", f"{sw.from_version} → "
            f"{sw.to_version}"), ("Steps", md_cell(", ".join(sw.steps) or
                                                     ("dry run" if sw.dry_run else "none"))),
            ("Release state", sw.release_state), ("Schedule", sw.schedule_state or "none"),
            ("Deployed commit", sw.deployed_commit or "not deployed by dagship")]
    out = [f"### dagship rollback: {md_cell(sw.target)} ({md_cell(sw.project)})", "",
           "| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows), ""]
    if sw.error:
        out += [f"**Error**: {md_cell(sw.error)}", ""]
    return redact("\n".join(out))

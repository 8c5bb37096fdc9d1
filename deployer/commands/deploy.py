"""`dagship plan` and `dagship deploy`: validate, plan against the target, (deploy:) apply.

A plan on a merge request is planned against the target of the branch it merges into, so
it shows what merging would deploy; a deploy never does that. A plan never sends a write.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass

from deployer.commands.across import across, per_project
from deployer.commands.detail import explain
from deployer.commands.locate import projects_of
from deployer.commands.run import RunSpec, run_workflows
from deployer.core import errors
from deployer.core.config import Config, Target
from deployer.core.targets import select_target
from deployer.engine.execute import DeployOptions as ApplyOptions
from deployer.engine.execute import cycle_refusal, execute, write_reports
from deployer.engine.plan import Plan
from deployer.engine.report import plan_text
from deployer.engine.session import ReportOptions, Session, open_session, session_for
from deployer.output.console import echo

__all__ = ["DeployOptions", "PlanOptions", "deploy_command", "plan_command"]


@dataclass(frozen=True, kw_only=True)
class PlanOptions(ReportOptions):
    on_drift: str = "fail"  # fail: say that `deploy` would refuse the drifted workflows
    prune: bool = False  # plan deletes of dagship-managed workflows gone from Git
    # terraform's -detailed-exitcode: 0 no changes, 2 changes pending, 1 any error
    detailed_exitcode: bool = False


@dataclass(frozen=True, kw_only=True)
class DeployOptions(ApplyOptions):
    """`deploy`: what rollback --to shares (ApplyOptions), and the smoke run after it."""

    smoke: bool = False  # then run the target's `smoke:` (deployer.commands.run)
    # the same, and a target without `smoke:` is only deployed (the CI templates' staging
    # deploy: a repository without smoke runs keeps working)
    smoke_if_configured: bool = False
    smoke_junit: str | None = None  # the smoke run's JUnit report
    smoke_markdown: str | None = None  # ... and its Markdown summary


def _planned(config: Config, options: ReportOptions, prune: bool, env: Mapping[str, str],
             *, merge_request: bool = False, refuse_dirty: bool = False,
             allow_dirty: bool = False) -> tuple[Session, Plan] | None:
    """The shared first half of plan and deploy: validate, check that what would be
    shipped is committed (a deploy refuses it otherwise), plan, show the plan."""
    session = open_session(config, options, env, merge_request=merge_request)
    if session is None:
        return None
    specs = session.load_specs(env)
    session.check_committed(allow_dirty=allow_dirty, refuse=refuse_dirty)
    plan = explain(session.plan(specs, prune=prune, progress=options.progress),
                   session.config, session.target)
    echo(plan_text(plan, color=session.color))
    return session, plan


def plan_command(config: Config, options: PlanOptions,
                 env: Mapping[str, str] | None = None) -> int:
    """0; with `detailed_exitcode` as terraform's: 0 nothing to do, 2 changes pending, and
    1 for every error (so 2 never means the usage error it means otherwise)."""
    if per_project(config):  # several projects, or a preview: once per project
        return across(config, options, os.environ if env is None else env, plan_command,
                      merge_request=True)
    if not options.detailed_exitcode:
        _plan(config, options, env)
        return errors.EXIT_OK
    try:
        done = _plan(config, options, env)
    except errors.DagshipError as exc:
        exc.exit_code = errors.EXIT_FINDINGS
        raise
    return errors.EXIT_CHANGES if done == errors.EXIT_CHANGES else errors.EXIT_OK


def _plan(config: Config, options: PlanOptions, env: Mapping[str, str] | None) -> int:
    env = os.environ if env is None else env
    planned = _planned(config, options, options.prune, env, merge_request=True)
    if planned is None:
        return errors.EXIT_OK
    _session, plan = planned
    write_reports(plan, None, options, dry_run=True)
    if plan.cycles:  # no option lets a deploy past it: the plan itself fails
        raise cycle_refusal(plan)
    if plan.drifted and options.on_drift == "fail":
        echo(f"dagship: {len(plan.drifted)} drifted workflow(s); `deploy` would refuse "
             "without --on-drift overwrite|skip", err=True)
    return errors.EXIT_CHANGES if plan.has_changes() else errors.EXIT_OK


def deploy_command(config: Config, options: DeployOptions,
                   env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    if per_project(config):  # several projects, or a preview: once per project
        return _deploy_projects(config, options, env)
    planned = _planned(config, options, options.prune, env, refuse_dirty=not options.dry_run,
                       allow_dirty=options.allow_dirty)
    if planned is None:
        return errors.EXIT_OK
    session, plan = planned
    _need_smoke(session.target, options)
    return _smoke(session, options, execute(session, plan, options))


def _deploy_projects(config: Config, options: DeployOptions, env: Mapping[str, str]) -> int:
    """Every project deployed, then one smoke run: its workflows are looked up across the
    projects (a smoke run in each project would look for all of them in each)."""
    selection = select_target(config, options.target, env)
    if not (options.smoke or options.smoke_if_configured) or selection.target is None:
        return across(config, options, env, deploy_command)
    target = selection.target
    _need_smoke(target, options)
    code = across(config, dataclasses.replace(options, smoke=False, smoke_if_configured=False),
                  env, deploy_command)
    session = session_for(config, target, env, color=options.color)
    return _smoke(session, options, code, projects_of(config, target, env))


def _need_smoke(target: Target, options: DeployOptions) -> None:
    if options.smoke and target.smoke is None:
        raise errors.ConfigError(
            f"deploy --smoke: target {target.name!r} has no `smoke:` (add "
            f"targets.{target.name}.smoke.workflows to dagship.yaml); nothing was sent")


def _smoke(session: Session, options: DeployOptions, code: int,
           projects: Mapping[str, str] | None = None) -> int:
    """The target's smoke run after a successful apply, when asked for."""
    smoke = session.target.smoke
    wanted = options.smoke or options.smoke_if_configured
    if wanted and smoke is None:
        echo(f"dagship: no smoke run: targets.{session.target.name}.smoke is not configured "
             "(docs/runs.md)", err=True)
    if not wanted or options.dry_run or code != errors.EXIT_OK or smoke is None:
        return code
    # After a no-op deploy too: the smoke run checks what the target runs, changed or not.
    echo(f"dagship: smoke run of {', '.join(smoke.workflows)} on {session.target.name}"
         f"{' (dry run)' if smoke.dry_run else ''}, timeout {smoke.timeout:g} s", err=True)
    return run_workflows(session, RunSpec(
        workflows=smoke.workflows, timeout=smoke.timeout, params=dict(smoke.params),
        dry_run=smoke.dry_run, progress=options.progress, poll=smoke.poll,
        junit_path=options.smoke_junit, markdown_path=options.smoke_markdown),
        projects=projects)

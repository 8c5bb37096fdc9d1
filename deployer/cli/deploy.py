"""The commands that plan against a target: plan, deploy, status, rollback. Each click
callback turns its options into the command's typed options object and runs the command."""

from __future__ import annotations

import sys

import click
from click.core import ParameterSource

from deployer.cli.params import ON_DRIFT, PARALLEL, common_options, report_options
from deployer.core.config import load_config
from deployer.output.tty import use_color


@click.command("plan")
@report_options
@click.option("--on-drift", type=ON_DRIFT, default="fail", show_default=True,
              help="fail: also say that `deploy` would refuse the drifted workflows.")
@click.option("--prune", is_flag=True, help="Plan deletes of dagship-managed workflows gone "
              "from Git.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 when nothing would change, 2 when changes are pending, 1 on any "
                   "error (as terraform plan -detailed-exitcode).")
@common_options
def plan_cmd(*, target: str | None, json_path: str | None, markdown_path: str | None,
             verbose: bool, progress: bool | None, on_drift: str, prune: bool,
             detailed_exitcode: bool, config_path: str | None, color: bool | None) -> int:
    """Compare Git with the live scheduler: create / update / unchanged / drifted / delete."""
    from deployer.commands.deploy import PlanOptions, plan_command

    return plan_command(load_config(config_path), PlanOptions(
        target=target, json_path=json_path, markdown_path=markdown_path, verbose=verbose,
        progress=progress, on_drift=on_drift, prune=prune, detailed_exitcode=detailed_exitcode,
        color=use_color(color, sys.stdout)))


@click.command("deploy")
@report_options
@click.option("--dry-run", is_flag=True, help="Validate and plan, send nothing.")
@click.option("--prune", is_flag=True, help="Delete dagship-managed workflows gone from Git.")
@click.option("--on-drift", type=ON_DRIFT, default="fail", show_default=True,
              help="What to do with workflows edited in the UI since the last deploy.")
@click.option("--parallel", type=PARALLEL, default=4, show_default=True,
              help="Workflows applied at once (dependencies still go first).")
@click.option("--allow-dirty", is_flag=True,
              help="Deploy even when the files it ships differ from HEAD; the markers then "
                   "record <commit>+dirty.")
@click.option("--smoke", is_flag=True, help="After a successful deploy, run the target's "
              "`smoke:` workflows and wait for them (exit 6/7/8 when they fail).")
@click.option("--smoke-if-configured", is_flag=True, help="As --smoke, but a target without "
              "`smoke:` is just deployed (what the CI templates' staging deploy passes).")
@click.option("--smoke-junit", type=click.Path(dir_okay=False), default=None,
              help="Write the smoke run's JUnit report (one testcase per task) here.")
@click.option("--smoke-markdown", type=click.Path(dir_okay=False), default=None,
              help="Write the smoke run's Markdown summary here.")
@common_options
def deploy_cmd(*, target: str | None, json_path: str | None, markdown_path: str | None,
               verbose: bool, progress: bool | None, dry_run: bool, prune: bool,
               on_drift: str, parallel: int, allow_dirty: bool, smoke: bool,
               smoke_if_configured: bool, smoke_junit: str | None,
               smoke_markdown: str | None, config_path: str | None,
               color: bool | None) -> int:
    """Validate every file, plan against the scheduler, then apply the plan."""
    from deployer.commands.deploy import DeployOptions, deploy_command

    return deploy_command(load_config(config_path), DeployOptions(
        target=target, json_path=json_path, markdown_path=markdown_path, verbose=verbose,
        progress=progress, dry_run=dry_run, prune=prune, on_drift=on_drift, parallel=parallel,
        allow_dirty=allow_dirty, smoke=smoke, smoke_if_configured=smoke_if_configured,
        smoke_junit=smoke_junit, smoke_markdown=smoke_markdown,
        color=use_color(color, sys.stdout)))


@click.command("status")
@report_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="What is printed on stdout.")
@common_options
def status_cmd(*, target: str | None, json_path: str | None, markdown_path: str | None,
               verbose: bool, progress: bool | None, fmt: str, config_path: str | None,
               color: bool | None) -> int:
    """Per workflow: deployed commit, digests (Git / marker / remote), release state,
    schedule and its state, drift."""
    from deployer.commands.status import StatusOptions, status_command

    return status_command(load_config(config_path), StatusOptions(
        target=target, json_path=json_path, markdown_path=markdown_path, verbose=verbose,
        progress=progress, fmt=fmt, color=use_color(color, sys.stdout)))


# Options that only a rollback to a Git ref uses (it plans and applies like a deploy).
_REF_ONLY = ("prune", "on_drift", "parallel", "progress", "allow_dirty")


@click.command("rollback")
@report_options
@click.option("--to", "to", default=None, metavar="REF",
              help="Deploy the workflow definitions as they were at this Git ref (a tag).")
@click.option("--workflow", default=None, metavar="NAME",
              help="With --version: switch this one workflow to a stored DolphinScheduler "
                   "version.")
@click.option("--version", "version", type=click.IntRange(1), default=None, metavar="N",
              help="The DolphinScheduler version of --workflow to switch to.")
@click.option("--dry-run", is_flag=True, help="Validate and plan, send nothing.")
@click.option("--prune", is_flag=True, help="--to: delete dagship-managed workflows the ref "
              "does not define.")
@click.option("--on-drift", type=ON_DRIFT, default="fail", show_default=True,
              help="--to: what to do with workflows edited in the UI.")
@click.option("--parallel", type=PARALLEL, default=4, show_default=True,
              help="--to: workflows applied at once.")
@click.option("--allow-dirty", is_flag=True,
              help="--to: deploy even when dagship.yaml's target settings differ from HEAD; "
                   "the markers then record <commit>+dirty.")
@common_options
@click.pass_context
def rollback_cmd(ctx: click.Context, *, target: str | None, to: str | None,
                 workflow: str | None, version: int | None, json_path: str | None,
                 markdown_path: str | None, verbose: bool, progress: bool | None,
                 dry_run: bool, prune: bool, on_drift: str, parallel: int, allow_dirty: bool,
                 config_path: str | None, color: bool | None) -> int:
    """Deploy the definitions of a Git ref (--to REF), or switch one workflow to a stored
    DolphinScheduler version (--workflow NAME --version N), restoring its release state.

    With --to, the workflows come from REF and the target settings from the current
    dagship.yaml; the deploy metadata records REF's commit.
    """
    from deployer.commands.rollback import RollbackOptions, rollback_command

    given = [p for p in ctx.command.params if p.name in _REF_ONLY
             and ctx.get_parameter_source(p.name) is not ParameterSource.DEFAULT]
    if to is None and given:
        flags = ", ".join("/".join(p.opts + p.secondary_opts) for p in given)
        raise click.UsageError(f"{flags}: only a rollback --to REF plans and applies; a "
                               "--workflow/--version switch takes --dry-run and the reports")
    return rollback_command(load_config(config_path), RollbackOptions(
        target=target, to=to, workflow=workflow, version=version, json_path=json_path,
        markdown_path=markdown_path, verbose=verbose, progress=progress, dry_run=dry_run,
        prune=prune, on_drift=on_drift, parallel=parallel, allow_dirty=allow_dirty,
        color=use_color(color, sys.stdout)))

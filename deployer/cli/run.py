"""`dagship run`: start deployed workflows on a target and (with --wait) follow them."""

from __future__ import annotations

import sys

import click

from deployer.cli.params import common_options, verbose_option
from deployer.core.config import load_config
from deployer.output.tty import use_color


@click.command("run")
@click.argument("workflows", nargs=-1, required=True)
@click.option("--target", "-t", default=None, envvar="DAGSHIP_TARGET", show_envvar=True,
              help="Target of dagship.yaml (default: chosen from the CI branch).")
@click.option("--wait", is_flag=True, help="Follow the instances and their tasks until they "
              "end; the exit code says how they ended.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Stop waiting after this long (implies --wait); exit 8, "
              "the instances are left running.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A start parameter (startParams); repeatable.")
@click.option("--dry-run", is_flag=True, help="DolphinScheduler's dry run: the DAG goes "
              "through the master, no task body runs.")
@click.option("--test", "test_flag", is_flag=True, help="Start with the test flag (3.2+: "
              "tasks use the test data sources).")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), default=None,
              help="With --wait: write a JUnit report (one testcase per task).")
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False), default=None,
              help="With --wait: write a Markdown summary (a CI job summary).")
@click.option("--poll", type=click.FloatRange(min=0.05), default=2.0, show_default=True,
              metavar="SECONDS", help="Seconds between two looks at the instances.")
@click.option("--progress/--no-progress", default=None,
              help="A redrawn status line (default: only in a terminal; CI gets one line "
                   "per state change).")
@verbose_option
@common_options
def run_cmd(*, workflows: tuple[str, ...], target: str | None, wait: bool,
            timeout: float | None, params: tuple[str, ...], dry_run: bool, test_flag: bool,
            junit_path: str | None, markdown_path: str | None, poll: float,
            progress: bool | None, verbose: bool, config_path: str | None,
            color: bool | None) -> int:
    """Start deployed WORKFLOWS on the target; with --wait, follow them to the end.

    Exit codes: 0 success, 6 an instance failed, 7 one was stopped/killed, 8 --timeout.
    """
    from deployer.commands.run import RunOptions, RunSpec, parse_params, run_command

    if (junit_path or markdown_path) and not (wait or timeout):
        raise click.UsageError("--junit/--markdown report a finished run: add --wait")
    spec = RunSpec(workflows=workflows, wait=wait or timeout is not None, timeout=timeout,
                   params=parse_params(params), dry_run=dry_run, test_flag=test_flag,
                   poll=poll, junit_path=junit_path, markdown_path=markdown_path,
                   progress=progress)
    return run_command(load_config(config_path), RunOptions(
        target=target, verbose=verbose, color=use_color(color, sys.stdout), spec=spec))

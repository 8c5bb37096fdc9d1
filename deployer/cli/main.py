"""The `dagship` command line: a thin click layer over the plain functions of
`deployer.commands` and `hooks`.

Each click callback builds its command's typed options and runs it; the command's module is
imported only then, so `dagship branch` (run on every commit) never pays for requests,
tenacity or ruamel.yaml. All errors meet one boundary, `main`, which maps them to the exit
codes of `deployer.core.errors` and never shows a traceback for an expected failure. click
is imported nowhere else.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from deployer import __version__
from deployer.cli import adopt, deploy, hooks, previews, run
from deployer.cli.params import common_options
from deployer.core import errors
from deployer.core.boundary import guarded
from deployer.core.config import load_config
from deployer.output.tty import use_color


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dagship")
def cli() -> None:
    """Git-driven DataOps for Apache DolphinScheduler: lint, plan and deploy workflows."""


@click.command("diff")
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--target", "-t", default=None,
              help="Without BASE: compare with the merge base of the branch this target "
                   "deploys from.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="What is printed.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the diff as JSON to this file.")
@click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False), default=None,
              help="Also write Markdown with Mermaid graphs (MR comment, job summary).")
@click.option("--rename", "renames", multiple=True, metavar="OLD=NEW",
              help="Compare workflow OLD at BASE with NEW at HEAD as one renamed workflow "
                   "(repeatable; default: removed + added).")
@click.option("--exit-code", is_flag=True, help="Exit 1 when any workflow differs.")
@common_options
def diff_cmd(*, base: str | None, head: str | None, target: str | None, fmt: str,
             json_path: str | None, markdown_path: str | None, renames: tuple[str, ...],
             exit_code: bool, config_path: str | None, color: bool | None) -> int:
    """Semantic diff of workflow definitions between two Git refs.

    BASE defaults to the merge base with the branch a merge request targets (CI variables)
    or with the branch --target deploys from; HEAD defaults to the working tree.
    """
    from deployer.commands.diff import DiffOptions, diff_command

    return diff_command(load_config(config_path), DiffOptions(
        base=base, head=head, target=target, fmt=fmt, json_path=json_path,
        markdown_path=markdown_path, renames=renames, exit_code=exit_code,
        color=use_color(color, sys.stdout)))


@click.command("init")
@click.option("--ci", type=click.Choice(["github", "gitlab", "jenkins"]), default=None,
              help="Also write the CI files of this CI (a copy of ci-templates/ and the "
                   "lines that call it).")
@click.option("--force", is_flag=True, help="Overwrite files that exist with other content.")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".",
              show_default=True, help="The data repository to scaffold.")
@click.option("--hooks-repo", "hooks_repo", metavar="URL[@REV]", default=None,
              help="The Git repository (and tag or commit; default: this version's release "
                   "tag) the hooks and CI files install dagship from. Default: where this "
                   "dagship was installed from.")
def init_cmd(*, ci: str | None, force: bool, directory: str, hooks_repo: str | None) -> int:
    """Scaffold dagship.yaml, the pre-commit hooks, an example workflow and a CI file.

    The hooks and CI files install the dagship this one was installed from (pip's record of
    `pip install git+URL@REF`). Idempotent: files already there are left alone unless --force.
    """
    from deployer.commands.init import InitOptions, init_command

    return init_command(InitOptions(directory=directory, ci=ci, force=force,
                                    hooks_repo=hooks_repo))


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=12345, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--token", default=None, help="Accept this access token (default: a new one).")
@click.option("--api-version", type=click.Choice(["3.1", "3.2", "3.3", "3.4"]), default="3.3",
              show_default=True, help="Which DolphinScheduler API generation to speak.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), default=None,
              help="Keep the state in this JSON file across restarts.")
@click.option("--datasource", "datasources", multiple=True, metavar="NAME:TYPE",
              help="Seed a datasource (repeatable), e.g. pg_staging:POSTGRESQL.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0.0,
              help="Share of requests answered with 502/503/429 or a dropped connection.")
@click.option("--latency", type=float, default=0.0, help="Seconds added to every answer.")
@click.option("--seed", type=int, default=None, help="Seed of the fault mode's randomness.")
@click.option("--execute", is_flag=True, help="Started workflows really run their Shell and "
              "Python tasks (in a temporary folder); without it the outcome is read from "
              "each script (docs/runs.md).")
@click.option("--task-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, metavar="SECONDS",
              help="--execute: kill a task after this long (unless it sets a timeout).")
def sandbox_cmd(*, host: str, port: int, token: str | None, api_version: str,
                state_path: str | None, datasources: tuple[str, ...], fault_rate: float,
                latency: float, seed: int | None, execute: bool, task_timeout: float) -> int:
    """Run the embedded DolphinScheduler-compatible API on localhost."""
    from deployer.commands.sandbox import SandboxOptions, serve_command

    return serve_command(SandboxOptions(
        host=host, port=port, token=token, api_version=api_version, state_path=state_path,
        datasources=datasources, fault_rate=fault_rate, latency=latency, seed=seed,
        execute=execute, task_timeout=task_timeout))


# What `dagship --help` lists: whole sentences that fit beside the names on a 60-column
# terminal (click cuts a longer first sentence of the docstring with "...").
SUMMARIES = {
    "lint": "Validate workflow files.",
    "commit-msg": "Lint a commit message (hook) or a range.",
    "branch": "Check branch names and protected branches.",
    "plan": "Show what a deploy would change.",
    "deploy": "Validate, plan and apply to the scheduler.",
    "status": "Which commit runs where; drift; schedules.",
    "rollback": "Deploy a Git ref, or switch to a version.",
    "diff": "Semantic diff of workflows between refs.",
    "init": "Scaffold a data repository.",
    "pull": "Write a target's workflows into Git.",
    "convert": "Turn a DolphinScheduler export into YAML.",
    "fmt": "Format workflow YAML files canonically.",
    "sandbox": "Run the embedded DolphinScheduler API.",
    "run": "Start deployed workflows; --wait follows them.",
    "destroy": "Remove a branch's preview project.",
    "previews": "List preview projects; remove stale ones.",
}

for _command in (hooks.lint_cmd, hooks.commit_msg_cmd, hooks.branch_cmd, deploy.plan_cmd,
                 deploy.deploy_cmd, deploy.status_cmd, deploy.rollback_cmd, diff_cmd,
                 init_cmd, adopt.pull_cmd, adopt.convert_cmd, adopt.fmt_cmd, sandbox_cmd,
                 run.run_cmd, previews.destroy_cmd, previews.previews_cmd):
    _command.short_help = SUMMARIES[str(_command.name)]
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the click CLI inside the one error boundary (`deployer.core.boundary.guarded`)."""

    def run() -> int:
        try:
            code = cli.main(args=list(argv) if argv is not None else None, prog_name="dagship",
                            standalone_mode=False)
        except click.exceptions.Abort:
            raise KeyboardInterrupt from None
        except click.ClickException as exc:
            exc.show()
            return errors.EXIT_USAGE
        return code if isinstance(code, int) else errors.EXIT_OK

    return guarded(run)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

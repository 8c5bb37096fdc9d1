"""The `dagship` command line: a thin click layer over plain functions.

Each command imports what it needs only when it runs, so `dagship commit-msg`
(run on every commit) never pays for requests, tenacity or the YAML model.
All errors meet one boundary, `main`, which maps them to the exit codes of
`deployer.errors` and never shows a traceback for an expected failure.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from deployer import __version__

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = click.Choice(["text", "json", "github"])
FORMAT_HELP = ("How findings are printed (default: github on GitHub Actions, where they become "
               "annotations; text elsewhere).")


def _format(fmt: str | None) -> str:
    """An explicit --format wins; else the CI we run in chooses (deployer.ci)."""
    if fmt is not None:
        return fmt
    import os

    from deployer.ci import default_format

    return default_format(os.environ)


def common_options(func: F) -> F:
    func = click.option(
        "--color/--no-color", default=None,
        help="Colour the output (default: only when writing to a terminal).",
    )(func)
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), default=None,
        envvar="DAGSHIP_CONFIG", show_envvar=True,
        help="Path to dagship.yaml (default: found by walking up from the working directory).",
    )(func)


def _color(flag: bool | None, stream: Any = None) -> bool:
    if flag is not None:
        return flag
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dagship")
def cli() -> None:
    """Git-driven DataOps for Apache DolphinScheduler: lint, plan and deploy workflows."""


@cli.command("lint")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=FORMATS, default=None, help=FORMAT_HELP)
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a JUnit XML report to this file.")
@click.option("--codequality", "codequality_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a GitLab Code Quality report to this file.")
@common_options
def lint_cmd(paths: tuple[str, ...], fmt: str | None, junit_path: str | None,
             codequality_path: str | None, config_path: str | None, color: bool | None) -> None:
    """Validate workflow files (default: every file of the configured folders).

    Cross-file checks (unique names, sub-workflow and dependent references) always
    see the whole repository, even when only some files are named.
    """
    from deployer.config import load_config
    from hooks.lint import run_lint

    config = load_config(config_path)
    code = run_lint(config, list(paths), fmt=_format(fmt), junit_path=junit_path,
                    codequality_path=codequality_path, color=_color(color))
    sys.exit(code)


@cli.command("commit-msg")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--range", "rev_range", default=None, metavar="A..B|auto",
              help="Lint every commit of a git revision range instead of a message file; "
                   "`auto`: the commits of the merge request or push CI is building.")
@click.option("--format", "fmt", type=FORMATS, default=None, help=FORMAT_HELP)
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a JUnit XML report to this file.")
@click.option("--allow-autosquash/--no-allow-autosquash", default=None,
              help="Accept fixup!/squash!/amend! messages "
                   "(default: yes for a file, no for --range).")
@common_options
def commit_msg_cmd(file: str | None, rev_range: str | None, fmt: str | None,
                   junit_path: str | None,
                   allow_autosquash: bool | None, config_path: str | None,
                   color: bool | None) -> None:
    """Lint a commit message file (commit-msg hook) or every commit in a range (CI)."""
    from deployer.config import load_config
    from hooks.commit_msg import run_commit_msg

    if (file is None) == (rev_range is None):
        raise click.UsageError("give either a message FILE or --range A..B")
    config = load_config(config_path)
    if rev_range == "auto":
        import os

        from deployer.ci import commit_range

        rev_range = commit_range(os.environ)
    code = run_commit_msg(config, file=file, rev_range=rev_range, fmt=_format(fmt),
                          junit_path=junit_path,
                          allow_autosquash=allow_autosquash, color=_color(color, sys.stderr))
    sys.exit(code)


@cli.command("branch")
@click.option("--pre-push", is_flag=True,
              help="Check the branches being pushed (reads git's pre-push input) instead of "
                   "the checked-out branch.")
@click.option("--name", "branch_name", default=None, help="Check this name instead of asking git.")
@common_options
def branch_cmd(pre_push: bool, branch_name: str | None, config_path: str | None,
               color: bool | None) -> None:
    """Branch naming pattern and protected branches (no direct commits on main/develop)."""
    from deployer.config import load_config
    from hooks.branch import run_branch

    config = load_config(config_path)
    sys.exit(run_branch(config, pre_push=pre_push, branch_name=branch_name,
                        color=_color(color, sys.stderr)))


def deploy_options(func: F) -> F:
    func = click.option("--target", "-t", default=None, envvar="DAGSHIP_TARGET",
                        show_envvar=True,
                        help="Target of dagship.yaml (default: chosen from the CI branch; "
                             "a merge request plans against its target branch's).")(func)
    func = click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
                        help="Write the plan/result as JSON to this file.")(func)
    func = click.option("--markdown", "markdown_path", type=click.Path(dir_okay=False),
                        default=None,
                        help="Write a Markdown report (PR comment, job summary) "
                             "to this file.")(func)
    func = click.option("--verbose", "-v", is_flag=True, help="Log every HTTP request.")(func)
    return click.option("--progress/--no-progress", default=None,
                        help="Progress bar (default: only in a terminal; CI gets one line "
                             "per workflow).")(func)


@cli.command("plan")
@deploy_options
@click.option("--on-drift", type=click.Choice(["fail", "overwrite", "skip"]), default="fail",
              show_default=True, help="How the plan treats workflows edited in the UI.")
@click.option("--prune", is_flag=True, help="Plan deletes of dagship-managed workflows gone "
              "from Git.")
@common_options
def plan_cmd(**options: Any) -> None:
    """Compare Git with the live scheduler: create / update / unchanged / drifted / delete."""
    from deployer.commands import plan_command

    sys.exit(plan_command(**options))


@cli.command("deploy")
@deploy_options
@click.option("--dry-run", is_flag=True, help="Validate and plan, send nothing.")
@click.option("--prune", is_flag=True, help="Delete dagship-managed workflows gone from Git.")
@click.option("--on-drift", type=click.Choice(["fail", "overwrite", "skip"]), default="fail",
              show_default=True, help="What to do with workflows edited in the UI since the "
              "last deploy.")
@click.option("--parallel", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Workflows applied at once (dependencies still go first).")
@click.option("--allow-dirty", is_flag=True,
              help="Deploy even when the files it ships differ from HEAD; the markers then "
                   "record <commit>+dirty.")
@common_options
def deploy_cmd(**options: Any) -> None:
    """Validate every file, plan against the scheduler, then apply the plan."""
    from deployer.commands import deploy_command

    sys.exit(deploy_command(**options))


@cli.command("status")
@deploy_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="What is printed on stdout.")
@common_options
def status_cmd(**options: Any) -> None:
    """Per workflow: deployed commit, digests (Git / marker / remote), release state,
    schedule and its state, drift."""
    from deployer.status import status_command

    sys.exit(status_command(**options))


@cli.command("rollback")
@deploy_options
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
@click.option("--on-drift", type=click.Choice(["fail", "overwrite", "skip"]), default="fail",
              show_default=True, help="--to: what to do with workflows edited in the UI.")
@click.option("--parallel", type=click.IntRange(1, 64), default=4, show_default=True,
              help="--to: workflows applied at once.")
@click.option("--allow-dirty", is_flag=True,
              help="--to: deploy even when dagship.yaml's target settings differ from HEAD; "
                   "the markers then record <commit>+dirty.")
@common_options
def rollback_cmd(**options: Any) -> None:
    """Deploy the definitions of a Git ref (--to REF), or switch one workflow to a stored
    DolphinScheduler version (--workflow NAME --version N), restoring its release state.

    With --to, the workflows come from REF and the target settings from the current
    dagship.yaml; the deploy metadata records REF's commit.
    """
    from deployer.rollback import rollback_command

    sys.exit(rollback_command(**options))


@cli.command("diff")
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
def diff_cmd(**options: Any) -> None:
    """Semantic diff of workflow definitions between two Git refs.

    BASE defaults to the merge base with the branch a merge request targets (CI variables)
    or with the branch --target deploys from; HEAD defaults to the working tree.
    """
    from deployer.diffcmd import diff_command

    sys.exit(diff_command(**options))


@cli.command("init")
@click.option("--ci", type=click.Choice(["github", "gitlab", "jenkins"]), default=None,
              help="Also write the CI files of this CI (a copy of ci-templates/ and the "
                   "lines that call it).")
@click.option("--force", is_flag=True, help="Overwrite files that exist with other content.")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".",
              show_default=True, help="The data repository to scaffold.")
def init_cmd(ci: str | None, force: bool, directory: str) -> None:
    """Scaffold dagship.yaml, the pre-commit hooks, an example workflow and a CI file.

    Idempotent: files already there are left alone unless --force.
    """
    from pathlib import Path

    from deployer.scaffold import describe, init_repository

    outcomes = init_repository(Path(directory), ci=ci, force=force)
    click.echo(describe(outcomes))


@cli.command("pull")
@click.option("--target", "-t", required=True, help="Target of dagship.yaml to read from.")
@click.option("--workflow", "workflows", multiple=True, metavar="NAME",
              help="Pull only this workflow (repeatable; default: every workflow of the project).")
@click.option("--side-files", is_flag=True,
              help="Write long scripts (shell, python, SQL) to files beside the YAML, "
                   "referenced with $FILE{}.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write into this folder (default: the workflow's existing file, else the "
                   "first workflows folder).")
@click.option("--verbose", "-v", is_flag=True, help="Log every HTTP request.")
@common_options
def pull_cmd(color: bool | None, **options: Any) -> None:
    """Write the target's workflows into the repository as YAML (adopting a project).

    Deterministic: the same remote gives byte-identical files, and deploying them back
    changes nothing. What the YAML dialect cannot express is named as a warning.
    """
    from deployer.pull import pull_command

    sys.exit(pull_command(**options))


@cli.command("convert")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, type=click.Path(),
              help="Output file (one workflow) or folder (several; default: stdout for one).")
@common_options
def convert_cmd(file: str, output: str | None, config_path: str | None,
                color: bool | None) -> None:
    """Convert a DolphinScheduler export (JSON, 3.2 or 3.3+ keys) into the YAML dialect."""
    from deployer.convert import convert_command

    sys.exit(convert_command(file=file, output=output))


@cli.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 and list the files that would change.")
@common_options
def fmt_cmd(paths: tuple[str, ...], check: bool, config_path: str | None,
            color: bool | None) -> None:
    """Format workflow YAML files canonically (the writer of `pull`); comments are kept.

    Key order, quoting and block scalars only: a formatted file means exactly what it meant.
    """
    from deployer.fmt import fmt_command

    sys.exit(fmt_command(paths=list(paths), check=check, config_path=config_path))


@cli.command("sandbox")
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
def sandbox_cmd(**options: Any) -> None:
    """Run the embedded DolphinScheduler-compatible API on localhost."""
    from deployer.sandbox.cli import serve_command

    sys.exit(serve_command(**options))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the click CLI inside the one error boundary (`deployer.boundary.guarded`)."""
    from deployer import errors
    from deployer.boundary import guarded

    def run() -> int:
        try:
            cli.main(args=list(argv) if argv is not None else None, prog_name="dagship",
                     standalone_mode=False)
        except click.exceptions.Abort:
            raise KeyboardInterrupt from None
        except click.ClickException as exc:
            exc.show()
            return errors.EXIT_USAGE
        return 0

    return guarded(run)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

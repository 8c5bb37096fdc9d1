"""The hooks' commands: lint, commit-msg, branch. These run on every commit, so each imports
its hook module only when it runs (the fast entry, `deployer.cli.entry`, skips click for
the option-free forms)."""

from __future__ import annotations

import os
import sys

import click

from deployer.cli.params import FINDING_FORMATS, FORMAT_HELP, common_options, finding_format
from deployer.core.ci import commit_range
from deployer.core.config import load_config
from deployer.output.tty import use_color


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=FINDING_FORMATS, default=None, help=FORMAT_HELP)
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a JUnit XML report to this file.")
@click.option("--codequality", "codequality_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a GitLab Code Quality report to this file.")
@click.option("--force-exclude", is_flag=True,
              help="Skip named files outside the configured workflows folders (the "
                   "pre-commit hook's form; otherwise a named file is linted wherever it is).")
@common_options
def lint_cmd(*, paths: tuple[str, ...], fmt: str | None, junit_path: str | None,
             codequality_path: str | None, force_exclude: bool, config_path: str | None,
             color: bool | None) -> int:
    """Validate workflow files (default: every file of the configured folders).

    Cross-file checks (unique names, sub-workflow and dependent references) always
    see the whole repository, even when only some files are named.
    """
    from hooks.lint import run_lint

    return run_lint(load_config(config_path), list(paths), fmt=finding_format(fmt),
                    junit_path=junit_path, codequality_path=codequality_path,
                    color=use_color(color, sys.stdout), force_exclude=force_exclude)


@click.command("commit-msg")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--range", "rev_range", default=None, metavar="A..B|auto",
              help="Lint every commit of a git revision range instead of a message file; "
                   "`auto`: the commits of the merge request or push CI is building.")
@click.option("--format", "fmt", type=FINDING_FORMATS, default=None, help=FORMAT_HELP)
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a JUnit XML report to this file.")
@click.option("--allow-autosquash/--no-allow-autosquash", default=None,
              help="Accept fixup!/squash!/amend! messages "
                   "(default: yes for a file, no for --range).")
@common_options
def commit_msg_cmd(*, file: str | None, rev_range: str | None, fmt: str | None,
                   junit_path: str | None, allow_autosquash: bool | None,
                   config_path: str | None, color: bool | None) -> int:
    """Lint a commit message file (commit-msg hook) or every commit in a range (CI)."""
    from hooks.commit_msg import run_commit_msg

    if (file is None) == (rev_range is None):
        raise click.UsageError("give either a message FILE or --range A..B")
    config = load_config(config_path)
    if rev_range == "auto":
        rev_range = commit_range(os.environ)
    return run_commit_msg(config, file=file, rev_range=rev_range, fmt=finding_format(fmt),
                          junit_path=junit_path, allow_autosquash=allow_autosquash,
                          color=use_color(color, sys.stderr))


@click.command("branch")
@click.option("--pre-push", is_flag=True,
              help="Check the branches being pushed (reads git's pre-push input) instead of "
                   "the checked-out branch.")
@click.option("--name", "branch_name", default=None, help="Check this name instead of asking git.")
@common_options
def branch_cmd(*, pre_push: bool, branch_name: str | None, config_path: str | None,
               color: bool | None) -> int:
    """Branch naming pattern and protected branches (no direct commits on main/develop)."""
    from hooks.branch import run_branch

    return run_branch(load_config(config_path), pre_push=pre_push, branch_name=branch_name,
                      color=use_color(color, sys.stderr))

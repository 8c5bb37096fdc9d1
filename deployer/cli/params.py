"""Options several commands share, and the rule for --format: an explicit value wins over
the CI's default (the rule for --color is `deployer.output.tty.use_color`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from deployer.core.ci import default_format

F = TypeVar("F", bound=Callable[..., Any])

FINDING_FORMATS = click.Choice(["text", "json", "github"])
FORMAT_HELP = ("How findings are printed (default: github on GitHub Actions, where they become "
               "annotations; text elsewhere).")
ON_DRIFT = click.Choice(["fail", "overwrite", "skip"])
PARALLEL = click.IntRange(1, 64)


def finding_format(fmt: str | None) -> str:
    """An explicit --format wins; else the CI we run in chooses (deployer.core.ci)."""
    return default_format(os.environ) if fmt is None else fmt


def color_option(func: F) -> F:
    return click.option("--color/--no-color", default=None,
                        help="Colour the output (default: only when writing to a "
                             "terminal).")(func)


def config_option(func: F) -> F:
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), default=None,
        envvar="DAGSHIP_CONFIG", show_envvar=True,
        help="Path to dagship.yaml (default: found by walking up from the working directory).",
    )(func)


def common_options(func: F) -> F:
    """--config and --color: every command that reads dagship.yaml."""
    return config_option(color_option(func))


def verbose_option(func: F) -> F:
    return click.option("--verbose", "-v", is_flag=True, help="Log every HTTP request.")(func)


def report_options(func: F) -> F:
    """What every command that plans against a target takes (plan, deploy, status,
    rollback): the target, its reports, the HTTP log and the progress display."""
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
    func = verbose_option(func)
    return click.option("--progress/--no-progress", default=None,
                        help="Progress bar (default: only in a terminal; CI gets one line "
                             "per workflow).")(func)

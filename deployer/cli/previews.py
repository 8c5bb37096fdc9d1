"""The commands of preview projects: destroy and previews."""

from __future__ import annotations

import sys

import click

from deployer.cli.params import common_options, verbose_option
from deployer.core.config import load_config
from deployer.output.tty import use_color

_TARGET = click.option("--target", "-t", required=True, envvar="DAGSHIP_TARGET",
                       show_envvar=True, help="The preview target of dagship.yaml.")


@click.command("destroy")
@_TARGET
@click.option("--branch", default=None, envvar="DAGSHIP_BRANCH", show_envvar=True,
              help="The preview's branch (default: the pull/merge request's, else the one "
                   "being built).")
@click.option("--dry-run", is_flag=True, help="Say what would be removed, send nothing.")
@verbose_option
@common_options
def destroy_cmd(*, target: str, branch: str | None, dry_run: bool, verbose: bool,
                config_path: str | None, color: bool | None) -> int:
    """Remove a branch's preview project(s): only what dagship made there."""
    from deployer.commands.destroy import DestroyOptions, destroy_command

    return destroy_command(load_config(config_path), DestroyOptions(
        target=target, branch=branch, dry_run=dry_run, verbose=verbose,
        color=use_color(color, sys.stdout)))


@click.command("previews")
@_TARGET
@click.option("--older-than", default=None, metavar="AGE",
              help="Only previews idle longer than AGE (30m, 12h, 7d, 2w).")
@click.option("--destroy", is_flag=True, help="Destroy those previews (needs --older-than).")
@click.option("--dry-run", is_flag=True, help="With --destroy: say what would go, send nothing.")
@verbose_option
@common_options
def previews_cmd(*, target: str, older_than: str | None, destroy: bool, dry_run: bool,
                 verbose: bool, config_path: str | None, color: bool | None) -> int:
    """List a target's preview projects: branch, last deploy, age."""
    from deployer.commands.previews import PreviewsOptions, previews_command

    return previews_command(load_config(config_path), PreviewsOptions(
        target=target, older_than=older_than, destroy=destroy, dry_run=dry_run,
        verbose=verbose, color=use_color(color, sys.stdout)))

"""The adoption commands: pull (a target's workflows into YAML), convert (an export into
YAML), fmt (the same writer as a formatter)."""

from __future__ import annotations

import sys

import click

from deployer.cli.params import color_option, common_options, verbose_option
from deployer.core.config import load_config
from deployer.output.tty import use_color


@click.command("pull")
@click.option("--target", "-t", required=True, help="Target of dagship.yaml to read from.")
@click.option("--workflow", "workflows", multiple=True, metavar="NAME",
              help="Pull only this workflow (repeatable; default: every workflow of the project).")
@click.option("--side-files", is_flag=True,
              help="Write long scripts (shell, python, SQL) to files beside the YAML, "
                   "referenced with $FILE{}.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write into this folder (default: the workflow's existing file, else the "
                   "first workflows folder).")
@verbose_option
@common_options
def pull_cmd(*, target: str, workflows: tuple[str, ...], side_files: bool,
             out_dir: str | None, verbose: bool, config_path: str | None,
             color: bool | None) -> int:
    """Write the target's workflows into the repository as YAML (adopting a project).

    Deterministic: the same remote gives byte-identical files, and deploying them back
    changes nothing. What the YAML dialect cannot express is named as a warning.
    """
    from deployer.commands.pull import PullOptions, pull_command

    return pull_command(load_config(config_path), PullOptions(
        target=target, workflows=workflows, side_files=side_files, out_dir=out_dir,
        verbose=verbose, color=use_color(color, sys.stderr)))


@click.command("convert")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", default=None, type=click.Path(),
              help="Output file (one workflow) or folder (several; default: stdout for one).")
@color_option
def convert_cmd(*, file: str, output: str | None, color: bool | None) -> int:
    """Convert a DolphinScheduler export (JSON, 3.2 or 3.3+ keys) into the YAML dialect.

    Offline: no dagship.yaml is read, so there is no --config.
    """
    from deployer.commands.convert import ConvertOptions, convert_command

    return convert_command(ConvertOptions(file=file, output=output,
                                          color=use_color(color, sys.stderr)))


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 and list the files that would change.")
@common_options
def fmt_cmd(*, paths: tuple[str, ...], check: bool, config_path: str | None,
            color: bool | None) -> int:
    """Format workflow YAML files canonically (the writer of `pull`); comments are kept.

    Key order, quoting and block scalars only: a formatted file means exactly what it meant.
    """
    from deployer.commands.fmt import FmtOptions, fmt_command

    return fmt_command(load_config(config_path), FmtOptions(
        paths=paths, check=check, color=use_color(color, sys.stdout)))

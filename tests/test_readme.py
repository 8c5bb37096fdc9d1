"""The README promises things; these tests keep it honest."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from deployer.cli.main import cli
from deployer.core.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_PARTIAL,
    EXIT_RUN_FAILED,
    EXIT_RUN_KILLED,
    EXIT_RUN_TIMEOUT,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
)

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_demo_and_test_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "\nmake test\n" in script
    assert "\nmake demo\n" in script


def test_every_hook_of_the_manifest_is_documented() -> None:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in manifest:
        assert f"`{hook['id']}`" in README, hook["id"]


def test_every_command_is_documented() -> None:
    for name in cli.commands:
        assert f"`dagship {name}" in README, name


def test_every_exit_code_is_documented() -> None:
    table = README.split("## Exit codes", 1)[1]
    for code in (0, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_PARTIAL, EXIT_INTERNAL,
                 EXIT_RUN_FAILED, EXIT_RUN_KILLED, EXIT_RUN_TIMEOUT, EXIT_INTERRUPTED):
        assert f"\n| {code} |" in table, code


def _options() -> dict[str, set[str]]:
    """Every option of every command, by command name."""
    import click

    out: dict[str, set[str]] = {}
    for name, command in cli.commands.items():
        out[name] = {o for p in command.params if isinstance(p, click.Option)
                     for o in (*p.opts, *p.secondary_opts)}
    return out


def test_every_option_the_readme_names_exists() -> None:
    every = set().union(*_options().values()) | {"--help", "--version"}
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", README))
    named -= {"--hook-type"}  # pre-commit's own, in `pre-commit install`
    assert sorted(named - every) == []


def test_every_document_the_readme_links_exists() -> None:
    for link in re.findall(r"\]\(((?:docs|bench|examples|ci-templates)/[^)#]*)", README):
        assert (ROOT / link).exists(), link
    for doc in (ROOT / "docs").glob("*.md"):
        text = doc.read_text(encoding="utf-8")
        for link in re.findall(r"\]\((?!https?:|#)([^)#]+)", text):
            assert (doc.parent / link).exists(), f"{doc.name}: {link}"


def test_config_and_color_are_where_the_readme_says() -> None:
    """`--config` on every command that reads dagship.yaml, `--color` on all but init and
    sandbox, as the README says."""
    options = _options()
    reads_config = set(cli.commands) - {"init", "sandbox", "convert"}
    colors = set(cli.commands) - {"init", "sandbox"}
    assert {n for n, o in options.items() if "--config" in o} == reads_config
    assert {n for n, o in options.items() if "--color" in o} == colors

"""`dagship fmt [--check] [PATH...]`: the pull writer as a formatter of workflow YAML files.

Only YAML files inside the configured workflows folders that hold a `workflow:` document
are touched (pre-commit hands over every staged YAML file; a CI file is not ours to
reformat), and only when they lint clean (a file with lint errors is left as it is, with
its first error). Exit codes: 0 all formatted; 1 with `--check` when a file would change,
or when a file is left alone (lint errors, cannot be parsed).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from deployer import errors
from deployer.config import Config, load_config
from deployer.findings import Finding

_EXTS = (".yaml", ".yml")
# lint errors the formatter meets with its own refusal: unparsable YAML, a duplicate key,
# not a workflow document (left alone), not UTF-8
_OWN_REFUSALS = frozenset({"WF100", "WF101", "WF107", "WF108"})


def _candidates(paths: Sequence[str], config: Config) -> list[Path]:
    from deployer.definitions.repo import discover

    known = {p.resolve() for p in discover(config) if p.suffix in _EXTS}
    if not paths:
        return sorted(known)
    chosen: set[Path] = set()
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_dir():
            chosen.update(p for p in known if path in p.parents)
        elif path in known:
            chosen.add(path)
        elif not path.exists():
            raise errors.UsageError(f"{raw}: no such file or directory")
    return sorted(chosen)


def _lint_refusals(config: Config, files: list[Path]) -> dict[str, str]:
    """Why each file with lint errors is not formatted, by its shown path. The writer keys
    quoting and order on the dialect's keys: under a misspelled key it would take a cron or
    a date for plain text, so only files that lint clean are rewritten."""
    from deployer.definitions.repo import load_repository

    errors_of: dict[str, list[Finding]] = {}
    for f in load_repository(config, only=files).findings:
        if f.severity == "error" and f.code not in _OWN_REFUSALS:
            errors_of.setdefault(f.path, []).append(f)
    out = {}
    for shown, found in errors_of.items():
        first = found[0]
        more = f" (and {len(found) - 1} more lint error(s))" if len(found) > 1 else ""
        out[shown] = (f"{shown}:{first.line}:{first.col}: not formatted: {first.code} "
                      f"{first.message.split('; ')[0]}{more}; fmt rewrites only files that "
                      "lint clean, so it never guesses what a value means (run `dagship "
                      f"lint {shown}`)")
    return out


def fmt_command(*, paths: Sequence[str], check: bool, config_path: str | None) -> int:
    from deployer.definitions.repo import display_path
    from deployer.yamlwrite import FormatError, format_text

    config = load_config(config_path)
    files = _candidates(paths, config)
    refusals = _lint_refusals(config, files)
    changed = unchanged = failed = 0
    for path in files:
        shown = display_path(config.root, path)
        if shown in refusals:
            click.echo(refusals[shown], err=True)
            failed += 1
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"{shown}:1:1: cannot read: {exc}", err=True)
            failed += 1
            continue
        try:
            out = format_text(text)
        except FormatError as exc:
            click.echo(f"{shown}:{exc.line}:{exc.col}: cannot format: {exc.message}", err=True)
            failed += 1
            continue
        if out is None or out == text:
            unchanged += 1
            continue
        changed += 1
        if check:
            click.echo(f"would reformat {shown}")
        else:
            path.write_bytes(out.encode("utf-8"))
            click.echo(f"reformatted {shown}")
    verb = "would be reformatted" if check else "reformatted"
    click.echo(f"dagship: {changed} file(s) {verb}, {unchanged} unchanged"
               + (f", {failed} not formatted (lint errors or unreadable)" if failed else ""),
               err=True)
    if failed or (check and changed):
        return errors.EXIT_FINDINGS
    return errors.EXIT_OK

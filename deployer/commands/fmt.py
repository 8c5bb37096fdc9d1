"""`dagship fmt [--check] [PATH...]`: the pull writer as a formatter of workflow YAML files.

Only YAML files inside the configured workflows folders that hold a `workflow:` document
are touched (pre-commit hands over every staged YAML file; a CI file is not ours to
reformat), and only when they lint clean (a file with lint errors is left as it is, with
its first error). Exit codes: 0 all formatted; 1 with `--check` when a file would change,
or when a file is left alone (lint errors, cannot be parsed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deployer.adopt.write import FormatError, format_text
from deployer.core import errors
from deployer.core.config import Config, display_path
from deployer.core.findings import Finding
from deployer.definitions.repo import discover, load_repository
from deployer.output.console import echo
from deployer.output.tty import ERROR, WARNING, paint

_EXTS = (".yaml", ".yml")
# lint errors the formatter meets with its own refusal: unparsable YAML, a duplicate key,
# not a workflow document (left alone), not UTF-8
_OWN_REFUSALS = frozenset({"WF100", "WF101", "WF107", "WF108"})


@dataclass(frozen=True, kw_only=True)
class FmtOptions:
    paths: tuple[str, ...] = ()  # files or folders; default: every configured workflow file
    check: bool = False  # change nothing; exit 1 when a file would change
    color: bool = False  # errors in red, files --check would change in yellow


def _candidates(config: Config, paths: Sequence[str]) -> list[Path]:
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


def _lint_refusals(config: Config, files: list[Path]) -> dict[str, tuple[Finding, int]]:
    """The first lint error and the error count of each file that has errors, by its shown
    path. The writer keys quoting and order on the dialect's keys: under a misspelled key it
    would take a cron or a date for plain text, so only files that lint clean are rewritten."""
    out: dict[str, tuple[Finding, int]] = {}
    for f in load_repository(config, only=files).findings:
        if f.severity == "error" and f.code not in _OWN_REFUSALS:
            first, n = out.get(f.path, (f, 0))
            out[f.path] = (first, n + 1)
    return out


def _refusal(shown: str, f: Finding, n: int, color: bool) -> str:
    more = f" (and {n - 1} more lint error(s))" if n > 1 else ""
    return (f"{shown}:{f.line}:{f.col}: {paint('not formatted', ERROR, color)}: {f.code} "
            f"{f.message.split('; ')[0]}{more}; fmt rewrites only files that lint clean, so "
            f"it never guesses what a value means (run `dagship lint {shown}`)")


def fmt_command(config: Config, options: FmtOptions) -> int:
    color = options.color
    changed = unchanged = failed = 0
    files = _candidates(config, options.paths)
    refused = _lint_refusals(config, files)
    for path in files:
        shown = display_path(config.root, path)
        if shown in refused:
            echo(_refusal(shown, *refused[shown], color), err=True)
            failed += 1
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            echo(f"{shown}:1:1: {paint('cannot read', ERROR, color)}: {exc}", err=True)
            failed += 1
            continue
        try:
            out = format_text(text)
        except FormatError as exc:
            echo(f"{shown}:{exc.line}:{exc.col}: {paint('cannot format', ERROR, color)}: "
                 f"{exc.message}", err=True)
            failed += 1
            continue
        if out is None or out == text:
            unchanged += 1
            continue
        changed += 1
        if options.check:
            echo(f"{paint('would reformat', WARNING, color)} {shown}")
        else:
            path.write_bytes(out.encode("utf-8"))
            echo(f"reformatted {shown}")
    verb = "would be reformatted" if options.check else "reformatted"
    echo(f"dagship: {changed} file(s) {verb}, {unchanged} unchanged"
         + (f", {failed} not formatted (lint errors or unreadable)" if failed else ""),
         err=True)
    if failed or (options.check and changed):
        return errors.EXIT_FINDINGS
    return errors.EXIT_OK

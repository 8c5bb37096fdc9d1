"""`dagship fmt [--check] [PATH...]`: the pull writer as a formatter of workflow YAML files.

Only YAML files inside the configured workflows folders that hold a `workflow:` document
are touched (pre-commit hands over every staged YAML file; a CI file is not ours to
reformat). Exit codes: 0 all formatted; 1 with `--check` when a file would change, or when
a file cannot be parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deployer.adopt.write import FormatError, format_text
from deployer.core import errors
from deployer.core.config import Config, display_path
from deployer.definitions.repo import discover
from deployer.output.console import echo
from deployer.output.tty import ERROR, WARNING, paint

_EXTS = (".yaml", ".yml")


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


def fmt_command(config: Config, options: FmtOptions) -> int:
    color = options.color
    changed = unchanged = failed = 0
    for path in _candidates(config, options.paths):
        shown = display_path(config.root, path)
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
         + (f", {failed} could not be read" if failed else ""), err=True)
    if failed or (options.check and changed):
        return errors.EXIT_FINDINGS
    return errors.EXIT_OK

"""`dagship fmt [--check] [PATH...]`: the pull writer as a formatter of workflow YAML files.

Only YAML files inside the configured workflows folders that hold a `workflow:` document
are touched (pre-commit hands over every staged YAML file; a CI file is not ours to
reformat). Exit codes: 0 all formatted; 1 with `--check` when a file would change, or when
a file cannot be parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from deployer.core import errors
from deployer.core.config import display_path, load_config
from deployer.output.console import echo

_EXTS = (".yaml", ".yml")


def _candidates(paths: Sequence[str], config_path: str | None) -> tuple[list[Path], Path]:
    from deployer.definitions.repo import discover

    config = load_config(config_path)
    known = {p.resolve() for p in discover(config) if p.suffix in _EXTS}
    if not paths:
        return sorted(known), config.root
    chosen: set[Path] = set()
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_dir():
            chosen.update(p for p in known if path in p.parents)
        elif path in known:
            chosen.add(path)
        elif not path.exists():
            raise errors.UsageError(f"{raw}: no such file or directory")
    return sorted(chosen), config.root


def fmt_command(*, paths: Sequence[str], check: bool, config_path: str | None) -> int:
    from deployer.adopt.write import FormatError, format_text

    files, root = _candidates(paths, config_path)
    changed = unchanged = failed = 0
    for path in files:
        shown = display_path(root, path)
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            echo(f"{shown}:1:1: cannot read: {exc}", err=True)
            failed += 1
            continue
        try:
            out = format_text(text)
        except FormatError as exc:
            echo(f"{shown}:{exc.line}:{exc.col}: cannot format: {exc.message}", err=True)
            failed += 1
            continue
        if out is None or out == text:
            unchanged += 1
            continue
        changed += 1
        if check:
            echo(f"would reformat {shown}")
        else:
            path.write_bytes(out.encode("utf-8"))
            echo(f"reformatted {shown}")
    verb = "would be reformatted" if check else "reformatted"
    echo(f"dagship: {changed} file(s) {verb}, {unchanged} unchanged"
               + (f", {failed} could not be read" if failed else ""), err=True)
    if failed or (check and changed):
        return errors.EXIT_FINDINGS
    return errors.EXIT_OK

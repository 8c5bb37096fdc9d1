"""`dagship lint [PATH...]`: validate workflow files, print findings, exit 0/1.

Cross-file checks see the whole repository even when pre-commit passes only the changed
files; the findings printed are those of the named files. A PATH that does not exist is
a usage error (exit 2).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from deployer.config import Config
from deployer.errors import UsageError


def _expand(config: Config, paths: Sequence[str]) -> list[Path] | None:
    if not paths:
        return None
    selected: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_absolute():
            path = Path.cwd() / path
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if path.is_dir():
            selected += [p for ext in ("*.yaml", "*.yml", "*.json") for p in path.rglob(ext)]
        else:
            selected.append(path)
    return [p.resolve() for p in selected]


def run_lint(config: Config, paths: Sequence[str], *, fmt: str = "text",
             junit_path: str | None = None, codequality_path: str | None = None,
             color: bool = False) -> int:
    from deployer import findings as report
    from deployer.definitions.repo import load_repository

    only = _expand(config, paths)
    result = load_repository(config, only=only)
    checked = ([_display(config, p) for p in result.files if p in set(only)]
               if only is not None else [_display(config, p) for p in result.files])
    found = result.findings
    if fmt == "json":
        sys.stdout.write(report.format_json(found) + "\n")
    elif fmt == "github":
        if found:
            sys.stdout.write(report.format_github(found) + "\n")
    elif found:
        sys.stdout.write(report.format_text(found, color=color) + "\n")
    if junit_path:
        Path(junit_path).write_text(report.format_junit(found, suite="dagship lint",
                                                        checked=checked), encoding="utf-8")
    if codequality_path:
        Path(codequality_path).write_text(report.format_codequality(found) + "\n",
                                          encoding="utf-8")
    if fmt == "text":
        sys.stderr.write(summary(found, len(checked)) + "\n")
    return 1 if report.has_errors(found) else 0


def _display(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def summary(found: Sequence[object], total: int) -> str:
    errors = sum(1 for f in found if getattr(f, "severity", "") == "error")
    warnings = len(found) - errors
    files = len({getattr(f, "path", "") for f in found})
    if not found:
        return f"no problems in {total} file{'s' if total != 1 else ''}"
    return (f"{errors} error{'s' if errors != 1 else ''}, {warnings} "
            f"warning{'s' if warnings != 1 else ''} in {files} of {total} "
            f"file{'s' if total != 1 else ''}")

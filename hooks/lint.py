"""`dagship lint [PATH...]`: validate workflow files, print findings, exit 0/1.

Cross-file checks see the whole repository even when pre-commit passes only the changed
files; the findings printed are those of the named files. A PATH that does not exist is
a usage error (exit 2). A file named on the command line is linted wherever it is (a
folder named: its *.yaml, *.yml and *.json files); `dagship.yaml` named is the config, its
secrets are checked. The pre-commit hook passes `--force-exclude` (as ruff's hook does):
then named files outside the configured `workflows:` folders are skipped silently, since
pre-commit passes every changed `*.yaml`, CI files included. With nothing to lint, lint
says so and why.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from deployer.core.config import Config, display_path
from deployer.core.errors import UsageError
from deployer.core.findings import Finding, has_errors
from deployer.core.wording import hint
from deployer.definitions.codes import CODES
from deployer.definitions.config_secrets import config_findings
from deployer.definitions.repo import load_repository
from deployer.output import findings as report

_EXTS = (".yaml", ".yml", ".json")


def _expand(config: Config, paths: Sequence[str], force_exclude: bool) -> list[Path] | None:
    """The named workflow files (None: none named, every configured one)."""
    if not paths:
        return None
    bases = [(config.root / folder).resolve() for folder in config.workflows]

    def wanted(path: Path) -> bool:
        return not force_exclude or any(path == b or b in path.parents for b in bases)

    selected: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_absolute():
            path = Path.cwd() / path
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        path = path.resolve()
        if config.path is not None and path == config.path.resolve():
            continue  # the config: its secrets are checked, it is no workflow file
        if path.is_dir():
            selected += [p.resolve() for ext in _EXTS for p in path.rglob(f"*{ext}")
                         if p.is_file() and wanted(p.resolve())]
        elif path.suffix in _EXTS:
            if wanted(path):
                selected.append(path)
        elif not force_exclude:
            raise UsageError(f"{raw}: not a workflow file (*.yaml, *.yml or *.json)")
    return selected


def _nothing(config: Config) -> str:
    """Why a lint of the configured folders found no file."""
    where = (f"`workflows:` of {config.path}" if config.path is not None else
             f"the default folder: no dagship.yaml found in {config.root} or above")
    missing = [f for f in config.workflows if not (config.root / f).exists()]
    if len(missing) == len(config.workflows):
        return f"dagship: nothing to lint: {', '.join(missing)} does not exist ({where})\n"
    return (f"dagship: nothing to lint: no *.yaml, *.yml or *.json file under "
            f"{', '.join(config.workflows)} ({where})\n")


def run_lint(config: Config, paths: Sequence[str], *, fmt: str = "text",
             junit_path: str | None = None, codequality_path: str | None = None,
             color: bool = False, force_exclude: bool = False) -> int:

    _check_disabled(config)
    only = _expand(config, paths, force_exclude)
    result = load_repository(config, only=only)
    wanted = None if only is None else set(only)
    checked = [display_path(config.root, p) for p in result.files
               if wanted is None or p in wanted]
    found = result.findings
    if config.path is not None and (only is None or _names_config(config, paths)):
        found = sorted(found + config_findings(config))
    sys.stdout.write(report.render(found, fmt, color=color))
    if junit_path or codequality_path:
        _write_reports(found, checked, junit_path, codequality_path)
    if fmt == "text":  # with no file at all, say why rather than "no problems in 0 files"
        sys.stderr.write(_nothing(config) if only is None and not result.files and not found
                         else summary(found, len(checked)) + "\n")
    return 1 if has_errors(found) else 0


def _write_reports(found: list[Finding], checked: list[str], junit_path: str | None,
                   codequality_path: str | None) -> None:
    # Only with --junit/--codequality: the option-free hook never pays for the writer (it
    # loads the redaction filter, hence logging).
    from deployer.output.console import write_report

    if junit_path:
        write_report(junit_path, report.format_junit(found, suite="dagship lint",
                                                     checked=checked))
    if codequality_path:
        write_report(codequality_path, report.format_codequality(found) + "\n")


def _is_config(config: Config, raw: str) -> bool:
    return config.path is not None and (Path.cwd() / raw).resolve() == config.path.resolve()


def _names_config(config: Config, paths: Sequence[str]) -> bool:
    """pre-commit passes dagship.yaml among the changed files: then its secrets are checked."""
    return any(_is_config(config, raw) for raw in paths)


def _check_disabled(config: Config) -> None:
    """`lint.disable` naming no code is a typo that would silently disable nothing."""
    for code in config.lint_disable:
        if code not in CODES:
            sys.stderr.write(f"dagship: warning: lint.disable: unknown code `{code}`"
                             f"{hint(code, CODES, fold=True)}; codes are listed in "
                             "docs/rules.md (WF100 ... WF702)\n")


def summary(found: Sequence[object], total: int) -> str:
    errors = sum(1 for f in found if getattr(f, "severity", "") == "error")
    warnings = len(found) - errors
    files = len({getattr(f, "path", "") for f in found})
    if not found:
        return f"no problems in {total} file{'s' if total != 1 else ''}"
    return (f"{errors} error{'s' if errors != 1 else ''}, {warnings} "
            f"warning{'s' if warnings != 1 else ''} in {files} of {total} "
            f"file{'s' if total != 1 else ''}")

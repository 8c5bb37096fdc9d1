"""The files an adoption writes (`pull`, `convert`): one YAML file per workflow through the
one writer, long scripts moved beside it on request, and the report of what was written.

A workflow the repository already defines is rewritten in its own file, unless that file
already says what the source has (then it is left exactly as written, substitutions
included); a new one gets `<name>.yaml`, never over another file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployer.adopt.context import Loss, Names
from deployer.adopt.reverse import file_stem, reverse
from deployer.adopt.verify import Repo
from deployer.adopt.write import render
from deployer.core import errors
from deployer.core.config import display_path
from deployer.output.console import echo, warn

# Which dialect key holds a script, and the side file's extension (`--side-files`).
SCRIPT_KEYS = {"Shell": ("command", "sh"), "Python": ("definition", "py"),
               "Sql": ("sql", "sql"), "DataX": ("sql", "sql")}
SIDE_FILE_MIN_LINES = 10  # shorter scripts read better inline


@dataclass
class Written:
    changed: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    templated: list[Path] = field(default_factory=list)  # rewritten files that had $VAR{}...


_TOKENS = ("$VAR{", "$FILE{", "$ENV{", "${CONFIG.", "$WORKFLOW{")


def _side_files(doc: dict[str, Any], stem: str, folder: Path,
                files: dict[Path, str]) -> None:
    """Move long scripts to `<stem>/<task>.<ext>` next to the YAML file, as `$FILE{}`."""
    taken: list[str] = []
    for task in doc["tasks"]:
        key_ext = SCRIPT_KEYS.get(str(task.get("task_type")))
        if key_ext is None or not isinstance(task.get(key_ext[0]), str):
            continue
        key, ext = key_ext
        script = task[key]
        if script.count("\n") + 1 < SIDE_FILE_MIN_LINES:
            continue
        name = file_stem(str(task["name"]), taken)
        taken.append(name)
        rel = f"{stem}/{name}.{ext}"
        files[folder / rel] = script
        task[key] = f'$FILE{{"{rel}"}}'


def write_all(files: Mapping[Path, str], out: Written) -> None:
    for path in sorted(files):
        text = files[path]
        try:
            old = path.read_text(encoding="utf-8") if path.is_file() else None
        except (OSError, UnicodeDecodeError):
            old = None
        if old == text:
            out.unchanged.append(path)
            continue
        if old is not None and any(token in old for token in _TOKENS):
            out.templated.append(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        except OSError as exc:
            raise errors.UsageError(f"{path}: cannot write: {exc.strerror}") from exc
        out.changed.append(path)


def render_workflows(dags: Sequence[Mapping[str, Any]], names: Names,
                     schedules: Mapping[int, Mapping[str, Any]], folder: Path, repo: Repo,
                     side_files: bool) -> tuple[dict[Path, str], list[Loss]]:
    """Every file to write (YAML and side files), by path; pure apart from `names` lookups."""
    files: dict[Path, str] = {}
    losses: list[Loss] = []
    taken = list(repo.taken)
    for dag in sorted(dags, key=lambda d: str(d["workflowDefinition"]["name"])):
        wf = dag["workflowDefinition"]
        name = str(wf["name"])
        if name in repo.matching:
            continue
        schedule = schedules.get(int(wf.get("code") or 0))
        doc, lost = reverse(dag, names, schedule)
        losses += lost
        path = repo.files.get(name)
        if path is None:
            stem = file_stem(name, taken)
            taken.append(stem)
            path = folder / f"{stem}.yaml"
        if side_files:
            _side_files(doc, path.stem, path.parent, files)
        files[path] = render(doc)
    return files, losses


def report(out: Written, root: Path, verb: str, *, color: bool, kept: int = 0) -> None:
    for path in out.changed:
        echo(f"{verb} {display_path(root, path)}")
    for loss in out.losses:
        warn(f"{loss}; a deploy of the file would change it", color=color)
    for path in out.templated:
        warn(f"{display_path(root, path)} was rewritten with the target's values: its "
             "substitutions ($VAR, $FILE, $ENV, ${CONFIG}, $WORKFLOW) are gone; review the "
             "diff before committing", color=color)
    also = f", {kept} kept as written (they already match)" if kept else ""
    echo(f"dagship: {len(out.changed)} file(s) written, {len(out.unchanged)} unchanged{also}")

"""Is what a deploy ships the commit it records? The files of the working tree that differ.

A deploy records its commit in every workflow's marker and `status` tells that commit
against the checkout, so a definition that was never committed must not be recorded as
HEAD. What a deploy ships: the workflow files (every file of the configured folders, new
and ignored ones too, since the loader reads them all), the `$FILE{}` side files they
include, the resource files (`resources:` folders), and the parts of dagship.yaml that change
what is sent (`workflows:`, `resources:`, and the target's project, variables, api_version and
resource folder). Those are compared with HEAD through
`git status`; a CI checkout is clean, so CI is unaffected.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from deployer.core import git
from deployer.core.config import Config, Target, load_config
from deployer.core.errors import ConfigError

_STATES = {"M": "modified", "A": "added", "D": "deleted", "R": "renamed", "C": "copied",
           "T": "type changed", "U": "unmerged", "?": "untracked", "!": "ignored by .gitignore"}
_WORKFLOW_EXTS = (".yaml", ".yml", ".json")
_WHAT = "check that the files a deploy ships are committed"


def _git(args: Sequence[str], cwd: Path) -> tuple[int, bytes]:
    """git's exit code and output; git missing is GitMissing (a deploy cannot tell)."""
    proc = git.run(args, cwd=cwd, check=False, what=_WHAT)
    return proc.returncode, proc.stdout


def uncommitted(config: Config, read: Sequence[Path], target: Target, *,
                definitions: bool = True) -> list[str]:
    """`path (modified)` for every shipped file that differs from HEAD; [] when clean or
    outside a Git repository (then the marker records `nogit`, which is true). Without
    `definitions` (a rollback ships a ref's files), only dagship.yaml is looked at."""
    status_code, top = _git(["rev-parse", "--show-toplevel"], config.root)
    if status_code != 0:
        return []
    root = Path(os.fsdecode(top).strip()).resolve()
    if _git(["rev-parse", "--verify", "--quiet", "HEAD"], root)[0] != 0:
        return ["(no commit yet: every file is uncommitted)"]
    # resource folders too: a resource deleted from the working tree is shipped as a delete
    folders = [(config.root / f).resolve() for f in (*config.workflows, *config.resources)
               ] if definitions else []
    shipped = {p.resolve() for p in read} if definitions else set()
    candidates = [*folders, *shipped, *([config.path.resolve()] if config.path else [])]
    specs = [rel for rel in (_rel(p, root) for p in candidates) if rel is not None]
    if not specs:
        return []
    _code, status = _git(["status", "--porcelain=v1", "-z", "--untracked-files=all",
                          "--ignored=matching", "--no-renames", "--", *specs], root)
    out = []
    for state, rel in _entries(status):
        path = root / rel
        if state in "?!" and path.resolve() not in shipped and not (
                path.suffix in _WORKFLOW_EXTS and any(f in path.parents for f in folders)):
            continue  # an editor's backup or a .pyc next to the workflows: not shipped
        if config.path is not None and path.resolve() == config.path.resolve() and state not in \
                "?!" and not _config_changed(config, root, rel, target):
            continue  # dagship.yaml changed, but not in what this deploy sends
        out.append(f"{rel} ({_STATES.get(state, 'changed')})")
    return out


def _rel(path: Path, root: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return None


def _entries(raw: bytes) -> list[tuple[str, str]]:
    """(state letter, path) of `git status --porcelain=v1 -z` records."""
    found = []
    for record in raw.split(b"\0"):
        if len(record) < 4:
            continue
        xy, rel = record[:2].decode("ascii", "replace"), os.fsdecode(record[3:])
        code = xy[0] if xy[0] not in " " else xy[1]
        found.append((code, rel))
    return found


def _config_changed(config: Config, root: Path, rel: str, target: Target) -> bool:
    """Whether dagship.yaml at HEAD says something else about what this deploy sends."""
    code, head = _git(["show", f"HEAD:{rel}"], root)
    if code != 0:
        return True  # not at HEAD: new
    with tempfile.TemporaryDirectory(prefix="dagship-head-") as tmp:
        copy = Path(tmp) / "dagship.yaml"
        copy.write_bytes(head)
        try:
            before = load_config(str(copy))
        except ConfigError:
            return True
    old = before.targets.get(target.name)
    if old is None:
        return True
    return (before.workflows, before.resources, old.project, dict(old.variables),
            old.api_version, old.resource_root) != (
        config.workflows, config.resources, target.project, dict(target.variables),
        target.api_version, target.resource_root)

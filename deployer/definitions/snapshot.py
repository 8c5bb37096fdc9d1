"""Workflow definitions as they were at a Git ref: the tree materialised into a temp folder.

`rollback --to REF` and `diff BASE HEAD` load definitions through the one loader
(deployer.definitions.repo), which reads files from disk. So the config root's subtree at
REF is written out with `git ls-tree` + `git cat-file --batch` (two processes, whatever the
size): unlike `git archive` this ignores `export-ignore` attributes, which would silently
drop files, and it never writes outside the folder (symlinks and submodules are skipped).

Which config applies to the old tree: the layout (`workflows:`, `lint.disable`) is the
REF's own `dagship.yaml` when it has one (the definitions as they were laid out then);
the targets (url, token variable, project, variables) are always the current checkout's, as
they describe where to deploy now, not what was deployed then.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from deployer.core import git
from deployer.core.config import CONFIG_NAME, Config, parse_config
from deployer.core.errors import ConfigError, UsageError

WORKING_TREE = "working tree"


@dataclass(frozen=True)
class Snapshot:
    """One side of a comparison or the source of a rollback."""

    label: str  # what the user named: a ref, or "working tree"
    commit: str | None  # full commit id; None for the working tree
    config: Config  # the config whose root holds the definitions of that side

    @property
    def short(self) -> str:
        return self.commit[:7] if self.commit else WORKING_TREE


def _prefix(root: Path) -> str:
    """The config root's path inside its repository ("" at the top)."""
    return git.text(["rev-parse", "--show-prefix"], root,
                    what=f"use {root} as a Git repository (is it a checkout?)").strip()


def materialise(root: Path, commit: str, dest: Path) -> None:
    """Write the regular files of `root`'s subtree at `commit` into `dest`."""
    prefix = _prefix(root)
    spec = ["--", prefix] if prefix else []
    listing = git.text(["ls-tree", "-r", "-z", "--full-tree", commit, *spec], root,
                       what=f"list the files of commit {commit[:7]}")
    wanted: list[tuple[str, PurePosixPath]] = []
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        # 120000 symlink, 160000 submodule: neither is a file the definitions can use
        if kind != "blob" or mode not in ("100644", "100755"):
            continue
        rel = PurePosixPath(path).relative_to(prefix) if prefix else PurePosixPath(path)
        if ".." in rel.parts or rel.is_absolute():
            continue
        wanted.append((sha, rel))
    if wanted:
        _cat_files(root, commit, wanted, dest)


def _cat_files(root: Path, commit: str, wanted: list[tuple[str, PurePosixPath]],
               dest: Path) -> None:
    """One `git cat-file --batch` for every blob, streamed: one blob in memory at a time.
    Its answer is `<sha> blob <size>\\n<content>\\n` per object, in the order asked."""
    with tempfile.TemporaryFile() as ask:
        ask.write("".join(f"{sha}\n" for sha, _ in wanted).encode())
        ask.seek(0)
        proc = git.start(["cat-file", "--batch"], cwd=root, stdin=ask,
                         what=f"read commit {commit[:7]}")
        stream = proc.stdout
        if stream is None:  # never: stdout is a pipe; for the type checker
            raise UsageError(f"cannot read commit {commit[:7]}")
        try:
            for _sha, rel in wanted:
                header = stream.readline().split()
                if len(header) != 3 or header[1] != b"blob":
                    raise UsageError(f"cannot read {rel} of commit {commit[:7]}")
                target = dest.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(stream.read(int(header[2])))
                stream.read(1)  # the newline after each object
        finally:
            stream.close()
            proc.wait(timeout=60)


def tree_config(current: Config, tree: Path, label: str) -> Config:
    """The config for definitions materialised in `tree` (see the module docstring)."""
    name = current.path.name if current.path is not None else CONFIG_NAME
    own = tree / name
    layout = current
    if own.is_file():
        try:
            layout = parse_config(own.read_text(encoding="utf-8"), own)
        except (ConfigError, UnicodeDecodeError) as exc:
            raise UsageError(f"{name} at {label} cannot be read, so neither can its "
                             f"workflow folders: {exc}") from exc
    workflows = layout.workflows
    if current.project_key is not None:  # one project of `projects:`: its folders only
        # (at a ref from before `projects:`, the folders the project has now)
        workflows = (layout.projects.get(current.project_key, ()) if layout.projects
                     else current.workflows)
    return current._replace(root=tree, path=own, workflows=workflows,
                            lint_disable=layout.lint_disable, resources=layout.resources)


@contextmanager
def snapshot(current: Config, ref: str | None, label: str | None = None) -> Iterator[Snapshot]:
    """The definitions at `ref` (None: the working tree, as it is on disk)."""
    if ref is None:
        yield Snapshot(label or WORKING_TREE, None, current)
        return
    commit = git.resolve_commit(current.root, ref)
    label = label or ref
    with tempfile.TemporaryDirectory(prefix="dagship-") as tmp:
        tree = Path(tmp).resolve()
        materialise(current.root, commit, tree)
        yield Snapshot(label, commit, tree_config(current, tree, label))


"""Files of the repository that are synced into the resource center, and the task
references to them.

A task names a resource by its path in the repository (`resources/etl/load.sh`) in
`resource_list` entries and in Spark/Flink/MR `main_package` (native files:
`resourceList[].resourceName`, `mainJar.resourceName`). Only names inside a folder that
dagship.yaml lists under `resources:` are dagship's; any other name is the server's own
and passes through unchanged, as before resources existed.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployer.core.config import Config
from deployer.definitions._collect import Collector
from deployer.definitions.model import WorkflowSpec
from deployer.definitions.positions import offset_to_mark
from deployer.yaml.nodes import Mark

__all__ = ["LocalResource", "check_references", "compare_resources", "is_managed",
           "local_resources", "references"]


@dataclass(frozen=True)
class LocalResource:
    path: str  # relative to the repository, with `/`
    file: Path
    size: int
    _digest: list[str] = field(default_factory=list, compare=False, repr=False)

    def data(self) -> bytes:
        return self.file.read_bytes()

    @property
    def digest(self) -> str:
        """sha256 of the bytes, computed once."""
        if not self._digest:
            h = hashlib.sha256()
            with self.file.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            self._digest.append(h.hexdigest())
        return self._digest[0]


def local_resources(config: Config) -> dict[str, LocalResource]:
    """Every file below the configured folders, by repository path. Hidden files and
    folders (`.gitkeep`, `.DS_Store`) are skipped: they are repository plumbing."""
    out: dict[str, LocalResource] = {}
    for folder in config.resources:
        base = config.root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(config.root).as_posix()
            if not path.is_file() or any(part.startswith(".") for part in rel.split("/")):
                continue
            out[rel] = LocalResource(rel, path, path.stat().st_size)
    return out


def is_managed(name: str, config: Config) -> bool:
    return any(name.startswith(folder) for folder in config.resources)


def references(params: Any) -> Iterator[str]:
    """Every resource name a task's parameters hold."""
    if isinstance(params, Mapping):
        for item in params.get("resourceList") or []:
            if isinstance(item, Mapping) and isinstance(item.get("resourceName"), str):
                yield item["resourceName"]
        jar = params.get("mainJar")
        if isinstance(jar, Mapping) and isinstance(jar.get("resourceName"), str):
            yield jar["resourceName"]


def check_references(specs: Sequence[WorkflowSpec], text: str, out: Collector,
                     config: Config, known: Mapping[str, LocalResource]) -> None:
    """WF412: a name inside a resource folder that names no file of the repository."""
    if not config.resources:
        return
    for spec in specs:
        for task in spec.tasks:
            for name in references(task.params):
                if not is_managed(name, config) or name in known:
                    continue
                close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                out.add("WF412", _where(text, name, task.line),
                        f"task {task.name!r}: resource `{name}` is not a file of the "
                        f"repository{hint}")


def _where(text: str, name: str, line: int) -> Mark:
    """The reference's own position: its first occurrence from the task's line on."""
    start = 0
    for _ in range(max(line - 1, 0)):
        nl = text.find("\n", start)
        if nl < 0:
            break
        start = nl + 1
    at = text.find(name, start)
    if at < 0:
        at = text.find(name)
    return offset_to_mark(text, at) if at >= 0 else Mark(max(line, 1), 1)


def compare_resources(old: Config, new: Config) -> list[tuple[str, str]]:
    """(added | removed | changed, path) of the resource files of two sides, by path."""
    before, after = local_resources(old), local_resources(new)
    out = []
    for path in sorted(set(before) | set(after)):
        if path not in before:
            out.append(("added", path))
        elif path not in after:
            out.append(("removed", path))
        elif before[path].size != after[path].size or before[path].digest != after[path].digest:
            out.append(("changed", path))
    return out

"""What the readers of one dialect file share while they walk it (pyds, tasks, logic, graph).

`FileState` is the file being read (its lines, substitution context, findings, the values
reader and what the walk collected for the cross-file checks); `TaskState` is the task
reader's own progress (names seen so far, branch targets still to check). The readers are
built on these, so each module needs only this one, never another reader's module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployer.definitions import subst
from deployer.definitions._collect import Collector
from deployer.definitions.dialect import TaskType
from deployer.definitions.model import WorkflowSpec
from deployer.definitions.positions import Lines
from deployer.definitions.values import Values
from deployer.yaml.nodes import Mark, MDict


@dataclass
class Reference:
    """A reference to another workflow, checked against the whole repository."""

    kind: str  # "sub" | "dep"
    workflow: str
    same_project: bool
    task: str | None
    mark: Mark
    project: str | None = None  # another project, as the file names it


@dataclass
class Parsed:
    name: str | None = None
    name_mark: Mark = field(default_factory=lambda: Mark(1, 1))
    task_names: set[str] = field(default_factory=set)
    refs: list[Reference] = field(default_factory=list)
    spec: WorkflowSpec | None = None
    # workflows this one needs deployed first and pyds parses first: sub-workflow
    # children and `$WORKFLOW{}` targets, with where each is named (WF411)
    children: list[tuple[str, Mark]] = field(default_factory=list)


@dataclass
class RawTask:
    name: str
    mark: Mark
    ttype: TaskType
    node: MDict
    vals: dict[str, Any]
    deps: list[str]
    dep_marks: list[Mark]
    params: dict[str, Any] = field(default_factory=dict)
    downstream: list[str] = field(default_factory=list)  # implied edges: this -> them
    upstream: list[str] = field(default_factory=list)  # implied edges: them -> this


class FileState:
    """One dialect file being read."""

    def __init__(self, path: Path, text: str, ctx: subst.Context, out: Collector,
                 same_project: Callable[[str | None], bool]) -> None:
        self.path = path
        self.lines = Lines(text)
        self.ctx = ctx
        self.out = out
        self.v = Values(ctx, out, self.lines.line)
        self.same_project = same_project
        self.parsed = Parsed()


class TaskState:
    """The tasks of one file being read, in file order."""

    def __init__(self, reader: FileState, *, has_param: bool) -> None:
        self.r = reader
        self.out = reader.out
        self.has_param = has_param
        self.seen: set[str] = set()  # task names read so far, in file order
        self.pending: list[tuple[str, Mark, str, str]] = []  # (target, mark, label, owner)

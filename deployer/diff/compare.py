"""A semantic diff of workflow definitions: what changed in the DAG, not in the YAML text.

Both sides are `WorkflowSpec`s from the one loader (lint mode: `$VAR`, `$ENV` and
`${CONFIG.X}` stay as written, so the diff is the same for every target; `$FILE` payloads
are read, so an edited script file shows as a change of the task that includes it).
Identity is by name, as in a deploy: a workflow is its name, a task its name inside its
workflow. A workflow renamed in Git is removed + added, unless the caller pairs the two
names (`--rename OLD=NEW`); then it is one "renamed" workflow compared task by task.

Fields and values are in the words of the workflow file (deployer.definitions.words):
`command`, not `params.rawScript`; `Shell`, not `SHELL`; `timezone`, not `timezoneId`;
references by name. `plan` and `status` compare a remote workflow read back as a file
with the same function, so the three commands say a change alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deployer.definitions import words
from deployer.definitions.model import ScheduleSpec, TaskSpec, WorkflowSpec

ADDED, REMOVED, CHANGED, RENAMED = "added", "removed", "changed", "renamed"

# TaskSpec attributes compared before the views are built (`line` and `deps` are not).
_TASK_ATTRS = ("task_type", "description", "flag", "priority", "worker_group", "environment",
               "fail_retry_times", "fail_retry_interval", "timeout", "timeout_notify_strategy",
               "delay_time", "task_group_id", "task_group_priority", "cpu_quota", "memory_max",
               "is_cache")


@dataclass(frozen=True)
class FieldChange:
    field: str  # a key of the workflow file: "command", "timezone", "release_state", ...
    old: Any  # plain JSON value; None when absent
    new: Any


@dataclass
class TaskDiff:
    name: str
    status: str  # added | removed | changed
    task_type: str  # the dialect's type name: Shell, Sql, SubWorkflow, ...
    changes: list[FieldChange] = field(default_factory=list)


Edge = tuple[str, str]  # (upstream, downstream)


@dataclass
class WorkflowDiff:
    name: str
    status: str  # added | removed | changed | renamed
    old_name: str | None = None  # renamed: the name at BASE
    old_path: str | None = None
    new_path: str | None = None
    fields: list[FieldChange] = field(default_factory=list)
    schedule: list[FieldChange] = field(default_factory=list)
    tasks: list[TaskDiff] = field(default_factory=list)
    deps_added: list[Edge] = field(default_factory=list)
    deps_removed: list[Edge] = field(default_factory=list)
    old: WorkflowSpec | None = None  # for the graph; not part of the JSON
    new: WorkflowSpec | None = None

    def tasks_with(self, status: str) -> list[str]:
        return [t.name for t in self.tasks if t.status == status]

    def summary(self) -> str:
        """`+1 task, ~2 tasks, -1 task, +1 dependency, schedule changed`."""
        if self.status in (ADDED, REMOVED):
            spec = self.new if self.status == ADDED else self.old
            n = len(spec.tasks) if spec else 0
            return f"{self.status}, {_count(n, 'task')}"
        parts = [f"renamed from {self.old_name}"] if self.status == RENAMED else []
        for sign, status in (("+", ADDED), ("~", CHANGED), ("-", REMOVED)):
            names = self.tasks_with(status)
            if names:
                parts.append(sign + _count(len(names), "task"))
        for sign, edges in (("+", self.deps_added), ("-", self.deps_removed)):
            if edges:
                parts.append(sign + _count(len(edges), "dependency", "dependencies"))
        if self.schedule:
            parts.append("schedule changed")
        parts.extend(f"{c.field} changed" for c in self.fields)
        return ", ".join(parts)


@dataclass
class DiffResult:
    base: str  # label, e.g. "v1.2 (abc1234)"
    head: str
    workflows: list[WorkflowDiff]  # only those that differ, by name
    unchanged: int
    hints: list[str] = field(default_factory=list)
    # resource files (dagship.yaml `resources:`): (status, repository path), by path
    resources: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {ADDED: 0, REMOVED: 0, CHANGED: 0, RENAMED: 0}
        for w in self.workflows:
            out[w.status] += 1
        return out


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def plain(value: Any) -> Any:
    """A model value as plain JSON, in the file's words (references by name)."""
    return words.plain(value)


def _same_task(a: TaskSpec, b: TaskSpec) -> bool:
    """Equal in everything compared (not `line`, not `deps`): the common case, and much
    cheaper than turning both into plain values."""
    return a.params == b.params and all(getattr(a, k) == getattr(b, k) for k in _TASK_ATTRS)


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    return [FieldChange(k, old.get(k), new.get(k)) for k in sorted(set(old) | set(new))
            if old.get(k) != new.get(k)]


def _edges(spec: WorkflowSpec | None) -> set[Edge]:
    return {(d, t.name) for t in spec.tasks for d in t.deps} if spec else set()


def _schedule(old: ScheduleSpec | None, new: ScheduleSpec | None) -> list[FieldChange]:
    """The schedule's keys that differ (`schedule` is the cron, as the file writes it); one
    change of `schedule` from or to None when a side has no schedule."""
    if old is None and new is None:
        return []
    if old is None or new is None:
        return [FieldChange("schedule", words.schedule_view(old) or None,
                            words.schedule_view(new) or None)]
    return _changes(words.schedule_view(old), words.schedule_view(new))


def compare_workflow(old: WorkflowSpec | None, new: WorkflowSpec | None) -> WorkflowDiff | None:
    """How `new` differs from `old` (either may be absent); None when they mean the same."""
    spec = new or old
    if spec is None:
        raise ValueError("compare_workflow() needs at least one side")
    status = ADDED if old is None else REMOVED if new is None else (
        RENAMED if old.name != new.name else CHANGED)
    out = WorkflowDiff(name=spec.name, status=status, old=old, new=new,
                       old_name=old.name if status == RENAMED and old else None,
                       old_path=_path(old), new_path=_path(new))
    if old is None or new is None:  # added or removed: every task with it
        out.tasks = [TaskDiff(t.name, status, words.type_name(t)) for t in spec.tasks]
        out.schedule = _schedule(old.schedule if old else None, new.schedule if new else None)
        return out
    out.fields = _changes(words.workflow_view(old), words.workflow_view(new))
    out.schedule = _schedule(old.schedule, new.schedule)
    before = {t.name: t for t in old.tasks}
    after = {t.name: t for t in new.tasks}
    for name in sorted(set(before) | set(after)):
        if name not in before:
            out.tasks.append(TaskDiff(name, ADDED, words.type_name(after[name])))
        elif name not in after:
            out.tasks.append(TaskDiff(name, REMOVED, words.type_name(before[name])))
        elif not _same_task(before[name], after[name]):
            changes = _changes(words.task_view(before[name]), words.task_view(after[name]))
            if changes:
                out.tasks.append(TaskDiff(name, CHANGED, words.type_name(after[name]),
                                          changes))
    # Edges between tasks both sides have: an added or removed task brings its own edges.
    kept = set(before) & set(after)
    old_edges = {e for e in _edges(old) if e[0] in kept and e[1] in kept}
    new_edges = {e for e in _edges(new) if e[0] in kept and e[1] in kept}
    out.deps_added = sorted(new_edges - old_edges)
    out.deps_removed = sorted(old_edges - new_edges)
    same = not (out.fields or out.schedule or out.tasks or out.deps_added or out.deps_removed)
    return None if same and status == CHANGED else out


def _path(spec: WorkflowSpec | None) -> str | None:
    return spec.path.as_posix() if spec else None


def compare(base: Sequence[WorkflowSpec], head: Sequence[WorkflowSpec], *, base_label: str,
            head_label: str, renames: Mapping[str, str] | None = None) -> DiffResult:
    """Every workflow that differs between two loaded sides. `renames` maps a name at BASE
    to a name at HEAD: the pair is compared as one workflow. Raises ValueError naming a pair
    that is not a removed + added workflow."""
    old = {s.name: s for s in base}
    new = {s.name: s for s in head}
    renames = dict(renames or {})
    for a, b in renames.items():
        if a not in old or a in new:
            raise ValueError(f"--rename {a}={b}: no workflow {a!r} was removed between "
                             f"{base_label} and {head_label}")
        if b not in new or b in old:
            raise ValueError(f"--rename {a}={b}: no workflow {b!r} was added between "
                             f"{base_label} and {head_label}")
    paired = set(renames.values())
    diffs: list[WorkflowDiff] = []
    unchanged = 0
    for name in sorted(set(old) | set(new)):
        if name in paired:
            continue
        target = renames.get(name)
        d = compare_workflow(old.get(name), new.get(target or name))
        if d is None:
            unchanged += 1
        else:
            diffs.append(d)
    diffs.sort(key=lambda d: d.name)
    return DiffResult(base_label, head_label, diffs, unchanged, _rename_hints(diffs))


def _rename_hints(diffs: Sequence[WorkflowDiff]) -> list[str]:
    """A removed and an added workflow from the same file were probably renamed."""
    removed = {d.old_path: d.name for d in diffs if d.status == REMOVED}
    return [f"{removed[d.new_path]!r} (removed) and {d.name!r} (added) come from the same "
            f"file {d.new_path}: pass --rename {removed[d.new_path]}={d.name} to compare "
            "them as one workflow"
            for d in diffs if d.status == ADDED and d.new_path in removed]

"""Dependency cycles among workflows a deploy has yet to create: seen by the plan, refused.

Two workflows' Dependent tasks may wait on each other (DolphinScheduler allows it; the linter
refuses only sub-workflow and `$WORKFLOW` cycles, WF411). Creating one needs the other's code.
When a workflow of the cycle already exists, its code is known and `apply.levels` breaks the
cycle there; when none does, no order works, so the plan refuses before anything is sent
instead of letting each of them fail after the rest of the deploy went through.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Protocol

from deployer.definitions.model import ForeignTaskRef, WorkflowRef, WorkflowSpec
from deployer.engine.translate import iter_refs


class Planned(Protocol):
    """What the cycle search reads of a planned workflow (`plan.WorkflowPlan` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def spec(self) -> WorkflowSpec | None: ...
    @property
    def code(self) -> int | None: ...  # None: not on the target yet
    @property
    def depends_on(self) -> set[str]: ...


def new_cycles(items: Sequence[Planned]) -> list[list[str]]:
    """Each cycle made only of workflows absent from the target (no code yet), as a path back
    to its start (`[a, b, a]`): one per group of workflows that all wait on each other,
    shortest through the first name. Any other cycle goes through a workflow whose code is
    known, which is what `apply.levels` needs to break it."""
    new = {i.name: i.depends_on for i in items if i.code is None}
    graph = {n: sorted(d & new.keys()) for n, d in new.items()}
    reach = {n: _reachable(graph, n) for n in graph}
    cycles, seen = [], set()
    for name in sorted(graph):
        if name in seen or name not in reach[name]:
            continue
        group = {m for m in reach[name] if name in reach[m]}
        seen |= group
        cycles.append(_shortest_cycle(graph, name, group))
    return cycles


def _reachable(graph: Mapping[str, Sequence[str]], start: str) -> set[str]:
    """Every name one or more edges away from `start` (itself only through a cycle)."""
    found: set[str] = set()
    todo = list(graph[start])
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(graph[name])
    return found


def _shortest_cycle(graph: Mapping[str, Sequence[str]], start: str, group: set[str]) -> list[str]:
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        name = queue.popleft()
        for nxt in graph[name]:
            if nxt == start:
                path = [name]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if nxt in group and nxt not in came_from:
                came_from[nxt] = name
                queue.append(nxt)
    raise ValueError(f"{start} is on no cycle")


def _edge(spec: WorkflowSpec | None, other: str) -> tuple[str, str | None]:
    """Why `spec` needs `other` first, in words, and the Dependent task that says so, if one
    does (that edge can be left out for one deploy; a sub-workflow child cannot)."""
    for task in spec.tasks if spec else ():
        for ref in iter_refs(task.params):
            if ((isinstance(ref, WorkflowRef) and ref.name == other and ref.project is None)
                    or (isinstance(ref, ForeignTaskRef) and ref.workflow == other
                        and ref.project is None)):
                if task.task_type == "DEPENDENT":
                    return f"task {task.name!r} waits on {other}", task.name
                return f"task {task.name!r} runs {other}", None
    return f"needs {other} first (a $WORKFLOW reference)", None


def refusal(items: Sequence[Planned], cycles: Sequence[Sequence[str]]) -> str:
    """The message of a deploy refused for `cycles`: each cycle, each edge, and the way out."""
    by_name = {i.name: i for i in items}
    lines = [f"new workflows wait on each other in {len(cycles)} cycle(s) of Dependent "
             "tasks; none of a cycle exists on the target yet, so none can be created first. "
             "Nothing was sent."]
    example = None
    for cycle in cycles:
        lines.append("  " + " -> ".join(cycle))
        for here, there in pairwise(cycle):
            item = by_name[here]
            why, dependent = _edge(item.spec, there)
            lines.append(f"    {here}: {why} ({item.path})")
            if dependent is not None and example is None:
                example = f"e.g. task {dependent!r} of {here}"
    lines.append(
        "To deploy them, break each cycle for one deploy: remove one of its Dependent tasks "
        f"({example or 'one that waits on another workflow of the cycle'}), deploy, then "
        "put it back and deploy again. Once one workflow of the cycle exists on the target, "
        "dagship creates the others first and then updates it.")
    return "\n".join(lines)

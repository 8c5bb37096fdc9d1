"""The task graph of one workflow: duplicate names, unknown dependencies, cycles."""

from __future__ import annotations

from deployer.core.wording import hint
from deployer.definitions._collect import Collector
from deployer.definitions.walk import RawTask


def check_graph(raws: list[RawTask], out: Collector) -> None:
    first: dict[str, RawTask] = {}
    for raw in raws:
        if raw.name in first:
            out.add("WF201", raw.node.value_mark("name"), f"duplicate task name `{raw.name}` "
                    f"(first at line {first[raw.name].mark.line}); task names are the identity "
                    "of a task within its workflow and must be unique")
        else:
            first[raw.name] = raw
    for raw in raws:
        for dep, mark in zip(raw.deps, raw.dep_marks, strict=False):
            if dep not in first:
                out.add("WF202", mark, f"task `{raw.name}`: `deps` names `{dep}`, which is not "
                        f"a task of this workflow{hint(dep, first)}")
    edges = {name: [d for d in (*raw.deps, *raw.upstream) if d in first]
             for name, raw in first.items()}
    cycle = find_cycle(edges)
    if cycle:
        start = first[cycle[0]]
        out.add("WF203", start.mark, "dependency cycle: " + " -> ".join(cycle)
                + "; a workflow must be a DAG")


def find_cycle(edges: dict[str, list[str]]) -> list[str] | None:
    """One cycle (first node repeated at the end) in upstream-edge order, or None."""
    white, grey, black = 0, 1, 2
    state = dict.fromkeys(edges, white)
    for root in edges:
        if state[root] != white:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        state[root] = grey
        while stack:
            node, i = stack[-1]
            nexts = edges.get(node, [])
            if i < len(nexts):
                stack[-1] = (node, i + 1)
                nxt = nexts[i]
                if state.get(nxt, black) == grey:
                    loop = [*path[path.index(nxt):], nxt]
                    return list(reversed(loop))
                if state.get(nxt, black) == white:
                    state[nxt] = grey
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                state[node] = black
                stack.pop()
                path.pop()
    return None

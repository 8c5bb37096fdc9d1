"""`dagship diff` reports: a terminal listing, stable JSON, and Markdown with Mermaid DAGs.

The Markdown is meant for a merge-request comment or `$GITHUB_STEP_SUMMARY`: one table of
workflows, then per workflow its changes and a `flowchart` in which added tasks are green,
changed ones yellow and removed ones red and dashed; added dependencies are drawn green,
removed ones as dashed red links. Labels use the escaping of deployer.output.markdown, so no task
name can break the graph or the page.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from typing import Any

from deployer.core.redact import redact
from deployer.diff.compare import (
    ADDED,
    CHANGED,
    REMOVED,
    RENAMED,
    DiffResult,
    FieldChange,
    WorkflowDiff,
)
from deployer.output.markdown import MERMAID_CLASSES, html_code, md_cell, md_code, mermaid_nodes

SIGN = {ADDED: "+", REMOVED: "-", CHANGED: "~", RENAMED: "~"}
_COLOR = {ADDED: "32", REMOVED: "31", CHANGED: "33", RENAMED: "33"}
MAX_DIFF_LINES = 40  # per field; a longer script diff is cut (the JSON has both values)


def headline(result: DiffResult) -> str:
    n = result.counts()
    if not result.workflows:
        return f"No workflow changes ({result.unchanged} unchanged)"
    parts = [f"{n[k]} {k}" for k in (ADDED, REMOVED, CHANGED, RENAMED) if n[k]]
    return f"{len(result.workflows)} workflow(s) differ: {', '.join(parts)}; " \
           f"{result.unchanged} unchanged"


def _paint(text: str, status: str, color: bool) -> str:
    return f"\x1b[{_COLOR[status]}m{text}\x1b[0m" if color else text


def _value(value: Any) -> str:
    return "(unset)" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _long(c: FieldChange) -> bool:
    return any(isinstance(v, str) and ("\n" in v or len(v) > 60) for v in (c.old, c.new))


def text_diff(c: FieldChange) -> list[str]:
    """A unified diff of a long string value (a script), at most MAX_DIFF_LINES lines:
    the hunks only (`@@ -2,2 +2,2 @@`), one line of context."""
    old = c.old if isinstance(c.old, str) else ("" if c.old is None else _value(c.old))
    new = c.new if isinstance(c.new, str) else ("" if c.new is None else _value(c.new))
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), n=1, lineterm=""))[2:]
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more lines)"]
    return lines


def _change_lines(c: FieldChange, indent: str, color: bool) -> list[str]:
    """`~ timeout: 0 -> 30`, or `~ command:` over a unified diff of a script."""
    sign, status = ("+", ADDED) if c.old is None else ("-", REMOVED) if c.new is None \
        else ("~", CHANGED)
    head = _paint(f"{sign} {c.field}:", status, color)
    if _long(c):
        return [f"{indent}{head}", *(f"{indent}    {line}" for line in text_diff(c))]
    if sign == "+":
        return [f"{indent}{head} {_value(c.new)}"]
    if sign == "-":
        return [f"{indent}{head} {_value(c.old)}"]
    return [f"{indent}{head} {_value(c.old)} -> {_value(c.new)}"]


def _schedule_lines(w: WorkflowDiff, indent: str, color: bool) -> list[str]:
    if not w.schedule:
        return []
    first = w.schedule[0]
    if isinstance(first.old, dict) or isinstance(first.new, dict):
        # a schedule added or removed: its cron and time zone say which
        view = first.new if first.old is None else first.old
        sign, status = ("+", ADDED) if first.old is None else ("-", REMOVED)
        return [f"{indent}{_paint(f'{sign} schedule:', status, color)} "
                f"{_value(view.get('schedule'))} (timezone {view.get('timezone')})"]
    lines = [f"{indent}{_paint('~ schedule', CHANGED, color)}"]
    for c in w.schedule:
        lines += _change_lines(c, indent + "    ", color)
    return lines


def change_lines(w: WorkflowDiff, indent: str, *, color: bool = False) -> list[str]:
    """What changed inside one workflow, one line per task, key and dependency, in the
    words of the workflow file; shared by `diff`, `plan` and `status`."""
    lines: list[str] = []
    for c in w.fields:
        lines += _change_lines(c, indent, color)
    for t in w.tasks:
        lines.append(indent + _paint(f"{SIGN[t.status]} task {t.name}", t.status, color)
                     + f" ({t.task_type})")
        for c in t.changes:
            lines += _change_lines(c, indent + "    ", color)
    for sign, status, edges in (("+", ADDED, w.deps_added), ("-", REMOVED, w.deps_removed)):
        lines += [indent + _paint(f"{sign} dependency", status, color) + f" {a} -> {b}"
                  for a, b in edges]
    return lines + _schedule_lines(w, indent, color)


def change_summary(w: WorkflowDiff) -> str:
    """The same changes on one line, for a table's row or `status`: `~ task load (Shell):
    command; ~ schedule: timezone`."""
    parts = [f"~ {c.field}" for c in w.fields]
    for t in w.tasks:
        keys = f": {', '.join(c.field for c in t.changes)}" if t.changes else ""
        parts.append(f"{SIGN[t.status]} task {t.name} ({t.task_type}){keys}")
    parts += [f"+ dependency {a} -> {b}" for a, b in w.deps_added]
    parts += [f"- dependency {a} -> {b}" for a, b in w.deps_removed]
    if w.schedule:
        first = w.schedule[0]
        if isinstance(first.old, dict) or isinstance(first.new, dict):
            parts.append("+ schedule" if first.old is None else "- schedule")
        else:
            parts.append(f"~ schedule: {', '.join(c.field for c in w.schedule)}")
    return "; ".join(parts)


def _workflow_text(w: WorkflowDiff, color: bool) -> list[str]:
    where = w.new_path or w.old_path or ""
    if w.old_path and w.new_path and w.old_path != w.new_path:
        where = f"{w.old_path} -> {w.new_path}"
    head = _paint(f"{SIGN[w.status]} workflow {w.name}", w.status, color)
    lines = [f"{head} ({where}): {w.summary()}"]
    if w.status in (ADDED, REMOVED):
        return lines
    return lines + change_lines(w, "    ", color=color)


def to_text(result: DiffResult, *, color: bool = False) -> str:
    lines = [f"dagship diff {result.base} .. {result.head}", headline(result)]
    for w in result.workflows:
        lines += _workflow_text(w, color)
    if result.resources:
        lines.append(f"{len(result.resources)} resource file(s) differ:")
        lines += [_paint(f"  {SIGN[st]} resource {path}", st, color)
                  for st, path in result.resources]
    lines += [f"hint: {h}" for h in result.hints]
    return redact("\n".join(lines))


# --- JSON ------------------------------------------------------------------------------------

def _change_json(c: FieldChange) -> dict[str, Any]:
    return {"field": c.field, "old": c.old, "new": c.new}


def changes_json(w: WorkflowDiff) -> dict[str, Any]:
    """What changed inside a workflow, as the JSON reports of `diff` and `plan` carry it."""
    return {
        "fields": [_change_json(c) for c in w.fields],
        "schedule": [_change_json(c) for c in w.schedule],
        "tasks": [{"name": t.name, "status": t.status, "task_type": t.task_type,
                   "changes": [_change_json(c) for c in t.changes]} for t in w.tasks],
        "dependencies": {"added": [list(e) for e in w.deps_added],
                         "removed": [list(e) for e in w.deps_removed]},
    }


def _workflow_json(w: WorkflowDiff) -> dict[str, Any]:
    return {"name": w.name, "status": w.status, "old_name": w.old_name,
            "old_path": w.old_path, "new_path": w.new_path, "summary": w.summary(),
            **changes_json(w)}


def to_json(result: DiffResult) -> str:
    doc = {"base": result.base, "head": result.head, "summary": result.counts(),
           "unchanged": result.unchanged, "hints": result.hints,
           "workflows": [_workflow_json(w) for w in result.workflows],
           "resources": [{"status": st, "path": path} for st, path in result.resources]}
    return redact(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)) + "\n"


# --- Markdown --------------------------------------------------------------------------------

def _md_value(value: Any) -> str:
    return md_code(_value(value))


def _fence(lines: list[str]) -> str:
    """A code fence longer than any run of backticks in the block (a script may hold ```)."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    return "`" * max(3, longest + 1)


def _md_change(c: FieldChange, indent: str = "") -> list[str]:
    if _long(c):
        lines = text_diff(c)
        fence = _fence(lines)
        return [f"{indent}- {md_code(c.field)}:", "", f"{indent}  {fence}diff",
                *(f"{indent}  {line}".rstrip() for line in lines),
                f"{indent}  {fence}", ""]
    return [f"{indent}- {md_code(c.field)}: {_md_value(c.old)} → {_md_value(c.new)}"]


def changes_md(w: WorkflowDiff) -> list[str]:
    """What changed inside a workflow as a Markdown list, for `diff` and `plan` reports."""
    body: list[str] = []
    for t in w.tasks:
        head = f"- **{SIGN[t.status]} task** {md_code(t.name)} ({t.task_type})"
        body.append(head + (":" if t.changes else ""))
        for c in t.changes:
            body += _md_change(c, "  ")
    for sign, edges in (("+", w.deps_added), ("-", w.deps_removed)):
        body += [f"- **{sign} dependency** {md_code(a)} → {md_code(b)}" for a, b in edges]
    for c in [*w.schedule, *w.fields]:
        body += _md_change(c)
    return body


def _workflow_md(w: WorkflowDiff) -> list[str]:
    out = [f"<details open><summary>{html_code(w.name)} ({w.status})</summary>", ""]
    if w.status == RENAMED:
        out.append(f"Renamed from {md_code(w.old_name or '')}.")
        out.append("")
    body = changes_md(w) if w.status in (CHANGED, RENAMED) else []
    if body:
        out += [*body, ""] if body[-1] else body
    out += ["```mermaid", mermaid(w), "```", "", "</details>", ""]
    return out


def to_markdown(result: DiffResult) -> str:
    out = [f"### dagship diff: {md_cell(result.base)} → {md_cell(result.head)}", "",
           f"**{headline(result)}**", ""]
    if result.workflows:
        out += ["| | Workflow | Changes |", "|---|---|---|"]
        out += [f"| {SIGN[w.status]} | {md_code(w.name)} | {md_cell(w.summary())} |"
                for w in result.workflows]
        out.append("")
    if result.resources:
        out += ["| | Resource file |", "|---|---|"]
        out += [f"| {SIGN[st]} | {md_code(path)} |" for st, path in result.resources]
        out.append("")
    out += [f"> {md_cell(h)}" for h in result.hints]
    if result.hints:
        out.append("")
    for w in result.workflows:
        out += _workflow_md(w)
    return redact("\n".join(out))


def mermaid(w: WorkflowDiff) -> str:
    """`flowchart LR` of the workflow at HEAD plus what BASE had and HEAD dropped."""
    added, changed = set(w.tasks_with(ADDED)), set(w.tasks_with(CHANGED))
    removed = set(w.tasks_with(REMOVED))
    if w.status == ADDED:
        added = {t.name for t in w.new.tasks} if w.new else set()
    names = [t.name for t in w.new.tasks] if w.new else []
    old_order = [t.name for t in w.old.tasks] if w.old else []
    names += [n for n in old_order if n in removed and n not in names]
    ids, lines = mermaid_nodes(names)
    links: list[str] = []
    styles: list[str] = []
    new_edges = sorted({(d, t.name) for t in w.new.tasks for d in t.deps}) if w.new else []
    gone = set(w.deps_removed)
    if w.status == REMOVED and w.old is not None:
        gone = {(d, t.name) for t in w.old.tasks for d in t.deps}
    fresh = set(w.deps_added) if w.status in (CHANGED, RENAMED) else set()
    for a, b in [*new_edges, *sorted(gone)]:
        if a not in ids or b not in ids:
            continue
        arrow = "-.->" if (a, b) in gone else "-->"
        if (a, b) in gone:
            styles.append(f"  linkStyle {len(links)} stroke:#cf222e,stroke-dasharray: 4 2")
        elif (a, b) in fresh:
            styles.append(f"  linkStyle {len(links)} stroke:#2da44e,stroke-width:2px")
        links.append(f"  {ids[a]} {arrow} {ids[b]}")
    lines += links + styles
    lines += MERMAID_CLASSES
    for cls, group in (("added", added), ("changed", changed), ("removed", removed)):
        members = _members(group, ids)
        if members:
            lines.append(f"  class {members} {cls}")
    return "\n".join(lines)


def _members(group: Iterable[str], ids: dict[str, str]) -> str:
    return ",".join(sorted((ids[n] for n in group if n in ids), key=lambda i: int(i[1:])))

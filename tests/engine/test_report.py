"""Markdown reports stay valid whatever a workflow or task is called."""

from __future__ import annotations

import re
from pathlib import Path

from deployer.definitions.model import TaskSpec, WorkflowSpec
from deployer.engine.apply import ApplyResult, Outcome
from deployer.engine.plan import CREATE, Plan, TaskChanges, WorkflowPlan
from deployer.engine.report import mermaid, to_markdown

ODD = ['say "hi"', "a[1] (b) {c}", "ünïcødé 日本 ✓", "x<br>y & z", "#quot; #35;", "back`tick",
       "pipe|name", "end"]


def _item(name: str = "wf") -> WorkflowPlan:
    tasks = tuple(TaskSpec(n, "SHELL", {"rawScript": "true"}, deps=(ODD[k - 1],) if k else ())
                  for k, n in enumerate(ODD))
    spec = WorkflowSpec(name=name, path=Path("workflows/wf.yaml"), tasks=tasks)
    return WorkflowPlan(name, CREATE, spec=spec,
                        changes=TaskChanges(added=list(ODD[:4]), changed=[ODD[4]],
                                            removed=['gone "old"']))


def _labels(chart: str) -> list[str]:
    return re.findall(r'^  t\d+\["(.*)"\]$', chart, flags=re.MULTILINE)


def test_mermaid_labels_escape_everything_that_would_break_the_chart() -> None:
    chart = mermaid(_item())
    labels = _labels(chart)
    assert len(labels) == len(ODD) + 1  # every node declared on one line, quoted
    for label in labels:
        assert not set(label) & set('"<>`'), label
        # every # starts an entity code, so a name cannot smuggle one in
        assert re.fullmatch(r"(?:[^#&]|#\d+;)*", label), label
    assert labels[0] == "say #34;hi#34;"
    assert labels[2] == "ünïcødé 日本 ✓"
    assert labels[4] == "#35;quot; #35;35;"
    assert "  class t0,t1,t2,t3 added" in chart


def test_markdown_names_cannot_break_the_table_or_the_html() -> None:
    name = "wf <b>`|&"
    plan = Plan("staging", "p", 1, "3.3", "abcdef0", [_item(name)], [], [], resolver=None)  # type: ignore[arg-type]
    result = ApplyResult([Outcome(name, CREATE, "failed", error="boom")], 3, 0.1)
    md = to_markdown(plan, result)
    assert "<summary><code>wf &lt;b&gt;`|&amp;</code> (create)</summary>" in md
    row = next(line for line in md.splitlines() if line.startswith("| + |"))
    assert row.count("|") == 5  # the name adds no column
    assert "<b>" not in md

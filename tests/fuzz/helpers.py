"""Strategies shared by the fuzz suites: YAML fragment soup, near-valid workflows, bytes."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import strategies as st

from deployer.definitions.dialect import COMMON_KEYS, TASK_TYPES, WORKFLOW_KEYS

# Pieces that trip YAML readers: YAML 1.1 booleans, octals, sexagesimals and dates, anchors,
# merges, tags (incl. Python object tags a full loader would execute), directives, flow and
# block indicators, BOMs, CRLF, tabs, NUL, NEL and line separators, huge numbers.
FRAGMENTS = (
    "workflow:", "tasks:", "  name: w", "name: t", "- name: t", "  - name: t", "task_type: Shell",
    "    task_type: Sql", "command: echo hi", "deps: [a]", "deps:", "on: yes", "yes: no",
    "off:", "y: n", "010", "0o17", "0x1F", "0b101", "1_000", "1:30", "2024-01-01",
    "2024-01-01 10:00:00", "2001-12-14t21:59:43.10-05:00", "&a", "*a", "<<: *a", "&b [*a, *a]",
    "!!binary aGk=", "!!python/object/apply:os.system ['true']", "!!set {a, b}", "!!omap",
    "!custom x", "!!str", "!!int", "!!float", "? complex", "? [a]", "{", "}", "[", "]", '"',
    "'", "|", ">-", "|+", "#", "# comment", "%YAML 1.1", "%TAG ! tag:x,2024:", "---", "...",
    "\t", "\r\n", "\r", "\n", "\n\n", "\ufeff", "\x00", "\x85", "\u2028", "\x1b[31m", "  ",
    "    ", ":", ": ", "-", "- ", ",", '$FILE{"x.sql"}', '$FILE{"../../etc/passwd"}',
    '$WORKFLOW{"w.yaml"}', '$WORKFLOW{"self.yaml"}', "$VAR{x}", "$ENV{HOME}", "$ENV{",
    "${CONFIG.WORKFLOW_PROJECT}", "${CONFIG.NOPE}", "schedule: '0 0 * * * ? *'",
    "schedule: 0 0 0 31 2 ? 2024", "timezone: Mars/Base", "start_time: 2024-13-45",
    "1e999", ".nan", "-.inf", "~", "null", "999999999999999999999999999999", "-0", "é",
    "名前", "\U0001f600", "release_state: ONLINE", "task_type: SubWorkflow",
    "workflow_name: w", "task_type: Dependent", "task_type: Switch", "task_type: Condition",
    "condition:", "success_task: a", "groups:", "op: and", "password=hunter2",
    "PGPASSWORD=s3cr3tpw", "AKIA" + "ABCDEFGHIJKLMNOP",
)  # fmt: skip

fragment_soup = st.lists(
    st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(("", " ", "\n", "\n  ", "\n    ",
                                                           "\n- ", ": ", "\r\n"))),
    max_size=40,
).map(lambda parts: "".join(a + b for a, b in parts))

scalars = (st.none() | st.booleans() | st.integers() | st.floats()
           | st.text(max_size=30) | st.sampled_from(FRAGMENTS))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=12,
)
_TASK_KEYS = sorted({k for t in TASK_TYPES for k in t.by_name} | set(COMMON_KEYS))
_TYPE_NAMES = [t.name for t in TASK_TYPES] + ["shell", "SHELL", "K8S", "Nope"]


@st.composite
def _task(draw: st.DrawFn, names: list[str]) -> dict[str, Any]:
    task: dict[str, Any] = {"name": draw(st.sampled_from(names)),
                            "task_type": draw(st.sampled_from(_TYPE_NAMES))}
    for key in draw(st.lists(st.sampled_from(_TASK_KEYS), max_size=6)):
        if key == "deps":
            task[key] = draw(st.lists(st.sampled_from([*names, "ghost"]), max_size=3)
                             | values)
        else:
            task[key] = draw(values | st.sampled_from(names))
    return task


@st.composite
def near_valid_workflow(draw: st.DrawFn) -> dict[str, Any]:
    """A workflow mapping with known keys holding arbitrary values: drives the validator
    deep into every task type's checks rather than stopping at the first syntax error."""
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "A"]), min_size=1, max_size=4))
    wf: dict[str, Any] = {"name": draw(st.text(max_size=12) | st.just("w"))}
    for key in draw(st.lists(st.sampled_from(sorted(WORKFLOW_KEYS)), max_size=5)):
        wf[key] = draw(values)
    doc: dict[str, Any] = {"workflow": wf, "tasks": draw(st.lists(_task(names), max_size=5))}
    if draw(st.booleans()):
        doc[draw(st.sampled_from(["tasks", "task", "extra", "workflows"]))] = draw(values)
    return doc


def dump_yaml(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def dump_json(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)


# A native export (3.2 names) with arbitrary values at known places.
@st.composite
def near_valid_export(draw: st.DrawFn) -> Any:
    task = {"code": draw(st.integers() | values), "name": draw(st.text(max_size=5) | values),
            "taskType": draw(st.sampled_from(["SHELL", "SQL", "SWITCH", "CONDITIONS",
                                              "DEPENDENT", "SUB_PROCESS", "X"]) | values),
            "taskParams": draw(st.just({"rawScript": "echo"}) | values)}
    for key in draw(st.lists(st.sampled_from(["failRetryTimes", "timeout", "flag", "delayTime",
                                              "environmentCode", "taskPriority"]), max_size=3)):
        task[key] = draw(values)
    item = {"processDefinition": {"name": draw(st.just("w") | values),
                                  "timeout": draw(st.just(0) | values),
                                  "globalParams": draw(st.just("[]") | values)},
            "taskDefinitionList": draw(st.just([task]) | values),
            "processTaskRelationList": draw(
                st.just([{"preTaskCode": 0, "postTaskCode": task["code"]}]) | values)}
    return draw(st.just([item]) | st.just(item) | values)

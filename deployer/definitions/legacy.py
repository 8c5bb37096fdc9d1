"""pydolphinscheduler 3.x forms that 4.x renamed or removed: one rule for all of them.

A form dagship can deploy with the meaning 3.x gave it is a WF507 warning that names the
4.x form, and the file deploys as its author saw it run under 3.x (`SubProcess`,
`process_definition_name` in a SubProcess task or a Dependent item, `timeout_flag`). A 3.x
key whose meaning dagship cannot deploy stays an unknown key (WF102, an error), with a
hint that says so (`spark_version`: DolphinScheduler 3.2 removed the field). The removed
workflow key `tenant` keeps its own code, WF508.
"""

from __future__ import annotations

from typing import Any

from deployer.definitions._collect import Collector
from deployer.yaml.nodes import MDict

OLD_WORKFLOW_KEY = "process_definition_name"  # 4.x: workflow_name
TIMEOUT_FLAGS = ("CLOSE", "OPEN")
# 3.x task keys removed without a replacement dagship could send: why they are refused
REMOVED_TASK_KEYS = {
    "spark_version": "removed in pydolphinscheduler 4.x and DolphinScheduler 3.2; dagship "
                     "cannot deploy it: delete it",
}


def _warn(out: Collector, node: MDict, key: str, where: str, what: str, new: str) -> None:
    out.add("WF507", node.value_mark(key) if key == "task_type" else node.key_mark(key),
            f"{where}{what} is the pydolphinscheduler 3.x form; 4.x {new}")


def subprocess_type(out: Collector, node: MDict, where: str) -> None:
    _warn(out, node, "task_type", where, "`task_type: SubProcess`",
          "writes `task_type: SubWorkflow` with `workflow_name:` (pydolphinscheduler 4.x "
          "fails on the 3.x form; dagship reads it as SubWorkflow)")


def workflow_key(out: Collector, node: MDict, label: str) -> str | None:
    """The key that names a Dependent item's workflow: `workflow_name`, or the 3.x
    `process_definition_name` (warned); None when both are given (an error)."""
    if OLD_WORKFLOW_KEY not in node:
        return "workflow_name"
    if "workflow_name" in node:
        out.add("WF102", node.key_mark(OLD_WORKFLOW_KEY), f"{label}: `{OLD_WORKFLOW_KEY}` and "
                "`workflow_name` both name the workflow; `process_definition_name` is the "
                "pydolphinscheduler 3.x form: delete it")
        return None
    _warn(out, node, OLD_WORKFLOW_KEY, f"{label}: ", f"`{OLD_WORKFLOW_KEY}`",
          "writes `workflow_name:` (pydolphinscheduler 4.x fails on the 3.x key; dagship "
          "reads it as `workflow_name`)")
    return OLD_WORKFLOW_KEY


def timeout_flag(out: Collector, node: MDict, where: str) -> bool:
    """`timeout_flag` of a task, read as 3.x did: True when it switches the timeout off
    (CLOSE, or OPEN without a timeout), so the task is deployed without one."""
    raw: Any = node["timeout_flag"]
    if raw not in TIMEOUT_FLAGS:
        out.add("WF104", node.value_mark("timeout_flag"), f"{where}`timeout_flag`: {raw!r} is "
                "not accepted; expected CLOSE or OPEN (the pydolphinscheduler 3.x key; 4.x "
                "sets the flag from `timeout:`)")
        return False
    minutes = node.get("timeout")
    timed = isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0
    if raw == "CLOSE" and timed:
        why = (f"`timeout_flag: CLOSE` keeps the {minutes}-minute timeout off, as 3.x did, "
               "while pydolphinscheduler 4.x would time the task out; delete `timeout_flag` "
               "and `timeout` to say the same in 4.x")
    elif raw == "CLOSE":
        why = "no timeout is set, so 4.x says the same without it; delete `timeout_flag`"
    elif timed:
        why = f"`timeout: {minutes}` alone says the same in 4.x; delete `timeout_flag`"
    else:
        why = ("3.x kept the timeout off without `timeout:`; delete `timeout_flag` and set "
               "`timeout:` (minutes) to switch it on")
    _warn(out, node, "timeout_flag", where, "`timeout_flag`",
          f"removed it and switches the timeout on whenever `timeout:` is over 0 ({why})")
    return raw == "CLOSE" or not timed

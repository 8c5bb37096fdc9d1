"""Workflow YAML written by tests (engine and deploy contract suites)."""

from __future__ import annotations

from collections.abc import Sequence

Task = tuple[str, str, Sequence[str]]  # name, shell command, deps


def wf_yaml(name: str, tasks: Sequence[Task] = (("a", "echo a", ()), ("b", "echo b", ("a",))),
            *, schedule: str | None = None, online_schedule: bool | None = None,
            release_state: str | None = None, description: str = "",
            extra: str = "") -> str:
    lines = ["workflow:", f"  name: {name}"]
    if description:
        lines.append(f"  description: {description}")
    if schedule:
        lines += [f'  schedule: "{schedule}"', "  timezone: UTC", '  start_time: "2024-01-01"']
        if online_schedule is not None:
            lines.append(f"  online_schedule: {str(online_schedule).lower()}")
    if release_state:
        lines.append(f"  release_state: {release_state}")
    lines.append("tasks:")
    for tname, command, deps in tasks:
        lines += [f"  - name: {tname}", "    task_type: Shell", f"    command: {command}"]
        if deps:
            lines.append(f"    deps: [{', '.join(deps)}]")
    return "\n".join(lines) + "\n" + extra


def sub_yaml(name: str, child_file: str) -> str:
    return wf_yaml(name, [("prep", "echo prep", ())], extra=(
        "  - name: run_child\n    task_type: SubWorkflow\n"
        f"    workflow_name: $WORKFLOW{{\"{child_file}\"}}\n    deps: [prep]\n"))

"""What `run` (and a smoke run) prints and writes: state lines, the summary, JUnit, Markdown.

JUnit: one testsuite per workflow instance, one testcase per task instance; a failed or
killed task is a <failure> carrying its log tail; a task still running when the wait ended
is an <error>. Markdown: a table per instance, for a CI job summary. Every text is redacted
(a token in a log line is masked).
"""

from __future__ import annotations

from deployer.core.redact import redact
from deployer.engine.follow import InstanceRun, TaskRun
from deployer.output.markdown import md_cell, md_code

_OUTCOME_WORD = {"success": "succeeded", "failed": "failed", "killed": "was stopped",
                 "running": "still running"}


def change_line(run: InstanceRun, task: TaskRun | None, old: str | None) -> str:
    """One line per state change (a CI log): `etl #12 task load: RUNNING_EXECUTION`."""
    head = f"{run.workflow} #{run.instance_id}"
    if task is None:
        return f"{head}: {run.state}" + (f" (was {old})" if old else "")
    extra = f" in {task.duration}" if task.final and task.duration else ""
    return f"{head} task {task.name}: {task.state}{extra}"


def status_line(runs: list[InstanceRun]) -> str:
    """The redrawn line of a terminal: every instance, its state and its tasks' count."""
    parts = []
    for run in runs:
        done = sum(1 for t in run.tasks.values() if t.final)
        parts.append(f"{run.workflow} #{run.instance_id} {run.state} "
                     f"{done}/{len(run.tasks)} tasks {run.seconds:.0f}s")
    return " | ".join(parts)


def summary(runs: list[InstanceRun]) -> str:
    lines = []
    for run in runs:
        kind = " (dry run)" if run.dry_run else ""
        lines.append(f"dagship: {run.workflow} #{run.instance_id}{kind} "
                     f"{_OUTCOME_WORD[run.outcome]}: {run.state} after {run.seconds:.1f} s")
        for task in run.failed_tasks:
            lines.append(f"  task {task.name} ({task.task_type}): {task.state}; last "
                         f"{len(task.log_tail)} log line(s):")
            lines.extend(f"    | {line}" for line in task.log_tail)
    return redact("\n".join(lines))


def junit(runs: list[InstanceRun]) -> str:
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for run in runs:
        tasks = sorted(run.tasks.values(), key=lambda t: t.id)
        failures = sum(1 for t in tasks if t.final and not t.ok)
        errors = sum(1 for t in tasks if not t.final)
        suite = f"{run.workflow} #{run.instance_id}"
        out.append(f"<testsuite name={quoteattr(suite)} tests=\"{len(tasks)}\" "
                   f'failures="{failures}" errors="{errors}" time="{run.seconds:.1f}">')
        for task in tasks:
            out.append(f"<testcase classname={quoteattr(run.workflow)} "
                       f"name={quoteattr(task.name)} time=\"{_seconds(task.duration)}\">")
            if task.final and not task.ok:
                body = redact("\n".join(task.log_tail))
                out.append(f"<failure message={quoteattr(f'{task.task_type} {task.state}')} "
                           f'type="{task.state}">{escape(body)}</failure>')
            elif not task.final:
                out.append(f"<error message={quoteattr(f'still {task.state}')} "
                           'type="timeout"/>')
            out.append("</testcase>")
        if not tasks and run.outcome != "success":
            out.append(f"<testcase classname={quoteattr(run.workflow)} name=\"(instance)\">"
                       f"<failure message={quoteattr(run.state)} type=\"{run.outcome}\"/>"
                       "</testcase>")
        out.append("</testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def markdown(runs: list[InstanceRun], target: str) -> str:
    icon = {"success": "✅", "failed": "❌", "killed": "⛔", "running": "⏳"}
    lines = [f"### dagship run on `{md_cell(target)}`", ""]
    for run in runs:
        kind = " (dry run)" if run.dry_run else ""
        lines += [f"{icon[run.outcome]} {md_code(run.workflow)} instance {run.instance_id}"
                  f"{kind}: **{run.state}** in {run.seconds:.1f} s", "",
                  "| task | type | state | duration |", "| --- | --- | --- | --- |"]
        for task in sorted(run.tasks.values(), key=lambda t: t.id):
            lines.append(f"| {md_code(task.name)} | {md_cell(task.task_type)} | "
                         f"{md_cell(task.state)} | {md_cell(task.duration)} |")
        for task in run.failed_tasks:
            lines += ["", f"<details><summary>log of {md_cell(task.name)}</summary>", "",
                      "```", *task.log_tail, "```", "</details>"]
        lines.append("")
    return redact("\n".join(lines)) + "\n"


def _seconds(duration: str) -> str:
    """The server's "1m 2s" / "3s" as seconds for JUnit's time attribute ("" -> 0)."""
    total = 0.0
    for part in duration.split():
        unit = part[-1:]
        try:
            value = float(part[:-1])
        except ValueError:
            continue
        total += value * {"h": 3600, "m": 60, "s": 1}.get(unit, 0)
    return f"{total:.1f}"

"""The run's words and reports: state lines, the terminal line, JUnit and Markdown."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from deployer.core.redact import register_secret
from deployer.engine.follow import InstanceRun, TaskRun
from deployer.engine.run_report import _seconds, change_line, junit, markdown, status_line


def _run() -> InstanceRun:
    run = InstanceRun("etl", 12, state="FAILURE", seconds=4.2)
    run.tasks[1] = TaskRun(1, "extract", "SHELL", "SUCCESS", "1s")
    run.tasks[2] = TaskRun(2, "load", "SHELL", "FAILURE", "1m 2s",
                           ["loading", "token-for-the-report-0123456789abc leaked", "exit 3"])
    return run


def test_junit_has_a_case_per_task_and_the_failure_carries_the_masked_log() -> None:
    register_secret("token-for-the-report-0123456789abc")
    run = _run()
    still = InstanceRun("slow", 13, state="RUNNING_EXECUTION")
    still.tasks[3] = TaskRun(3, "nap", "SHELL", "RUNNING_EXECUTION")
    root = ET.fromstring(junit([run, still]))  # noqa: S314 - our own output
    first, second = root.findall("testsuite")
    assert (first.get("tests"), first.get("failures"), first.get("errors")) == ("2", "1", "0")
    case = first.find("testcase[@name='load']")
    assert case is not None
    assert case.get("time") == "62.0"
    failure = case.find("failure")
    assert failure is not None
    assert "exit 3" in (failure.text or "")
    assert "token-for-the-report" not in (failure.text or "")
    assert second.get("errors") == "1"
    assert second.find("testcase/error") is not None


def test_markdown_table_and_log() -> None:
    text = markdown([_run()], "staging")
    assert "❌ `etl` instance 12: **FAILURE** in 4.2 s" in text
    assert "| `load` | SHELL | FAILURE | 1m 2s |" in text
    assert "<details><summary>log of load</summary>" in text


def test_lines() -> None:
    run = _run()
    assert change_line(run, None, "RUNNING_EXECUTION") == "etl #12: FAILURE (was RUNNING_EXECUTION)"
    line = change_line(run, run.tasks[2], "RUNNING_EXECUTION")
    assert line == "etl #12 task load: FAILURE in 1m 2s"
    assert status_line([run]) == "etl #12 FAILURE 2/2 tasks 4s"


@pytest.mark.parametrize(("text", "seconds"), [("", "0.0"), ("3s", "3.0"), ("1h 1m 1s", "3661.0"),
                                               ("junk", "0.0")])
def test_server_durations(text: str, seconds: str) -> None:
    assert _seconds(text) == seconds


def test_terminal_display_redraws_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from deployer.commands.run import _Display

    run = InstanceRun("etl", 1, state="RUNNING_EXECUTION")
    shown = _Display([run], progress=True)
    shown.change(run, TaskRun(1, "a", "SHELL", "RUNNING_EXECUTION"), None)  # not a line
    shown.redraw()
    run.state = "SUCCESS"
    shown.change(run, None, "RUNNING_EXECUTION")
    shown.close()
    err = capsys.readouterr().err
    assert err.startswith("\r\x1b[Ketl #1 RUNNING_EXECUTION 0/0 tasks 0s")
    assert err.count("\n") == 1
    assert "etl #1: SUCCESS (was RUNNING_EXECUTION)\n" in err

"""`dagship sandbox --execute`: Shell and Python tasks really run, in dependency order, in a
temporary folder, with parameters substituted and a timeout; `dagship run` reads the result."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.deploy_env import TOKEN, Env

FAST = ("--poll", "0.05", "--no-progress")

WORKFLOW = """\
workflow:
  name: etl
  param:
    who: world
tasks:
  - name: make
    task_type: Shell
    command: |
      echo "hello ${who} from $(pwd)" > out.txt
      cat out.txt
  - name: check
    task_type: Python
    deps: [make]
    definition: |
      import os
      print("python in", os.getcwd())
      print("dt is ${dt}")
"""


@pytest.fixture
def xenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    with Sandbox(api_version="3.3", token=TOKEN, execute=True, task_timeout=2.0) as sb:
        yield Env(tmp_path / "repo", sb, monkeypatch, capsys)


def test_tasks_run_in_order_with_parameters(xenv: Env) -> None:
    xenv.write("etl", WORKFLOW)
    xenv.deploy()
    res = xenv.run("run", "etl", "--wait", "--param", "dt=2024-05-01", *FAST)
    assert res.code == 0, res.err
    assert res.err.index("task make: SUCCESS") < res.err.index("task check: RUNNING")
    logs = xenv.sb.state.runs.logs
    make, check = (next(t for t in xenv.sb.state.runs.tasks.values() if t["name"] == n)
                   for n in ("make", "check"))
    shell_log = "\n".join(logs[make["id"]])
    assert "hello world from /" in shell_log
    assert "dagship-sandbox-" in shell_log
    py_log = "\n".join(logs[check["id"]])
    assert "dt is 2024-05-01" in py_log
    # each task ran in a temporary folder of its own, removed afterwards
    folder = shell_log.split("hello world from ")[1].split()[0]
    assert not Path(folder).exists()


def test_a_real_failure_shows_its_output(xenv: Env) -> None:
    xenv.write("bad", """\
workflow:
  name: bad
tasks:
  - name: broken
    task_type: Shell
    command: |
      echo "looking for input.csv"
      ls input.csv
""")
    xenv.deploy()
    res = xenv.run("run", "bad", "--wait", *FAST)
    assert res.code == 6, res.err
    assert "looking for input.csv" in res.err
    assert "No such file or directory" in res.err
    assert "exited with code 2" in res.err


def test_a_task_past_the_timeout_is_killed_and_fails(xenv: Env) -> None:
    xenv.write("slow", "workflow:\n  name: slow\ntasks:\n"
                       "  - {name: nap, task_type: Shell, command: 'sleep 20; echo woke'}\n")
    xenv.deploy()
    res = xenv.run("run", "slow", "--wait", *FAST)
    assert res.code == 6, res.err
    assert "timed out after 2 s; killed" in res.err
    assert "woke" not in res.err


def test_dry_run_executes_nothing(xenv: Env, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    xenv.write("touch", "workflow:\n  name: touch\ntasks:\n"
                        f"  - {{name: t, task_type: Shell, command: 'touch {marker}'}}\n")
    xenv.deploy()
    assert xenv.run("run", "touch", "--wait", "--dry-run", *FAST).code == 0
    assert not marker.exists()
    assert xenv.run("run", "touch", "--wait", *FAST).code == 0
    assert marker.exists()

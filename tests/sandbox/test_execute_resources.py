"""`dagship sandbox --execute` puts a task's resource_list files into its execution folder as
the real worker does (under their path inside the resource center), so a Shell task that runs
a script of the repository's resources/ works locally: deploy, then run and wait."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.deploy_env import PROJECT, TOKEN, Env
from tests.helpers.run_tenant import admin_tenant

FAST = ("--poll", "0.05", "--no-progress")

WORKFLOW = f"""\
workflow:
  name: etl
tasks:
  - name: load
    task_type: Shell
    command: bash dagship/{PROJECT}/resources/etl/load.sh 42
    resource_list: [resources/etl/load.sh, resources/etl/rows.csv]
"""


@pytest.fixture(params=["3.1", "3.2", "3.3"])
def xenv(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    with Sandbox(api_version=request.param, token=TOKEN, execute=True, task_timeout=5.0) as sb:
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        env.write_config(f'    api_version: "{request.param}"\n')  # 3.1 is never detected
        config = env.root / "dagship.yaml"
        config.write_text("resources: [resources/]\n" + config.read_text(encoding="utf-8"),
                          encoding="utf-8")
        etl = env.root / "resources" / "etl"
        etl.mkdir(parents=True)
        # the script reads its neighbour: both sit where the worker puts them
        (etl / "load.sh").write_text(
            'here=$(dirname "$0")\necho "loading $(wc -l < "$here/rows.csv") rows, arg $1"\n',
            encoding="utf-8")
        (etl / "rows.csv").write_bytes(b"a,1\r\nb,2\r\nc,3\r\n")
        # 3.1 keeps files in the tenant's folder and runs only for a creator with a tenant
        if request.param == "3.1":
            with admin_tenant(sb.base_url, TOKEN):
                yield env
        else:
            yield env


def test_a_shell_task_runs_a_script_from_the_resource_center(xenv: Env) -> None:
    xenv.write("etl", WORKFLOW)
    dep = xenv.run("deploy", "--no-progress")
    assert dep.code == 0, (dep.err, xenv.sb.internal_errors)
    res = xenv.run("run", "etl", "--wait", *FAST)
    assert res.code == 0, res.err
    load = next(t for t in xenv.sb.state.runs.tasks.values() if t["name"] == "load")
    log = "\n".join(xenv.sb.state.runs.logs[load["id"]])
    assert "loading 3 rows, arg 42" in log
    assert f"-> dagship/{PROJECT}/resources/etl/load.sh" in log


def test_a_resource_gone_from_the_center_fails_the_task(xenv: Env) -> None:
    xenv.write("etl", WORKFLOW)
    assert xenv.deploy().code == 0
    with xenv.sb.state.lock:  # removed behind dagship's back, as in the UI
        for full in [k for k in xenv.sb.state.resources if k.endswith("load.sh")]:
            del xenv.sb.state.resources[full]
    res = xenv.run("run", "etl", "--wait", *FAST)
    assert res.code == 6, res.err
    if xenv.sb.api_version == "3.1":  # its master drops the id; the script finds no file
        assert "No such file or directory" in res.err
    else:  # the worker's download fails before the script runs
        assert "Download resource file" in res.err

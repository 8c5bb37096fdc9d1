"""Retries under injected faults, and a deploy killed half-way that a rerun converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from deployer.client import DSClient, RetryPolicy
from deployer.core.config import load_config
from deployer.definitions.repo import load_repository
from deployer.engine.apply import apply_plan
from deployer.engine.plan import build_plan
from deployer.sandbox import Sandbox
from tests.helpers.deploy_env import PROJECT, TOKEN, Env, sub_yaml, wf_yaml


def _fast_client(env: Env) -> DSClient:
    return DSClient(env.sb.base_url, env.sb.token,
                    policy=RetryPolicy(max_attempts=30, initial_wait=0.001, max_wait=0.005,
                                       deadline=60))


def _desired(env: Env, n: int) -> None:
    for i in range(n):
        env.write(f"wf{i:02d}", wf_yaml(f"wf{i:02d}", [("a", f"echo {i}", ()),
                                                      ("b", "echo b", ("a",))],
                                        schedule="0 0 2 * * ? *"))
    env.write("parent", sub_yaml("parent", "wf00.yaml"))


def _engine_deploy(env: Env, parallel: int = 4) -> tuple[int, bool]:
    config = load_config(env.root / "dagship.yaml")
    target = config.target("staging")
    specs = load_repository(config, target=target, env={}).workflows
    client = _fast_client(env)
    plan = build_plan(client, target="staging", project=PROJECT, api_version=None,
                      specs=specs, commit="nogit", prune=False)
    result = apply_plan(plan, lambda: _fast_client(env), parallel=parallel)
    client.close()
    return len(plan.items), result.failed


def _assert_converged(env: Env, n: int) -> None:
    rows = env.sb.state.workflows(PROJECT)
    names = Counter(w["name"] for w in rows)
    assert all(count == 1 for count in names.values()), names
    assert set(names) == {f"wf{i:02d}" for i in range(n)} | {"parent"}
    for w in rows:
        assert w["releaseState"] == "ONLINE"
        assert "[dagship " in w["description"]
        if w["name"] != "parent":
            assert w["schedule"]["releaseState"] == "ONLINE"
            assert len(env.sb.state.schedule_of.get(w["code"], [])) == 1
    res = env.run("plan")
    assert f"0 to create, 0 to update, 0 to delete, {n + 1} unchanged, 0 drifted" in res.out


@pytest.mark.slow
def test_deploy_under_twenty_percent_faults_converges(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox(api_version="3.3", token=TOKEN, seed=1234) as sb:
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        _desired(env, 50)
        sb.set_faults(0.2)
        _count, failed = _engine_deploy(env, parallel=4)
        sb.set_faults(0.0)
        assert sum(sb.faults.counts.values()) > 20  # the faults really happened
        assert not failed
        _assert_converged(env, 50)


@pytest.mark.slow
def test_deploy_killed_half_way_then_rerun_converges(env: Env) -> None:
    _desired(env, 30)
    env.sb.set_faults(0.0, latency=0.03)
    proc = subprocess.Popen(
        [sys.executable, "-m", "deployer", "deploy", "--target", "staging", "--parallel", "2",
         "--no-progress"],
        cwd=env.root, env={**os.environ, "DS_TOKEN": env.sb.token},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(env.sb.state.workflows(PROJECT)) < 8:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    env.sb.wait_idle()  # the killed client's last request may still be running in the server
    done = len(env.sb.state.workflows(PROJECT))
    assert 8 <= done < 31, "the kill should land mid-deploy"
    env.sb.set_faults(0.0, latency=0.0)
    res = env.run("deploy", "--no-progress")
    assert res.code == 0, res.out + res.err
    _assert_converged(env, 30)


def test_failure_part_way_reports_and_skips_dependents(env: Env) -> None:
    env.write("child", wf_yaml("child"))
    env.write("parent", sub_yaml("parent", "child.yaml"))
    env.write("fine", wf_yaml("fine"))
    env.deploy()
    env.write("parent", sub_yaml("parent", "child.yaml").replace("echo prep", "echo prep2"))
    env.write("fine", wf_yaml("fine", [("a", "echo changed", ())]))
    # Hide the child from the project's list while its name stays taken: the plan creates it
    # again and the server answers 10168 (name exists), a business error never retried.
    child = env.remote("child")
    assert child is not None
    env.sb.state.wfs[child["code"]]["projectCode"] = env.project_code() + 1
    res = env.run("deploy", "--no-progress", "--parallel", "1", "--json", "r.json")
    assert res.code == 4, res.out + res.err
    assert "Applied: 1 ok, 1 failed, 1 skipped" in res.out
    assert "failed  child: [10168]" in res.out
    assert "skipped parent: depends on child, which was not deployed" in res.out
    assert env.remote("fine")["tasks"][0]["taskParams"]["rawScript"] == "echo changed"
    assert "echo prep2" not in str(env.remote("parent"))

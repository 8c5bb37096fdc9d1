"""`dagship run` against the sandbox over real HTTP: start, wait, exit codes, logs, reports."""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET

import pytest

from tests.helpers.deploy_env import TOKEN, Env, wf_yaml
from tests.helpers.run_tenant import admin_tenant

FAST = ("--poll", "0.05", "--no-progress")


def _fail_yaml(name: str) -> str:
    return wf_yaml(name, [("ok", "echo ok", ()), ("boom", "'echo about to fail; exit 3'",
                                                  ("ok",)),
                          ("after", "echo never", ("boom",))])


def test_run_wait_success(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    env.deploy()
    res = env.run("run", "etl", "--wait", *FAST)
    assert res.code == 0, res.err
    assert "etl #1 task a: SUCCESS" in res.err
    assert "etl #1 task b: SUCCESS" in res.err
    assert "etl #1: SUCCESS" in res.err
    assert "succeeded" in res.err


def test_run_without_wait_only_starts(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    env.deploy()
    res = env.run("run", "etl", *FAST)
    assert res.code == 0, res.err
    assert "started etl as instance 1" in res.err
    assert "task a" not in res.err
    assert 1 in env.sb.state.runs.instances


def test_failed_task_exit_code_log_and_reports(env: Env) -> None:
    env.write("etl", _fail_yaml("etl"))
    env.deploy()
    res = env.run("run", "etl", "--wait", "--junit", "r.xml", "--markdown", "r.md", *FAST)
    assert res.code == 6, res.err
    assert "task boom (SHELL): FAILURE" in res.err
    assert "process has exited with code 3" in res.err
    assert "task after" not in res.err  # downstream of a failure: never started
    root = ET.fromstring((env.root / "r.xml").read_bytes())  # noqa: S314 - our own output
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "2"
    assert suite.get("failures") == "1"
    failure = suite.find("testcase[@name='boom']/failure")
    assert failure is not None
    assert "exited with code 3" in (failure.text or "")
    md = (env.root / "r.md").read_text()
    assert "**FAILURE**" in md
    assert "| `boom` | SHELL | FAILURE |" in md


def test_timeout_exit_code(env: Env) -> None:
    env.write("slow", wf_yaml("slow", [("nap", "sleep 30", ())]))
    env.deploy()
    res = env.run("run", "slow", "--timeout", "0.5", *FAST)
    assert res.code == 8, res.err
    assert "still running" in res.err
    assert "left running" in res.err


def test_killed_exit_code(env: Env) -> None:
    env.write("slow", wf_yaml("slow", [("nap", "sleep 30", ())]))
    env.deploy()
    c = env.client()
    try:
        ex = c.executor()
        pc = env.project_code()
        import threading

        def stop_soon() -> None:
            import time
            time.sleep(0.4)
            ex.stop(pc, 1)

        threading.Thread(target=stop_soon, daemon=True).start()
        res = env.run("run", "slow", "--wait", *FAST)
    finally:
        c.close()
    assert res.code == 7, res.err
    assert "slow #1: STOP" in res.err
    assert "task nap: KILL" in res.err


def test_dry_run_runs_no_body(env: Env) -> None:
    env.write("etl", _fail_yaml("etl"))
    env.deploy()
    res = env.run("run", "etl", "--wait", "--dry-run", *FAST)
    assert res.code == 0, res.err
    assert "(dry run)" in res.err
    assert env.sb.state.runs.instances[1]["dryRun"] == 1
    assert "task after: SUCCESS" in res.err


def test_params_reach_the_start(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    env.deploy()
    res = env.run("run", "etl", "--param", "dt=2024-01-02", "--param", "x=a=b", *FAST)
    assert res.code == 0, res.err
    assert env.sb.state.runs.instances[1]["_startParams"] == {"dt": "2024-01-02", "x": "a=b"}


@pytest.mark.parametrize(("args", "word"), [
    (("nope", "--wait"), "is not deployed"),
    (("etl", "--param", "novalue"), "expected KEY=VALUE"),
])
def test_bad_input_is_a_usage_error(env: Env, args: tuple[str, ...], word: str) -> None:
    env.write("etl", wf_yaml("etl"))
    env.deploy()
    res = env.run("run", *args, *FAST)
    assert res.code == 2, res.err
    assert word in res.err
    assert "Traceback" not in res.err


def test_offline_workflow_is_refused_before_a_start(env: Env) -> None:
    env.write("etl", wf_yaml("etl", release_state="offline"))
    env.deploy()
    res = env.run("run", "etl", *FAST)
    assert res.code == 2
    assert "offline" in res.err
    assert not env.sb.state.runs.instances


def test_token_never_printed(env: Env) -> None:
    env.write("leak", wf_yaml("leak", [("t", f"'echo {TOKEN}; exit 1'", ())]))
    env.deploy()
    res = env.run("run", "leak", "--wait", "--junit", "r.xml", *FAST)
    assert res.code == 6
    assert TOKEN not in res.err + res.out
    assert TOKEN not in (env.root / "r.xml").read_text()


SMOKE = ("    smoke:\n      workflows: [etl]\n      timeout: 30\n      poll: 0.05\n")


def test_deploy_smoke_runs_after_the_apply(env: Env) -> None:
    env.write_config(SMOKE)
    env.write("etl", wf_yaml("etl"))
    res = env.run("deploy", "--no-progress", "--smoke")
    assert res.code == 0, res.err
    assert "smoke run of etl on staging" in res.err
    assert "etl #1: SUCCESS" in res.err
    # a no-op deploy still runs the smoke: it checks what the target runs
    res = env.run("deploy", "--no-progress", "--smoke")
    assert res.code == 0, res.err
    assert "nothing to do" in res.out
    assert "etl #2: SUCCESS" in res.err


def test_deploy_smoke_failure_gives_the_run_exit_code(env: Env) -> None:
    env.write_config(SMOKE.replace("[etl]", "[etl, bad]"))
    env.write("etl", wf_yaml("etl"))
    env.write("bad", _fail_yaml("bad"))
    res = env.run("deploy", "--no-progress", "--smoke")
    assert res.code == 6, res.err
    assert "bad #2 task boom: FAILURE" in res.err or "task boom (SHELL): FAILURE" in res.err


def test_deploy_smoke_dry_run_of_the_deploy_runs_nothing(env: Env) -> None:
    env.write_config(SMOKE)
    env.write("etl", wf_yaml("etl"))
    res = env.run("deploy", "--no-progress", "--smoke", "--dry-run")
    assert res.code == 0, res.err
    assert "smoke" not in res.err
    assert not env.sb.state.runs.instances


def test_deploy_smoke_without_smoke_config_sends_nothing(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    res = env.run("deploy", "--no-progress", "--smoke")
    assert res.code == 2, res.err
    assert "has no `smoke:`" in res.err
    assert env.remote("etl") is None


def test_smoke_dry_run_config(env: Env) -> None:
    env.write_config(SMOKE + "      dry_run: true\n")
    env.write("bad", _fail_yaml("etl"))
    res = env.run("deploy", "--no-progress", "--smoke")
    assert res.code == 0, res.err
    assert "(dry run)" in res.err


@pytest.mark.parametrize(("extra", "word"), [
    ("    smoke:\n      dry_run: true\n", "missing required key `workflows`"),
    ("    smoke:\n      workflows: [a]\n      timeout: 0\n", "expected a number of seconds"),
    ("    smoke:\n      workflows: [a]\n      wait: true\n", "unknown key"),
])
def test_bad_smoke_config_names_the_line(env: Env, extra: str, word: str) -> None:
    env.write_config(extra)
    res = env.run("deploy", "--no-progress", "--smoke")
    assert res.code == 2
    assert "dagship.yaml:" in res.err
    assert "targets.staging.smoke" in res.err
    assert word in res.err


def test_smoke_if_configured_deploys_a_target_without_smoke(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    res = env.run("deploy", "--no-progress", "--smoke-if-configured")
    assert res.code == 0, res.err
    assert env.remote("etl") is not None
    assert "no smoke run: targets.staging.smoke is not configured" in res.err
    assert not env.sb.state.runs.instances


def test_smoke_if_configured_runs_the_configured_smoke_with_reports(env: Env) -> None:
    env.write_config(SMOKE)
    env.write("etl", wf_yaml("etl"))
    res = env.run("deploy", "--no-progress", "--smoke-if-configured", "--smoke-junit",
                  "smoke.xml", "--smoke-markdown", "smoke.md")
    assert res.code == 0, res.err
    assert 'name="a"' in (env.root / "smoke.xml").read_text()
    assert "**SUCCESS**" in (env.root / "smoke.md").read_text()


@pytest.mark.parametrize("version", ["3.1", "3.2", "3.3"])
def test_each_generation_starts_and_follows(tmp_path, monkeypatch, capsys, version: str) -> None:
    from deployer.sandbox import Sandbox

    with Sandbox(api_version=version, token=TOKEN) as sb, contextlib.ExitStack() as stack:
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        env.write_config(f'    api_version: "{version}"\n')  # 3.1 cannot be detected
        env.write("etl", _fail_yaml("etl"))
        env.deploy()
        if version == "3.1":  # 3.1 runs a workflow only when its creator has a tenant
            assert env.run("run", "etl", *FAST).code == 4
            stack.enter_context(admin_tenant(sb.base_url, sb.token))
        res = env.run("run", "etl", "--wait", "--param", "dt=1", *FAST)
        assert res.code == 6, res.err
        assert "task boom (SHELL): FAILURE" in res.err
        inst = sb.state.runs.instances[1]
        assert inst["_startParams"] == {"dt": "1"}
        assert ("testFlag" in inst) == (version != "3.1")
        res = env.run("run", "etl", "--test", *FAST)
        if version == "3.1":
            assert res.code == 2
            assert "3.1 has no test flag" in res.err
            assert len(sb.state.runs.instances) == 1
        else:
            assert res.code == 0, res.err
            assert sb.state.runs.instances[2]["testFlag"] == 1


def test_a_branch_without_a_target_starts_nothing_and_says_so(env: Env,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setenv("GITHUB_REF_NAME", "feature/x")
    res = env.run("run", "etl", target=None)
    assert res.code == 2
    assert "name the target with --target" in res.err

"""`dagship rollback` against the sandbox over real HTTP, in every API generation.

`--to REF` deploys a Git tag's definitions (task codes kept, release state and schedule
restored, REF's commit recorded); `--workflow NAME --version N` uses the server's version
switch and puts the release state and the schedule back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.deploy_env import PROJECT, TOKEN, Env, sub_yaml, ui_edit, wf_yaml
from tests.helpers.gitrun import commit_all, git

CRON = "0 0 2 * * ? *"
ETL_V1 = wf_yaml("etl", [("a", "echo a", ()), ("b", "echo b", ("a",))], schedule=CRON,
                 online_schedule=True)
ETL_V2 = wf_yaml("etl", [("a", "echo a", ()), ("b", "echo B2", ("a",)), ("c", "echo c", ("b",))],
                 schedule="0 0 5 * * ? *", online_schedule=True)
REP_V1 = wf_yaml("rep")
REP_V2 = wf_yaml("rep", [("a", "echo a2", ())], release_state="offline")


@pytest.fixture(params=["3.1", "3.2", "3.3"])
def gen_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    version = str(request.param)
    with Sandbox(api_version=version, token=TOKEN) as sb:
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        if version == "3.1":  # 3.1 cannot be told from 3.2 by probing: pinned
            env.write_config('    api_version: "3.1"\n')
        git("init", "-q", cwd=env.root)
        yield env


def _commit(env: Env, message: str, tag: str | None = None) -> str:
    return commit_all(env.root, message, tag)


def _tasks(env: Env, name: str) -> dict[str, dict]:
    wf = env.remote(name)
    assert wf is not None
    return {t["name"]: t for t in wf["tasks"]}


def _released(env: Env) -> tuple[str, str]:
    """v1 deployed, then v2 deployed; returns both commits."""
    env.write("etl", ETL_V1)
    env.write("rep", REP_V1)
    v1 = _commit(env, "feat: v1", tag="v1")
    env.deploy()
    env.write("etl", ETL_V2)
    env.write("rep", REP_V2)
    v2 = _commit(env, "feat: v2", tag="v2")
    env.deploy()
    return v1, v2


def test_rollback_to_a_tag_restores_definitions_codes_and_states(gen_env: Env) -> None:
    env = gen_env
    env.write("etl", ETL_V1)
    env.write("rep", REP_V1)
    v1 = _commit(env, "feat: v1", tag="v1")
    env.deploy()
    at_v1 = _tasks(env, "etl")
    env.write("etl", ETL_V2)
    env.write("rep", REP_V2)
    _commit(env, "feat: v2", tag="v2")
    env.deploy()
    assert env.remote("rep")["releaseState"] == "OFFLINE"
    assert set(_tasks(env, "etl")) == {"a", "b", "c"}

    res = env.run("rollback", "--to", "v1", "--no-progress", "--json", "rb.json")
    assert res.code == 0, res.out + res.err
    assert f"rollback of target staging to v1 (commit {v1[:7]})" in res.out
    assert "Plan: 0 to create, 2 to update" in res.out
    etl = env.remote("etl")
    assert etl is not None
    tasks = {t["name"]: t for t in etl["tasks"]}
    assert set(tasks) == {"a", "b"}
    assert {n: t["code"] for n, t in tasks.items()} == {n: at_v1[n]["code"] for n in "ab"}
    assert tasks["b"]["taskParams"]["rawScript"] == "echo b"
    assert etl["releaseState"] == "ONLINE"
    assert etl["schedule"]["crontab"] == CRON
    assert etl["schedule"]["releaseState"] == "ONLINE"
    assert etl["description"].endswith(f" {v1[:7]} v0.1.0]")
    rep = env.remote("rep")
    assert rep is not None
    assert rep["releaseState"] == "ONLINE"
    report = json.loads((env.root / "rb.json").read_text())
    assert report["commit"] == v1
    assert report["source"] == f"Rollback to v1 (commit {v1})"
    # The rollback holds until the next deploy: rolling back again has nothing to do, and the
    # checkout (v2) plans an update, not drift.
    again = env.run("rollback", "--to", "v1", "--no-progress")
    assert again.code == 0
    assert "nothing to do" in again.out
    plan = env.run("plan", "--no-progress")
    assert "2 to update" in plan.out
    assert "0 drifted" in plan.out


def test_rollback_takes_target_settings_from_the_current_config(env: Env) -> None:
    git("init", "-q", cwd=env.root)
    (env.root / "dagship.yaml").write_text(
        "workflows: [flows/]\ntargets:\n  staging:\n    url: http://127.0.0.1:9/nowhere\n"
        "    token_env: DS_TOKEN\n    project: elsewhere\n    branches: [develop]\n",
        encoding="utf-8")
    (env.root / "flows").mkdir()
    (env.root / "flows" / "etl.yaml").write_text(ETL_V1, encoding="utf-8")
    _commit(env, "feat: old layout and target", tag="v1")
    (env.root / "flows" / "etl.yaml").unlink()
    env.write_config()  # now: the sandbox, project dagship-test, workflows/
    env.write("other", REP_V1)
    _commit(env, "chore: the sandbox target")  # uncommitted target settings are refused
    res = env.run("rollback", "--to", "v1", "--no-progress")
    assert res.code == 0, res.out + res.err
    # v1's own layout (flows/) found the workflow; the current target received it
    assert env.remote("etl") is not None
    assert env.remote("other") is None


def test_rollback_to_a_ref_refuses_drift_unless_told(env: Env) -> None:
    git("init", "-q", cwd=env.root)
    env.write("etl", ETL_V1)
    _commit(env, "feat: v1", tag="v1")
    env.deploy()
    env.write("etl", ETL_V2)
    _commit(env, "feat: v2")
    env.deploy()
    ui_edit(env, "etl", "a", "echo ui")
    res = env.run("rollback", "--to", "v1", "--no-progress", "--markdown", "rb.md")
    assert res.code == 1
    assert "edited outside dagship" in res.err
    assert "\nRollback to v1 (commit " in (env.root / "rb.md").read_text()
    assert _tasks(env, "etl")["a"]["taskParams"]["rawScript"] == "echo ui"
    res = env.run("rollback", "--to", "v1", "--no-progress", "--on-drift", "overwrite")
    assert res.code == 0, res.out + res.err
    assert _tasks(env, "etl")["a"]["taskParams"]["rawScript"] == "echo a"


def test_rollback_to_an_unknown_ref(env: Env) -> None:
    git("init", "-q", cwd=env.root)
    env.write("etl", ETL_V1)
    _commit(env, "feat: v1")
    res = env.run("rollback", "--to", "v9")
    assert res.code == 2
    assert "cannot find the commit of 'v9'" in res.err
    assert env.sb.state.project(PROJECT) is None


def test_version_switch_restores_release_state_and_schedule(gen_env: Env) -> None:
    env = gen_env
    v1, _v2 = _released(env)
    before = env.remote("etl")
    assert before is not None
    assert before["version"] == 2
    res = env.run("rollback", "--workflow", "etl", "--version", "1", "--json", "sw.json")
    assert res.code == 0, res.out + res.err
    assert "version 2 -> 1: offline, switched to version 1, online, schedule online" in res.out
    assert f"deployed by dagship from commit {v1[:7]}" in res.out
    after = env.remote("etl")
    assert after is not None
    assert after["version"] == 1
    assert after["releaseState"] == "ONLINE"
    assert after["schedule"]["releaseState"] == "ONLINE"
    tasks = {t["name"]: t for t in after["tasks"]}
    assert set(tasks) == {"a", "b"}
    assert tasks["b"]["taskParams"]["rawScript"] == "echo b"
    assert {n: t["code"] for n, t in tasks.items()} == {
        t["name"]: t["code"] for t in before["tasks"] if t["name"] in "ab"}
    doc = json.loads((env.root / "sw.json").read_text())
    assert (doc["from_version"], doc["to_version"], doc["drift"]) == (2, 1, False)
    # the switched version carries its own marker: Git (v2) plans an update, not drift
    plan = env.run("plan", "--no-progress")
    assert "0 drifted" in plan.out
    assert "~ workflow etl  (update in place)" in plan.out


def test_version_switch_of_an_offline_workflow_stays_offline(env: Env) -> None:
    git("init", "-q", cwd=env.root)
    _released(env)
    assert env.remote("rep")["releaseState"] == "OFFLINE"
    requests_before = env.sb.request_count
    res = env.run("rollback", "--workflow", "rep", "--version", "1", "--dry-run")
    assert res.code == 0
    assert "would switch version 2 -> 1: switch to version 1 (dry run" in res.out
    assert env.remote("rep")["version"] == 2
    assert env.sb.request_count - requests_before <= 6
    res = env.run("rollback", "--workflow", "rep", "--version", "1")
    assert res.code == 0, res.out + res.err
    assert "version 2 -> 1: switched to version 1\n" in res.out
    assert env.remote("rep")["releaseState"] == "OFFLINE"


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--workflow", "etl", "--version", "7"], 1, "has no version 7; stored versions: 1, 2"),
    (["--workflow", "nope", "--version", "1"], 1, "no workflow 'nope' in project"),
    (["--workflow", "etl", "--version", "2"], 0, "already at version 2; nothing to do"),
    (["--workflow", "etl"], 2, "both --workflow NAME and --version N"),
    ([], 2, "give --to REF"),
    (["--to", "v1", "--version", "1"], 2, "not both"),
])
def test_version_switch_refusals(env: Env, args: list[str], code: int, message: str) -> None:
    git("init", "-q", cwd=env.root)
    _released(env)
    res = env.run("rollback", *args)
    assert res.code == code, res.out + res.err
    assert message in res.out + res.err
    assert env.remote("etl")["version"] == 2
    assert "Traceback" not in res.err


def test_version_switch_that_cannot_go_back_online_exits_4_and_says_so(env: Env) -> None:
    """Version 1 of `parent` runs `child` as a sub-workflow; `child` is offline now, and a
    3.2+ server refuses to release a parent whose sub-workflow is offline (10000)."""
    git("init", "-q", cwd=env.root)
    env.write("child", wf_yaml("child"))
    env.write("parent", sub_yaml("parent", "child.yaml"))
    env.deploy()
    env.write("child", wf_yaml("child", release_state="offline"))
    env.write("parent", wf_yaml("parent", [("prep", "echo prep", ())]))
    env.deploy()
    res = env.run("rollback", "--workflow", "parent", "--version", "1", "--markdown", "sw.md")
    assert res.code == 4, res.out + res.err
    assert "was switched to version 1 but could not be put back ONLINE: [10000]" in res.err
    assert "it is OFFLINE now" in res.err
    parent = env.remote("parent")
    assert parent is not None
    assert (parent["version"], parent["releaseState"]) == (1, "OFFLINE")
    assert "**Error**" in (env.root / "sw.md").read_text()


def test_rollback_to_a_ref_with_invalid_files_sends_nothing(env: Env) -> None:
    git("init", "-q", cwd=env.root)
    env.write("etl", ETL_V1.replace("task_type: Shell", "task_type: Shel", 1))
    _commit(env, "feat: broken", tag="bad")
    env.write("etl", ETL_V1)
    res = env.run("rollback", "--to", "bad", "--no-progress")
    assert res.code == 1
    assert "workflows/etl.yaml:" in res.err
    assert "nothing was sent (the files as they were at bad)" in res.err
    assert env.sb.state.project(PROJECT) is None

"""`dagship status` against the sandbox over real HTTP: Git vs marker vs remote content."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.deploy_env import TOKEN, Env, ui_edit, wf_yaml
from tests.helpers.gitrun import commit_all, git

CRON = "0 0 2 * * ? *"


@pytest.fixture(params=["3.2", "3.3"])
def gen_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> Iterator[Env]:
    with Sandbox(api_version=str(request.param), token=TOKEN) as sb:
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        git("init", "-q", cwd=env.root)
        yield env


def _commit(env: Env, message: str, tag: str | None = None) -> str:
    return commit_all(env.root, message, tag)


def _handmade(env: Env, name: str) -> None:
    """A workflow made in the UI: no dagship marker."""
    c = env.client()
    try:
        pc = env.project_code()
        (code,) = c.gen_task_codes(pc, 1)
        c.create_workflow(pc, {
            "name": name, "description": "by hand", "globalParams": [], "locations": [],
            "timeout": 0, "executionType": "PARALLEL",
            "taskDefinitionJson": [{"code": code, "version": 1, "name": "x",
                                    "taskType": "SHELL", "taskParams": {"rawScript": "echo"},
                                    "isCache": "NO"}],
            "taskRelationJson": [{"preTaskCode": 0, "preTaskVersion": 0, "postTaskCode": code,
                                  "postTaskVersion": 1, "name": "", "conditionType": "NONE",
                                  "conditionParams": {}}]})
    finally:
        c.close()


def test_status_tells_every_kind_of_workflow_apart(gen_env: Env) -> None:
    env = gen_env
    env.write("same", wf_yaml("same", schedule=CRON, online_schedule=True))
    env.write("moved", wf_yaml("moved"))
    env.write("edited", wf_yaml("edited"))
    env.write("gone", wf_yaml("gone"))
    v1 = _commit(env, "feat: v1", tag="v1")
    env.deploy()
    env.write("moved", wf_yaml("moved", [("a", "echo a2", ())]))
    env.remove("gone")
    env.write("fresh", wf_yaml("fresh"))
    head = _commit(env, "feat: v2")
    ui_edit(env, "edited", "a", "echo ui")
    _handmade(env, "handmade")
    before = env.sb.request_count

    res = env.run("status", "--no-progress", "--json", "st.json", "--markdown", "st.md")
    assert res.code == 0, res.out + res.err
    assert env.sb.request_count - before <= 6  # project, probe, list, schedules
    doc = json.loads((env.root / "st.json").read_text())
    assert doc["commit"] == head
    rows = {r["workflow"]: r for r in doc["workflows"]}
    assert {n: r["sync"] for n, r in rows.items()} == {
        "same": "in sync", "moved": "pending", "edited": "drift", "gone": "not in Git",
        "fresh": "not deployed", "handmade": "unmanaged"}
    same = rows["same"]
    assert same["git_digest"] == same["digest"] == same["remote_digest"]
    assert same["commit"] == v1[:7]
    assert same["commit_relation"] == "v1, 1 behind"
    assert same["state"] == same["git_state"] == "ONLINE"
    assert same["schedule"] == same["git_schedule"] == f"{CRON} ONLINE"
    moved = rows["moved"]
    assert moved["digest"] == moved["remote_digest"] != moved["git_digest"]
    assert moved["action"] == "update"
    edited = rows["edited"]
    assert edited["drift"] is True
    assert edited["digest"] != edited["remote_digest"]
    assert rows["gone"]["in_git"] is False
    assert rows["gone"]["managed"] is True
    assert rows["fresh"]["code"] is None
    assert rows["handmade"]["managed"] is False

    lines = {line.split()[0]: line for line in res.out.splitlines()[2:] if line.strip()}
    assert "in sync" in lines["same"]
    assert f"{v1[:7]} (v1, 1 behind)" in lines["same"]
    assert "drift" in lines["edited"]
    assert "Status: 1 in sync, 1 pending, 1 drift, 1 unmanaged, 1 not deployed, " \
           "1 not in Git" in res.out
    md = (env.root / "st.md").read_text()
    assert "| Workflow | Sync | Deployed commit |" in md
    assert f"| `same` | in sync | {v1[:7]} (v1, 1 behind) |" in md


def test_status_shows_release_state_and_schedule_against_git(env: Env) -> None:
    git("init", "-q", cwd=env.root)
    env.write("etl", wf_yaml("etl", schedule=CRON, online_schedule=True))
    head = _commit(env, "feat: etl")
    env.deploy()
    c = env.client()
    try:  # someone takes the workflow offline in the UI (its schedule goes offline too)
        wf = env.remote("etl")
        assert wf is not None
        c.release_workflow(env.project_code(), wf["code"], "OFFLINE")
    finally:
        c.close()
    res = env.run("status", "--no-progress", "--json", "st.json")
    row = json.loads((env.root / "st.json").read_text())["workflows"][0]
    assert row["sync"] == "pending"  # the definition is what dagship deployed; the state not
    assert row["drift"] is False
    assert (row["state"], row["git_state"]) == ("OFFLINE", "ONLINE")
    assert (row["schedule"], row["git_schedule"]) == (f"{CRON} OFFLINE", f"{CRON} ONLINE")
    assert row["commit_relation"] == "HEAD"
    assert head[:7] in res.out
    assert "OFFLINE (Git: ONLINE)" in res.out
    assert f"{CRON} OFFLINE (Git: {CRON} ONLINE)" in res.out


def test_status_of_an_empty_target(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    res = env.run("status", "--no-progress")
    assert res.code == 0
    assert "not deployed" in res.out
    assert "no project yet" in res.out


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_status_prints_one_form_on_stdout(env: Env, fmt: str) -> None:
    env.write("etl", wf_yaml("etl"))
    env.deploy()
    res = env.run("status", "--no-progress", "--format", fmt)
    assert res.code == 0
    if fmt == "json":
        doc = json.loads(res.out)
        assert [(r["workflow"], r["sync"]) for r in doc["workflows"]] == [("etl", "in sync")]
        assert doc["summary"]["in sync"] == 1
    else:
        assert res.out.startswith("### dagship status: Target staging")
        assert "| `etl` | in sync | nogit | ONLINE | - |" in res.out

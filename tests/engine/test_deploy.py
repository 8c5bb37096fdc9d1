"""Deploy end to end through the CLI against the sandbox over real HTTP."""

from __future__ import annotations

import json

import pytest

from deployer.sandbox import Sandbox

from .conftest import PROJECT, TOKEN, Env, sub_yaml, ui_edit, wf_yaml


def _task(wf: dict, name: str) -> dict:
    return next(t for t in wf["tasks"] if t["name"] == name)


def test_first_deploy_creates_online_workflows_with_marker(env: Env) -> None:
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *", description="nightly"))
    res = env.deploy()
    assert "+ create" in res.out
    assert "Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged, 0 drifted" in res.out
    wf = env.remote("etl")
    assert wf is not None
    assert wf["releaseState"] == "ONLINE"
    assert wf["description"].startswith("nightly [dagship ")
    assert wf["description"].endswith(" nogit v0.1.0]")
    assert wf["schedule"]["crontab"] == "0 0 2 * * ? *"
    assert wf["schedule"]["releaseState"] == "ONLINE"
    assert {t["name"] for t in wf["tasks"]} == {"a", "b"}


def test_noop_redeploy_sends_only_list_requests_and_creates_no_version(env: Env) -> None:
    for i in range(5):
        env.write(f"wf{i}", wf_yaml(f"wf{i}", schedule="0 0 2 * * ? *"))
    env.deploy()
    versions = {w["name"]: w["version"] for w in env.sb.state.workflows(PROJECT)}
    before = env.sb.request_count
    res = env.deploy()
    assert env.sb.request_count - before <= 10
    assert "5 unchanged" in res.out
    assert "nothing to do" in res.out
    assert {w["name"]: w["version"] for w in env.sb.state.workflows(PROJECT)} == versions


def test_edit_bumps_only_the_changed_task_and_keeps_codes(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    env.deploy()
    before = env.remote("etl")
    env.write("etl", wf_yaml("etl", [("a", "echo a", ()), ("b", "echo B!", ("a",))]))
    res = env.deploy()
    assert "~ update" in res.out
    assert "~1 task" in res.out
    after = env.remote("etl")
    assert after["version"] == before["version"] + 1
    assert _task(after, "a")["code"] == _task(before, "a")["code"]
    assert _task(after, "a")["version"] == _task(before, "a")["version"]
    assert _task(after, "b")["code"] == _task(before, "b")["code"]
    assert _task(after, "b")["version"] == _task(before, "b")["version"] + 1
    assert after["releaseState"] == "ONLINE"


def test_renamed_and_removed_tasks(env: Env) -> None:
    env.write("etl", wf_yaml("etl", [("a", "echo a", ()), ("b", "echo b", ("a",)),
                                     ("c", "echo c", ("b",))]))
    env.deploy()
    before = env.remote("etl")
    env.write("etl", wf_yaml("etl", [("a", "echo a", ()), ("b2", "echo b", ("a",))]))
    res = env.deploy()
    assert "+1 task, -2 tasks" in res.out
    after = env.remote("etl")
    assert {t["name"] for t in after["tasks"]} == {"a", "b2"}
    assert _task(after, "a")["code"] == _task(before, "a")["code"]
    assert _task(after, "b2")["code"] not in {t["code"] for t in before["tasks"]}


def test_schedule_create_change_and_state_restore(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    env.deploy()
    assert env.remote("etl")["schedule"] is None
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    res = env.deploy()
    assert "schedule 0 0 2 * * ? * (new)" in res.out
    assert env.remote("etl")["schedule"]["releaseState"] == "ONLINE"
    env.write("etl", wf_yaml("etl", schedule="0 30 3 * * ? *"))
    res = env.deploy()
    assert "schedule 0 30 3 * * ? * (~crontab)" in res.out
    sched = env.remote("etl")["schedule"]
    assert (sched["crontab"], sched["releaseState"]) == ("0 30 3 * * ? *", "ONLINE")
    # Someone pauses the schedule in the UI: Git's state comes back, the definition is kept.
    version = env.remote("etl")["version"]
    c = env.client()
    c.set_schedule_state(env.project_code(), int(sched["id"]), False)
    res = env.deploy()
    assert "(OFFLINE -> ONLINE)" in res.out
    assert env.remote("etl")["schedule"]["releaseState"] == "ONLINE"
    assert env.remote("etl")["version"] == version
    # Git pauses it.
    env.write("etl", wf_yaml("etl", schedule="0 30 3 * * ? *", online_schedule=False))
    env.deploy()
    assert env.remote("etl")["schedule"]["releaseState"] == "OFFLINE"
    assert env.remote("etl")["releaseState"] == "ONLINE"


def test_online_workflow_is_updated_and_put_back_online(env: Env) -> None:
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    env.deploy()
    assert env.remote("etl")["releaseState"] == "ONLINE"
    env.write("etl", wf_yaml("etl", [("a", "echo changed", ())], schedule="0 0 2 * * ? *"))
    env.deploy("--json", "out.json")
    wf = env.remote("etl")
    assert wf["releaseState"] == "ONLINE"
    assert wf["schedule"]["releaseState"] == "ONLINE"
    doc = json.loads((env.root / "out.json").read_text())
    steps = doc["result"]["outcomes"][0]["steps"]
    assert steps == ["offline", "updated", "online", "schedule online"]


def test_state_and_schedule_changes_never_put_the_definition(env: Env) -> None:
    # A real server makes a new workflow version on every PUT, even an identical one: a change
    # of release state or schedule alone must go through release and the schedule endpoints.
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *", release_state="offline"))
    env.deploy()
    version = env.remote("etl")["version"]
    env.write("etl", wf_yaml("etl", schedule="0 30 3 * * ? *"))
    env.deploy("--json", "out.json")
    steps = json.loads((env.root / "out.json").read_text())["result"]["outcomes"][0]["steps"]
    assert "updated" not in steps
    assert steps == ["schedule updated", "online", "schedule online"]
    wf = env.remote("etl")
    assert (wf["version"], wf["releaseState"]) == (version, "ONLINE")
    assert (wf["schedule"]["crontab"], wf["schedule"]["releaseState"]) == ("0 30 3 * * ? *",
                                                                           "ONLINE")


def test_offline_in_git_stays_offline(env: Env) -> None:
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *", release_state="offline"))
    env.deploy()
    wf = env.remote("etl")
    assert wf["releaseState"] == "OFFLINE"
    assert wf["schedule"]["releaseState"] == "OFFLINE"
    before = env.sb.request_count
    env.deploy()
    assert env.sb.request_count - before <= 10


def test_sub_workflow_child_is_created_before_parent(env: Env) -> None:
    env.write("child", wf_yaml("child"))
    env.write("parent", sub_yaml("parent", "child.yaml"))
    env.deploy("--parallel", "4")
    child, parent = env.remote("child"), env.remote("parent")
    assert child["code"] < parent["code"] or child["createTime"] <= parent["createTime"]
    sub = _task(parent, "run_child")
    assert sub["taskType"] == "SUB_WORKFLOW"
    assert sub["taskParams"]["workflowDefinitionCode"] == child["code"]
    assert parent["releaseState"] == "ONLINE"
    # Golden: apply, then plan finds nothing.
    res = env.run("plan")
    assert "0 to create, 0 to update, 0 to delete, 2 unchanged, 0 drifted" in res.out


def test_drift_reported_refused_overwritten_or_skipped(env: Env) -> None:
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    env.write("other", wf_yaml("other"))
    env.deploy()
    ui_edit(env, "etl", "b", "echo edited in the UI")
    res = env.run("plan")
    assert res.code == 0
    assert "! drifted" in res.out
    assert "differs from Git in tasks: b" in res.out
    assert "1 drifted" in res.out
    before = env.sb.request_count
    res = env.run("deploy", "--no-progress")
    assert res.code == 1
    assert "edited outside dagship" in res.err
    assert "etl" in res.err
    assert env.sb.request_count - before <= 10  # refused before sending any change
    assert _task(env.remote("etl"), "b")["taskParams"]["rawScript"] == "echo edited in the UI"
    res = env.deploy("--on-drift", "skip")
    assert _task(env.remote("etl"), "b")["taskParams"]["rawScript"] == "echo edited in the UI"
    env.deploy("--on-drift", "overwrite")
    wf = env.remote("etl")
    assert _task(wf, "b")["taskParams"]["rawScript"] == "echo b"
    assert wf["releaseState"] == "ONLINE"
    assert wf["schedule"]["releaseState"] == "ONLINE"
    assert "0 drifted" in env.run("plan").out


def test_prune_deletes_only_managed_workflows(env: Env) -> None:
    env.write("keep", wf_yaml("keep"))
    env.write("gone", wf_yaml("gone", schedule="0 0 2 * * ? *"))
    env.deploy()
    # An unmanaged workflow made in the UI.
    c = env.client()
    pc = env.project_code()
    codes = c.gen_task_codes(pc, 1)
    c.create_workflow(pc, {
        "name": "handmade", "description": "made by hand", "globalParams": [],
        "locations": [], "timeout": 0, "executionType": "PARALLEL",
        "taskDefinitionJson": [{"code": codes[0], "version": 1, "name": "x", "taskType": "SHELL",
                                "taskParams": {"rawScript": "echo x"}}],
        "taskRelationJson": [{"preTaskCode": 0, "postTaskCode": codes[0], "name": "",
                              "preTaskVersion": 0, "postTaskVersion": 0,
                              "conditionType": "NONE", "conditionParams": {}}]})
    env.remove("gone")
    res = env.deploy()
    assert "no longer in Git, kept" in res.out
    assert env.remote("gone") is not None
    res = env.deploy("--prune")
    assert "- delete" in res.out
    assert env.remote("gone") is None
    assert env.remote("handmade") is not None
    assert env.remote("keep") is not None


def test_prune_refuses_an_empty_desired_set(env: Env) -> None:
    env.write("keep", wf_yaml("keep"))
    env.deploy()
    env.remove("keep")
    res = env.run("deploy", "--prune", "--no-progress")
    assert res.code == 1
    assert "refusing to prune" in res.err
    assert env.remote("keep") is not None


def test_unmanaged_workflow_of_the_same_name_is_adopted(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    env.deploy()
    c = env.client()
    wf = env.remote("etl")
    c.release_workflow(env.project_code(), wf["code"], "OFFLINE")
    dag = c.get_workflow(env.project_code(), "etl")
    assert dag is not None
    form = {"name": "etl", "description": "hand made", "globalParams": [], "locations": [],
            "timeout": 0, "executionType": "PARALLEL",
            "taskDefinitionJson": dag["taskDefinitionList"],
            "taskRelationJson": dag["workflowTaskRelationList"]}
    c.update_workflow(env.project_code(), wf["code"], form)
    res = env.deploy()
    assert "adopting an unmanaged workflow" in res.out
    assert "[dagship " in env.remote("etl")["description"]
    assert env.remote("etl")["code"] == wf["code"]


@pytest.mark.parametrize("api_version", ["3.2", "3.3"])
def test_both_generations(tmp_path, monkeypatch, capsys, api_version: str) -> None:
    with Sandbox(api_version=api_version, token=TOKEN) as sb:
        e = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        e.write("child", wf_yaml("child", schedule="0 0 2 * * ? *"))
        e.write("parent", sub_yaml("parent", "child.yaml"))
        e.deploy()
        e.write("child", wf_yaml("child", [("a", "echo changed", ())], schedule="0 0 3 * * ? *"))
        e.deploy()
        res = e.run("plan")
        assert "0 to create, 0 to update, 0 to delete, 2 unchanged, 0 drifted" in res.out
        child, parent = e.remote("child"), e.remote("parent")
        sub = _task(parent, "run_child")
        key = "workflowDefinitionCode" if api_version == "3.3" else "processDefinitionCode"
        assert sub["taskParams"][key] == child["code"]
        assert child["schedule"]["crontab"] == "0 0 3 * * ? *"
        assert child["schedule"]["releaseState"] == "ONLINE"


def test_dry_run_sends_no_change(env: Env) -> None:
    env.write("etl", wf_yaml("etl"))
    res = env.deploy("--dry-run")
    assert "dry run, nothing sent" in res.out
    assert env.sb.state.project(PROJECT) is None


def test_status_lists_managed_state_and_drift(env: Env) -> None:
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    env.deploy()
    ui_edit(env, "etl", "a", "echo ui")
    res = env.run("status", "--json", "status.json")
    assert res.code == 0
    assert "etl" in res.out
    row = json.loads((env.root / "status.json").read_text())["workflows"][0]
    assert row["managed"] is True
    assert row["drift"] is True
    assert row["commit"] == "nogit"
    # The UI edit took the workflow offline, which takes its schedule offline too.
    assert row["schedule"] == "0 0 2 * * ? * OFFLINE"


def test_prune_leaves_a_workflow_an_unmanaged_one_still_uses_untouched(env: Env) -> None:
    env.write("keep", wf_yaml("keep"))
    env.write("gone", wf_yaml("gone", schedule="0 0 2 * * ? *", online_schedule=True))
    env.deploy()
    gone = env.remote("gone")
    assert gone is not None
    assert gone["schedule"]["releaseState"] == "ONLINE"
    # Made in the UI: a sub-workflow task that runs `gone`.
    c = env.client()
    pc = env.project_code()
    codes = c.gen_task_codes(pc, 1)
    c.create_workflow(pc, {
        "name": "handmade", "description": "made by hand", "globalParams": [],
        "locations": [], "timeout": 0, "executionType": "PARALLEL",
        "taskDefinitionJson": [{"code": codes[0], "version": 1, "name": "x",
                                "taskType": "SUB_WORKFLOW",
                                "taskParams": {"workflowDefinitionCode": gone["code"]}}],
        "taskRelationJson": [{"preTaskCode": 0, "postTaskCode": codes[0], "name": "",
                              "preTaskVersion": 0, "postTaskVersion": 0,
                              "conditionType": "NONE", "conditionParams": {}}]})
    env.remove("gone")
    res = env.run("deploy", "--no-progress", "--prune")
    assert res.code == 4, res.out + res.err
    assert "still referenced by handmade: will not be deleted" in res.out
    assert "failed  gone: not deleted: still referenced by handmade" in res.out
    after = env.remote("gone")
    assert after is not None
    assert after["releaseState"] == "ONLINE"  # not taken offline by a delete that cannot work
    assert after["schedule"]["releaseState"] == "ONLINE"

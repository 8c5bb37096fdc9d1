"""The deployer end to end, one contract for every backend.

Each scenario runs the real CLI against the sandbox in the 3.1, 3.2 and 3.3 dialects and,
when DAGSHIP_REAL_DS_URL/_TOKEN are set, against a real DolphinScheduler
(`python3 scripts/real-ds/realds.py deploy-test`). The remote is read through the API only, and
"sent nothing" is read from the `--verbose` request log, so the assertions mean the same on
every backend. Where a real server disagreed, the sandbox was fixed (docs/real-ds.md).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from deployer.core.config import load_config
from deployer.core.errors import ApiError
from deployer.definitions.model import WorkflowSpec
from deployer.definitions.repo import load_repository
from deployer.engine.plan import schedule_online
from tests.deploy_contract.helpers import Backend, Remote, Repo, sql_to_shell, task_of
from tests.helpers.workflow_yaml import sub_yaml, wf_yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAME_EXISTS, NOT_ALLOWED_EDIT = 10168, 50008


def puts(run_writes: list[tuple[str, str]]) -> list[str]:
    return [p for m, p in run_writes if m == "PUT"]


def creates(backend: Backend, pc: int, run_writes: list[tuple[str, str]]) -> int:
    return run_writes.count(("POST", backend.workflow_path(pc)))


# --- create, no-op, update --------------------------------------------------------------------


def test_first_deploy_creates_online_workflows_with_marker(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *", description="nightly"))
    res = repo.deploy()
    assert "+ workflow etl  (create)" in res.out
    assert res.plan_line() == "Plan: 1 to create, 0 to update, 0 to delete, 0 unchanged, 0 drifted"
    assert puts(res.writes) == []  # created with its final definition: nothing PUT
    wf = remote.workflow("etl")
    assert wf is not None
    assert (wf["version"], wf["releaseState"]) == (1, "ONLINE")
    assert wf["description"].startswith("nightly [dagship ")
    assert wf["description"].endswith(" nogit v0.1.0]")
    assert {t["name"]: t["taskType"] for t in wf["tasks"]} == {"a": "SHELL", "b": "SHELL"}
    assert wf["edges"] == {("", "a"), ("a", "b")}
    sched = wf["schedule"]
    assert (sched["crontab"], sched["timezoneId"], sched["releaseState"]) == (
        "0 0 2 * * ? *", "UTC", "ONLINE")


def test_noop_redeploy_sends_no_write_and_creates_no_version(repo: Repo, remote: Remote) -> None:
    for i in range(3):
        repo.write(f"wf{i}", wf_yaml(f"wf{i}", schedule="0 0 2 * * ? *"))
    repo.deploy()
    versions = remote.versions()
    assert versions == {"wf0": 1, "wf1": 1, "wf2": 1}
    res = repo.deploy()
    assert "3 unchanged" in res.out
    assert "nothing to do" in res.out
    assert res.writes == []
    # three list requests (project, workflows, schedules), however many workflows there are
    assert len(res.requests) == 3, res.requests
    assert remote.versions() == versions
    plan = repo.run("plan")
    assert plan.code == 0, plan.out + plan.err
    assert plan.plan_line() == "Plan: 0 to create, 0 to update, 0 to delete, 3 unchanged, 0 drifted"
    assert plan.writes == []


def test_edit_bumps_only_the_changed_task_and_keeps_codes(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl"))
    repo.write("other", wf_yaml("other"))
    repo.deploy()
    before = remote.workflow("etl")
    assert before is not None
    repo.write("etl", wf_yaml("etl", [("a", "echo a", ()), ("b", "echo B!", ("a",))]))
    res = repo.deploy()
    assert "~ workflow etl  (update in place)\n      ~ task b (Shell)\n" in res.out
    assert puts(res.writes) == [repo.backend.workflow_path(remote.pc, before["code"])]
    after = remote.workflow("etl")
    assert after is not None
    assert after["version"] == before["version"] + 1
    assert after["code"] == before["code"]
    for name, bump in (("a", 0), ("b", 1)):
        assert task_of(after, name)["code"] == task_of(before, name)["code"]
        assert task_of(after, name)["version"] == task_of(before, name)["version"] + bump
    assert task_of(after, "b")["taskParams"]["rawScript"] == "echo B!"
    assert after["releaseState"] == "ONLINE"
    assert remote.versions()["other"] == 1
    assert repo.deploy().writes == []


def test_renamed_and_removed_tasks(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl", [("a", "echo a", ()), ("b", "echo b", ("a",)),
                                      ("c", "echo c", ("b",))]))
    repo.deploy()
    before = remote.workflow("etl")
    assert before is not None
    repo.write("etl", wf_yaml("etl", [("a", "echo a", ()), ("b2", "echo b", ("a",))]))
    res = repo.deploy()
    assert ("      - task b (Shell)\n      + task b2 (Shell)\n      - task c (Shell)\n"
            in res.out)
    after = remote.workflow("etl")
    assert after is not None
    assert {t["name"] for t in after["tasks"]} == {"a", "b2"}
    assert after["edges"] == {("", "a"), ("a", "b2")}
    assert task_of(after, "a")["code"] == task_of(before, "a")["code"]
    assert task_of(after, "b2")["code"] not in {t["code"] for t in before["tasks"]}
    assert repo.deploy().writes == []


def test_online_workflow_is_updated_and_put_back_online(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    repo.deploy()
    repo.write("etl", wf_yaml("etl", [("a", "echo changed", ())], schedule="0 0 2 * * ? *"))
    repo.deploy("--json", "out.json")
    assert repo.steps("out.json") == {"etl": ["offline", "updated", "online", "schedule online"]}
    wf = remote.workflow("etl")
    assert wf is not None
    assert (wf["version"], wf["releaseState"]) == (2, "ONLINE")
    assert wf["schedule"]["releaseState"] == "ONLINE"
    assert [t["taskParams"]["rawScript"] for t in wf["tasks"]] == ["echo changed"]


# --- schedules --------------------------------------------------------------------------------


def test_schedule_create_change_and_state_restore(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl"))
    repo.deploy()
    assert remote.workflow("etl")["schedule"] is None
    repo.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    res = repo.deploy()
    assert '      + schedule: "0 0 2 * * ? *" (timezone UTC)\n' in res.out
    assert remote.workflow("etl")["schedule"]["releaseState"] == "ONLINE"
    repo.write("etl", wf_yaml("etl", schedule="0 30 3 * * ? *"))
    res = repo.deploy()
    assert ('      ~ schedule\n          ~ schedule: "0 0 2 * * ? *" -> "0 30 3 * * ? *"\n'
            in res.out)
    wf = remote.workflow("etl")
    sched = wf["schedule"]
    assert (sched["crontab"], sched["releaseState"]) == ("0 30 3 * * ? *", "ONLINE")
    # Someone pauses the schedule in the UI: Git's state comes back, the definition is kept.
    remote.c.set_schedule_state(remote.pc, int(sched["id"]), False)
    assert remote.workflow("etl")["schedule"]["releaseState"] == "OFFLINE"
    res = repo.deploy()
    assert "          ~ online_schedule: false -> true\n" in res.out
    assert puts(res.writes) == []
    after = remote.workflow("etl")
    assert after["schedule"]["releaseState"] == "ONLINE"
    assert after["schedule"]["id"] == sched["id"]
    assert after["version"] == wf["version"] == 1
    # Git pauses it; the workflow stays online.
    repo.write("etl", wf_yaml("etl", schedule="0 30 3 * * ? *", online_schedule=False))
    repo.deploy()
    after = remote.workflow("etl")
    assert after["schedule"]["releaseState"] == "OFFLINE"
    assert after["releaseState"] == "ONLINE"
    assert repo.deploy().writes == []


def test_state_and_schedule_changes_never_put_the_definition(repo: Repo,
                                                             remote: Remote) -> None:
    # A real server makes a new workflow version on every PUT, even an identical one: a change
    # of release state or schedule alone must go through release and the schedule endpoints.
    repo.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *", release_state="offline"))
    repo.deploy()
    repo.write("etl", wf_yaml("etl", schedule="0 30 3 * * ? *"))
    res = repo.deploy("--json", "out.json")
    assert repo.steps("out.json") == {"etl": ["schedule updated", "online", "schedule online"]}
    assert [p for p in puts(res.writes) if "/schedules/" not in p] == []
    wf = remote.workflow("etl")
    assert (wf["version"], wf["releaseState"]) == (1, "ONLINE")
    assert (wf["schedule"]["crontab"], wf["schedule"]["releaseState"]) == ("0 30 3 * * ? *",
                                                                           "ONLINE")


def test_offline_in_git_stays_offline(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *", release_state="offline"))
    repo.deploy()
    wf = remote.workflow("etl")
    assert wf["releaseState"] == "OFFLINE"
    assert wf["schedule"]["releaseState"] == "OFFLINE"
    assert repo.deploy().writes == []


# --- sub-workflows ----------------------------------------------------------------------------


def test_sub_workflow_child_is_created_before_parent(repo: Repo, remote: Remote,
                                                      backend: Backend) -> None:
    repo.write("child", wf_yaml("child"))
    repo.write("parent", sub_yaml("parent", "child.yaml"))
    res = repo.deploy("--parallel", "4")
    child, parent = remote.workflow("child"), remote.workflow("parent")
    assert child is not None
    assert parent is not None
    assert creates(backend, remote.pc, res.writes) == 2
    assert int(child["id"]) < int(parent["id"])  # ids are the servers' insert order
    sub = task_of(parent, "run_child")
    assert sub["taskType"] == "SUB_WORKFLOW"
    assert sub["taskParams"]["workflowDefinitionCode"] == child["code"]
    assert parent["releaseState"] == child["releaseState"] == "ONLINE"
    plan = repo.run("plan")
    assert plan.plan_line() == "Plan: 0 to create, 0 to update, 0 to delete, 2 unchanged, 0 drifted"
    # A changed child is updated in place: the parent keeps pointing at the same code.
    repo.write("child", wf_yaml("child", [("a", "echo changed", ())], schedule="0 0 3 * * ? *"))
    repo.deploy()
    after = remote.workflow("child")
    assert after["code"] == child["code"]
    assert (after["schedule"]["crontab"], after["schedule"]["releaseState"]) == (
        "0 0 3 * * ? *", "ONLINE")
    assert task_of(remote.workflow("parent"), "run_child")["taskParams"][
        "workflowDefinitionCode"] == child["code"]
    assert repo.deploy().writes == []


def test_prune_deletes_a_parent_and_its_child_in_either_list_order(repo: Repo,
                                                                   remote: Remote) -> None:
    """Real servers list workflows newest first (the parent before its child); the engine
    deletes referrers first by reference, so the delete the server would refuse (the child
    while its parent still runs it, 10193) is never sent, whatever order the list has."""
    repo.write("keep", wf_yaml("keep"))
    repo.write("child", wf_yaml("child"))
    repo.write("parent", sub_yaml("parent", "child.yaml"))
    repo.deploy()
    repo.remove("parent")
    repo.remove("child")
    res = repo.run("deploy", "--no-progress", "--prune", "--parallel", "4")
    assert res.code == 0, res.out + res.err
    assert remote.names() == {"keep"}
    deletes = [path for method, path in res.writes if method == "DELETE"]
    assert len(deletes) == 2, res.writes  # one each: nothing refused, nothing retried


# --- drift ------------------------------------------------------------------------------------


def test_drift_reported_refused_skipped_or_overwritten(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    repo.write("other", wf_yaml("other"))
    repo.deploy()
    remote.ui_edit("etl", "b", "echo edited in the UI")
    versions = remote.versions()
    res = repo.run("plan")
    assert res.code == 0
    assert "! workflow etl  (drifted: edited outside dagship" in res.out
    assert "differs from Git in tasks: b" in res.out
    assert res.plan_line().endswith("1 unchanged, 1 drifted")
    res = repo.run("deploy", "--no-progress")
    assert res.code == 1
    assert "edited outside dagship" in res.err
    assert "etl" in res.err
    assert res.writes == []  # refused before sending any change
    assert remote.versions() == versions
    assert task_of(remote.workflow("etl"), "b")["taskParams"]["rawScript"] == (
        "echo edited in the UI")
    res = repo.deploy("--on-drift", "skip")
    assert res.writes == []
    assert task_of(remote.workflow("etl"), "b")["taskParams"]["rawScript"] == (
        "echo edited in the UI")
    repo.deploy("--on-drift", "overwrite")
    wf = remote.workflow("etl")
    assert task_of(wf, "b")["taskParams"]["rawScript"] == "echo b"
    assert wf["releaseState"] == "ONLINE"
    assert wf["schedule"]["releaseState"] == "ONLINE"
    assert repo.run("plan").plan_line().endswith("2 unchanged, 0 drifted")


def test_status_lists_managed_state_and_drift(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    repo.deploy()
    remote.ui_edit("etl", "a", "echo ui")
    res = repo.run("status", "--json", "status.json")
    assert res.code == 0, res.out + res.err
    assert "etl" in res.out
    (row,) = json.loads((repo.root / "status.json").read_text())["workflows"]
    assert (row["managed"], row["drift"], row["commit"]) == (True, True, "nogit")
    # The UI edit took the workflow offline, which takes its schedule offline too.
    assert row["schedule"] == "0 0 2 * * ? * OFFLINE"


def test_unmanaged_workflow_of_the_same_name_is_adopted(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl"))
    repo.deploy()
    wf = remote.workflow("etl")
    c, pc = remote.c, remote.pc
    c.release_workflow(pc, wf["code"], "OFFLINE")
    dag = c.get_workflow(pc, "etl")
    assert dag is not None
    c.update_workflow(pc, wf["code"], {
        "name": "etl", "description": "hand made", "globalParams": [], "locations": [],
        "timeout": 0, "executionType": "PARALLEL",
        "taskDefinitionJson": dag["taskDefinitionList"],
        "taskRelationJson": dag["workflowTaskRelationList"]})
    res = repo.deploy()
    assert "(update in place: adopts a workflow dagship did not deploy)" in res.out
    after = remote.workflow("etl")
    assert "[dagship " in after["description"]
    assert (after["code"], after["releaseState"]) == (wf["code"], "ONLINE")


# --- prune ------------------------------------------------------------------------------------


def test_prune_deletes_only_managed_workflows(repo: Repo, remote: Remote) -> None:
    repo.write("keep", wf_yaml("keep"))
    repo.write("gone", wf_yaml("gone", schedule="0 0 2 * * ? *"))
    repo.deploy()
    remote.handmade("handmade")
    repo.remove("gone")
    res = repo.deploy()
    assert "no longer in Git, kept" in res.out
    assert res.writes == []
    assert remote.names() == {"keep", "gone", "handmade"}
    res = repo.deploy("--prune")
    assert "- workflow gone  (delete: managed by dagship, gone from Git)" in res.out
    assert remote.names() == {"keep", "handmade"}
    assert [s["workflowDefinitionCode"] for s in remote.c.list_schedules(remote.pc)] == []


def test_prune_refuses_an_empty_desired_set(repo: Repo, remote: Remote) -> None:
    repo.write("keep", wf_yaml("keep"))
    repo.deploy()
    repo.remove("keep")
    res = repo.run("deploy", "--prune", "--no-progress")
    assert res.code == 1
    assert "refusing to prune" in res.err
    assert res.writes == []
    assert remote.names() == {"keep"}


def test_prune_leaves_a_workflow_an_unmanaged_one_still_uses_untouched(
        repo: Repo, remote: Remote) -> None:
    repo.write("keep", wf_yaml("keep"))
    repo.write("gone", wf_yaml("gone", schedule="0 0 2 * * ? *", online_schedule=True))
    repo.deploy()
    gone = remote.workflow("gone")
    assert gone["schedule"]["releaseState"] == "ONLINE"
    remote.handmade("handmade", "SUB_WORKFLOW", {"workflowDefinitionCode": gone["code"]})
    repo.remove("gone")
    res = repo.run("deploy", "--no-progress", "--prune")
    assert res.code == 4, res.out + res.err
    assert "still referenced by handmade: will not be deleted" in res.out
    assert "failed  gone: not deleted: still referenced by handmade" in res.out
    assert res.writes == []
    after = remote.workflow("gone")
    assert after is not None
    assert after["releaseState"] == "ONLINE"  # not taken offline by a delete that cannot work
    assert after["schedule"]["releaseState"] == "ONLINE"


# --- the server's error codes, as dagship's client surfaces them ------------------------------


def test_name_clash_and_online_edit_come_back_with_the_servers_codes(
        repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl"))
    repo.write("other", wf_yaml("other", release_state="offline"))
    repo.deploy()
    c, pc = remote.c, remote.pc
    etl, other = c.get_workflow(pc, "etl"), c.get_workflow(pc, "other")
    assert etl is not None
    assert other is not None

    def form(dag: dict, name: str) -> dict:
        return {"name": name, "description": "", "globalParams": [], "locations": [],
                "timeout": 0, "executionType": "PARALLEL",
                "taskDefinitionJson": dag["taskDefinitionList"],
                "taskRelationJson": dag["workflowTaskRelationList"]}

    # A create under a taken name (the client only adopts a clash on a retried attempt).
    with pytest.raises(ApiError) as caught:
        remote.handmade("etl")
    assert caught.value.code == NAME_EXISTS
    # Renaming an (offline) workflow to a taken name.
    other_code = int(other["workflowDefinition"]["code"])
    with pytest.raises(ApiError) as caught:
        c.update_workflow(pc, other_code, form(other, "etl"))
    assert caught.value.code == NAME_EXISTS
    # Editing an online workflow, even with its own definition.
    etl_code = int(etl["workflowDefinition"]["code"])
    with pytest.raises(ApiError) as caught:
        c.update_workflow(pc, etl_code, form(etl, "etl"))
    assert caught.value.code == NOT_ALLOWED_EDIT
    assert remote.versions() == {"etl": 1, "other": 1}
    assert remote.names() == {"etl", "other"}
    assert repo.deploy().writes == []


# --- dry run ----------------------------------------------------------------------------------


def test_dry_run_sends_no_change(repo: Repo, remote: Remote) -> None:
    repo.write("etl", wf_yaml("etl"))
    res = repo.deploy("--dry-run")
    assert "dry run, nothing sent" in res.out
    assert res.writes == []
    assert remote.project_code() is None


# --- examples/, the whole lifecycle -----------------------------------------------------------


def _specs(repo: Repo) -> dict[str, WorkflowSpec]:
    config = load_config(str(repo.root / "dagship.yaml"))
    loaded = load_repository(config, target=config.targets["contract"],
                             env={"DAGSHIP_CONTRACT_TOKEN": repo.backend.token})
    assert not loaded.findings, loaded.findings
    return {w.name: w for w in loaded.workflows}


def _assert_matches_git(remote: Remote, specs: dict[str, WorkflowSpec]) -> None:
    assert remote.names() == set(specs)
    for name, spec in specs.items():
        wf = remote.workflow(name)
        assert wf is not None, name
        tasks = {str(t["name"]): t for t in wf["tasks"]}
        assert {n: t["taskType"] for n, t in tasks.items()} == {
            t.name: t.task_type for t in spec.tasks}, name
        assert wf["edges"] == {(dep, t.name) for t in spec.tasks for dep in t.deps} | {
            ("", t.name) for t in spec.tasks if not t.deps}, name
        assert wf["releaseState"] == spec.release_state, name
        assert "[dagship " in str(wf["description"]), name
        if spec.schedule is None:
            assert wf["schedule"] is None, name
            continue
        sched = wf["schedule"]
        assert sched is not None, f"{name}: no schedule"
        assert (sched["crontab"], sched["timezoneId"]) == (spec.schedule.crontab,
                                                           spec.schedule.timezone), name
        assert sched["releaseState"] == ("ONLINE" if schedule_online(spec) else "OFFLINE"), name


def test_examples_lifecycle(repo: Repo, remote: Remote, backend: Backend) -> None:
    """examples/ (its SQL tasks as Shell: no database here) deployed, redeployed, edited,
    re-scheduled and drifted, checking what the server stores at each step."""
    shutil.copytree(EXAMPLES / "workflows", repo.root / "workflows", dirs_exist_ok=True)
    for path in (repo.root / "workflows").glob("*.yaml"):
        path.write_text(sql_to_shell(path.read_text(encoding="utf-8")), encoding="utf-8")
    specs = _specs(repo)
    assert len(specs) == 6

    first = repo.deploy()
    assert first.plan_line().startswith("Plan: 6 to create, 0 to update"), first.out
    _assert_matches_git(remote, specs)
    versions = remote.versions()
    assert set(versions.values()) == {1}, versions
    assert puts(first.writes) == [], first.writes

    again = repo.deploy()
    assert "nothing to do" in again.out
    assert again.writes == []
    assert remote.versions() == versions

    # Editing one task bumps that workflow and that task only; the parent customer_360
    # references it by code and stays as it is.
    before = {t["name"]: t["version"] for t in remote.workflow("load_customers")["tasks"]}
    repo.edit("load_customers.yaml", 'print("customer export looks valid")',
              'print("customer export checked")')
    edit = repo.deploy()
    assert edit.plan_line().startswith("Plan: 0 to create, 1 to update, 0 to delete, 5 unchanged")
    code = remote.workflow("load_customers")["code"]
    assert puts(edit.writes) == [backend.workflow_path(remote.pc, code)], edit.writes
    assert remote.versions() == versions | {"load_customers": 2}
    after = {t["name"]: t["version"] for t in remote.workflow("load_customers")["tasks"]}
    assert after == before | {"validate_customer_file": before["validate_customer_file"] + 1}
    _assert_matches_git(remote, _specs(repo))

    # A release-state change and a schedule change: no workflow PUT, no new version.
    repo.edit("purge_landing.yaml", "release_state: offline", "release_state: online")
    repo.edit("inventory_snapshot.yaml", '"0 0 4 * * ? *"', '"0 15 4 * * ? *"')
    both = repo.deploy()
    assert both.plan_line().startswith("Plan: 0 to create, 2 to update, 0 to delete, 4 unchanged")
    assert [p for p in puts(both.writes) if "/schedules/" not in p] == [], both.writes
    assert remote.versions() == versions | {"load_customers": 2}
    _assert_matches_git(remote, _specs(repo))
    assert repo.deploy().writes == []

    # Drift made through the API is reported, and refused with nothing sent.
    remote.ui_edit("ingest_orders", "publish_orders", 'echo "published by hand"')
    drifted = remote.versions()
    plan = repo.run("plan")
    assert plan.plan_line().endswith("5 unchanged, 1 drifted"), plan.out
    refused = repo.run("deploy", "--no-progress")
    assert refused.code == 1, refused.out + refused.err
    assert "edited outside dagship" in refused.out + refused.err
    assert refused.writes == []
    assert remote.versions() == drifted

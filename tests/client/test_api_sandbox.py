"""The client against the embedded sandbox over real HTTP, for every API generation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deployer.client import DSClient, RetryPolicy
from deployer.sandbox import Sandbox
from tests.client.helpers import schedule_form

TOKEN = "sandbox-token-0123456789abcdef"


def task(code: int, name: str, task_type: str, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": code, "version": 1, "name": name, "description": "", "taskType": task_type,
        "taskParams": params, "flag": "YES", "taskPriority": "MEDIUM", "workerGroup": "default",
        "environmentCode": -1, "failRetryTimes": 0, "failRetryInterval": 1,
        "timeoutFlag": "CLOSE", "timeoutNotifyStrategy": None, "timeout": 0, "delayTime": 0,
        "cpuQuota": -1, "memoryMax": -1, "taskExecuteType": "BATCH", "isCache": "NO",
    }  # fmt: skip


def edge(pre: int, post: int) -> dict[str, Any]:
    return {"preTaskCode": pre, "preTaskVersion": 0, "postTaskCode": post, "postTaskVersion": 1,
            "name": "", "conditionType": "NONE", "conditionParams": {}}  # fmt: skip


def workflow_form(name: str, tasks: list[dict[str, Any]], edges: list[dict[str, Any]],
                  description: str = "") -> dict[str, Any]:  # fmt: skip
    return {
        "name": name,
        "description": description,
        "globalParams": [{"prop": "dt", "direct": "IN", "type": "VARCHAR", "value": "x"}],
        "locations": [{"taskCode": t["code"], "x": 80 * i, "y": 80} for i, t in enumerate(tasks)],
        "timeout": 0,
        "executionType": "PARALLEL",
        "taskDefinitionJson": tasks,
        "taskRelationJson": edges,
    }


def shell(code: int, name: str) -> dict[str, Any]:
    return task(code, name, "SHELL", {"rawScript": f"echo {name}", "localParams": [],
                                      "resourceList": []})  # fmt: skip


@pytest.fixture(params=["3.1", "3.2", "3.3", "3.4"])
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sb(version: str) -> Iterator[Any]:
    with Sandbox(api_version=version, token=TOKEN) as server:
        yield server


def make(sb: Any, version: str, **policy: Any) -> DSClient:
    # 3.1 cannot be told from 3.2 by probing, so it is pinned; the others are detected.
    pinned = "3.1" if version == "3.1" else None
    return DSClient(sb.base_url, sb.token, api_version=pinned, timeout=10.0,
                    policy=RetryPolicy(sleep=lambda _s: None, **policy))  # fmt: skip


def test_full_lifecycle(sb: Any, version: str) -> None:
    client = make(sb, version)
    expected = {"3.1": "3.1", "3.2": "3.2", "3.3": "3.3", "3.4": "3.3"}[version]

    assert client.find_project("etl") is None
    project = client.create_project("etl", "nightly loads")
    pc = int(project["code"])
    found_project = client.find_project("etl")
    assert found_project is not None
    assert found_project["code"] == pc
    assert client.detect_generation(pc) == expected
    assert client.generation == expected

    a, b, c = client.gen_task_codes(pc, 3)
    assert len({a, b, c}) == 3

    child = client.create_workflow(pc, workflow_form("child", [shell(a, "A")], [edge(0, a)]))
    sub = task(b, "S", "SUB_WORKFLOW", {"workflowDefinitionCode": child, "localParams": []})
    parent_form = workflow_form("parent", [sub, shell(c, "C")], [edge(0, b), edge(b, c)])
    parent = client.create_workflow(pc, parent_form)

    dag = client.get_workflow(pc, "parent")
    assert dag is not None
    assert dag["workflowDefinition"]["code"] == parent
    assert dag["workflowDefinition"]["releaseState"] == "OFFLINE"
    tasks = {t["name"]: t for t in dag["taskDefinitionList"]}
    assert tasks["S"]["taskType"] == "SUB_WORKFLOW"
    assert tasks["S"]["taskParams"]["workflowDefinitionCode"] == child
    relations = {(r["preTaskCode"], r["postTaskCode"]) for r in dag["workflowTaskRelationList"]}
    assert relations == {(0, b), (b, c)}
    assert client.get_workflow(pc, "nope") is None

    client.update_workflow(pc, parent, parent_form | {"description": "v2"})
    dag = client.get_workflow(pc, "parent")
    assert dag is not None
    assert dag["workflowDefinition"]["description"] == "v2"
    names = {d["workflowDefinition"]["name"] for d in client.list_workflows(pc)}
    assert names == {"child", "parent"}

    client.release_workflow(pc, child, "ONLINE")
    client.release_workflow(pc, parent, "ONLINE")
    client.release_workflow(pc, parent, "ONLINE")  # repeating is harmless

    sid = client.create_schedule(pc, parent, schedule_form())
    client.set_schedule_state(pc, sid, True)
    client.set_schedule_state(pc, sid, True)  # 3.1 answers 10126: success
    found = client.find_schedule(pc, parent)
    assert found is not None
    assert found["id"] == sid
    assert found["workflowDefinitionCode"] == parent
    assert found["releaseState"] == "ONLINE"
    assert [s["id"] for s in client.list_schedules(pc)] == [sid]

    client.set_schedule_state(pc, sid, False)
    client.update_schedule(pc, sid, schedule_form("0 30 3 * * ? *"))
    found = client.find_schedule(pc, parent)
    assert found is not None
    assert found["crontab"] == "0 30 3 * * ? *"
    client.delete_schedule(pc, sid)
    assert client.find_schedule(pc, parent) is None

    client.release_workflow(pc, parent, "OFFLINE")
    client.delete_workflow(pc, parent)
    assert client.get_workflow(pc, "parent") is None
    assert client.request_count == sb.request_count


def test_business_errors_come_back_with_the_servers_code(sb: Any, version: str) -> None:
    from deployer.core.errors import ApiError

    client = make(sb, version)
    pc = int(client.create_project("p")["code"])
    (a,) = client.gen_task_codes(pc, 1)
    code = client.create_workflow(pc, workflow_form("w", [shell(a, "A")], [edge(0, a)]))
    client.release_workflow(pc, code, "ONLINE")
    with pytest.raises(ApiError) as caught:
        client.update_workflow(pc, code, workflow_form("w", [shell(a, "A")], [edge(0, a)]))
    assert caught.value.code == 50008
    with pytest.raises(ApiError) as caught:
        client.create_project("p")
    assert caught.value.code == 10019


def test_wrong_token_is_an_auth_error(sb: Any, version: str) -> None:
    from deployer.core.errors import AuthError

    client = DSClient(sb.base_url, "not-the-token", api_version="3.3",
                      policy=RetryPolicy(sleep=lambda _s: None))  # fmt: skip
    with pytest.raises(AuthError):
        client.find_project("p")


@pytest.mark.parametrize(("seed", "api"), [(1, "3.3"), (2, "3.3"), (3, "3.3"), (4, "3.1"),
                                           (5, "3.1")])  # fmt: skip
def test_faults_are_retried_without_duplicates(seed: int, api: str) -> None:
    # 3.1 checks a retried create through simple-list instead of query-by-name.
    with Sandbox(api_version=api, token=TOKEN, fault_rate=0.35, seed=seed) as sb:
        client = make(sb, api, max_attempts=30)
        pc = int(client.create_project("etl")["code"])
        codes = client.gen_task_codes(pc, 4)
        made = {}
        for i, code in enumerate(codes):
            made[f"w{i}"] = client.create_workflow(
                pc, workflow_form(f"w{i}", [shell(code, "A")], [edge(0, code)])
            )
            client.release_workflow(pc, made[f"w{i}"], "ONLINE")
            client.create_schedule(pc, made[f"w{i}"], schedule_form())

        sb.set_faults(0.0)
        clean = make(sb, api)
        workflows = clean.list_workflows(pc)
        assert sorted(d["workflowDefinition"]["name"] for d in workflows) == sorted(made)
        assert {d["workflowDefinition"]["code"] for d in workflows} == set(made.values())
        assert len(clean.list_schedules(pc)) == len(made)
        assert clean.find_project("etl") is not None
        assert len(sb.state.projects) == 1
        assert sum(sb.faults.counts.values()) > 0  # faults did strike


def test_versions_are_listed_and_switched(sb: Any, version: str) -> None:
    """A switch restores the old tasks and relations in place, with their codes, creates no
    version, and leaves the workflow OFFLINE; its schedule keeps its state."""
    client = make(sb, version)
    pc = int(client.create_project("v")["code"])
    a, b = client.gen_task_codes(pc, 2)
    form = workflow_form("w", [shell(a, "A"), shell(b, "B")], [edge(0, a), edge(a, b)])
    code = client.create_workflow(pc, form)
    changed = shell(b, "B") | {"taskParams": {"rawScript": "echo v2", "localParams": [],
                                              "resourceList": []}}
    client.update_workflow(pc, code, form | {"taskDefinitionJson": [shell(a, "A"), changed],
                                             "description": "second"})
    client.release_workflow(pc, code, "ONLINE")
    sid = client.create_schedule(pc, code, schedule_form())
    client.set_schedule_state(pc, sid, True)
    rows = client.list_versions(pc, code)
    assert sorted(r["version"] for r in rows) == [1, 2]
    assert {r["version"]: r["description"] for r in rows} == {1: "", 2: "second"}

    client.switch_version(pc, code, 1)
    dag = client.get_workflow(pc, "w")
    assert dag is not None
    wf = dag["workflowDefinition"]
    assert (wf["version"], wf["releaseState"]) == (1, "OFFLINE")
    scripts = {t["code"]: t["taskParams"]["rawScript"] for t in dag["taskDefinitionList"]}
    assert scripts == {a: "echo A", b: "echo B"}
    assert sorted(r["version"] for r in client.list_versions(pc, code)) == [1, 2]
    found = client.find_schedule(pc, code)
    assert found is not None
    assert found["releaseState"] == "ONLINE"  # the switch does not touch the schedule


def test_switch_to_an_unknown_version_or_workflow(sb: Any, version: str) -> None:
    from deployer.core.errors import ApiError

    client = make(sb, version)
    pc = int(client.create_project("v")["code"])
    (a,) = client.gen_task_codes(pc, 1)
    code = client.create_workflow(pc, workflow_form("w", [shell(a, "A")], [edge(0, a)]))
    with pytest.raises(ApiError) as no_version:
        client.switch_version(pc, code, 9)
    assert no_version.value.code == 10153
    with pytest.raises(ApiError) as no_workflow:
        client.switch_version(pc, code + 1, 1)
    assert no_workflow.value.code == 10152

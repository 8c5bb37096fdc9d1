"""The shapes of answers that real servers' recordings showed the sandbox had wrong.

Each test is one difference found by replaying ../shared/dolphinscheduler/recordings (see
tests/replay and its allowance files) and fixed in the sandbox; like test_contract.py it runs
against the sandbox in every dialect and against the real server of tests/real_ds.py, so the
expectation is proven on 3.1.1 in CI and on 3.2.2 by the recording's replay.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import requests

from tests.sandbox.helpers import DS, shell


def test_failed_schedule_create_answers_201(ds: DS) -> None:
    """A create the service refuses is answered with the endpoint's 201; only 3.2+'s thrown
    "workflow offline" (50004) is 200 (3.1.1 returns it: 201)."""
    pc = ds.project()
    code, _ = ds.chain(pc, "sched")
    base = f"/projects/{pc}/schedules"
    offline = ds.call("POST", base, data=dict(ds.schedule_form(), **{ds.code_key: code}))
    assert (offline.status_code, offline.json()["code"]) == (201 if ds.g1 else 200, 50004)
    ds.release(pc, code, "ONLINE")
    for schedule, expected in (({"crontab": "0 2 * * *"}, 10001),
                               ({"endTime": "2024-01-01 00:00:00"}, 10141),
                               ({"startTime": "2099-12-31 00:00:01"}, 80003)):
        r = ds.call("POST", base, data=dict(ds.schedule_form(schedule=schedule),
                                            **{ds.code_key: code}))
        assert (r.status_code, r.json()["code"]) == (201, expected), (schedule, r.json())
    form = dict(ds.schedule_form(), **{ds.code_key: code})
    assert ds.call("POST", base, data=form).json()["code"] == 0
    if not ds.g1:  # 3.1 allows a second schedule
        again = ds.call("POST", base, data=form)
        assert (again.status_code, again.json()["code"]) == (201, 10204)


def test_workflow_lists_are_newest_first(ds: DS) -> None:
    """ORDER BY create_time DESC (rows of the same second have no defined order: one apart)."""
    pc = ds.project()
    first, _ = ds.chain(pc, "first")
    time.sleep(1.1)
    second, _ = ds.chain(pc, "second")
    listed = [d[ds.dag_def]["code"] for d in ds.ok("GET", ds.wf_path(pc, "/list"))]
    assert listed == [second, first]
    simple = [w["code"] for w in ds.ok("GET", ds.wf_path(pc, "/simple-list"))]
    assert simple == [second, first]


def test_workflow_update_answers_the_posted_fields(ds: DS) -> None:
    """A PUT answers the stored row with the posted fields set on it, an omitted description
    and locations as null, before the save (its version is the one it replaced)."""
    pc = ds.project()
    code, _ = ds.chain(pc, "rep", description="keep me", timeout=5)
    before = ds.dag(pc, code)[ds.dag_def]
    form = ds.form("rep", [], [])
    form.pop("description")
    dag = ds.dag(pc, code)
    form.update(taskDefinitionJson=_task_json(dag), taskRelationJson=_relation_json(ds, dag))
    data = ds.ok("PUT", ds.wf_path(pc, f"/{code}"), data=form)
    assert data["description"] is None
    assert data["locations"] is None
    assert data["timeout"] == 0
    assert data["version"] == before["version"]
    assert ds.dag(pc, code)[ds.dag_def]["description"] == "keep me"  # the stored one stays


def _task_json(dag: dict[str, Any]) -> str:
    keep = ("code", "version", "name", "description", "taskType", "taskParams", "flag",
            "taskPriority", "workerGroup", "environmentCode", "failRetryTimes",
            "failRetryInterval", "timeoutFlag", "timeout", "delayTime", "cpuQuota",
            "memoryMax", "taskExecuteType")
    return json.dumps([dict({k: t.get(k) for k in keep}, isCache="NO")
                       for t in dag["taskDefinitionList"]])


def _relation_json(ds: DS, dag: dict[str, Any]) -> str:
    rels = dag["workflowTaskRelationList" if ds.g3 else "processTaskRelationList"]
    return json.dumps([{k: r[k] for k in ("name", "preTaskCode", "preTaskVersion",
                                          "postTaskCode", "postTaskVersion", "conditionType",
                                          "conditionParams")} for r in rels])


def test_saved_rows_carry_the_servers_nulls(ds: DS) -> None:
    """What a create or an update answers is the row as saved: names are not joined."""
    name = f"ct_{uuid.uuid4().hex[:10]}"
    project = ds.ok("POST", "/projects", data={"projectName": name})
    assert project["userName"] == "admin"
    pc = int(project["code"])
    (t,) = ds.gen_codes(pc, 1)
    form = ds.form("bare", [dict(shell(t, "t0"), taskParams={"rawScript": "echo x"})], [(0, t)])
    created = ds.ok("POST", ds.wf_path(pc), data=form)
    assert created["globalParamList"] is None
    code = int(created["code"])
    ds.release(pc, code, "ONLINE")
    base = f"/projects/{pc}/schedules"
    sched = ds.ok("POST", base, data=dict(ds.schedule_form(), **{ds.code_key: code}))
    name_key = "workflowDefinitionName" if ds.g3 else "processDefinitionName"
    assert (sched[name_key], sched["projectName"], sched["userName"]) == (None, None, None)
    updated = ds.ok("PUT", f"{base}/{sched['id']}", data=ds.schedule_form())
    if ds.g1:
        assert updated is None
    else:
        assert updated["id"] == sched["id"]
        assert (updated[name_key], updated["projectName"]) == (None, None)
    (dag,) = ds.ok("GET", ds.wf_path(pc, "/list"))
    assert dag[ds.dag_def]["warningGroupId"] == (0 if ds.g1 else None)  # not the schedule's
    assert dag["taskDefinitionList"][0]["taskParamList"] is None  # no localParams
    token = ds.ok("POST", "/access-tokens",
                  data={"userId": 1, "expireTime": "2099-12-31 00:00:00"})
    assert token["userName"] is None
    ds.release(pc, code, "OFFLINE")
    assert ds.code("DELETE", ds.wf_path(pc, f"/{code}")) == 0
    assert ds.ok("DELETE", f"/projects/{pc}") is True


def test_seeded_rows_of_a_fresh_server(ds: DS) -> None:
    """3.2+ seed a `default` tenant (3.1.1 none); the admin's alert group has instances "1,2"
    in 3.1.1, none in 3.2.2."""
    tenants = ds.ok("GET", "/tenants/list")
    if ds.g1:
        assert tenants == []
    else:
        assert any(t["tenantCode"] == "default" and t["id"] == -1 for t in tenants)
    groups = {g["groupName"]: g for g in ds.ok("GET", "/alert-groups/list")}
    admin = groups["default admin warning group"]
    assert admin["alertInstanceIds"] == ("1,2" if ds.g1 else None)


def test_error_pages_have_the_real_content_types(ds: DS) -> None:
    """401 has no Content-Type at all; an unknown path is Jetty's HTML 404; the health is the
    actuator's own JSON type."""
    r = requests.get(ds.url + "/projects/list", timeout=10)
    assert r.status_code == 401
    assert "Content-Type" not in r.headers
    r = ds.call("GET", "/no-such-endpoint")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    r = requests.get(ds.url + "/actuator/health", timeout=10)
    assert r.headers["Content-Type"].startswith("application/vnd.spring-boot.actuator.v3+json")
    assert r.json()["status"] == "UP"

"""Dialects: requests renamed for 3.1/3.2, responses normalised to 3.3+ names, detection."""

from __future__ import annotations

import json

import pytest
import requests
from responses import matchers

from deployer.client import DSClient
from deployer.client.generations import G1, G2, G3, generation_for
from deployer.core.errors import AuthError, ConfigError
from tests.client.helpers import BASE, SCHEDULE, TOKEN, env, schedule_form

SUB_TASK = {
    "code": 11,
    "name": "child",
    "taskType": "SUB_WORKFLOW",
    "taskParams": {"workflowDefinitionCode": 99, "localParams": []},
}
SHELL_TASK = {"code": 12, "name": "sh", "taskType": "SHELL", "taskParams": {"rawScript": "echo"}}
FORM = {
    "name": "w",
    "description": "d",
    "globalParams": [],
    "locations": [],
    "timeout": 0,
    "executionType": "PARALLEL",
    "taskDefinitionJson": [SUB_TASK, SHELL_TASK],
    "taskRelationJson": [{"preTaskCode": 0, "postTaskCode": 11}],
}
SCHEDULE_FORM = schedule_form()


def compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def client_for(policy, version: str | None) -> DSClient:
    return DSClient(BASE, TOKEN, api_version=version, policy=policy)


def expected_workflow_fields(legacy: bool) -> dict[str, str]:
    sub = {
        "code": 11,
        "name": "child",
        "taskType": "SUB_PROCESS" if legacy else "SUB_WORKFLOW",
        "taskParams": {
            ("processDefinitionCode" if legacy else "workflowDefinitionCode"): 99,
            "localParams": [],
        },
    }
    return {
        "name": "w",
        "description": "d",
        "globalParams": "[]",
        "locations": "[]",
        "timeout": "0",
        "executionType": "PARALLEL",
        "taskDefinitionJson": compact([sub, SHELL_TASK]),
        "taskRelationJson": compact([{"preTaskCode": 0, "postTaskCode": 11}]),
    }


@pytest.mark.parametrize(
    ("version", "segment", "extra"),
    [
        ("3.3", "workflow-definition", {}),
        ("3.2", "process-definition", {}),
        ("3.1", "process-definition", {"tenantCode": "default"}),
    ],
)
def test_workflow_create_fields_per_generation(rsps, policy, version, segment, extra):
    fields = expected_workflow_fields(legacy=version != "3.3") | extra
    rsps.post(
        f"{BASE}/projects/1/{segment}",
        status=201,
        json=env({"code": 5}),
        match=[matchers.urlencoded_params_matcher(fields)],
    )
    assert client_for(policy, version).create_workflow(1, FORM) == 5


def test_caller_form_is_not_mutated(rsps, policy):
    rsps.put(f"{BASE}/projects/1/process-definition/5", json=env())
    before = json.dumps(FORM)
    client_for(policy, "3.2").update_workflow(1, 5, FORM)
    assert json.dumps(FORM) == before


@pytest.mark.parametrize(
    ("version", "fields"),
    [
        ("3.3", {"workflowDefinitionCode": "5", "workflowInstancePriority": "MEDIUM",
                 "tenantCode": "default"}),
        ("3.2", {"processDefinitionCode": "5", "processInstancePriority": "MEDIUM",
                 "tenantCode": "default"}),
        ("3.1", {"processDefinitionCode": "5", "processInstancePriority": "MEDIUM"}),
    ],
)  # fmt: skip
def test_schedule_create_fields_per_generation(rsps, policy, version, fields):
    common = {
        "schedule": compact(SCHEDULE),
        "failureStrategy": "END",
        "warningType": "NONE",
        "warningGroupId": "0",
        "workerGroup": "default",
        "environmentCode": "-1",
    }
    rsps.post(
        f"{BASE}/projects/1/schedules",
        status=201,
        json=env({"id": 3}),
        match=[matchers.urlencoded_params_matcher(common | fields)],
    )
    assert client_for(policy, version).create_schedule(1, 5, SCHEDULE_FORM) == 3


LEGACY_DAG = {
    "processDefinition": {
        "code": 5,
        "name": "w",
        "releaseState": "ONLINE",
        "schedule": {"id": 3, "processDefinitionCode": 5, "processInstancePriority": "LOW"},
    },
    "processTaskRelationList": [
        {"preTaskCode": 0, "postTaskCode": 11, "processDefinitionCode": 5,
         "processDefinitionVersion": 2},
    ],
    "taskDefinitionList": [
        {"code": 11, "taskType": "SUB_PROCESS",
         "taskParams": {"processDefinitionCode": 99, "localParams": []}},
        {"code": 12, "taskType": "SHELL", "taskParams": '{"rawScript": "echo"}'},
    ],
}  # fmt: skip


def test_legacy_dag_is_normalised_to_new_names(rsps, policy):
    rsps.get(
        f"{BASE}/projects/1/process-definition/query-by-name",
        json=env(LEGACY_DAG),
        match=[matchers.query_param_matcher({"name": "w"})],
    )
    dag = client_for(policy, "3.2").get_workflow(1, "w")

    assert dag is not None
    assert set(dag) == {"workflowDefinition", "workflowTaskRelationList", "taskDefinitionList"}
    assert dag["workflowDefinition"]["schedule"] == {
        "id": 3,
        "workflowDefinitionCode": 5,
        "workflowInstancePriority": "LOW",
    }
    assert dag["workflowTaskRelationList"] == [
        {"preTaskCode": 0, "postTaskCode": 11, "workflowDefinitionCode": 5,
         "workflowDefinitionVersion": 2},
    ]  # fmt: skip
    sub, shell = dag["taskDefinitionList"]
    assert sub["taskType"] == "SUB_WORKFLOW"
    assert sub["taskParams"] == {"workflowDefinitionCode": 99, "localParams": []}
    assert shell["taskParams"] == {"rawScript": "echo"}  # a JSON string becomes an object


PD = f"{BASE}/projects/1/process-definition"
SIMPLE = [{"id": 1, "code": 4, "name": "other", "projectCode": 1},
          {"id": 2, "code": 5, "name": "w", "projectCode": 1}]  # fmt: skip


def test_g1_get_workflow_uses_simple_list_then_the_code(rsps, policy):
    # 3.1's query-by-name joins the creator's tenant: a tenant-less admin's workflows are
    # "not found" (50003), so 3.1 never asks it.
    rsps.get(f"{PD}/simple-list", json=env(SIMPLE))
    rsps.get(f"{PD}/5", json=env(LEGACY_DAG))
    client = client_for(policy, "3.1")

    dag = client.get_workflow(1, "w")

    assert dag is not None
    assert dag["workflowDefinition"]["schedule"]["workflowDefinitionCode"] == 5
    assert dag["taskDefinitionList"][0]["taskType"] == "SUB_WORKFLOW"
    assert client.request_count == 2
    assert not [c for c in rsps.calls if "query-by-name" in c.request.url]


def test_g1_get_workflow_absent_costs_one_request(rsps, policy):
    rsps.get(f"{PD}/simple-list", json=env(SIMPLE))
    client = client_for(policy, "3.1")
    assert client.get_workflow(1, "nope") is None
    assert client.request_count == 1


def test_g1_get_workflow_deleted_between_list_and_read_is_none(rsps, policy):
    rsps.get(f"{PD}/simple-list", json=env(SIMPLE))
    rsps.get(f"{PD}/5", json=env(code=50003, msg="process definition 5 does not exist"))
    assert client_for(policy, "3.1").get_workflow(1, "w") is None


def test_g1_lost_create_answer_is_adopted_from_simple_list(rsps, policy):
    rsps.post(PD, body=requests.ConnectionError("connection reset by peer"))
    rsps.get(f"{PD}/simple-list", json=env(SIMPLE))  # one request: only the code is needed
    client = client_for(policy, "3.1")

    assert client.create_workflow(1, dict(FORM)) == 5
    assert client.request_count == 2


def test_g1_lost_create_that_did_not_land_is_sent_again(rsps, policy):
    rsps.post(PD, status=503)
    rsps.get(f"{PD}/simple-list", json=env(SIMPLE[:1]))
    rsps.post(PD, status=201, json=env({"code": 9}))
    assert client_for(policy, "3.1").create_workflow(1, dict(FORM)) == 9


def test_legacy_schedule_list_is_normalised_and_paged(rsps, policy):
    path = f"{BASE}/projects/1/schedules"
    row = {"id": 1, "processDefinitionCode": 5, "processDefinitionName": "w"}
    rsps.get(path, json=env({"totalList": [row], "totalPage": 2, "currentPage": 1}),
             match=[matchers.query_param_matcher({"pageNo": 1, "pageSize": 100})])  # fmt: skip
    rsps.get(path, json=env({"totalList": [row | {"id": 2}], "totalPage": 2, "currentPage": 2}),
             match=[matchers.query_param_matcher({"pageNo": 2, "pageSize": 100})])  # fmt: skip

    rows = client_for(policy, "3.2").list_schedules(1)

    assert rows == [
        {"id": 1, "workflowDefinitionCode": 5, "workflowDefinitionName": "w"},
        {"id": 2, "workflowDefinitionCode": 5, "workflowDefinitionName": "w"},
    ]


def test_g1_lists_schedules_with_the_full_list_endpoint(rsps, policy):
    rows = [{"id": 1, "processDefinitionCode": 5}]
    rsps.post(f"{BASE}/projects/1/schedules/list", json=env(rows))
    assert client_for(policy, "3.1").list_schedules(1) == [{"id": 1, "workflowDefinitionCode": 5}]


def test_find_schedule_uses_the_dialects_query_parameter(rsps, policy):
    rsps.get(
        f"{BASE}/projects/1/schedules",
        json=env({"totalList": [{"id": 4, "processDefinitionCode": 5}], "totalPage": 1}),
        match=[matchers.query_param_matcher(
            {"pageNo": 1, "pageSize": 100, "processDefinitionCode": 5})],
    )  # fmt: skip
    assert client_for(policy, "3.2").find_schedule(1, 5) == {"id": 4, "workflowDefinitionCode": 5}


PROBE = f"{BASE}/projects/1/workflow-definition/simple-list"


def test_detection_json_envelope_means_33(rsps, policy):
    rsps.get(PROBE, json=env([]))
    rsps.get(f"{BASE}/projects/1/workflow-definition/list", json=env([]))
    client = client_for(policy, None)

    assert client.generation is None
    assert client.detect_generation(1) == "3.3"
    assert client.list_workflows(1) == []
    assert client.request_count == 2  # detected once


@pytest.mark.parametrize(("status", "body"), [(404, ""), (200, "<html>ui</html>")])
def test_detection_404_or_html_means_32(rsps, policy, status, body):
    rsps.get(PROBE, status=status, body=body)
    rsps.get(f"{BASE}/projects/1/process-definition/list", json=env([LEGACY_DAG]))
    client = client_for(policy, None)

    workflows = client.list_workflows(1)  # detects on first use

    assert client.generation == "3.2"
    assert workflows[0]["workflowDefinition"]["code"] == 5


def test_detection_retries_a_503_and_fails_on_401(rsps, policy):
    rsps.get(PROBE, status=503)
    rsps.get(PROBE, status=401)
    with pytest.raises(AuthError):
        client_for(policy, None).detect_generation(1)


def test_detection_connection_failure_after_retries_is_a_transport_error(rsps, fake_time):
    from deployer.client import RetryPolicy
    from deployer.core.errors import TransportError

    policy = RetryPolicy(max_attempts=2, sleep=fake_time.sleep, clock=fake_time.clock)
    rsps.get(PROBE, body=requests.ConnectionError("refused"))
    rsps.get(PROBE, body=requests.ConnectionError("refused"))
    with pytest.raises(TransportError, match="simple-list"):
        client_for(policy, None).detect_generation(1)


def test_pinned_version_sends_no_probe(rsps, policy):
    assert client_for(policy, "3.1.9").detect_generation(1) == "3.1"


@pytest.mark.parametrize(
    ("given", "expected"),
    [("3.1", G1), ("3.1.9", G1), ("3.2.2", G2), ("3.3", G3), ("3.3.0-alpha", G3), ("3.4.1", G3),
     ("4.0", G3)],
)  # fmt: skip
def test_generation_for_versions(given, expected):
    assert generation_for(given) is expected


@pytest.mark.parametrize("given", ["2.0.9", "3", "latest", "3.0.1"])
def test_generation_for_rejects_unknown(given):
    with pytest.raises(ConfigError, match="unsupported api_version"):
        generation_for(given)


def test_g3_leaves_sub_workflow_alone():
    assert G3.workflow_form(FORM)["taskDefinitionJson"][0] == SUB_TASK
    assert G3.task({"taskType": "SUB_PROCESS"})["taskType"] == "SUB_PROCESS"

"""DSClient operations: check-then-act creates, idempotent deletes and state changes, paging."""

from __future__ import annotations

import pytest
import requests
from responses import matchers

from deployer.client import DSClient, RetryPolicy
from deployer.core.errors import ApiError
from tests.client.helpers import BASE, TOKEN, env

WD = f"{BASE}/projects/1/workflow-definition"
BY_NAME = f"{WD}/query-by-name"
LOST = requests.ConnectionError("connection reset by peer")


def dag(code: int, name: str = "w") -> dict[str, object]:
    return {
        "workflowDefinition": {"code": code, "name": name},
        "workflowTaskRelationList": [],
        "taskDefinitionList": [],
    }


def test_lost_create_answer_is_adopted_not_duplicated(rsps, client):
    rsps.post(WD, body=LOST)  # the server created it, the answer was lost
    rsps.get(BY_NAME, json=env(dag(4242)), match=[matchers.query_param_matcher({"name": "w"})])

    assert client.create_workflow(1, {"name": "w"}) == 4242

    posts = [c for c in rsps.calls if c.request.method == "POST"]
    assert len(posts) == 1


def test_lost_create_that_did_not_land_is_sent_again(rsps, client):
    rsps.post(WD, body=LOST)
    rsps.get(BY_NAME, json=env(code=50003, msg="workflow w does not exist"))
    rsps.post(WD, status=201, json=env({"code": 7}))

    assert client.create_workflow(1, {"name": "w"}) == 7
    assert client.request_count == 3


def test_retried_create_answering_name_exists_adopts_the_object(rsps, client):
    rsps.post(WD, status=503)
    rsps.get(BY_NAME, json=env(code=50003))  # not visible yet
    rsps.post(WD, json=env(code=10168, msg="workflow w already exists"))
    rsps.get(BY_NAME, json=env(dag(8)))

    assert client.create_workflow(1, {"name": "w"}) == 8


def test_first_attempt_name_exists_is_an_error(rsps, client):
    rsps.post(WD, json=env(code=10168, msg="workflow w already exists"))

    with pytest.raises(ApiError) as caught:
        client.create_workflow(1, {"name": "w"})
    assert caught.value.code == 10168
    assert client.request_count == 1


def test_lost_project_create_is_adopted_by_exact_name(rsps, client):
    rsps.post(f"{BASE}/projects", body=LOST)
    rsps.get(
        f"{BASE}/projects/list",
        json=env([{"name": "prod-etl", "code": 1}, {"name": "etl", "code": 2}]),
    )

    assert client.create_project("etl", "d") == {"name": "etl", "code": 2}


def test_lost_schedule_create_is_found_by_workflow_code(rsps, client):
    rsps.post(f"{BASE}/projects/1/schedules", body=LOST)
    rsps.get(
        f"{BASE}/projects/1/schedules",
        json=env({"totalList": [{"id": 9, "workflowDefinitionCode": 5}], "totalPage": 1}),
    )

    assert client.create_schedule(1, 5, {"schedule": {}}) == 9


def test_retried_schedule_create_answering_exists_adopts(rsps, client):
    rsps.post(f"{BASE}/projects/1/schedules", status=502)
    rsps.get(f"{BASE}/projects/1/schedules", json=env({"totalList": [], "totalPage": 1}))
    rsps.post(f"{BASE}/projects/1/schedules", json=env(code=10204))
    rsps.get(
        f"{BASE}/projects/1/schedules",
        json=env({"totalList": [{"id": 9, "workflowDefinitionCode": 5}], "totalPage": 1}),
    )
    assert client.create_schedule(1, 5, {"schedule": {}}) == 9


def test_delete_after_a_lost_answer_treats_not_found_as_done(rsps, client):
    rsps.delete(f"{WD}/5", body=LOST)
    rsps.delete(f"{WD}/5", json=env(code=50003))

    client.delete_workflow(1, 5)
    assert client.request_count == 2


def test_delete_of_an_unknown_workflow_is_an_error_first_time(rsps, client):
    rsps.delete(f"{WD}/5", json=env(code=50003))
    with pytest.raises(ApiError):
        client.delete_workflow(1, 5)


def test_schedule_delete_after_lost_answer(rsps, client):
    rsps.delete(f"{BASE}/projects/1/schedules/3", status=504)
    rsps.delete(f"{BASE}/projects/1/schedules/3", json=env(code=10203))
    client.delete_schedule(1, 3)


def test_release_is_retried_and_sends_the_state(rsps, client):
    match = [matchers.urlencoded_params_matcher({"releaseState": "ONLINE"})]
    rsps.post(f"{WD}/5/release", body=LOST, match=match)
    rsps.post(f"{WD}/5/release", json=env(True), match=match)
    client.release_workflow(1, 5, "ONLINE")


def test_release_rejects_other_states(client):
    with pytest.raises(ValueError, match="ONLINE or OFFLINE"):
        client.release_workflow(1, 5, "online")


def test_g1_schedule_already_online_is_success(rsps, policy):
    rsps.post(f"{BASE}/projects/1/schedules/3/online", json=env(code=10126))
    DSClient(BASE, TOKEN, api_version="3.1", policy=policy).set_schedule_state(1, 3, True)


def test_schedule_offline_and_update(rsps, client):
    rsps.post(f"{BASE}/projects/1/schedules/3/offline", json=env(True))
    rsps.put(f"{BASE}/projects/1/schedules/3", json=env(),
             match=[matchers.urlencoded_params_matcher({"workerGroup": "default"})])  # fmt: skip
    client.set_schedule_state(1, 3, False)
    client.update_schedule(1, 3, {"workerGroup": "default"})


def test_other_schedule_state_errors_raise(rsps, client):
    rsps.post(f"{BASE}/projects/1/schedules/3/online", json=env(code=50004))
    with pytest.raises(ApiError):
        client.set_schedule_state(1, 3, True)


def test_gen_task_codes_in_batches_of_100(rsps, client):
    path = f"{BASE}/projects/1/task-definition/gen-task-codes"
    for size, first in ((100, 0), (100, 100), (50, 200)):
        rsps.get(path, json=env(list(range(first, first + size))),
                 match=[matchers.query_param_matcher({"genNum": size})])  # fmt: skip

    assert client.gen_task_codes(1, 250) == list(range(250))
    assert client.gen_task_codes(1, 0) == []


def test_get_workflow_missing_is_none_other_errors_raise(rsps, client):
    rsps.get(BY_NAME, json=env(code=50003))
    rsps.get(BY_NAME, json=env(code=10018, msg="project not found"))
    assert client.get_workflow(1, "w") is None
    with pytest.raises(ApiError):
        client.get_workflow(1, "w")


def test_find_project_matches_the_exact_name(rsps, client):
    rsps.get(f"{BASE}/projects/list", json=env([{"name": "etl-dev", "code": 1}]))
    assert client.find_project("etl") is None


def test_lookups(rsps, client):
    rsps.get(f"{BASE}/datasources", json=env({"totalList": [{"id": 1, "name": "pg"}],
                                              "totalPage": 1}))  # fmt: skip
    rsps.get(f"{BASE}/environment/query-environment-list", json=env([{"code": 3, "name": "e"}]))
    assert client.list_datasources() == [{"id": 1, "name": "pg"}]
    assert client.list_environments() == [{"code": 3, "name": "e"}]


def test_from_target_takes_timeout_deadline_tls_and_version():
    from deployer.core.config import Target

    target = Target(name="prod", url=BASE, token_env="DS_TOKEN", project="p",
                    api_version="3.2.2", deadline=42.0)  # fmt: skip
    client = DSClient.from_target(target, TOKEN)
    assert client.generation == "3.2"
    assert client.policy.deadline == 42.0
    assert isinstance(client.policy, RetryPolicy)

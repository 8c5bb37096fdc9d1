"""The client read against real servers' recorded answers (../shared/dolphinscheduler/recordings).

`responses` answers every request the client sends with an answer a real server gave to the
same endpoint (method + path, codes as {n}), loaded from the recording at test time. Each
public `DSClient` method has a scenario below; a method without one, or an endpoint the client
calls that the recording never answered, fails the test: the client is proven against what a
real 3.2.2 (and every other recorded server) says, not only against the sandbox.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import responses

from deployer.client import DSClient, RetryPolicy
from deployer.core.errors import ApiError, AuthError
from deployer.sandbox.replay.recording import Exchange, endpoint_of, load
from tests.client.helpers import BASE, TOKEN, schedule_form
from tests.helpers.shared_data import folders, no_recordings

FOLDERS = folders()
# public methods that send nothing; `executor` returns the run-time client, whose endpoints
# no recording holds yet (they are proved live: tests/deploy_contract/test_run_contract.py)
NOT_ENDPOINTS = {"close", "from_target", "executor"}


@dataclass
class Recorded:
    """A `responses` server that answers with recorded exchanges, one endpoint at a time."""

    exchanges: list[Exchange]
    wd: str
    pinned: dict[str, Exchange] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)

    def endpoint(self, method: str, tail: str) -> str:
        return f"{method} {tail.replace('{wd}', self.wd)}"

    def maybe(self, method: str, tail: str, ok: Callable[[Exchange], bool] | None = None,
              code: int = 0) -> Exchange | None:
        """The first recorded answer of that endpoint with this envelope code (and `ok`),
        now the one the server gives; None if the recording has none."""
        want = self.endpoint(method, tail)
        for ex in self.exchanges:
            body = ex.response
            found = body.get("code") if isinstance(body, dict) else None
            if ex.endpoint == want and found == code and (ok is None or ok(ex)):
                self.pinned[want] = ex
                return ex
        return None

    def pin(self, method: str, tail: str, ok: Callable[[Exchange], bool] | None = None,
            code: int = 0) -> Exchange:
        """`maybe`, required: a success answer every recording of the suites has."""
        found = self.maybe(method, tail, ok, code)
        if found is None:
            pytest.fail(f"the recording has no answer of {self.endpoint(method, tail)} with "
                        f"code {code}{' matching the scenario' if ok else ''}")
        return found

    def __call__(self, request: Any) -> tuple[int, dict[str, str], str]:
        ep = endpoint_of(request.method, urlsplit(request.url).path)
        self.sent.append(ep)
        ex = self.pinned.get(ep) or next((e for e in self.exchanges if e.endpoint == ep), None)
        if ex is None:
            self.unanswered.append(ep)
            return 599, {}, "no recorded answer"
        body = ex.response if isinstance(ex.response, str) else json.dumps(ex.response)
        headers = {"Content-Type": ex.response_content_type} if ex.response_content_type else {}
        return ex.status, headers, body


def _data(ex: Exchange) -> Any:
    return ex.response["data"]


def _nonempty(ex: Exchange) -> bool:
    data = ex.response.get("data")
    rows = data.get("totalList") if isinstance(data, dict) else data
    return bool(rows)


def _dag_code(dag: dict[str, Any]) -> int:
    definition = dag.get("workflowDefinition") or dag.get("processDefinition")
    return int(definition["code"])


# --- one scenario per public DSClient method: (client, server, dialect) -> None --------------

Scenario = Callable[[DSClient, Recorded, str], None]
SCENARIOS: dict[str, Scenario] = {}


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS[fn.__name__.lstrip("_")] = fn
    return fn


@scenario
def _find_project(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("GET", "/projects/list", _nonempty)
    row = _data(ex)[-1]
    assert c.find_project(row["name"])["code"] == row["code"]
    assert c.find_project("no such project, surely") is None


@scenario
def _list_projects(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("GET", "/projects/list", _nonempty)
    assert [p["code"] for p in c.list_projects()] == [p["code"] for p in _data(ex)]


@scenario
def _create_project(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("POST", "/projects")
    assert c.create_project("whatever")["code"] == _data(ex)["code"]


@scenario
def _delete_project(c: DSClient, s: Recorded, d: str) -> None:
    s.pin("DELETE", "/projects/{n}")
    c.delete_project(1)
    if s.maybe("DELETE", "/projects/{n}", code=10137):  # not every recording has it
        with pytest.raises(ApiError) as err:
            c.delete_project(1)
        assert err.value.code == 10137


@scenario
def _detect_generation(c: DSClient, s: Recorded, d: str) -> None:
    probe = DSClient(BASE, TOKEN, policy=RetryPolicy(max_attempts=1))
    found = [e for e in s.exchanges
             if e.endpoint == "GET /projects/{n}/workflow-definition/simple-list"]
    assert found, "the recording has no answer of the generation probe"
    s.pinned[found[0].endpoint] = found[0]
    assert probe.detect_generation(1) == ("3.3" if d in ("3.3", "3.4") else "3.2")


@scenario
def _list_workflows(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("GET", "/projects/{n}/{wd}/list", _nonempty)
    got = c.list_workflows(1)
    assert [g["workflowDefinition"]["code"] for g in got] == [_dag_code(r) for r in _data(ex)]
    for dag in got:
        assert {"workflowDefinition", "workflowTaskRelationList", "taskDefinitionList"} <= set(dag)
        for task in dag["taskDefinitionList"]:
            assert isinstance(task["taskParams"], dict)
            assert task["taskType"] != "SUB_PROCESS"  # 3.3+ names whatever the server said


@scenario
def _get_workflow(c: DSClient, s: Recorded, d: str) -> None:
    if d == "3.1":  # simple-list, then GET .../{code}
        listed = s.pin("GET", "/projects/{n}/{wd}/simple-list", _nonempty)
        one = s.pin("GET", "/projects/{n}/{wd}/{n}")
        name = _data(listed)[0]["name"]
        assert c.get_workflow(1, name)["workflowDefinition"]["code"] == _dag_code(_data(one))
        return
    ex = s.pin("GET", "/projects/{n}/{wd}/query-by-name")
    dag = c.get_workflow(1, "x")
    assert dag["workflowDefinition"]["code"] == _dag_code(_data(ex))
    if s.maybe("GET", "/projects/{n}/{wd}/query-by-name", code=50003):
        assert c.get_workflow(1, "zz") is None


@scenario
def _create_workflow(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("POST", "/projects/{n}/{wd}")
    assert c.create_workflow(1, {"name": "x", "taskDefinitionJson": [],
                                 "taskRelationJson": []}) == _data(ex)["code"]
    if s.maybe("POST", "/projects/{n}/{wd}", code=10168):  # not every recording has it
        with pytest.raises(ApiError) as err:
            c.create_workflow(1, {"name": "dup", "taskDefinitionJson": [], "taskRelationJson": []})
        assert err.value.code == 10168


@scenario
def _update_workflow(c: DSClient, s: Recorded, d: str) -> None:
    s.pin("PUT", "/projects/{n}/{wd}/{n}")
    c.update_workflow(1, 2, {"name": "x", "taskDefinitionJson": [], "taskRelationJson": []})
    if s.maybe("PUT", "/projects/{n}/{wd}/{n}", code=50008):  # not every recording has it
        with pytest.raises(ApiError) as err:
            c.update_workflow(1, 2, {"name": "x", "taskDefinitionJson": [], "taskRelationJson": []})
        assert err.value.code == 50008


@scenario
def _release_workflow(c: DSClient, s: Recorded, d: str) -> None:
    s.pin("POST", "/projects/{n}/{wd}/{n}/release")
    c.release_workflow(1, 2, "ONLINE")


@scenario
def _delete_workflow(c: DSClient, s: Recorded, d: str) -> None:
    s.pin("DELETE", "/projects/{n}/{wd}/{n}")
    c.delete_workflow(1, 2)
    if s.maybe("DELETE", "/projects/{n}/{wd}/{n}", code=50021):  # not every recording has it
        with pytest.raises(ApiError) as err:
            c.delete_workflow(1, 2)
        assert err.value.code == 50021


@scenario
def _list_versions(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("GET", "/projects/{n}/{wd}/{n}/versions", _nonempty)
    rows = c.list_versions(1, 2)
    assert [r["version"] for r in rows] == [r["version"] for r in _data(ex)["totalList"]]


@scenario
def _switch_version(c: DSClient, s: Recorded, d: str) -> None:
    s.pin("GET", "/projects/{n}/{wd}/{n}/versions/{n}")
    c.switch_version(1, 2, 1)


@scenario
def _gen_task_codes(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("GET", "/projects/{n}/task-definition/gen-task-codes")
    assert c.gen_task_codes(1, len(_data(ex))) == _data(ex)


def _schedule_code(row: dict[str, Any]) -> int:
    return int(row.get("workflowDefinitionCode") or row.get("processDefinitionCode") or 0)


@scenario
def _list_schedules(c: DSClient, s: Recorded, d: str) -> None:
    if d == "3.1":
        ex = s.pin("POST", "/projects/{n}/schedules/list", _nonempty)
        rows = _data(ex)
    else:
        ex = s.pin("GET", "/projects/{n}/schedules", _nonempty)
        rows = _data(ex)["totalList"]
    got = c.list_schedules(1)
    assert [g["workflowDefinitionCode"] for g in got] == [_schedule_code(r) for r in rows]


@scenario
def _find_schedule(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("GET", "/projects/{n}/schedules", _nonempty)
    row = _data(ex)["totalList"][0]
    found = c.find_schedule(1, _schedule_code(row))
    assert found is not None
    assert found["id"] == row["id"]
    assert set(found) >= {"crontab", "releaseState", "workflowDefinitionCode"}


@scenario
def _create_schedule(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("POST", "/projects/{n}/schedules")
    assert c.create_schedule(1, 2, schedule_form()) == _data(ex)["id"]
    if d != "3.1":  # a failed create is HTTP 201 with code 10204: still an error
        failed = s.pin("POST", "/projects/{n}/schedules", code=10204)
        assert failed.status == 201  # what the sandbox got wrong, answered by a real server
        with pytest.raises(ApiError) as err:
            c.create_schedule(1, 2, schedule_form())
        assert err.value.code == 10204


@scenario
def _update_schedule(c: DSClient, s: Recorded, d: str) -> None:
    s.pin("PUT", "/projects/{n}/schedules/{n}")
    c.update_schedule(1, 2, schedule_form())


@scenario
def _set_schedule_state(c: DSClient, s: Recorded, d: str) -> None:
    s.pin("POST", "/projects/{n}/schedules/{n}/online")
    c.set_schedule_state(1, 2, True)
    s.pin("POST", "/projects/{n}/schedules/{n}/offline")
    c.set_schedule_state(1, 2, False)


@scenario
def _delete_schedule(c: DSClient, s: Recorded, d: str) -> None:
    s.pin("DELETE", "/projects/{n}/schedules/{n}")
    c.delete_schedule(1, 2)


@scenario
def _list_datasources(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("GET", "/datasources")
    assert c.list_datasources() == _data(ex)["totalList"]


@scenario
def _list_environments(c: DSClient, s: Recorded, d: str) -> None:
    ex = s.pin("GET", "/environment/query-environment-list")
    assert c.list_environments() == _data(ex)


def _public_methods() -> set[str]:
    return {n for n, v in inspect.getmembers(DSClient) if not n.startswith("_")
            and (inspect.isfunction(v) or inspect.ismethod(v))} - NOT_ENDPOINTS


def test_every_client_method_has_a_recorded_scenario() -> None:
    assert _public_methods() - set(SCENARIOS) == set(), "add a scenario for these methods"


def _skip_without_recordings() -> None:
    if not FOLDERS:
        no_recordings()


@pytest.mark.parametrize("folder", FOLDERS or [None], ids=[f.name for f in FOLDERS] or ["none"])
@pytest.mark.parametrize("method", sorted(SCENARIOS))
def test_client_reads_recorded_answers(folder: Path | None, method: str) -> None:
    if folder is None:
        _skip_without_recordings()
        return
    recording = _loaded(folder)
    server = Recorded(recording.exchanges,
                      "workflow-definition" if recording.dialect in ("3.3", "3.4")
                      else "process-definition")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for verb in ("GET", "POST", "PUT", "DELETE"):
            rsps.add_callback(verb, re.compile(r"http://ds\.test/.*"), server)
        client = DSClient(BASE, TOKEN, api_version=recording.dialect,
                          policy=RetryPolicy(max_attempts=1))
        SCENARIOS[method](client, server, recording.dialect)
    assert server.sent, f"{method} sent nothing"
    assert not server.unanswered, f"{method}: no recorded answer for {server.unanswered}"


_CACHE: dict[Path, Any] = {}


def _loaded(folder: Path) -> Any:
    if folder not in _CACHE:
        _CACHE[folder] = load(folder)
    return _CACHE[folder]


def test_a_recorded_401_is_an_auth_error() -> None:
    _skip_without_recordings()
    for folder in FOLDERS:
        recording = _loaded(folder)
        ex = next(e for e in recording.exchanges if e.status == 401)
        with responses.RequestsMock() as rsps:
            rsps.add(responses.GET, f"{BASE}/projects/list", status=401, body=ex.response or "",
                     content_type=ex.response_content_type)
            client = DSClient(BASE, TOKEN, api_version=recording.dialect,
                              policy=RetryPolicy(max_attempts=1))
            with pytest.raises(AuthError):
                client.find_project("x")

"""Server-agnostic contract tests of the DolphinScheduler v1 API, over real HTTP.

They take (base_url, token, api_version) from the `ds_server` fixture: the sandbox in every
API version (3.1-3.4) by default, or a real server (DAGSHIP_REAL_DS_URL / _TOKEN / _VERSION).
docs/real-ds.md lists what a real 3.1.1 answered differently and how the tests follow it."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from tests.sandbox.helpers import DS, shell, task

# --- transport, auth, envelope ---------------------------------------------------------------


def test_no_token_is_401_with_empty_body(ds: DS) -> None:
    r = requests.get(ds.url + "/projects/list", timeout=10)
    assert r.status_code == 401
    assert r.content == b""
    r = requests.get(ds.url + "/projects/list", headers={"token": "nope"}, timeout=10)
    assert r.status_code == 401


def test_login_gives_a_session_by_header_and_cookie(ds: DS) -> None:
    r = requests.post(ds.url + "/login",
                      data={"userName": "admin", "userPassword": "dolphinscheduler123"},
                      timeout=10)
    body = r.json()
    assert body["code"] == 0
    sid = body["data"]["sessionId"]
    assert r.cookies.get("sessionId") == sid
    assert requests.get(ds.url + "/projects/list", headers={"sessionId": sid},
                        timeout=10).json()["code"] == 0
    assert requests.get(ds.url + "/projects/list", cookies={"sessionId": sid},
                        timeout=10).json()["code"] == 0
    bad = requests.post(ds.url + "/login", data={"userName": "admin", "userPassword": "x"},
                        timeout=10).json()
    assert bad["code"] == 10013
    assert bad["success"] is False
    assert bad["failed"] is True


def test_access_token_create_and_expiry(ds: DS) -> None:
    # random values: a real server keeps its tokens between runs, and a value stored twice
    # breaks (see test_duplicate_token_value_breaks_that_token)
    fresh, expired = f"ct-fresh-{uuid.uuid4().hex}", f"ct-expired-{uuid.uuid4().hex}"
    r = ds.call("POST", "/access-tokens",
                data={"userId": 1, "expireTime": "2099-12-31 00:00:00", "token": fresh})
    assert r.status_code == 201
    assert r.json()["data"]["token"] == fresh
    ok = requests.get(ds.url + "/projects/list", headers={"token": fresh}, timeout=10)
    assert ok.json()["code"] == 0
    ds.ok("POST", "/access-tokens",
          data={"userId": 1, "expireTime": "2001-01-01 00:00:00", "token": expired})
    r = requests.get(ds.url + "/projects/list", headers={"token": expired}, timeout=10)
    assert r.status_code == 401
    page = ds.ok("GET", "/access-tokens", params={"pageNo": 1, "pageSize": 1000})
    assert {fresh, expired} <= {t["token"] for t in page["totalList"]}


def test_duplicate_token_value_breaks_that_token(ds: DS) -> None:
    """No uniqueness check on create; the token lookup then finds two rows and fails with
    HTTP 200 and the endpoint's generic code (TooManyResultsException in `selectOne`)."""
    value = f"ct-dup-{uuid.uuid4().hex}"
    form = {"userId": 1, "expireTime": "2099-12-31 00:00:00", "token": value}
    assert ds.call("POST", "/access-tokens", data=form).status_code == 201
    r = ds.call("POST", "/access-tokens", data=form)
    assert (r.status_code, r.json()["code"]) == (201, 0)
    r = requests.get(ds.url + "/projects/list", headers={"token": value}, timeout=10)
    assert (r.status_code, r.json()["code"]) == (200, 10049)
    r = requests.get(ds.url + "/worker-groups/all", headers={"token": value}, timeout=10)
    assert (r.status_code, r.json()["code"]) == (200, 10146)


def test_generated_token_when_none_given(ds: DS) -> None:
    data = ds.ok("POST", "/access-tokens", data={"userId": 1,
                                                  "expireTime": "2099-12-31 00:00:00"})
    assert len(data["token"]) >= 16


def test_envelope_and_201_even_on_business_error(ds: DS) -> None:
    r = ds.call("POST", "/projects", data={"projectName": "ct_dup_probe_x"})
    if r.json()["code"] == 0:
        r = ds.call("POST", "/projects", data={"projectName": "ct_dup_probe_x"})
    body = r.json()
    assert r.status_code == 201
    assert body["code"] == 10019
    assert set(body) == {"code", "msg", "data", "success", "failed"}


def test_json_body_is_ignored_so_params_are_missing(ds: DS) -> None:
    r = ds.call("POST", "/projects", json={"projectName": "ct_json"})
    assert r.status_code == 200
    assert r.json()["code"] == 10048


def test_thrown_error_is_http_200(ds: DS) -> None:
    pc = ds.project()
    ds.chain(pc, "dup")
    codes = ds.gen_codes(pc, 1)
    r = ds.create(pc, ds.form("dup", [shell(codes[0], "a")], [(0, codes[0])]))
    assert (r.status_code, r.json()["code"]) == (200, 10168)


def test_other_generation_path_is_a_non_json_404(ds: DS) -> None:
    pc = ds.project()
    other = "process-definition" if ds.g3 else "workflow-definition"
    r = ds.call("GET", f"/projects/{pc}/{other}/simple-list")
    assert r.status_code == 404
    with pytest.raises(ValueError, match=r".*"):
        r.json()


def test_health_needs_no_token(ds: DS) -> None:
    r = requests.get(ds.url + "/actuator/health", timeout=10)
    assert r.json()["status"] == "UP"


# --- projects and paging ---------------------------------------------------------------------


def test_project_crud_and_paging(ds: DS) -> None:
    codes = [ds.project("ctpage") for _ in range(3)]
    page = ds.ok("GET", "/projects", params={"pageNo": 2, "pageSize": 2, "searchVal": "ctpage"})
    assert page["currentPage"] == 2
    # the row offset, not the page number; 3.1 serialises it as `start`
    assert page["start" if ds.g1 else "pageNo"] == 2
    assert page["pageSize"] == 2
    assert page["total"] >= 3
    assert page["totalPage"] == -(-page["total"] // 2)
    assert ds.code("GET", "/projects", params={"pageNo": 0, "pageSize": 2}) == 10001
    got = ds.ok("GET", f"/projects/{codes[0]}")
    assert got["code"] == codes[0]
    assert ds.code("GET", "/projects/1") == 10018
    names = {p["name"] for p in ds.ok("GET", "/projects/list")}
    assert got["name"] in names
    too_long = ds.call("POST", "/projects", data={"projectName": "x", "description": "d" * 256})
    assert too_long.status_code == 201
    assert too_long.json()["code"] == (10001 if ds.g1 else 1400004)  # 3.1: "desc length"
    ds.ok("DELETE", f"/projects/{codes[1]}")


def test_names_and_counts_are_joined_only_by_the_paged_lists(ds: DS) -> None:
    """Owner names, the workflow count and the schedule come only with the paged lists; a
    DagData's tasks and edges are the log rows, with their operator (real 3.1.1 and 3.2.2)."""
    name = f"ctjoin_{uuid.uuid4().hex[:10]}"
    pc = int(ds.ok("POST", "/projects", data={"projectName": name})["code"])
    code, _ = ds.chain(pc, "j1")
    listed = next(p for p in ds.ok("GET", "/projects/list") if p["code"] == pc)
    for proj in (listed, ds.ok("GET", f"/projects/{pc}")):
        assert (proj["userName"], proj["perm"], proj["defCount"]) == (None, 0, 0)
    (paged,) = ds.ok("GET", "/projects", params={"pageNo": 1, "pageSize": 10,
                                                 "searchVal": name})["totalList"]
    assert (paged["userName"], paged["perm"], paged["defCount"]) == ("admin", 0, 1)
    dag = ds.dag(pc, code)
    wf = dag[ds.dag_def]
    assert (wf["userId"], wf["userName"], wf["modifyBy"], wf["projectName"]) == (
        1, None, None, None)
    for t in dag["taskDefinitionList"]:
        assert (t["userName"], t["modifyBy"], t["projectName"], t["operator"]) == (
            None, None, None, 1)
        assert t["taskParamMap"] is None  # no local parameters
        assert t["dependence"] == ""  # taskParams.dependence, as a JSON string
        assert t["resourceIds"] == ("" if ds.g1 else None)
    rel_key = "workflowTaskRelationList" if ds.g3 else "processTaskRelationList"
    assert {r["operator"] for r in dag[rel_key]} == {1}
    (row,) = ds.ok("GET", ds.wf_path(pc), params={"pageNo": 1, "pageSize": 10})["totalList"]
    assert (row["userName"], row["modifyBy"], row["projectName"]) == (
        None if ds.g1 else "admin", "admin", None)
    if not ds.g1:  # 3.2+ query-by-name joins the creator and the project (3.1: see read tests)
        wf = ds.ok("GET", ds.wf_path(pc, "/query-by-name"), params={"name": "j1"})[ds.dag_def]
        assert (wf["userName"], wf["modifyBy"], wf["projectName"]) == ("admin", None, name)


def test_project_delete_refused_while_it_has_workflows(ds: DS) -> None:
    pc = ds.project()
    ds.chain(pc, "keep")
    assert ds.code("DELETE", f"/projects/{pc}") == 10137


def test_gen_task_codes_bounds(ds: DS) -> None:
    pc = ds.project()
    codes = ds.gen_codes(pc, 100)
    assert len(set(codes)) == 100
    assert all(10**12 < c < 10**16 for c in codes)
    for n in (0, 101):
        assert ds.code("GET", f"/projects/{pc}/task-definition/gen-task-codes",
                       params={"genNum": n}) == 50017


# --- workflow validation order (reference §4.7) ----------------------------------------------


def test_create_validation_codes(ds: DS) -> None:
    pc = ds.project()
    a, b = ds.gen_codes(pc, 2)
    good_tasks, good_edges = [shell(a, "a"), shell(b, "b")], [(0, a), (a, b)]

    def create_code(form: dict) -> int:
        return int(ds.create(pc, form).json()["code"])

    missing_project = ds.create(1, ds.form("w", good_tasks, good_edges)).json()["code"]
    assert missing_project in (10018, 10190)
    assert create_code(ds.form("w", good_tasks, good_edges, description="x" * 256)) == 1400004
    assert create_code(ds.form("w", [], good_edges)) == 50017
    assert create_code(dict(ds.form("w", good_tasks, good_edges),
                            taskDefinitionJson="not json")) == 50017
    assert create_code(ds.form("w", [dict(shell(a, "a"), taskParams={"rawScript": ""})],
                               [(0, a)])) == 50020
    assert create_code(ds.form("w", good_tasks, [])) == 50017
    assert create_code(ds.form("w", good_tasks, [(0, a), (a, 12345)])) == 50030
    assert create_code(ds.form("w", good_tasks, [(0, a), (a, b), (b, a)])) == 50019
    # the name check comes before the task checks
    ds.chain(pc, "taken")
    assert create_code(ds.form("taken", [], [])) == 10168


def test_unknown_task_type(ds: DS) -> None:
    pc = ds.project()
    (a,) = ds.gen_codes(pc, 1)
    body = ds.create(pc, ds.form("w", [task(a, "a", "NO_SUCH", {})], [(0, a)])).json()
    assert body["code"] == (10001 if ds.g3 else 50020)


def test_task_cache_flag_is_required_where_it_exists(ds: DS) -> None:
    """3.2/3.3 dereference a task's `isCache` unguarded while building the DAG (create and
    update): a task an edge points at without a known value is an NPE, answered as 10001
    with the message's placeholder unfilled (seen on a real 3.2.2). 3.1 has no such field."""
    cache_flag = ds.version in ("3.2", "3.3")
    pc = ds.project()
    a, b = ds.gen_codes(pc, 2)
    bare = {k: v for k, v in shell(a, "a").items() if k != "isCache"}
    for flag in (None, "MAYBE"):
        t = bare if flag is None else dict(bare, isCache=flag)
        r = ds.create(pc, ds.form("c1", [t], [(0, a)]))
        if cache_flag:
            assert (r.status_code, r.json()["code"]) == (200, 10001)
            assert r.json()["msg"] == "request parameter {0} is not valid"
        else:
            assert r.json()["code"] == 0
            ds.ok("DELETE", ds.wf_path(pc, f"/{r.json()['data']['code']}"))
    # the same on update; a task no edge points at is never dereferenced
    code = ds.ok("POST", ds.wf_path(pc), data=ds.form("c2", [shell(a, "a")], [(0, a)]))["code"]
    form = ds.form("c2", [bare], [(0, a)])
    assert ds.code("PUT", ds.wf_path(pc, f"/{code}"), data=form) == (
        10001 if cache_flag else 0)
    orphan = {k: v for k, v in shell(b, "b").items() if k != "isCache"}
    form = ds.form("c2", [shell(a, "a"), orphan], [(0, a)])
    assert ds.code("PUT", ds.wf_path(pc, f"/{code}"), data=form) == 0


def test_task_json_lenient_parsing(ds: DS) -> None:
    pc = ds.project()
    (a,) = ds.gen_codes(pc, 1)
    t = shell(a, "a")
    t["taskParams"] = json.dumps(t["taskParams"])  # taskParams as a string
    t["someUnknownField"] = {"ignored": True}
    r = ds.create(pc, ds.form("lenient", [t], [(0, a)]))
    assert r.json()["code"] == 0, r.json()
    dag = ds.dag(pc, int(r.json()["data"]["code"]))
    assert dag["taskDefinitionList"][0]["taskParams"]["rawScript"] == "echo hi"


# (kind, taskParams, accepted by 3.1, by 3.2, by 3.3+)
@pytest.mark.parametrize(("kind", "params", "ok_g1", "ok_g2", "ok_g3"), [
    ("SQL", {"type": "POSTGRESQL", "datasource": 1, "sql": "select 1"}, True, True, True),
    ("SQL", {"type": "POSTGRESQL", "datasource": 0, "sql": "select 1"}, False, False, False),
    ("SQL", {"type": "", "datasource": 1, "sql": "select 1"}, False, False, False),
    ("PYTHON", {"rawScript": "print(1)"}, True, True, True),
    ("PYTHON", {"rawScript": ""}, False, False, False),
    ("HTTP", {"url": "http://x", "httpMethod": "GET", "connectTimeout": 1000}, True, True, True),
    ("HTTP", {"url": "http://x", "httpMethod": "GET", "connectTimeout": 0}, True, True, False),
    ("HTTP", {"url": "", "httpMethod": "GET", "connectTimeout": 1000}, False, False, False),
    ("SPARK", {"programType": "SQL", "rawScript": "select 1"}, True, True, True),
    ("SPARK", {"programType": "SQL"}, False, False, False),
    ("DEPENDENT", {"dependence": {"relation": "AND", "dependTaskList": []}}, True, True, False),
    ("CONDITIONS", {"dependence": {"dependTaskList": [{"dependItemList": []}]},
                    "conditionResult": {"successNode": [1], "failedNode": []}},
     True, True, False),
    # 3.1's SWITCH plugin wants a default branch, and a next node for each condition
    ("SWITCH", {"switchResult": {"dependTaskList": []}}, False, True, False),
    ("SWITCH", {"switchResult": {"dependTaskList": [], "nextNode": 1}}, True, True, True),
    ("SWITCH", {"switchResult": {"dependTaskList": [{"condition": "1 > 0"}], "nextNode": 1}},
     False, True, False),
])
def test_per_type_checks(ds: DS, kind: str, params: dict, ok_g1: bool, ok_g2: bool,
                         ok_g3: bool) -> None:
    pc = ds.project()
    (a,) = ds.gen_codes(pc, 1)
    body = ds.create(pc, ds.form("w", [task(a, "a", kind, params)], [(0, a)])).json()
    expected_ok = ok_g3 if ds.g3 else ok_g1 if ds.g1 else ok_g2
    assert body["code"] == (0 if expected_ok else 50020), body


def test_sub_workflow_code_must_be_set(ds: DS) -> None:
    pc = ds.project()
    (a,) = ds.gen_codes(pc, 1)
    key = ds.code_key
    body = ds.create(pc, ds.form("w", [task(a, "a", ds.sub_type, {key: 0})], [(0, a)])).json()
    assert body["code"] == 50020


def test_update_checks(ds: DS) -> None:
    pc = ds.project()
    code, (a, b) = ds.chain(pc, "u1")
    ds.chain(pc, "u2")
    form = ds.form("u2", [shell(a, "a"), shell(b, "b")], [(0, a), (a, b)])
    assert ds.code("PUT", ds.wf_path(pc, f"/{code}"), data=form) == 10168
    assert ds.code("PUT", ds.wf_path(pc, "/123456"), data=dict(form, name="zz")) == 50003
    assert ds.release(pc, code, "ONLINE") == 0
    assert ds.code("PUT", ds.wf_path(pc, f"/{code}"), data=dict(form, name="u1")) == 50008


# --- versioning (§4.8) -----------------------------------------------------------------------


def test_every_update_bumps_the_workflow_but_only_a_changed_task(ds: DS) -> None:
    """Not idempotent: an identical PUT still writes a workflow version (the server's relation
    comparison never matches), while task versions move only when a task changed."""
    pc = ds.project()
    code, (a, b) = ds.chain(pc, "ver")
    form = ds.form("ver", [shell(a, "t0"), shell(b, "t1")], [(0, a), (a, b)])
    path = ds.wf_path(pc, f"/{code}")
    ds.ok("PUT", path, data=form)
    dag = ds.dag(pc, code)
    assert dag[ds.dag_def]["version"] == 2
    assert [t["version"] for t in dag["taskDefinitionList"]] == [1, 1]
    form = ds.form("ver", [shell(a, "t0"), shell(b, "t1", script="echo changed")],
                   [(0, a), (a, b)])
    ds.ok("PUT", path, data=form)
    dag = ds.dag(pc, code)
    assert dag[ds.dag_def]["version"] == 3
    versions = {t["code"]: t["version"] for t in dag["taskDefinitionList"]}
    assert versions == {a: 1, b: 2}
    rows = ds.ok("GET", ds.wf_path(pc, f"/{code}/versions"),
                 params={"pageNo": 1, "pageSize": 10})
    assert sorted(r["version"] for r in rows["totalList"]) == [1, 2, 3]


def test_update_resets_defaulted_fields_and_keeps_omitted_nullable_ones(ds: DS) -> None:
    """An omitted field with a controller default (timeout) resets; an omitted one without
    (description, locations) arrives as null, which `updateById` skips: the row keeps its
    value, while the new version's log row records the null."""
    pc = ds.project()
    locations = json.dumps([{"taskCode": 1, "x": 10, "y": 20}])
    code, (a, b) = ds.chain(pc, "rep", description="keep me", timeout=5, locations=locations)
    form = ds.form("rep", [shell(a, "t0"), shell(b, "t1")], [(0, a), (a, b)])
    del form["description"], form["timeout"]
    ds.ok("PUT", ds.wf_path(pc, f"/{code}"), data=form)
    d = ds.dag(pc, code)[ds.dag_def]
    assert d["description"] == "keep me"
    assert d["locations"] == locations
    assert d["timeout"] == 0
    assert d["version"] == 2
    rows = ds.ok("GET", ds.wf_path(pc, f"/{code}/versions"),
                 params={"pageNo": 1, "pageSize": 10})["totalList"]
    logged = {r["version"]: r for r in rows}
    assert (logged[1]["description"], logged[2]["description"]) == ("keep me", None)
    assert logged[2]["locations"] is None
    # switching to a version copies its log row with `updateById`: its nulls are skipped too
    ds.ok("PUT", ds.wf_path(pc, f"/{code}"), data=dict(form, description="other"))
    ds.ok("GET", ds.wf_path(pc, f"/{code}/versions/2"))
    d = ds.dag(pc, code)[ds.dag_def]
    assert (d["version"], d["description"], d["locations"]) == (2, "other", locations)


def test_version_rows_are_whole_definitions(ds: DS) -> None:
    pc = ds.project()
    code, (a, b) = ds.chain(pc, "vr")
    ds.ok("PUT", ds.wf_path(pc, f"/{code}"),
          data=ds.form("vr", [shell(a, "t0"), shell(b, "t1", "echo changed")], [(0, a), (a, b)],
                       globalParams=json.dumps([{"prop": "p", "direct": "IN",
                                                 "type": "VARCHAR", "value": "1"}])))
    ds.release(pc, code, "ONLINE")
    rows = ds.ok("GET", ds.wf_path(pc, f"/{code}/versions"),
                 params={"pageNo": 1, "pageSize": 10})["totalList"]
    assert [r["version"] for r in rows] == [2, 1]
    for r in rows:
        assert (r["code"], r["name"], r["releaseState"], r["flag"], r["operator"]) == (
            code, "vr", "OFFLINE", "YES", 1)
    assert rows[0]["globalParamList"] == [{"prop": "p", "direct": "IN", "type": "VARCHAR",
                                           "value": "1"}]
    assert rows[0]["globalParamMap"] == {"p": "1"}
    assert rows[1]["globalParamList"] == []


def test_switch_version_sets_offline(ds: DS) -> None:
    pc = ds.project()
    code, (a, b) = ds.chain(pc, "sw")
    ds.ok("PUT", ds.wf_path(pc, f"/{code}"),
          data=ds.form("sw", [shell(a, "t0", "echo 2"), shell(b, "t1")], [(0, a), (a, b)]))
    assert ds.release(pc, code, "ONLINE") == 0
    ds.ok("GET", ds.wf_path(pc, f"/{code}/versions/1"))
    d = ds.dag(pc, code)
    assert d[ds.dag_def]["releaseState"] == "OFFLINE"
    assert d[ds.dag_def]["version"] == 1
    assert d["taskDefinitionList"][0]["taskParams"]["rawScript"] == "echo hi"
    assert ds.code("DELETE", ds.wf_path(pc, f"/{code}/versions/1")) == 50053
    ds.ok("DELETE", ds.wf_path(pc, f"/{code}/versions/2"))


def test_switch_version_of_an_online_workflow_leaves_its_schedule_alone(ds: DS) -> None:
    """The server does not refuse switching an ONLINE workflow: it writes OFFLINE into the row
    and never touches the schedule (ProcessServiceImpl.switchVersion), so the schedule row
    still says ONLINE. dagship's version rollback takes the workflow offline first."""
    pc = ds.project()
    code, (a, b) = ds.chain(pc, "sws")
    ds.ok("PUT", ds.wf_path(pc, f"/{code}"),
          data=ds.form("sws", [shell(a, "t0", "echo 2"), shell(b, "t1")], [(0, a), (a, b)]))
    assert ds.release(pc, code, "ONLINE") == 0
    sid = ds.ok("POST", f"/projects/{pc}/schedules",
                data=dict(ds.schedule_form(), **{ds.code_key: code}))["id"]
    ds.ok("POST", f"/projects/{pc}/schedules/{sid}/online")
    ds.ok("GET", ds.wf_path(pc, f"/{code}/versions/1"))
    assert ds.dag(pc, code)[ds.dag_def]["releaseState"] == "OFFLINE"
    rows = ds.ok("POST", f"/projects/{pc}/schedules/list")
    assert [(r["id"], r["releaseState"]) for r in rows] == [(sid, "ONLINE")]
    assert ds.code("GET", ds.wf_path(pc, f"/{code}/versions/7")) == 10153
    assert ds.code("GET", ds.wf_path(pc, f"/{code + 1}/versions/1")) == 10152


# --- lookups and lists -----------------------------------------------------------------------


def test_read_endpoints(ds: DS) -> None:
    pc = ds.project()
    code, _ = ds.chain(pc, "r1")
    ds.chain(pc, "r2")
    dags = ds.ok("GET", ds.wf_path(pc, "/list"))
    assert {d[ds.dag_def]["name"] for d in dags} == {"r1", "r2"}
    rel_key = "workflowTaskRelationList" if ds.g3 else "processTaskRelationList"
    assert all(len(d[rel_key]) == 2 for d in dags)
    simple = ds.ok("GET", ds.wf_path(pc, "/simple-list"))
    assert {s["name"]: s["code"] for s in simple}["r1"] == code
    if ds.g1:
        # 3.1 joins the creator's tenant; the seeded admin has none, so nothing is found
        assert ds.code("GET", ds.wf_path(pc, "/query-by-name"), params={"name": "r1"}) == 50003
    else:
        by_name = ds.ok("GET", ds.wf_path(pc, "/query-by-name"), params={"name": "r1"})
        assert by_name[ds.dag_def]["code"] == code
    assert ds.code("GET", ds.wf_path(pc, "/query-by-name"), params={"name": "zz"}) == 50003
    verify_key = "workflowDefinitionCode" if ds.g3 else "code"
    assert ds.code("GET", ds.wf_path(pc, "/verify-name"), params={"name": "r1"}) == 10168
    assert ds.code("GET", ds.wf_path(pc, "/verify-name"),
                   params={"name": "r1", verify_key: code}) == 0
    page = ds.ok("GET", ds.wf_path(pc), params={"pageNo": 1, "pageSize": 1})
    assert page["total"] == 2
    assert len(page["totalList"]) == 1
    assert ds.code("GET", ds.wf_path(pc, "/123")) == 50003


def test_lookups(ds: DS) -> None:
    assert "default" in ds.ok("GET", "/worker-groups/all")
    assert isinstance(ds.ok("GET", "/environment/query-environment-list"), list)
    assert isinstance(ds.ok("GET", "/tenants/list"), list)
    assert isinstance(ds.ok("GET", "/alert-groups/list"), list)
    assert isinstance(ds.ok("GET", "/datasources/list", params={"type": "POSTGRESQL"}), list)
    page = ds.ok("GET", "/datasources", params={"pageNo": 1, "pageSize": 10})
    assert "totalList" in page


# --- state machine (§7) ----------------------------------------------------------------------


def test_release_rules(ds: DS) -> None:
    pc = ds.project()
    child, _ = ds.chain(pc, "child")
    (s,) = ds.gen_codes(pc, 1)
    parent_form = ds.form("parent", [task(s, "sub", ds.sub_type, {ds.code_key: child})],
                          [(0, s)])
    parent = int(ds.create(pc, parent_form).json()["data"]["code"])
    # child is offline: refused from 3.2 on; 3.1 has no such check
    assert ds.release(pc, parent, "ONLINE") == (0 if ds.g1 else 10000)
    ds.release(pc, parent, "OFFLINE")
    assert ds.release(pc, child, "ONLINE") == 0
    assert ds.release(pc, child, "ONLINE") == 0  # already online: silent success
    assert ds.release(pc, parent, "ONLINE") == 0
    assert ds.code("POST", ds.wf_path(pc, f"/{parent}/release"),
                   data={"releaseState": "online"}) == 10108  # enum names are case-sensitive


def test_delete_rules(ds: DS) -> None:
    pc = ds.project()
    child, _ = ds.chain(pc, "child")
    (s,) = ds.gen_codes(pc, 1)
    ds.create(pc, ds.form("parent", [task(s, "sub", ds.sub_type, {ds.code_key: child})],
                          [(0, s)]))
    assert ds.code("DELETE", ds.wf_path(pc, f"/{child}")) == 10193
    lone, _ = ds.chain(pc, "lone")
    ds.release(pc, lone, "ONLINE")
    assert ds.code("DELETE", ds.wf_path(pc, f"/{lone}")) == 50021
    sid = ds.ok("POST", f"/projects/{pc}/schedules",
                data=dict(ds.schedule_form(), **{ds.code_key: lone}))["id"]
    ds.ok("POST", f"/projects/{pc}/schedules/{sid}/online")
    ds.release(pc, lone, "OFFLINE")
    ds.ok("DELETE", ds.wf_path(pc, f"/{lone}"))  # takes its offline schedule with it
    rows = ds.ok("POST", f"/projects/{pc}/schedules/list")
    assert all(r["id"] != sid for r in rows)


# --- schedules -------------------------------------------------------------------------------


def test_schedule_lifecycle(ds: DS) -> None:
    pc = ds.project()
    code, _ = ds.chain(pc, "sched")
    base = f"/projects/{pc}/schedules"
    form = dict(ds.schedule_form(), **{ds.code_key: code})
    assert ds.code("POST", base, data=form) == 50004  # workflow offline
    ds.release(pc, code, "ONLINE")
    r = ds.call("POST", base, data=form)
    assert r.status_code == 201
    sched = r.json()["data"]
    assert sched["releaseState"] == "OFFLINE"
    sid = sched["id"]
    if not ds.g1:
        assert ds.code("POST", base, data=form) == 10204
    ds.ok("POST", f"{base}/{sid}/online")
    assert ds.code("PUT", f"{base}/{sid}", data=ds.schedule_form()) == 10023
    assert ds.code("DELETE", f"{base}/{sid}") == 50023
    # taking the workflow offline takes the schedule offline
    assert ds.release(pc, code, "OFFLINE") == 0
    page = ds.ok("GET", base, params={ds.code_key: code, "pageNo": 1, "pageSize": 10})
    assert page["totalList"][0]["releaseState"] == "OFFLINE"
    assert ds.code("POST", f"{base}/{sid}/online") == 50004
    ds.ok("PUT", f"{base}/{sid}",
          data=ds.schedule_form(schedule={"crontab": "0 30 3 * * ? *"}))
    page = ds.ok("GET", base, params={ds.code_key: code, "pageNo": 1, "pageSize": 10})
    assert page["totalList"][0]["crontab"] == "0 30 3 * * ? *"
    ds.ok("DELETE", f"{base}/{sid}")


def test_only_the_paged_list_fills_in_the_schedule(ds: DS) -> None:
    """A DagData (GET by code, /list) carries scheduleReleaseState (and, 3.2+, schedule) as
    null even when the workflow has a schedule; the paged list fills them in."""
    pc = ds.project()
    code, _ = ds.chain(pc, "ps")
    ds.release(pc, code, "ONLINE")
    ds.ok("POST", f"/projects/{pc}/schedules",
          data=dict(ds.schedule_form(), **{ds.code_key: code}))
    for wf in (ds.dag(pc, code)[ds.dag_def],
               ds.ok("GET", ds.wf_path(pc, "/list"))[0][ds.dag_def]):
        assert wf["scheduleReleaseState"] is None
        if ds.g1:
            assert "schedule" not in wf
        else:
            assert wf["schedule"] is None
    (row,) = ds.ok("GET", ds.wf_path(pc), params={"pageNo": 1, "pageSize": 10})["totalList"]
    assert row["scheduleReleaseState"] == "OFFLINE"
    (sched,) = ds.ok("GET", f"/projects/{pc}/schedules",
                     params={ds.code_key: code, "pageNo": 1, "pageSize": 10})["totalList"]
    assert sched["definitionDescription"] is None  # never joined, whatever the description
    if not ds.g1:
        assert row["schedule"]["crontab"] == "0 0 2 * * ? *"


def test_schedule_validation(ds: DS) -> None:
    pc = ds.project()
    code, _ = ds.chain(pc, "sv")
    ds.release(pc, code, "ONLINE")
    base = f"/projects/{pc}/schedules"

    def create(**sched: str) -> int:
        return ds.code("POST", base, data=dict(ds.schedule_form(schedule=sched),
                                               **{ds.code_key: code}))

    assert create(crontab="0 2 * * *") == 10001
    assert create(startTime="2030-01-01 00:00:00", endTime="2030-01-01 00:00:00") == 10141
    assert create(startTime="2031-01-01 00:00:00", endTime="2030-01-01 00:00:00") == 80003
    sid = ds.ok("POST", base, data=dict(ds.schedule_form(), **{ds.code_key: code}))["id"]
    bad = ds.schedule_form(schedule={"crontab": "0 0 2 * * *"})  # no '?'
    assert ds.code("PUT", f"{base}/{sid}", data=bad) == 10024


def test_schedule_preview(ds: DS) -> None:
    pc = ds.project()
    sched = {"startTime": "2024-01-01 00:00:00", "endTime": "2099-12-31 00:00:00",
             "crontab": "0 0 2 * * ? *", "timezoneId": "UTC"}
    r = ds.call("POST", f"/projects/{pc}/schedules/preview", data={"schedule": json.dumps(sched)})
    assert r.status_code == 201
    times = r.json()["data"]
    assert len(times) == 5
    assert all(t.endswith("02:00:00") for t in times)
    del sched["timezoneId"]
    assert ds.code("POST", f"/projects/{pc}/schedules/preview",
                   data={"schedule": json.dumps(sched)}) == 10139

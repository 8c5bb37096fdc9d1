"""Sandbox-only behaviour: the 3.1 dialect, fault mode, latency, the state file, the CLI,
the in-process API and speed. Everything over real HTTP."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from deployer.commands.sandbox import parse_datasources
from deployer.core.errors import UsageError
from deployer.sandbox import Sandbox
from tests.sandbox.helpers import DS, shell, task


@pytest.fixture
def g1():
    with Sandbox(api_version="3.1", token="t1") as sb:
        yield sb, DS(sb.base_url, sb.token, "3.1")


def test_g1_requires_tenant_code_and_allows_several_schedules(g1) -> None:
    sb, ds = g1
    pc = ds.project()
    (a,) = ds.gen_codes(pc, 1)
    form = ds.form("w", [shell(a, "a")], [(0, a)])
    del form["tenantCode"]
    assert ds.create(pc, form).json()["code"] == 10105
    assert ds.create(pc, dict(form, tenantCode="nope")).json()["code"] == 10017
    code = int(ds.create(pc, dict(form, tenantCode="default")).json()["data"]["code"])
    ds.release(pc, code, "ONLINE")
    base = f"/projects/{pc}/schedules"
    first = ds.ok("POST", base, data=dict(ds.schedule_form(), processDefinitionCode=code))["id"]
    ds.ok("POST", base, data=dict(ds.schedule_form(), processDefinitionCode=code))
    ds.ok("POST", f"{base}/{first}/online")
    assert ds.code("POST", f"{base}/{first}/online") == 10126
    assert ds.code("POST", f"{base}/999/online") == 10022
    # G1 paged list needs the workflow code
    assert ds.code("GET", base, params={"pageNo": 1, "pageSize": 10}) == 10080
    assert "tenantCode" not in ds.ok("POST", f"{base}/list")[0]
    assert sb.state.workflows(ds.ok("GET", f"/projects/{pc}")["name"])[0]["tenantCode"] \
        == "default"


def test_g1_switch_needs_params_and_a_default_branch(g1) -> None:
    _, ds = g1
    pc = ds.project()
    (a,) = ds.gen_codes(pc, 1)

    def code(params: object) -> int:
        return int(ds.create(pc, ds.form("w", [task(a, "a", "SWITCH", params)],
                                         [(0, a)])).json()["code"])

    assert code(None) == 50020
    assert code({"switchResult": {"nextNode": "x"}}) == 50020  # not a Long
    assert code({"switchResult": {"dependTaskList": [{"condition": ""}], "nextNode": "7"}}) == 0


def test_a_token_header_is_used_alone(g1) -> None:
    """A bad token is 401 even next to a valid session, as the real interceptor decides on
    the token alone when one is sent."""
    _, ds = g1
    sid = requests.post(ds.url + "/login", data={"userName": "admin",
                                                 "userPassword": "dolphinscheduler123"},
                        timeout=10).json()["data"]["sessionId"]
    r = requests.get(ds.url + "/projects/list", headers={"token": "nope", "sessionId": sid},
                     timeout=10)
    assert r.status_code == 401


def test_g2_unknown_schedule_online_is_silent() -> None:
    with Sandbox(api_version="3.2") as sb:
        ds = DS(sb.base_url, sb.token, "3.2")
        pc = ds.project()
        assert ds.ok("POST", f"/projects/{pc}/schedules/4242/online") is True
        assert ds.code("DELETE", f"/projects/{pc}/schedules/4242") == 10203


def test_product_info_only_in_g3() -> None:
    for version, status in (("3.2", 404), ("3.4", 200)):
        with Sandbox(api_version=version) as sb:
            r = requests.get(sb.base_url + "/ui-plugins/query-product-info",
                             headers={"token": sb.token}, timeout=10)
            assert r.status_code == status


def test_missing_param_message_follows_generation() -> None:
    for version, suffix in (("3.2", False), ("3.3", True)):
        with Sandbox(api_version=version) as sb:
            body = requests.post(sb.base_url + "/projects", headers={"token": sb.token},
                                 timeout=10).json()
            assert body["code"] == 10048
            assert ("projectName" in body["msg"]) is suffix


def test_in_process_state_view() -> None:
    with Sandbox(api_version="3.3", datasources={"pg": "POSTGRESQL"},
                 environments={"prod": "export A=1"}) as sb:
        ds = DS(sb.base_url, sb.token, "3.3")
        pc = ds.project("view")
        name = ds.ok("GET", f"/projects/{pc}")["name"]
        code, (a, b) = ds.chain(pc, "wf")
        (wf,) = sb.state.workflows(name)
        assert (wf["code"], wf["version"], wf["releaseState"]) == (code, 1, "OFFLINE")
        assert [t["code"] for t in wf["tasks"]] == [a, b]
        assert wf["schedule"] is None
        assert sb.state.workflows("nope") == []
        envs = ds.ok("GET", "/environment/query-environment-list")
        assert envs[0]["name"] == "prod"
        assert ds.ok("GET", "/datasources/list", params={"type": "POSTGRESQL"})[0]["name"] \
            == "pg"
        assert ds.ok("GET", "/datasources/list", params={"type": "MYSQL"}) == []
        assert sb.request_count >= 6


def _hammer(sb: Sandbox, n: int) -> dict[str, int]:
    outcomes: dict[str, int] = {}
    session = requests.Session()
    for _ in range(n):
        try:
            r = session.get(sb.base_url + "/projects/list", headers={"token": sb.token},
                            timeout=10)
            key = str(r.status_code)
            if r.status_code in (429, 503):
                assert r.headers["Retry-After"] in ("0", "1")
        except requests.ConnectionError:
            key = "dropped"
            session = requests.Session()
        outcomes[key] = outcomes.get(key, 0) + 1
    return outcomes


def test_fault_mode_is_seeded_and_near_its_rate() -> None:
    runs = []
    for _ in range(2):
        with Sandbox(fault_rate=0.3, seed=7) as sb:
            runs.append((_hammer(sb, 300), dict(sb.faults.counts)))
            assert requests.get(sb.base_url + "/actuator/health", timeout=10).status_code == 200
    (outcomes, counts), (outcomes2, counts2) = runs
    assert counts == counts2  # same seed, same faults
    assert outcomes == outcomes2
    faulted = 300 - outcomes["200"]
    assert 60 <= faulted <= 120
    assert {"502", "503", "429", "dropped"} <= set(outcomes)
    assert counts.get("drop-after", 0) > 0
    assert counts.get("502-after", 0) > 0


def test_fault_after_apply_really_applied() -> None:
    with Sandbox(seed=3) as sb:
        ds = DS(sb.base_url, sb.token, "3.3")
        sb.set_faults(1.0)
        created = 0
        for i in range(40):
            try:
                r = ds.call("POST", "/projects", data={"projectName": f"p{i}"})
                assert r.status_code in (429, 502, 503)
            except requests.ConnectionError:
                ds.http = requests.Session()
                ds.http.headers["token"] = sb.token
        sb.set_faults(0.0)
        created = len(ds.ok("GET", "/projects/list"))
        assert 0 < created < 40  # some faults struck after the create, some before


def test_latency_keeps_the_server_concurrent() -> None:
    with Sandbox(latency=0.3) as sb:
        def one(_: int) -> int:
            return requests.get(sb.base_url + "/projects/list", headers={"token": sb.token},
                                timeout=10).status_code
        start = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(one, range(8))) == {200}
        assert time.monotonic() - start < 1.5


def test_state_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with Sandbox(api_version="3.2", token="keep", state_path=str(path)) as sb:
        ds = DS(sb.base_url, sb.token, "3.2")
        pc = ds.project("persist")
        code, _ = ds.chain(pc, "wf")
        ds.release(pc, code, "ONLINE")
        sid = ds.ok("POST", f"/projects/{pc}/schedules",
                    data=dict(ds.schedule_form(), processDefinitionCode=code))["id"]
    assert json.loads(path.read_text())["apiVersion"] == "3.2"
    with Sandbox(api_version="3.2", token="keep", state_path=str(path)) as sb:
        ds = DS(sb.base_url, sb.token, "3.2")
        dag = ds.dag(pc, code)
        assert dag["processDefinition"]["releaseState"] == "ONLINE"
        rows = ds.ok("POST", f"/projects/{pc}/schedules/list")
        assert [r["id"] for r in rows] == [sid]
        # codes and ids keep counting, never reusing
        code2, _ = ds.chain(pc, "wf2")
        assert code2 > code
        assert len(ds.ok("GET", "/access-tokens", params={"pageNo": 1, "pageSize": 9})
                   ["totalList"]) == 1


def test_bulk_deploy_is_quick() -> None:
    with Sandbox() as sb:
        ds = DS(sb.base_url, sb.token, "3.3")
        pc = ds.project("bulk")
        start = time.monotonic()
        for i in range(200):
            codes = ds.gen_codes(pc, 20)
            tasks = [shell(c, f"t{j}") for j, c in enumerate(codes)]
            edges = [(0, codes[0]), *itertools.pairwise(codes)]
            assert ds.create(pc, ds.form(f"wf{i}", tasks, edges)).json()["code"] == 0
        dags = ds.ok("GET", ds.wf_path(pc, "/list"))
        elapsed = time.monotonic() - start
        assert len(dags) == 200
        assert elapsed < 20


def test_datasource_specs() -> None:
    assert parse_datasources(("pg:POSTGRESQL", "my:MYSQL")) == {"pg": "POSTGRESQL",
                                                               "my": "MYSQL"}
    for bad in ("nocolon", ":MYSQL", "pg:", "pg:postgres"):
        with pytest.raises(UsageError):
            parse_datasources((bad,))


@pytest.mark.slow
def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with subprocess.Popen(
        [sys.executable, "-m", "deployer.sandbox", "--port", "0", "--token", "cli-t",
         "--api-version", "3.2", "--datasource", "pg:POSTGRESQL",
         "--state", str(tmp_path / "s.json")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env) as proc:
        _talk_then_stop(proc)
    assert "kept" in (tmp_path / "s.json").read_text()


def _talk_then_stop(proc: subprocess.Popen[str]) -> None:
    try:
        assert proc.stdout is not None
        url_line = proc.stdout.readline().strip()
        token_line = proc.stdout.readline().strip()
        assert url_line.startswith("DS_URL=http://127.0.0.1:")
        assert token_line == "DS_TOKEN=cli-t"
        url = url_line.split("=", 1)[1]
        r = requests.get(url + "/datasources/list", params={"type": "POSTGRESQL"},
                         headers={"token": "cli-t"}, timeout=10)
        assert r.json()["data"][0]["name"] == "pg"
        requests.post(url + "/projects", data={"projectName": "kept"},
                      headers={"token": "cli-t"}, timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


@pytest.mark.slow
def test_cli_rejects_a_bad_datasource() -> None:
    proc = subprocess.run([sys.executable, "-m", "deployer.sandbox", "--port", "0",
                           "--datasource", "oops"], capture_output=True, text=True,
                          timeout=30, check=False)
    assert proc.returncode != 0
    assert "NAME:TYPE" in proc.stderr


def test_wait_idle_returns_after_the_running_request_is_answered() -> None:
    with Sandbox(api_version="3.3", latency=0.5) as sb:
        url = f"{sb.base_url}/projects"
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(requests.post, url, headers={"token": sb.token},
                                  data={"projectName": "late"}, timeout=10)
            while sb.request_count == 0:
                time.sleep(0.01)
            sb.wait_idle(quiet=0.05)
            # answered in the server, not merely received: the project exists already
            assert any(p["name"] == "late" for p in sb.state.projects.values())
            assert pending.result().json()["code"] == 0

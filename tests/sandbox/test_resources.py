"""The sandbox's resource center, answer by answer, as real servers give them (3.1.1 seen
live, see docs/real-ds.md "Resources"; 3.2.2 and the 3.3 generation from their sources)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from deployer.sandbox import Sandbox
from deployer.sandbox.store import ADMIN


class Api:
    def __init__(self, sb: Sandbox) -> None:
        self.base, self.s = sb.base_url, requests.Session()
        self.s.headers["token"] = sb.token

    def call(self, method: str, path: str, files: dict[str, Any] | None = None,
             **form: Any) -> Any:
        body = method in ("POST", "PUT")
        r = self.s.request(method, self.base + path, params=None if body else form,
                           data=form if body else None, files=files)
        return r.json() if r.headers.get("Content-Type", "").startswith("application/json") \
            and "attachment" not in r.headers.get("Content-Disposition", "") else r


@pytest.fixture
def g1(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Sandbox, Api]]:
    monkeypatch.setitem(ADMIN, "tenantId", 1)
    with Sandbox(api_version="3.1") as sb:
        yield sb, Api(sb)


def test_g1_tree_rows_and_downloads_as_311_answers_them(g1: tuple[Sandbox, Api]) -> None:
    _sb, api = g1
    made = api.call("POST", "/resources/directory", type="FILE", name="probe", pid=-1,
                    currentDir="/", description="")
    assert made["code"] == 0
    assert made["data"]["fullName"] == "/probe"
    assert made["data"]["userName"] is None
    dir_id = made["data"]["id"]
    up = api.call("POST", "/resources", files={"file": ("any.sh", b"echo hi\n")}, type="FILE",
                  name="x.sh", pid=dir_id, currentDir="/probe", description="dsc")
    assert up["code"] == 0
    assert up["data"]["size"] == 8
    tree = api.call("GET", "/resources/list", type="FILE")["data"]
    assert tree[0]["fullName"] == "probe"
    assert tree[0]["dirctory"] is True
    assert "isDirctory" not in tree[0]
    assert tree[0]["children"][0]["fullName"] == "probe/x.sh"
    rows = api.call("GET", "/resources", type="FILE", id=dir_id, pageNo=1, pageSize=10)["data"]
    assert rows["totalList"][0]["fullName"] == "/probe/x.sh"
    assert rows["totalList"][0]["directory"] is False
    got = api.call("GET", f"/resources/{up['data']['id']}/download")
    assert got.content == b"echo hi\n"
    assert got.headers["Content-Type"].startswith("application/json")  # whatever it holds
    assert got.headers["Content-Disposition"] == 'attachment; filename="x.sh"'
    view = api.call("GET", f"/resources/{up['data']['id']}/view", skipLineNum=0, limit=10)
    assert view["data"] == {"alias": "x.sh", "content": "echo hi"}
    missing = api.call("GET", "/resources/999/download")
    assert (missing.status_code, missing.text) == (400, "resource not exist")
    assert api.call("DELETE", f"/resources/{dir_id}")["code"] == 20018  # not empty


def test_g1_refusals(g1: tuple[Sandbox, Api], monkeypatch: pytest.MonkeyPatch) -> None:
    sb, api = g1

    def up(name: str, data: bytes, file_name: str | None = None) -> int:
        return int(api.call("POST", "/resources", files={"file": (file_name or name, data)},
                            type="FILE", name=name, pid=-1, currentDir="/")["code"])

    assert up("a.sh", b"") == 10062  # empty
    assert up("a.sh", b"1", "a.txt") == 20008  # suffix changed
    assert up("a.sh", b"1") == 0
    assert up("a.sh", b"1") == 20005  # exists
    monkeypatch.setattr("deployer.sandbox.resources.MAX_FILE_SIZE", 3)
    assert up("big.sh", b"1234") == 20007
    monkeypatch.setitem(ADMIN, "tenantId", 0)
    assert up("b.sh", b"1") == 10181
    assert api.call("POST", "/resources/directory", type="FILE", name="d", pid=-1,
                    currentDir="/")["code"] == 10181
    sb.state.storage = False
    assert up("c.sh", b"1") == 60002
    assert api.call("GET", "/resources/list", type="FILE")["code"] == 0  # rows still listed


def test_g1_file_of_an_online_workflow_cannot_be_deleted(g1: tuple[Sandbox, Api]) -> None:
    sb, api = g1
    rid = api.call("POST", "/resources", files={"file": ("a.sh", b"1")}, type="FILE",
                   name="a.sh", pid=-1, currentDir="/")["data"]["id"]
    sb.state.wfs[1] = {"code": 1, "releaseState": "ONLINE", "tasks": [(5, 1)]}
    sb.state.tasks[(5, 1)] = {"taskParams": f'{{"resourceList": [{{"id": {rid}}}]}}'}
    assert api.call("DELETE", f"/resources/{rid}")["code"] == 20014
    sb.state.wfs[1]["releaseState"] = "OFFLINE"
    assert api.call("DELETE", f"/resources/{rid}")["code"] == 0


@pytest.mark.parametrize("version", ["3.2", "3.3"])
def test_g2_full_names(version: str) -> None:
    with Sandbox(api_version=version) as sb:
        api = Api(sb)
        base = "/dolphinscheduler/default/resources/"
        # a currentDir outside the user's folder means its top
        assert api.call("POST", "/resources/directory", type="FILE", name="d",
                        currentDir="/")["code"] == 0
        assert api.call("POST", "/resources", files={"file": ("x.sql", b"select 1")},
                        type="FILE", name="x.sql", currentDir=base + "d/")["code"] == 0
        top = api.call("GET", "/resources", type="FILE", fullName="", tenantCode="",
                       pageNo=1, pageSize=10)["data"]["totalList"]
        assert [r["fullName"] for r in top] == [base + "d/"]  # folders end with "/"
        assert api.call("GET", "/resources/download", fullName=base + "d/x.sql").content \
            == b"select 1"
        assert api.call("GET", "/resources/view", fullName=base + "d/x.sql", tenantCode="",
                        skipLineNum=0, limit=5)["data"]["content"] == "select 1"
        assert api.call("GET", "/resources", type="FILE", fullName="/etc/", tenantCode="",
                        pageNo=1, pageSize=10)["code"] == 20020
        base_dir = api.call("GET", "/resources/base-dir", type="FILE")
        if version == "3.3":
            assert base_dir["data"] == base
        else:  # no such endpoint before the 3.3 generation
            assert base_dir.status_code == 404
        assert api.call("DELETE", "/resources", fullName=base + "d/")["code"] == 0
        assert sb.state.resources == {}
        sb.state.storage = False
        assert api.call("POST", "/resources/directory", type="FILE", name="e",
                        currentDir="/")["code"] == 10054


def test_files_survive_a_restart_with_a_state_file(tmp_path: Any) -> None:
    path = str(tmp_path / "state.json")
    data = bytes(range(256))
    with Sandbox(api_version="3.3", state_path=path) as sb:
        api = Api(sb)
        base = "/dolphinscheduler/default/resources/"
        assert api.call("POST", "/resources", files={"file": ("b.bin", data)}, type="FILE",
                        name="b.bin", currentDir=base)["code"] == 0
        token = sb.token
    with Sandbox(api_version="3.3", state_path=path, token=token) as sb:
        assert Api(sb).call("GET", "/resources/download", fullName=base + "b.bin").content == data

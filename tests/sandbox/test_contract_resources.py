"""The resource center's answers, the same tests on the sandbox of every API version and on
the real server (conftest.ds_server; `realds.py test` runs this suite too): 3.1 by id
(seen live on 3.1.1, docs/real-ds.md "Resources"), 3.2+ by full name (from their sources)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from deployer.sandbox import Sandbox
from tests.helpers import real_ds
from tests.helpers.tenant import give_tenant
from tests.sandbox.helpers import DS

REAL = real_ds.from_env()


@pytest.fixture
def top(ds: DS, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A folder name of this test's own, removed afterwards, with a tenant on the token's
    user for as long (3.1)."""
    restore = give_tenant(ds.url, ds.token, ds.version, real=REAL is not None and
                          ds.url == REAL.url.rstrip("/"), mp=monkeypatch)
    name = f"ct-{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:
        try:
            _cleanup(ds, name)
        finally:
            restore()


def _cleanup(ds: DS, top: str) -> None:
    if ds.g1:
        tree = ds.ok("GET", "/resources/list", params={"type": "FILE"}) or []
        mine = [n for n in tree if n["name"] == top]

        def ids(node: dict[str, Any]) -> list[int]:  # files before their folders
            return [i for c in node["children"] for i in ids(c)] + [node["id"]]
        for node in mine:
            for rid in ids(node):
                ds.call("DELETE", f"/resources/{rid}")
    else:
        full = _base(ds) + top
        ds.call("DELETE", "/resources", params={"fullName": full + "/", "tenantCode": ""})


def _base(ds: DS) -> str:
    return "/dolphinscheduler/default/resources/"


def _up(ds: DS, name: str, data: bytes, *, pid: int = -1, current: str = "/",
        file_name: str | None = None) -> dict[str, Any]:
    form: dict[str, Any] = {"type": "FILE", "name": name, "currentDir": current}
    if ds.g1:
        form.update(pid=pid, description="dsc")
    answer: dict[str, Any] = ds.call("POST", "/resources", data=form,
                                     files={"file": (file_name or name, data)}).json()
    return answer


def g1_only(ds: DS) -> None:
    if not ds.g1:
        pytest.skip("3.1's resource dialect (ids)")


def test_g1_tree_rows_view_and_downloads(ds: DS, top: str) -> None:
    g1_only(ds)
    made = ds.ok("POST", "/resources/directory", data={"type": "FILE", "name": top,
                                                        "pid": -1, "currentDir": "/",
                                                        "description": ""})
    assert made["fullName"] == f"/{top}"
    assert made["userName"] is None
    assert made["directory"] is True
    up = _up(ds, "x.sh", b"echo hi\nline 2\n", pid=made["id"], current=f"/{top}",
             file_name="any.sh")
    assert up["code"] == 0, up
    assert up["data"]["size"] == 15
    assert up["data"]["alias"] == "x.sh"
    assert up["data"]["fileName"] == "any.sh"
    tree = [n for n in ds.ok("GET", "/resources/list", params={"type": "FILE"})
            if n["name"] == top]
    assert tree[0]["fullName"] == top  # no leading "/" in the tree
    assert tree[0]["dirctory"] is True
    assert "isDirctory" not in tree[0]
    assert tree[0]["children"][0]["fullName"] == f"{top}/x.sh"
    rows = ds.ok("GET", "/resources", params={"type": "FILE", "id": made["id"], "pageNo": 1,
                                             "pageSize": 10})
    assert rows["totalList"][0]["fullName"] == f"/{top}/x.sh"
    assert rows["totalList"][0]["directory"] is False
    assert rows["totalList"][0]["description"] == "dsc"
    rid = up["data"]["id"]
    view = ds.ok("GET", f"/resources/{rid}/view", params={"skipLineNum": 1, "limit": 5})
    assert view == {"alias": "x.sh", "content": "line 2"}
    got = ds.call("GET", f"/resources/{rid}/download")
    assert got.content == b"echo hi\nline 2\n"
    assert got.headers["Content-Type"].startswith("application/json")  # whatever it holds
    assert got.headers["Content-Disposition"] == 'attachment; filename="x.sh"'
    missing = ds.call("GET", "/resources/99999/download")
    assert (missing.status_code, missing.text) == (400, "resource not exist")
    assert ds.code("DELETE", f"/resources/{made['id']}") == 20018  # not empty
    assert ds.code("DELETE", f"/resources/{rid}") == 0


def test_g1_refusals(ds: DS, top: str) -> None:
    g1_only(ds)
    made = ds.ok("POST", "/resources/directory", data={"type": "FILE", "name": top,
                                                        "pid": -1, "currentDir": "/"})
    where = {"pid": made["id"], "current": f"/{top}"}
    assert _up(ds, "a.sh", b"", **where)["code"] == 10062  # empty
    assert _up(ds, "a.sh", b"1", file_name="a.txt", **where)["code"] == 20008  # suffix
    assert _up(ds, "a.sh", b"1", **where)["code"] == 0
    assert _up(ds, "a.sh", b"1", **where)["code"] == 20005  # exists
    assert ds.code("POST", "/resources/directory", data={
        "type": "FILE", "name": top, "pid": -1, "currentDir": "/"}) == 20005


def test_g1_without_tenant_or_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sandbox only: a real server's storage and admin are what they are."""
    with Sandbox(api_version="3.1") as sb:
        ds = DS(sb.base_url, sb.token, "3.1")
        assert ds.code("POST", "/resources/directory", data={
            "type": "FILE", "name": "d", "pid": -1, "currentDir": "/"}) == 10181
        assert _up(ds, "b.sh", b"1")["code"] == 10181
        restore = give_tenant(ds.url, ds.token, "3.1", real=False, mp=monkeypatch)
        monkeypatch.setattr("deployer.sandbox.resources.MAX_FILE_SIZE", 3)
        assert _up(ds, "big.sh", b"1234")["code"] == 20007
        sb.state.storage = False
        assert _up(ds, "c.sh", b"1")["code"] == 60002
        assert ds.code("GET", "/resources/list", params={"type": "FILE"}) == 0  # rows listed
        restore()


def test_g1_file_of_an_online_workflow_cannot_be_deleted(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """Sandbox only: on the H2 standalone server the check itself fails (10058)."""
    with Sandbox(api_version="3.1") as sb:
        ds = DS(sb.base_url, sb.token, "3.1")
        give_tenant(ds.url, ds.token, "3.1", real=False, mp=monkeypatch)
        rid = _up(ds, "a.sh", b"1")["data"]["id"]
        sb.state.wfs[1] = {"code": 1, "releaseState": "ONLINE", "tasks": [(5, 1)]}
        sb.state.tasks[(5, 1)] = {"taskParams": f'{{"resourceList": [{{"id": {rid}}}]}}'}
        assert ds.code("DELETE", f"/resources/{rid}") == 20014
        sb.state.wfs[1]["releaseState"] = "OFFLINE"
        assert ds.code("DELETE", f"/resources/{rid}") == 0


def test_g2_full_names(ds: DS, top: str) -> None:
    if ds.g1:
        pytest.skip("3.2+'s resource dialect (full names)")
    base = _base(ds)
    # a currentDir outside the user's folder means its top
    assert ds.code("POST", "/resources/directory",
                   data={"type": "FILE", "name": top, "currentDir": "/"}) == 0
    assert _up(ds, "x.sql", b"select 1", current=f"{base}{top}/")["code"] == 0
    listed = ds.ok("GET", "/resources", params={"type": "FILE", "fullName": "",
                                                "tenantCode": "", "pageNo": 1,
                                                "pageSize": 100})["totalList"]
    assert f"{base}{top}/" in [r["fullName"] for r in listed]  # folders end with "/"
    full = f"{base}{top}/x.sql"
    assert ds.call("GET", "/resources/download", params={"fullName": full}).content \
        == b"select 1"
    assert ds.ok("GET", "/resources/view", params={
        "fullName": full, "tenantCode": "", "skipLineNum": 0, "limit": 5})["content"] \
        == "select 1"
    assert ds.code("GET", "/resources", params={"type": "FILE", "fullName": "/etc/",
                                                "tenantCode": "", "pageNo": 1,
                                                "pageSize": 10}) == 20020
    base_dir = ds.call("GET", "/resources/base-dir", params={"type": "FILE"})
    if ds.g3:
        assert base_dir.json()["data"] == base
    else:  # no such endpoint before the 3.3 generation
        assert base_dir.status_code == 404


def test_files_survive_a_restart_with_a_state_file(tmp_path: Any) -> None:
    path = str(tmp_path / "state.json")
    data = bytes(range(256))
    base = "/dolphinscheduler/default/resources/"
    with Sandbox(api_version="3.3", state_path=path) as sb:
        ds = DS(sb.base_url, sb.token, "3.3")
        assert _up(ds, "b.bin", data, current=base)["code"] == 0
        token = sb.token
    with Sandbox(api_version="3.3", state_path=path, token=token) as sb:
        got = requests.get(sb.base_url + "/resources/download", timeout=10,
                           headers={"token": token}, params={"fullName": base + "b.bin"})
        assert got.content == data

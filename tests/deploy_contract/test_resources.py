"""Resources from Git, end to end through the CLI, on every backend (sandbox 3.1/3.2/3.3 and
the real server): upload, a no-op redeploy that uploads nothing, an update read back
byte-exact, and a prune that stays inside dagship's folder.

3.1 keeps files in the folder of the user's tenant, and a fresh 3.1 admin has none: the
`resources` fixture gives the token's user a tenant for the test and takes it away again
(tests/sandbox/test_contract.py relies on the admin having none).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from deployer.client.resources import RemoteFile, ResourceCenter
from deployer.core.errors import ApiError
from tests.deploy_contract.helpers import (
    Backend,
    Remote,
    Repo,
    remove_project,
    remove_tree,
    task_of,
)
from tests.helpers.tenant import give_tenant

JAR = bytes(range(256)) * 16 + b"\x00\r\n--x--\r\n"


@pytest.fixture
def center(backend: Backend, project: str, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[ResourceCenter]:
    """dagship's folder of this test's project, read through the API; removed afterwards
    (the project first: 3.1 refuses to delete a file an online workflow uses)."""
    c = backend.client()
    restore = give_tenant(backend.url, backend.token, backend.api_version, real=backend.real,
                          mp=monkeypatch)
    try:
        yield ResourceCenter(c, backend.api_version, f"/dagship/{project}")
    finally:
        try:
            remove_project(c, project)
            remove_tree(c, backend.api_version, f"/dagship/{project}")
        finally:
            restore()
            c.close()


def _files(rc: ResourceCenter) -> dict[str, RemoteFile]:
    return {p: f for p, f in rc.list().items() if not f.directory}


def _with_resources(repo: Repo, *, online: bool = True) -> None:
    path = repo.root / "dagship.yaml"
    path.write_text("resources: [resources/]\n" + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    (repo.root / "resources" / "lib").mkdir(parents=True)
    (repo.root / "resources" / "hello.sh").write_text("echo hello from git\n",
                                                       encoding="utf-8")
    (repo.root / "resources" / "lib" / "app.jar").write_bytes(JAR)
    state = "" if online else "  release_state: offline\n"
    repo.write("uses", f"workflow:\n  name: uses\n{state}tasks:\n  - name: read\n"
               "    task_type: Shell\n    command: cat hello.sh;\n"
               "    resource_list: [resources/hello.sh, resources/lib/app.jar]\n")


def _refs(wf: dict[str, Any] | None) -> list[Any]:
    assert wf is not None
    params = task_of(wf, "read")["taskParams"]
    params = json.loads(params) if isinstance(params, str) else params
    return list(params["resourceList"])


def test_upload_then_noop_redeploy_uploads_nothing(repo: Repo, remote: Remote,
                                                   center: ResourceCenter) -> None:
    _with_resources(repo)
    plan = repo.run("plan")
    assert plan.code == 0, plan.out + plan.err
    assert "+ resource resources/hello.sh" in plan.out
    assert "Resources: 2 to upload" in plan.out
    repo.deploy()
    files = _files(center)
    assert set(files) == {"resources/hello.sh", "resources/lib/app.jar"}
    assert center.content(files["resources/lib/app.jar"]) == JAR  # byte-exact
    want = [center.reference(files["resources/hello.sh"]),
            center.reference(files["resources/lib/app.jar"])]
    assert [{k: r.get(k) for k in want[0]} for r in _refs(remote.workflow("uses"))] == want
    again = repo.deploy()
    assert "nothing to do" in again.out
    assert again.writes == []
    assert "Resources: 0 to upload, 0 to update, 0 to delete, 2 unchanged" in again.out


def test_changed_file_is_updated_in_place(repo: Repo, remote: Remote,
                                          center: ResourceCenter) -> None:
    _with_resources(repo)
    repo.deploy()
    before = _files(center)
    (repo.root / "resources" / "lib" / "app.jar").write_bytes(JAR[::-1])
    plan = repo.run("plan")
    assert "~ resource resources/lib/app.jar" in plan.out, plan.out
    assert "Resources: 0 to upload, 1 to update, 0 to delete, 1 unchanged" in plan.out
    res = repo.deploy()
    updates = [w for w in res.writes if "/resources" in w[1]]
    assert [m for m, _p in updates] == ["PUT"], res.writes
    after = _files(center)
    assert center.content(after["resources/lib/app.jar"]) == JAR[::-1]
    assert after["resources/lib/app.jar"].id == before["resources/lib/app.jar"].id
    assert center.content(after["resources/hello.sh"]) == b"echo hello from git\n"


def test_prune_deletes_only_inside_dagships_folder(repo: Repo, remote: Remote,
                                                   center: ResourceCenter,
                                                   backend: Backend) -> None:
    # offline: 3.1.1 on H2 (the standalone server) fails every resource delete with 10058
    # while any online workflow uses a resource (docs/real-ds.md, "Resources")
    _with_resources(repo, online=False)
    repo.deploy()
    other_root = f"/dagship-ct-other-{uuid.uuid4().hex[:8]}"
    c = backend.client()
    other = ResourceCenter(c, backend.api_version, other_root)
    try:
        other.upload("keep.sh", b"not dagship's\n", "someone else's")
        (repo.root / "resources" / "lib" / "app.jar").unlink()
        (repo.root / "resources" / "lib").rmdir()
        repo.edit("uses.yaml", ", resources/lib/app.jar]", "]")
        kept = repo.run("plan")
        assert "resource(s) in /dagship/" in kept.out
        assert "kept (use --prune" in kept.out
        plan = repo.run("plan", "--prune")
        assert "- resource resources/lib/app.jar" in plan.out, plan.out
        res = repo.deploy("--prune")
        deletes = [w for w in res.writes if w[0] == "DELETE"]
        assert len(deletes) == 2, res.writes  # the file, then its folder left empty
        assert set(center.list()) == {"", "resources", "resources/hello.sh"}
        assert {p for p, f in other.list().items() if not f.directory} == {"keep.sh"}
        assert other.content(other.list()["keep.sh"]) == b"not dagship's\n"
    finally:
        with contextlib.suppress(ApiError):
            remove_tree(c, backend.api_version, other_root)
        c.close()

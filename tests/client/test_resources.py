"""The resource-center client against the sandbox of each generation, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deployer.client import DSClient, RetryPolicy
from deployer.client.resources import ResourceCenter
from deployer.core.errors import ApiError
from deployer.sandbox import Sandbox
from deployer.sandbox.store import ADMIN

BINARY = bytes(range(256)) * 40 + b"\r\n\x00--boundary\r\n"


@pytest.fixture(params=["3.1", "3.2", "3.3"])
def center(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[tuple[Sandbox, ResourceCenter]]:
    version = str(request.param)
    monkeypatch.setitem(ADMIN, "tenantId", 1)  # 3.1 uploads need the user's tenant
    with Sandbox(api_version=version) as sb:
        c = DSClient(sb.base_url, sb.token, api_version=version,
                     policy=RetryPolicy(initial_wait=0.001, max_wait=0.01))
        try:
            yield sb, ResourceCenter(c, version, "/dagship/p")
        finally:
            c.close()


def test_upload_list_download_update_delete(center: tuple[Sandbox, ResourceCenter]) -> None:
    _sb, rc = center
    assert rc.list() == {}  # not even the folder
    rc.upload("resources/lib/a.jar", BINARY, "dagship sha256:x")
    rc.upload("resources/run.sh", b"echo hi\n", "d")
    found = ResourceCenter(rc.c, "3.1" if rc.g1 else ("3.3" if rc.g3 else "3.2"),
                           "/dagship/p").list()
    assert {k for k, f in found.items() if not f.directory} == {"resources/lib/a.jar",
                                                                  "resources/run.sh"}
    jar = found["resources/lib/a.jar"]
    assert jar.size == len(BINARY)
    assert rc.content(jar) == BINARY  # byte-exact both ways
    if rc.g1:
        assert jar.description == "dagship sha256:x"
        assert rc.reference(jar) == {"id": jar.id}
    else:
        assert rc.reference(jar) == {
            "resourceName": "/dolphinscheduler/default/resources/dagship/p/resources/lib/a.jar"}
    rc.update(found["resources/run.sh"], b"echo bye\n", "e")
    again = rc.list()
    assert rc.content(again["resources/run.sh"]) == b"echo bye\n"
    rc.delete(again["resources/run.sh"])
    assert "resources/run.sh" not in rc.list()


def test_delete_refuses_outside_root(center: tuple[Sandbox, ResourceCenter]) -> None:
    _sb, rc = center
    rc.upload("x.sh", b"1", "")
    f = rc.list()["x.sh"]
    outside = f.__class__("x.sh", f.full_name.replace("/dagship/p", "/other"), 1, False, f.id)
    with pytest.raises(ValueError, match="outside"):
        rc.delete(outside)


def test_storage_not_configured(center: tuple[Sandbox, ResourceCenter]) -> None:
    sb, rc = center
    sb.state.storage = False
    with pytest.raises(ApiError) as exc:
        rc.upload("x.sh", b"1", "")
    # 3.1 checks first and says so; 3.2+ fail on the missing storage with the endpoint's code
    assert exc.value.code == (60002 if rc.g1 else 10054)


def test_g1_user_without_tenant_is_told_what_to_do(center: tuple[Sandbox, ResourceCenter],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _sb, rc = center
    if not rc.g1:
        pytest.skip("3.2+ keep files per tenant without asking the user's")
    rc.ensure_dir("")
    monkeypatch.setitem(ADMIN, "tenantId", 0)  # a fresh 3.1: the admin has no tenant
    with pytest.raises(ApiError) as exc:
        rc.upload("x.sh", b"1", "")
    assert exc.value.code == 10181
    assert "give that user a tenant" in exc.value.message

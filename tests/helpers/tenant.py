"""A tenant for the token's user, for as long as a test needs one.

3.1 keeps resource files in the folder of the user's tenant, and a fresh 3.1 admin has none
(tests/sandbox/test_contract.py relies on that). On a real server the user is given the
tenant `root` (an OS user the standalone server's worker can run tasks as) through the API
and its own tenant back afterwards; the sandbox, which has no user administration, gets the
seeded admin's row changed for the test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from deployer.sandbox.store import ADMIN

TENANT = "root"


def give_tenant(url: str, token: str, version: str, *, real: bool,
                mp: pytest.MonkeyPatch) -> Callable[[], None]:
    """Give the user a tenant (3.1 only); returns what takes it away again."""
    if version != "3.1":
        return lambda: None
    if not real:
        mp.setitem(ADMIN, "tenantId", 1)
        return lambda: None
    http = requests.Session()
    http.headers["token"] = token

    def ok(method: str, path: str, **form: Any) -> Any:
        body = method == "POST"
        answer = http.request(method, url.rstrip("/") + path, timeout=30,
                              params=None if body else form, data=form if body else None)
        doc = answer.json()
        assert doc["code"] == 0, (path, doc)
        return doc["data"]

    me = ok("GET", "/users/get-user-info")
    found = next((t for t in ok("GET", "/tenants/list") or [] if t["tenantCode"] == TENANT),
                 None)
    if found is None:
        queue = (ok("GET", "/queues/list") or [{}])[0].get("id", 1)
        found = ok("POST", "/tenants", tenantCode=TENANT, queueId=queue,
                   description="dagship contract tests")

    def set_tenant(tenant_id: int) -> None:
        # an empty password keeps the user's own (updateUser sets it only when given)
        ok("POST", "/users/update", id=me["id"], userName=me["userName"], userPassword="",
           email=me.get("email") or "", tenantId=tenant_id, phone=me.get("phone") or "",
           state=1, queue=me.get("queue") or "")

    set_tenant(int(found["id"]))

    def restore() -> None:
        set_tenant(int(me.get("tenantId") or 0))
        http.close()
    return restore

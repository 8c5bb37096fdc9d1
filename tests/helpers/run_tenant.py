"""A tenant for the admin of a real 3.1 server, so that it can run workflows.

3.1 starts an instance only when the workflow's creator has a tenant (its workflows carry
tenantCode `default`, which falls back to the user's); the seeded admin has none. This gives
the admin a tenant named after this OS user (the worker checks that such a user exists; the
server runs with sudo off, so tasks run as the server's own user) and takes it away again,
so the API contract suites, which assert the tenant-less admin, see the server as it was.
3.2+ take the tenant at start (`default`) and need none of this.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests


def _api(url: str, token: str, method: str, path: str, **form: Any) -> Any:
    reply = requests.request(method, url + path, headers={"token": token},
                             data=form if method == "POST" else None,
                             params=None if method == "POST" else form, timeout=30)
    body = reply.json()
    if body.get("code") != 0:
        raise RuntimeError(f"{method} {path}: {body}")
    return body["data"]


@contextmanager
def admin_tenant(url: str, token: str) -> Iterator[str]:
    """Inside: the token's user has the tenant this yields; afterwards, its old one again."""
    me = _api(url, token, "GET", "/users/get-user-info")
    code = getpass.getuser()
    found = [t for t in _api(url, token, "GET", "/tenants/list") if t["tenantCode"] == code]
    tid = found[0]["id"] if found else _api(url, token, "POST", "/tenants", tenantCode=code,
                                            queueId=1, description="dagship run")["id"]

    def update(tenant_id: int) -> None:
        # an empty userPassword keeps the password; the email is required
        _api(url, token, "POST", "/users/update", id=me["id"], userName=me["userName"],
             userPassword="", email=me.get("email") or "admin@example.com",
             tenantId=tenant_id, state=1, phone=me.get("phone") or "")

    update(tid)
    try:
        yield code
    finally:
        update(int(me.get("tenantId") or 0))
        if not found:
            _api(url, token, "DELETE", f"/tenants/{tid}")

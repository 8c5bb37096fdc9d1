"""Tenants and the admin's own record: what a 3.1 server needs before it runs a workflow.

3.1 starts an instance only when the workflow's creator has a tenant (50027 otherwise); the
seeded admin has none, as on a fresh real server. `POST /tenants` and `POST /users/update`
give it one; 3.1's query-by-name then finds the admin's workflows, as it does on the real
server (its INNER JOIN creator -> tenant). 3.2+ take the tenant at start and keep their
seeded `default` (id -1).
"""

from __future__ import annotations

from typing import Any

from deployer.sandbox.context import Ctx
from deployer.sandbox.status import ApiError
from deployer.sandbox.store import ADMIN, now_text


def tenant_create(c: Ctx) -> Any:
    code = c.p.text("tenantCode")
    queue = c.p.num("queueId")
    if any(t["tenantCode"] == code for t in c.st.tenant_rows.values()):
        raise ApiError(10009, code)
    if queue != 1:  # the one seeded queue
        raise ApiError(10128, queue)
    tid = c.st.next_id("tenant")
    row = {"id": tid, "tenantCode": code, "description": c.p.text("description", ""),
           "queueId": queue, "queueName": None, "queue": None,  # 3.1.1 joins no queue here
           "createTime": now_text(), "updateTime": now_text()}
    c.st.tenant_rows[tid] = row
    c.st.changed()
    return dict(row)


def tenant_delete(c: Ctx) -> Any:
    tid = c.p.var("id")
    if tid not in c.st.tenant_rows:
        raise ApiError(10017)
    if c.st.admin_tenant == tid:
        raise ApiError(10144, 1)
    del c.st.tenant_rows[tid]
    c.st.changed()
    return None


def user_info(c: Ctx) -> Any:
    tid = c.st.admin_tenant
    row = c.st.tenant_rows.get(tid)
    # the seeded admin row of DolphinScheduler's schema (its password is the documented
    # default's MD5), as a real 3.1.1 answers it
    return {"id": ADMIN["id"], "userName": ADMIN["userName"],
            "userPassword": "7ad2410b2f4c074479a8937a28a22b8f",
            "email": "xxx@qq.com", "phone": "", "userType": ADMIN["userType"], "tenantId": tid,
            "state": 1, "tenantCode": row["tenantCode"] if row else None, "queueName": None,
            "alertGroup": None, "queue": c.st.admin_queue, "timeZone": "UTC",
            "createTime": "2018-03-27 15:48:50", "updateTime": "2018-10-24 17:40:22"}


def queue_list(c: Ctx) -> Any:
    """The one queue a fresh server seeds (a tenant needs a queue id)."""
    return [{"id": 1, "queueName": "default", "queue": "default", "createTime": None,
             "updateTime": None}]


def user_update(c: Ctx) -> Any:
    """Only the admin exists; only its tenant is kept (3.1.1 sets it unchecked, so an unknown
    id is stored as given)."""
    if c.p.num("id") != ADMIN["id"]:
        raise ApiError(10092)
    c.p.text("userName")
    c.p.text("email")
    c.st.admin_tenant = c.p.num("tenantId")
    c.st.admin_queue = c.p.opt("queue")
    c.st.changed()
    return None


def creator_has_tenant(c: Ctx) -> bool:
    return c.st.admin_tenant in c.st.tenant_rows


def routes() -> list[tuple[str, str, Any, int, int, bool]]:
    return [
        ("POST", "/tenants", tenant_create, 201, 10084, True),
        ("DELETE", "/tenants/{id}", tenant_delete, 200, 10088, True),
        ("GET", "/users/get-user-info", user_info, 200, 10098, False),
        ("GET", "/queues/list", queue_list, 200, 10130, False),
        ("POST", "/users/update", user_update, 200, 10092, True),
    ]

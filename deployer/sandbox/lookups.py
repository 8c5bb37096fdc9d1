"""Read-only lookups: datasources, environments, worker groups, tenants, alert groups, and the
seeded rows a fresh real server has (real 3.1.1, 3.2.2, dev)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deployer.sandbox import render

if TYPE_CHECKING:  # routes imports this module for its table
    from deployer.sandbox.context import Ctx

__all__ = ["alert_groups", "ds_list", "ds_page", "env_list", "product_info", "tenants",
           "worker_groups"]


def ds_list(c: Ctx) -> Any:
    kind = c.p.text("type")
    return [d for d in c.st.datasources if d["type"] == kind]


def ds_page(c: Ctx) -> Any:
    page_no, size = c.p.paging()
    search = c.p.opt("searchVal") or ""
    return render.page(c.st, [d for d in c.st.datasources if search in d["name"]], page_no, size)


def env_list(c: Ctx) -> Any:
    return list(c.st.environments)


def worker_groups(c: Ctx) -> Any:
    return ["default"]


def tenants(c: Ctx) -> Any:
    """The seeded `default` tenant (id -1) of a fresh 3.2+ server; 3.1.1 has none."""
    made = [dict(t) for t in c.st.tenant_rows.values()]  # POST /tenants (sandbox.tenants)
    if c.gen.g1:
        return made
    return [{"id": -1, "tenantCode": "default", "description": "default tenant", "queueId": 1,
             "queueName": None, "queue": None, "createTime": c.st.created,
             "updateTime": c.st.created}, *made]


def alert_groups(c: Ctx) -> Any:
    """The seeded groups of a fresh server's schema: two in 3.2.2, one (with instances
    "1,2") in 3.1.1; the dev snapshot of 2025-01 seeds one without instances."""
    seeded = "2018-11-29 10:20:39"
    groups = ((1, "default admin warning group", "1,2"),) if c.gen.g1 else (
        (1, "default admin warning group", None), (2, "global alert group", None))
    return [{"id": i, "groupName": name, "alertInstanceIds": ids, "description": name,
             "createTime": seeded, "updateTime": seeded, "createUserId": 1}
            for i, name, ids in groups]


def product_info(c: Ctx) -> Any:
    return {"id": 1, "clusterName": "sandbox", "productName": "dagship-sandbox",
            "version": c.gen.version}

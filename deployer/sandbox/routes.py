"""Endpoint handlers and the route table of one API generation (paths under /dolphinscheduler).

A handler gets a `Ctx` and returns the envelope's `data`, or raises `ApiError` / `MissingParam`.
Each route carries the HTTP status of its `@ResponseStatus` and the generic code of its
`@ApiException`, which is what the real server answers for missing or malformed parameters.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from deployer.sandbox import (
    instances,
    lookups,
    render,
    resources,
    schedules,
    tenants,
    workflows,
)
from deployer.sandbox.context import Ctx
from deployer.sandbox.generation import Generation
from deployer.sandbox.params import REQUIRED
from deployer.sandbox.status import ApiError
from deployer.sandbox.store import ADMIN, DATE_FORMAT, State, now_text

__all__ = ["Ctx", "Route", "build_routes"]

_EXEC = ("PARALLEL", "SERIAL_WAIT", "SERIAL_DISCARD", "SERIAL_PRIORITY")
_PRIORITY = ("HIGHEST", "HIGH", "MEDIUM", "LOW", "LOWEST")
_RELEASE = ("OFFLINE", "ONLINE")


Handler = Callable[[Ctx], Any]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    status: int
    generic: int
    mutates: bool


# --- auth ------------------------------------------------------------------------------------

def login(c: Ctx) -> Any:
    name = c.p.opt("userName")
    if not name:
        raise ApiError(10004)
    if name != ADMIN["userName"] or c.p.opt("userPassword") != ADMIN["password"]:
        raise ApiError(10013, thrown=False)
    sid: str | None = next((s for s, uid in c.st.sessions.items() if uid == ADMIN["id"]), None)
    if sid is None:
        sid = str(uuid.uuid4())
        c.st.sessions[sid] = ADMIN["id"]
        c.st.changed()
    c.cookies.update(sessionId=sid, securityConfigType="PASSWORD")
    return {"sessionId": sid, "securityConfigType": "PASSWORD"}


def token_create(c: Ctx) -> Any:
    user_id = c.p.num("userId")
    expire = c.p.text("expireTime")
    try:
        datetime.strptime(expire, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise ApiError(70010) from None
    if user_id <= 0:
        raise ApiError(10001, "userId")
    if user_id != ADMIN["id"]:
        raise ApiError(30001, thrown=False)
    row = add_token(c.st, c.p.opt("token") or secrets.token_hex(16), expire, user_id)
    return dict(row, userName=None)  # only the list joins the user's name (real 3.2.2, dev)


def add_token(st: State, token: str, expire: str, user_id: int = 1) -> dict[str, Any]:
    now = now_text()
    row: dict[str, Any] = {"id": st.next_id("token"), "userId": user_id, "token": token,
                           "expireTime": expire, "createTime": now, "updateTime": now,
                           "userName": "admin"}
    st.tokens[row["id"]] = row
    st.changed()
    return row


def token_list(c: Ctx) -> Any:
    page_no, size = c.p.paging()
    search = c.p.opt("searchVal") or ""
    rows = [t for t in sorted(c.st.tokens.values(), key=lambda t: -t["id"])
            if search in t["userName"]]
    return render.page(c.st, rows, page_no, size)


# --- projects --------------------------------------------------------------------------------

def _project(c: Ctx) -> dict[str, Any]:
    code = c.p.var("code") if "code" in c.p.path else c.p.var("projectCode")
    proj = c.st.projects.get(code)
    if proj is None:
        raise ApiError(10018, code, thrown=False)
    return proj


def _check_project_desc(c: Ctx, desc: str | None) -> None:
    """ProjectServiceImpl.checkDesc, the service's first step: 3.1 answers 10001 ("desc
    length"), 3.2+ 1400004; both returned, not thrown."""
    if desc is not None and len(desc) > 255:
        if c.gen.g1:
            raise ApiError(10001, "desc length", thrown=False)
        raise ApiError(1400004, thrown=False)


def project_create(c: Ctx) -> Any:
    name = c.p.text("projectName")
    desc = c.p.opt("description")
    _check_project_desc(c, desc)
    if any(p["name"] == name for p in c.st.projects.values()):
        raise ApiError(10019, name, thrown=False)
    now = now_text()
    proj = {"id": c.st.next_id("project"), "code": c.st.codes.next(), "name": name,
            "description": desc, "userId": c.user_id, "createTime": now, "updateTime": now}
    c.st.projects[proj["code"]] = proj
    c.st.changed()
    # the created row carries its owner's name; later reads do not join it (real 3.2.2, dev)
    return dict(render.project_out(c.st, proj), userName=ADMIN["userName"])


def project_list(c: Ctx) -> Any:
    return [render.project_out(c.st, p)
            for p in sorted(c.st.projects.values(), key=lambda p: p["id"])]


def project_page(c: Ctx) -> Any:
    page_no, size = c.p.paging()
    search = c.p.opt("searchVal") or ""
    rows = [render.project_out(c.st, p, paged=True)
            for p in sorted(c.st.projects.values(), key=lambda p: -p["id"])
            if search in p["name"] or search in (p["description"] or "")]
    return render.page(c.st, rows, page_no, size)


def project_get(c: Ctx) -> Any:
    return render.project_out(c.st, _project(c))


def project_update(c: Ctx) -> Any:
    name = c.p.text("projectName")
    if c.gen.g1:
        c.p.text("userName")
    desc = c.p.opt("description")
    _check_project_desc(c, desc)
    proj = _project(c)
    if any(p["name"] == name and p["code"] != proj["code"] for p in c.st.projects.values()):
        raise ApiError(10019, name, thrown=False)
    proj.update(name=name, description=desc, updateTime=now_text())
    c.st.changed()
    return render.project_out(c.st, proj)


def project_delete(c: Ctx) -> Any:
    proj = _project(c)
    if any(w["projectCode"] == proj["code"] for w in c.st.wfs.values()):
        raise ApiError(10137, thrown=False)
    del c.st.projects[proj["code"]]
    c.st.changed()
    return True  # real 3.1.1, 3.2.2 and dev


# --- workflow definitions --------------------------------------------------------------------

def _form(c: Ctx) -> workflows.WorkflowForm:
    p = c.p
    return workflows.WorkflowForm(
        name=p.text("name"), description=p.opt("description"),
        global_params=p.text("globalParams", "[]"), locations=p.opt("locations"),
        timeout=p.num("timeout", 0), task_json=p.text("taskDefinitionJson"),
        relation_json=p.text("taskRelationJson"),
        execution_type=p.enum("executionType", _EXEC, "PARALLEL"),
        tenant_code=p.text("tenantCode") if c.gen.g1 else None)


def wf_create(c: Ctx) -> Any:
    return workflows.create(c.st, c.p.var("projectCode"), _form(c))


def wf_update(c: Ctx) -> Any:
    form = _form(c)
    state = c.p.enum("releaseState", _RELEASE, "OFFLINE")
    return workflows.update(c.st, c.p.var("projectCode"), c.p.var("code"), form, state)


def _read_project(c: Ctx) -> int:
    code = c.p.var("projectCode")
    if code not in c.st.projects:
        raise ApiError(10018, code, thrown=False)
    return code


def wf_get(c: Ctx) -> Any:
    return render.dag_data(c.st, workflows.find(c.st, _read_project(c), c.p.var("code")))


def wf_by_name(c: Ctx) -> Any:
    project = _read_project(c)
    name = c.p.text("name")
    code = c.st.by_name.get((project, name))
    if code is None or (c.gen.g1 and not _creator_has_tenant(c, c.st.wfs[code])):
        raise ApiError(50003, name, thrown=False)
    return render.dag_data(c.st, c.st.wfs[code], by_name=True)


def _creator_has_tenant(c: Ctx, wf: dict[str, Any]) -> bool:
    """3.1's `queryByDefineName` INNER JOINs creator -> tenant -> queue, so a workflow whose
    creator has no tenant is never found by name (3.2 dropped the joins). The sandbox's only
    user is the seeded admin, who has none until given one (deployer.sandbox.tenants)."""
    return wf.get("userId", ADMIN["id"]) == ADMIN["id"] and tenants.creator_has_tenant(c)


def wf_verify(c: Ctx) -> Any:
    project = _read_project(c)
    name = c.p.text("name").strip()
    code = c.p.num(c.gen.verify_code_key, 0)
    found = c.st.by_name.get((project, name))
    if found is not None and found != code:
        raise ApiError(10168, name, thrown=False)
    return None


def _newest_first(c: Ctx, project: int) -> list[dict[str, Any]]:
    """`ORDER BY create_time DESC` (real 3.1.1, 3.2.2, dev): newest first. Rows of the same
    second come in no defined order on a real server; here the later id comes first."""
    return sorted(c.st.workflows_of(project), key=lambda w: (w["createTime"], w["id"]),
                  reverse=True)


def wf_list(c: Ctx) -> Any:
    project = _read_project(c)
    return [render.dag_data(c.st, w) for w in _newest_first(c, project)]


def wf_simple(c: Ctx) -> Any:
    project = _read_project(c)
    return [{"id": w["id"], "code": w["code"], "name": w["name"], "projectCode": project}
            for w in _newest_first(c, project)]


def wf_page(c: Ctx) -> Any:
    project = _read_project(c)
    page_no, size = c.p.paging()
    search = c.p.opt("searchVal") or ""
    rows = [w for w in c.st.workflows_of(project)
            if search in w["name"] or search in (w["description"] or "")]
    rows.sort(key=lambda w: (w["updateTime"], w["id"]), reverse=True)
    return render.page(c.st, [render.definition(c.st, w, paged=True) for w in rows], page_no,
                       size)


def wf_release(c: Ctx) -> Any:
    state = c.p.enum("releaseState", _RELEASE)
    project = workflows.project_for_write(c.st, c.p.var("projectCode"))["code"]
    workflows.release(c.st, project, c.p.var("code"), state)
    return None if c.gen.g1 else True


def wf_delete(c: Ctx) -> Any:
    workflows.delete(c.st, c.p.var("projectCode"), c.p.var("code"))


def wf_batch_delete(c: Ctx) -> Any:
    project = c.p.var("projectCode")
    failed = []
    for text in c.p.text("codes").split(","):
        if not text.strip():
            continue
        try:
            workflows.delete(c.st, project, int(text))
        except (ApiError, ValueError):
            failed.append(text.strip())
    if failed:
        raise ApiError(50026, ",".join(failed), thrown=False)


def wf_versions(c: Ctx) -> Any:
    page_no, size = c.p.paging()
    wf = workflows.find(c.st, _read_project(c), c.p.var("code"))
    return render.page(c.st, workflows.version_rows(c.st, wf["code"]), page_no, size)


def wf_switch(c: Ctx) -> Any:
    workflows.switch_version(c.st, c.p.var("projectCode"), c.p.var("code"), c.p.var("version"))


def wf_version_delete(c: Ctx) -> Any:
    workflows.delete_version(c.st, c.p.var("projectCode"), c.p.var("code"),
                             c.p.var("version"))


def gen_codes(c: Ctx) -> Any:
    n = c.p.num("genNum")
    if not 1 <= n <= 100:
        raise ApiError(50017, "genNum", thrown=False)
    return [c.st.codes.next() for _ in range(n)]


# --- schedules -------------------------------------------------------------------------------

def _schedule_form(c: Ctx, *, update: bool) -> schedules.ScheduleForm:
    p = c.p
    group_default = REQUIRED if update and c.gen.g1 else 1  # 3.1 update has no default
    return schedules.ScheduleForm(
        schedule=p.text("schedule"),
        warning_type=p.enum("warningType", ("NONE", "SUCCESS", "FAILURE", "ALL"), "NONE"),
        warning_group_id=p.num("warningGroupId", group_default),
        failure_strategy=p.enum("failureStrategy", ("CONTINUE", "END"),
                                "END" if update else "CONTINUE"),
        worker_group=p.text("workerGroup", "default"),
        tenant_code=p.text("tenantCode", "default"),
        environment_code=p.num("environmentCode", -1),
        priority=p.enum(c.gen.priority_key, _PRIORITY, "MEDIUM"))


def sched_create(c: Ctx) -> Any:
    code = c.p.num(c.gen.code_key)
    sched = schedules.create(c.st, c.p.var("projectCode"), code,
                             _schedule_form(c, update=False))
    return _saved_schedule(c, sched)


def _saved_schedule(c: Ctx, sched: dict[str, Any]) -> Any:
    """The row as saved: the joined names are null (real 3.2.2 and dev)."""
    return render.schedule_out(c.st, sched, joined=False)


def sched_update(c: Ctx) -> Any:
    sched = schedules.update(c.st, c.p.var("projectCode"), c.p.var("id"),
                             _schedule_form(c, update=True))
    return None if c.gen.g1 else _saved_schedule(c, sched)  # 3.2+ answers the schedule


def sched_online(c: Ctx) -> Any:
    schedules.set_online(c.st, c.p.var("projectCode"), c.p.var("id"), True)
    return None if c.gen.g1 else True


def sched_offline(c: Ctx) -> Any:
    schedules.set_online(c.st, c.p.var("projectCode"), c.p.var("id"), False)
    return None if c.gen.g1 else True


def sched_delete(c: Ctx) -> Any:
    schedules.delete(c.st, c.p.var("projectCode"), c.p.var("id"))


def sched_page(c: Ctx) -> Any:
    project = _read_project(c)
    code = c.p.num(c.gen.code_key) if c.gen.g1 else c.p.num(c.gen.code_key, 0)
    page_no, size = c.p.paging()
    rows = schedules.of_project(c.st, project, code, c.p.opt("searchVal") or "")
    return render.page(c.st, [render.schedule_out(c.st, s) for s in rows], page_no, size)


def sched_list(c: Ctx) -> Any:
    project = _read_project(c)
    return [render.schedule_out(c.st, s) for s in schedules.of_project(c.st, project)]


def sched_preview(c: Ctx) -> Any:
    return schedules.preview(c.p.text("schedule"))


# --- the table -------------------------------------------------------------------------------

_V = r"(?P<{}>-?\d+|[^/]+)"  # numeric in practice; non-numbers fail conversion like Spring


def _compile(path: str) -> re.Pattern[str]:
    out = re.sub(r"\{(\w+)\}", lambda m: _V.format(m.group(1)), path)
    return re.compile("^" + out + "/?$")


def build_routes(gen: Generation) -> list[Route]:
    wd = f"/projects/{{projectCode}}/{gen.wd}"
    sc = "/projects/{projectCode}/schedules"
    table: list[tuple[str, str, Handler, int, int, bool]] = [
        ("POST", "/login", login, 200, 10043, True),
        ("POST", "/access-tokens", token_create, 201, 70010, True),
        ("GET", "/access-tokens", token_list, 200, 70012, False),
        ("POST", "/projects", project_create, 201, 10048, True),
        ("GET", "/projects", project_page, 200, 10049, False),
        ("GET", "/projects/list", project_list, 200, 10049, False),
        ("GET", "/projects/{code}", project_get, 200, 10047, False),
        ("PUT", "/projects/{code}", project_update, 200, 10046, True),
        ("DELETE", "/projects/{code}", project_delete, 200, 10050, True),
        ("POST", wd, wf_create, 201, 10105, True),
        ("GET", wd, wf_page, 200, 10122, False),
        ("GET", wd + "/query-by-name", wf_by_name, 200, 10109, False),
        ("GET", wd + "/verify-name", wf_verify, 200, 10106, False),
        ("GET", wd + "/list", wf_list, 200, 10110, False),
        ("GET", wd + "/all", wf_list, 200, 10110, False),
        ("GET", wd + "/simple-list", wf_simple, 200, 10110, False),
        ("POST", wd + "/batch-delete", wf_batch_delete, 200, 50026, True),
        ("GET", wd + "/{code}", wf_get, 200, 10109, False),
        ("PUT", wd + "/{code}", wf_update, 200, 10107, True),
        ("DELETE", wd + "/{code}", wf_delete, 200, 50022, True),
        ("POST", wd + "/{code}/release", wf_release, 200, 10108, True),
        ("GET", wd + "/{code}/versions", wf_versions, 200, 10154, False),
        ("GET", wd + "/{code}/versions/{version}", wf_switch, 200, 10151, True),
        ("DELETE", wd + "/{code}/versions/{version}", wf_version_delete, 200, 10156, True),
        ("GET", "/projects/{projectCode}/task-definition/gen-task-codes", gen_codes, 200,
         10049, False),
        ("POST", sc, sched_create, 201, 10076, True),
        ("GET", sc, sched_page, 200, 10080, False),
        ("POST", sc + "/list", sched_list, 200, 10081, False),
        ("POST", sc + "/preview", sched_preview, 201, 10139, False),
        ("PUT", sc + "/{id}", sched_update, 200, 10077, True),
        ("DELETE", sc + "/{id}", sched_delete, 200, 50024, True),
        ("POST", sc + "/{id}/online", sched_online, 200, 10078, True),
        ("POST", sc + "/{id}/offline", sched_offline, 200, 10079, True),
        ("GET", "/datasources/list", lookups.ds_list, 200, 10035, False),
        ("GET", "/datasources", lookups.ds_page, 200, 10035, False),
        ("GET", "/environment/query-environment-list", lookups.env_list, 200, 1200010, False),
        ("GET", "/worker-groups/all", lookups.worker_groups, 200, 10146, False),
        ("GET", "/tenants/list", lookups.tenants, 200, 10086, False),
        ("GET", "/alert-groups/list", lookups.alert_groups, 200, 10028, False),
    ]
    table += instances.routes(gen) + tenants.routes()
    if gen.g3:
        table.append(("GET", "/ui-plugins/query-product-info", lookups.product_info, 200,
                      10000, False))
        table.append(resources.ROUTE_BASE_DIR)
    table += resources.ROUTES_G1 if gen.g1 else resources.ROUTES_G2
    return [Route(m, _compile(path), h, status, generic, mutates)
            for m, path, h, status, generic, mutates in table]

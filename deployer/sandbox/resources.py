"""The resource center (type FILE) as each generation serves it.

3.1 keeps resources as rows with ids (`pid` links a file to its directory; `-1` is the top)
and its `fullName` is the path inside the resource center (`/dagship/p/x.sh`). 3.2+ keeps
no rows: a resource is its path in storage, under the tenant's folder
(`/dolphinscheduler/default/resources/...`), and is named by that full path.

A server without storage: 3.1 checks `resource.storage.type` first and answers 60002
"storage not startup" on every write and read of content, while its listings (database
rows) still answer. 3.2+ has no such check: its listing answers an empty list and a write
dereferences the missing storage operator, which the exception handler turns into the
endpoint's own error code (answered here by raising a plain exception).
"""

from __future__ import annotations

import posixpath
from typing import Any

from deployer.sandbox import render
from deployer.sandbox.context import Ctx
from deployer.sandbox.status import ApiError
from deployer.sandbox.store import State, now_text

__all__ = ["G2_BASE", "MAX_FILE_SIZE", "ROUTES_G1", "ROUTES_G2", "ROUTE_BASE_DIR", "Download"]

MAX_FILE_SIZE = 1024 * 1024 * 1024  # Constants.MAX_FILE_SIZE (3.1.1 and 3.2.2)
G2_BASE = "/dolphinscheduler/default/resources/"  # LOCAL storage, tenant `default`
RESOURCE_NOT_EXIST, RESOURCE_EXIST = 20004, 20005
SIZE_EXCEEDED, SUFFIX_CHANGED, FILE_EMPTY = 20007, 20008, 10062
PARENT_NOT_EXIST, STORAGE_NOT_STARTUP, ILLEGAL_PATH = 20015, 60002, 20020
TENANT_NOT_EXIST, RESOURCE_HAS_FOLDER, RESOURCE_IS_USED = 10181, 20018, 20014
SUFFIX_NOT_VIEWABLE = 20006


class Download:
    """A file body instead of an envelope: an attachment labelled application/json (as
    3.1.1 labels any file), or a refusal in plain text with HTTP 400."""

    def __init__(self, name: str, data: bytes, status: int = 200) -> None:
        self.name = name
        self.data = data
        self.status = status

    @classmethod
    def refused(cls, text: str) -> Download:
        return cls("", text.encode(), 400)


def _table(st: State) -> dict[str, dict[str, Any]]:
    return st.resources


def _need_storage(c: Ctx) -> None:
    if not c.st.storage:
        if c.gen.g1:
            raise ApiError(STORAGE_NOT_STARTUP)
        raise RuntimeError("Cannot invoke \"StorageOperate...\" because \"this.storageOperate\" "
                           "is null")


def _g1_tenant(c: Ctx) -> None:
    """3.1 stores files in the folder of the user's tenant: creating a folder or a file,
    and deleting one, first check that the user has one (10181; seen on a real 3.1.1).
    The tenant given through `POST /users/update` counts, as on the real server (the same
    one a run needs); the seeded record's own field is what tests set directly."""
    from deployer.sandbox import tenants
    from deployer.sandbox.store import ADMIN
    if c.user_id == ADMIN["id"] and int(ADMIN.get("tenantId") or 0) <= 0 \
            and not tenants.creator_has_tenant(c):
        raise ApiError(TENANT_NOT_EXIST)


def _upload(c: Ctx) -> tuple[str, bytes]:
    got = c.files.get("file")
    if got is None:
        from deployer.sandbox.status import MissingParam
        raise MissingParam("Required request part 'file' is not present")
    return got


def _check_file(name: str, file_name: str, data: bytes) -> None:
    if "/" in name or ".." in name:
        raise ApiError(1300009)  # VERIFY_PARAMETER_NAME_FAILED
    if not data:
        raise ApiError(FILE_EMPTY)
    if _suffix(file_name).lower() != _suffix(name).lower():
        raise ApiError(SUFFIX_CHANGED)
    if len(data) > MAX_FILE_SIZE:
        raise ApiError(SIZE_EXCEEDED)


def _suffix(name: str) -> str:
    base = posixpath.basename(name)
    return base.rsplit(".", 1)[1] if "." in base else ""


def _row(c: Ctx, full: str, *, directory: bool, pid: int = -1, description: str | None = "",
         data: bytes = b"", file_name: str = "") -> dict[str, Any]:
    now = now_text()
    name = posixpath.basename(full.rstrip("/"))
    row = {"id": c.st.next_id("resource"), "pid": pid, "alias": name, "fullName": full,
           "directory": directory, "description": description,
           "fileName": file_name or name, "userId": c.user_id, "type": "FILE",
           "size": len(data), "createTime": now, "updateTime": now, "content": data}
    _table(c.st)[full] = row
    c.st.changed()
    return row


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the paged list shows it (the server adds the owner's name)."""
    out = {k: v for k, v in row.items() if k != "content"}
    out["userName"] = "admin"
    return out


def _created(row: dict[str, Any]) -> dict[str, Any]:
    """What a 3.1 create answers: the row's fields, userName still null."""
    return {**_public(row), "userName": None}


def _page(c: Ctx, rows: list[dict[str, Any]], shape: Any) -> dict[str, Any]:
    no, size = c.p.paging()
    return render.page(c.st, [shape(r) for r in rows], no, size)  # the one PageInfo


# -- 3.1: ids -------------------------------------------------------------------------------
def _by_id(c: Ctx, rid: int) -> dict[str, Any]:
    for row in _table(c.st).values():
        if row["id"] == rid:
            return row
    raise ApiError(RESOURCE_NOT_EXIST)


def _children(st: State, pid: int) -> list[dict[str, Any]]:
    return sorted((r for r in _table(st).values() if r["pid"] == pid), key=lambda r: r["id"])


def _tree(st: State, pid: int) -> list[dict[str, Any]]:
    out = []
    for r in _children(st, pid):
        # as 3.1.1 writes it: fullName without the leading "/", `dirctory` (Lombok's
        # getter of `isDirctory`), in this key order
        node = {"id": r["id"], "pid": r["pid"], "name": r["alias"],
                "fullName": r["fullName"].lstrip("/"), "description": r["description"],
                "children": _tree(st, r["id"]) if r["directory"] else [], "type": "FILE",
                "currentDir": None, "idValue": f"{r['id']}_{1 if r['directory'] else 0}",
                "dirctory": r["directory"]}
        out.append(node)
    return out


def g1_list(c: Ctx) -> Any:
    c.p.text("type")
    return _tree(c.st, -1)


def g1_page(c: Ctx) -> Any:
    c.p.text("type")
    pid = int(c.p.num("id"))
    if pid != -1:
        _by_id(c, pid)
    search = c.p.opt("searchVal") or ""
    rows = [r for r in _children(c.st, pid) if search in r["alias"]]
    # newest first, as a real 3.1.1 pages them (its query orders by update time)
    rows.sort(key=lambda r: (r["updateTime"], r["id"]), reverse=True)
    table = _table(c.st)

    def shape(row: dict[str, Any]) -> dict[str, Any]:
        out = _public(row)
        if row["directory"]:  # a real 3.1.1 shows a folder's size as all its files' sizes
            below = row["fullName"].rstrip("/") + "/"
            out["size"] = sum(r["size"] for r in table.values()
                              if not r["directory"] and r["fullName"].startswith(below))
        return out
    return _page(c, rows, shape)


def _g1_parent(c: Ctx, pid: int, current: str) -> None:
    if pid != -1:
        parent = _by_id(c, pid) if any(r["id"] == pid for r in _table(c.st).values()) else None
        if parent is None:
            raise ApiError(PARENT_NOT_EXIST)


def _join(current: str, name: str) -> str:
    return current + name if current == "/" else f"{current}/{name}"


def g1_directory(c: Ctx) -> Any:
    c.p.text("type")
    name, pid, current = c.p.text("name"), int(c.p.num("pid")), c.p.text("currentDir")
    _need_storage(c)
    full = _join(current, name)
    _g1_parent(c, pid, current)
    if full in _table(c.st):
        raise ApiError(RESOURCE_EXIST)
    _g1_tenant(c)
    # no description given: null, as a real 3.1.1 stores it
    return _created(_row(c, full, directory=True, pid=pid,
                         description=c.p.opt("description")))


def g1_create(c: Ctx) -> Any:
    c.p.text("type")
    name, pid, current = c.p.text("name"), int(c.p.num("pid")), c.p.text("currentDir")
    file_name, data = _upload(c)
    _need_storage(c)
    _g1_tenant(c)
    _check_file(name, file_name, data)
    full = _join(current, name)
    if full in _table(c.st):
        raise ApiError(RESOURCE_EXIST)
    _g1_parent(c, pid, current)
    return _created(_row(c, full, directory=False, pid=pid, data=data, file_name=file_name,
                         description=c.p.opt("description") or ""))


def g1_update(c: Ctx) -> Any:
    rid = c.p.var("id")
    name = c.p.text("name")
    _need_storage(c)
    row = _by_id(c, rid)
    if name != row["alias"]:
        raise ApiError(SUFFIX_CHANGED) if _suffix(name) != _suffix(row["alias"]) else \
            ApiError(RESOURCE_EXIST)  # renames are not modelled: dagship never renames
    row["description"] = c.p.opt("description") or ""
    if "file" in c.files:
        file_name, data = c.files["file"]
        _check_file(name, file_name, data)
        row.update(content=data, size=len(data), fileName=file_name)
    row["updateTime"] = now_text()
    c.st.changed()
    return _created(row)  # the updated row, as a create answers


def g1_delete(c: Ctx) -> Any:
    rid = c.p.var("id")
    _need_storage(c)
    row = _by_id(c, rid)
    _g1_tenant(c)
    if row["directory"] and _children(c.st, rid):
        raise ApiError(RESOURCE_HAS_FOLDER, row["alias"])
    used = _g1_used(c.st)
    if rid in used or row["pid"] in used:
        raise ApiError(RESOURCE_IS_USED)
    del _table(c.st)[row["fullName"]]
    c.st.changed()
    return None


def _g1_used(st: State) -> set[int]:
    """Resource ids the tasks of online workflows name (listResources joins
    release_state = 1): those, and folders holding them directly, cannot be deleted."""
    import json
    used: set[int] = set()
    for wf in st.wfs.values():
        if wf.get("releaseState") != "ONLINE":
            continue
        for key in wf["tasks"]:
            params = st.tasks[tuple(key)].get("taskParams")
            params = json.loads(params) if isinstance(params, str) else params or {}
            for ref in [*(params.get("resourceList") or []), params.get("mainJar") or {}]:
                if isinstance(ref, dict) and isinstance(ref.get("id"), int):
                    used.add(ref["id"])
    return used


def g1_download(c: Ctx) -> Any:
    rid = c.p.var("id")
    _need_storage(c)
    row = next((r for r in _table(c.st).values() if r["id"] == rid), None)
    if row is None or row["directory"]:
        return Download.refused("resource not exist")  # 3.1.1: HTTP 400, plain text
    return Download(row["alias"], row["content"])


def g1_get(c: Ctx) -> Any:
    c.p.text("type")
    full = c.p.opt("fullName")
    if full:
        row = _table(c.st).get(full)
        if row is None:
            raise ApiError(RESOURCE_NOT_EXIST)
        return _public(row)
    return _public(_by_id(c, c.p.var("id")))


# -- 3.2+: full names -----------------------------------------------------------------------
def _entity(row: dict[str, Any]) -> dict[str, Any]:
    full = row["fullName"]
    shown = full + "/" if row["directory"] else full  # addFolderSeparatorIfNotExisted
    return {"alias": row["alias"], "fileName": row["alias"], "fullName": shown,
            "directory": row["directory"], "pfullName": posixpath.dirname(full.rstrip("/")) + "/",
            "type": "FILE", "size": row["size"], "userName": "admin",
            "createTime": row["createTime"], "updateTime": row["updateTime"]}


def _g2_check(full: str) -> None:
    if ".." in full or not (full == "/" or full == "" or full.startswith(G2_BASE)):
        raise ApiError(ILLEGAL_PATH, full)


def _g2_children(st: State, folder: str) -> list[dict[str, Any]]:
    folder = folder if folder.endswith("/") else folder + "/"
    return sorted((r for full, r in _table(st).items()
                   if posixpath.dirname(full.rstrip("/")) + "/" == folder),
                  key=lambda r: r["fullName"])


def g2_base_dir(c: Ctx) -> Any:
    c.p.text("type")
    return G2_BASE


def g2_page(c: Ctx) -> Any:
    c.p.text("type")
    full = c.p.text("fullName")
    if not c.st.storage:
        return _page(c, [], _entity)
    _g2_check(full)
    folder = G2_BASE if full in ("", "/") else full
    search = c.p.opt("searchVal") or ""
    return _page(c, [r for r in _g2_children(c.st, folder) if search in r["alias"]], _entity)


def g2_list(c: Ctx) -> Any:
    c.p.text("type")
    # 3.2.2 requires fullName ("" for all); the 3.3 generation dropped the parameter
    full = (c.p.opt("fullName") or "") if c.gen.g3 else c.p.text("fullName")
    if not c.st.storage:
        return []
    _g2_check(full)
    top = G2_BASE if full in ("", "/") else full

    def tree(folder: str) -> list[dict[str, Any]]:
        return [{"id": 0, "pid": 0, "name": r["alias"], "fullName": r["fullName"],
                 "description": "", "isDirctory": r["directory"], "type": "FILE",
                 "children": tree(r["fullName"]) if r["directory"] else []}
                for r in _g2_children(c.st, folder)]
    return tree(top)


def _g2_target(current: str, name: str) -> str:
    # a currentDir outside the user's folder means its top (as uploadResource computes it)
    folder = current if G2_BASE in current else G2_BASE
    return folder.rstrip("/") + "/" + name


def g2_directory(c: Ctx) -> Any:
    c.p.text("type")
    name, current = c.p.text("name"), c.p.text("currentDir")
    _need_storage(c)
    _g2_check(current)
    full = _g2_target(current, name)
    if full in _table(c.st):
        raise ApiError(RESOURCE_EXIST)
    _g2_parent(c, full)
    _row(c, full, directory=True)
    return None


def _g2_parent(c: Ctx, full: str) -> None:
    parent = posixpath.dirname(full)
    if parent + "/" != G2_BASE and parent not in _table(c.st):
        raise ApiError(PARENT_NOT_EXIST)


def g2_create(c: Ctx) -> Any:
    c.p.text("type")
    name, current = c.p.text("name"), c.p.text("currentDir")
    file_name, data = _upload(c)
    _need_storage(c)
    _g2_check(current)
    _check_file(name, file_name, data)
    full = _g2_target(current, name)
    if full in _table(c.st):
        raise ApiError(RESOURCE_EXIST)
    _g2_parent(c, full)
    _row(c, full, directory=False, data=data, file_name=file_name)
    return None


def _g2_row(c: Ctx, full: str) -> dict[str, Any]:
    _g2_check(full)
    row = _table(c.st).get(full.rstrip("/"))
    if row is None:
        raise ApiError(RESOURCE_NOT_EXIST)
    return row


def g2_update(c: Ctx) -> Any:
    full, name = c.p.text("fullName"), c.p.text("name")
    c.p.text("type")
    _need_storage(c)
    row = _g2_row(c, full)
    if name != row["alias"]:
        raise ApiError(SUFFIX_CHANGED) if _suffix(name) != _suffix(row["alias"]) else \
            ApiError(RESOURCE_EXIST)
    if "file" in c.files:
        file_name, data = c.files["file"]
        _check_file(name, file_name, data)
        row.update(content=data, size=len(data))
    row["updateTime"] = now_text()
    c.st.changed()
    return None


def g2_delete(c: Ctx) -> Any:
    full = c.p.text("fullName")
    _need_storage(c)
    full = _g2_row(c, full)["fullName"]
    for key in [k for k in _table(c.st) if k == full or k.startswith(full + "/")]:
        del _table(c.st)[key]
    c.st.changed()
    return None


def g2_download(c: Ctx) -> Any:
    full = c.p.text("fullName")
    _need_storage(c)
    row = _g2_row(c, full)
    if row["directory"]:
        raise ApiError(RESOURCE_NOT_EXIST)
    return Download(row["alias"], row["content"])


# resource.view.suffixs' default (Constants.RESOURCE_VIEW_SUFFIXES_DEFAULT_VALUE)
VIEWABLE = frozenset(("txt", "log", "sh", "bat", "conf", "cfg", "py", "java", "sql", "xml",
                      "hql", "properties", "json", "yml", "yaml", "ini", "js"))


def _view(row: dict[str, Any], c: Ctx) -> dict[str, Any]:
    """Lines skipLineNum.. of a text file, at most `limit` of them, joined by newlines."""
    skip, limit = int(c.p.num("skipLineNum")), int(c.p.num("limit"))
    if _suffix(row["alias"]).lower() not in VIEWABLE:
        raise ApiError(SUFFIX_NOT_VIEWABLE)
    lines = row["content"].decode("utf-8", "replace").splitlines()
    return {"alias": row["alias"], "content": "\n".join(lines[skip: skip + limit])}


def g1_view(c: Ctx) -> Any:
    rid = c.p.var("id")
    _need_storage(c)
    row = _by_id(c, rid)
    return _view(row, c)


def g2_view(c: Ctx) -> Any:
    full = c.p.text("fullName")
    _need_storage(c)
    return _view(_g2_row(c, full), c)


# (method, path, handler, status, generic error code, mutates); codes from Status.java
ROUTES_G1 = [
    ("GET", "/resources/list", g1_list, 200, 10056, False),
    ("GET", "/resources", g1_page, 200, 10057, False),
    # a real 3.1.1 answers its resource creates 200, not 201 as 3.2+ do
    ("POST", "/resources/directory", g1_directory, 200, 10054, True),
    ("POST", "/resources", g1_create, 200, 10054, True),
    ("GET", "/resources/{id}/download", g1_download, 200, 10064, False),
    ("GET", "/resources/{id}/view", g1_view, 200, 10060, False),
    ("PUT", "/resources/{id}", g1_update, 200, 10055, True),
    ("DELETE", "/resources/{id}", g1_delete, 200, 10058, True),
    ("GET", "/resources/{id}", g1_get, 200, 20004, False),
]
ROUTES_G2 = [
    ("GET", "/resources/list", g2_list, 200, 10056, False),
    ("GET", "/resources", g2_page, 200, 10057, False),
    ("POST", "/resources/directory", g2_directory, 201, 10054, True),
    ("POST", "/resources", g2_create, 201, 10054, True),
    ("GET", "/resources/download", g2_download, 200, 10064, False),
    ("GET", "/resources/view", g2_view, 200, 10060, False),
    ("PUT", "/resources", g2_update, 200, 10055, True),
    ("DELETE", "/resources", g2_delete, 200, 10058, True),
]
ROUTE_BASE_DIR = ("GET", "/resources/base-dir", g2_base_dir, 200, 10056, False)

"""The resource center, in the two dialects it has had.

3.1 names a resource by a database id: a file lives in a directory row (`pid`), uploads
carry `pid` and `currentDir`, update/delete/download take `/resources/{id}`, and tasks point
at `{"id": n}`. 3.2+ dropped the table: a resource is its storage path (`fullName`, e.g.
`/dolphinscheduler/default/resources/dagship/p/x.sh`), update/delete/download take
`fullName`, and tasks point at `{"resourceName": fullName}`.

Callers speak paths relative to the directory dagship owns (`root`, e.g. `/dagship/p`);
nothing here ever touches a path outside it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from deployer.client.api import DSClient
from deployer.core.errors import ApiError

RESOURCE_EXIST = 20005
TENANT_NOT_EXIST, CREATE_ERROR, STORAGE_NOT_STARTUP = 10181, 10054, 60002
DELETE_ERROR = 10058
PAGE_SIZE = 500


@dataclass(frozen=True)
class RemoteFile:
    path: str  # relative to the owned root, posix
    full_name: str  # the server's name for it
    size: int
    directory: bool
    id: int | None = None  # 3.1 only
    description: str = ""


class ResourceCenter:
    """Files under `root` of one target's resource center (type FILE)."""

    def __init__(self, client: DSClient, generation: str, root: str, *,
                 base: str | None = None, dirs: Mapping[str, RemoteFile] | None = None) -> None:
        """`base` and `dirs`: what an earlier list() of the same root learnt (a plan's), so
        an apply need not read them again."""
        self.c = client
        self.g1 = generation == "3.1"
        self.g3 = generation not in ("3.1", "3.2")
        self.root = "/" + root.strip("/")
        self._base = base  # 3.2+: the tenant's resource folder, ends with "/"
        self._dirs: dict[str, RemoteFile] = dict(dirs or {})  # relative dir ("" = root) -> row

    @property
    def _http(self) -> Any:
        return self.c._http

    # -- names -------------------------------------------------------------------------------
    def full_name(self, rel: str) -> str:
        """The server's name of `rel` (3.2+ needs the base folder, learnt by list())."""
        if self.g1:
            return posixpath.join(self.root, rel) if rel else self.root
        return self.base.rstrip("/") + (posixpath.join(self.root, rel) if rel else self.root)

    @property
    def base(self) -> str:
        if self._base is None:
            raise RuntimeError("list() first: the resource center's base folder is not known")
        return self._base

    def reference(self, f: RemoteFile) -> dict[str, Any]:
        """What a task's resourceList / mainJar holds for `f` in this dialect."""
        if self.g1:
            return {"id": f.id}
        return {"resourceName": f.full_name}

    # -- reads -------------------------------------------------------------------------------
    def list(self) -> dict[str, RemoteFile]:
        """Every file and directory below the root, keyed by relative path ("" = the root
        itself when it exists). One request per directory."""
        out: dict[str, RemoteFile] = {}
        self._dirs = {}
        if self.g1:
            found = self._g1_find_root()
            if found is not None:
                self._dirs[""] = out[""] = found
                self._walk_g1("", found, out)
            return out
        if not self._learn_base():
            return out  # 3.2 with an empty resource center: nothing of ours is there
        top = self.full_name("")
        parent = posixpath.dirname(top.rstrip("/")) + "/"
        for row in self._page_g2(parent):
            if _norm(row.get("fullName")) == top and row.get("directory"):
                raw = str(row["fullName"])
                self._dirs[""] = out[""] = RemoteFile("", raw, 0, True)
                self._walk_g2("", raw, out)
        return out

    def content(self, f: RemoteFile) -> bytes:
        if self.g1:
            return bytes(self._http.download(f"/resources/{f.id}/download"))
        return bytes(self._http.download("/resources/download", {"fullName": f.full_name}))

    def _g1_find_root(self) -> RemoteFile | None:
        tree = self._http.call("GET", "/resources/list", {"type": "FILE"}) or []
        for node in _nodes(tree):
            if _tree_name(node) == self.root and _tree_dir(node):
                return RemoteFile("", self.root, 0, True, int(node["id"]))
        return None

    def _walk_g1(self, rel: str, d: RemoteFile, out: dict[str, RemoteFile]) -> None:
        page = self._http.call("GET", "/resources", {"type": "FILE", "id": d.id, "pageNo": 1,
                                                      "pageSize": PAGE_SIZE, "searchVal": ""})
        for row in (page or {}).get("totalList") or []:
            name = posixpath.join(rel, str(row.get("alias") or row.get("fileName")))
            f = RemoteFile(name, str(row["fullName"]), int(row.get("size") or 0),
                           bool(row.get("directory")), int(row["id"]),
                           str(row.get("description") or ""))
            out[name] = f
            if f.directory:
                self._dirs[name] = f
                self._walk_g1(name, f, out)

    def _learn_base(self, *, create: bool = False) -> bool:
        """Find the tenant's resource folder; False when 3.2 cannot tell without writing."""
        if self._base is not None:
            return True
        if self.g3:
            self._base = str(self._http.call("GET", "/resources/base-dir", {"type": "FILE"}))
            return True
        # 3.2 has no base-dir endpoint: its top listing (fullName "") shows the user's
        # resource folder's children, whose paths name it. An empty one says nothing, so
        # an apply makes the first folder at "/" (it lands there) and reads again.
        for attempt in range(2):
            for row in self._page_g2(""):
                full = _strip(row.get("fullName")).rstrip("/")
                self._base = posixpath.dirname(full).rstrip("/") + "/"
                return True
            if not create or attempt:
                break
            self._mkdir_g2(self.root.strip("/").split("/")[0], "/")
        if create:
            raise ApiError("the resource center did not show the folder dagship just made",
                           code=-1, endpoint="GET /resources")
        return False

    def _page_g2(self, full: str) -> Iterator[dict[str, Any]]:
        page = self._http.call("GET", "/resources", {"type": "FILE", "fullName": full,
                                                      "tenantCode": "", "pageNo": 1,
                                                      "pageSize": PAGE_SIZE, "searchVal": ""})
        yield from (page or {}).get("totalList") or []

    def _walk_g2(self, rel: str, full: str, out: dict[str, RemoteFile]) -> None:
        for row in self._page_g2(full.rstrip("/") + "/"):
            # requests echo the server's own name (3.2.2's local storage answers
            # `file:/.../dir/`); comparisons use it without scheme and trailing `/`
            row_full = str(row.get("fullName") or "")
            name = posixpath.join(rel, posixpath.basename(_norm(row_full)))
            f = RemoteFile(name, row_full, int(row.get("size") or 0), bool(row.get("directory")))
            out[name] = f
            if f.directory:
                self._dirs[name] = f
                self._walk_g2(name, row_full, out)

    # -- writes ------------------------------------------------------------------------------
    def ensure_dir(self, rel: str) -> None:
        """Make `rel` (and the root, and every folder above it) if missing."""
        if rel in self._dirs:
            return
        if rel == "":
            if not self.g1:
                self._learn_base(create=True)
            parts = self.root.strip("/").split("/")
            for i in range(len(parts)):
                self._mkdir_abs("/" + "/".join(parts[: i + 1]))
            self._dirs[""] = self._dir_row("", self.full_name(""))
            return
        self.ensure_dir(posixpath.dirname(rel))
        parent = self._dirs[posixpath.dirname(rel)]
        name = posixpath.basename(rel)
        if self.g1:
            self._tolerant("POST", "/resources/directory",
                           {"type": "FILE", "name": name, "pid": parent.id,
                            "currentDir": parent.full_name, "description": ""})
        else:
            self._mkdir_g2(name, parent.full_name.rstrip("/") + "/")
        self._dirs[rel] = self._dir_row(rel, posixpath.join(parent.full_name, name))

    def _mkdir_abs(self, path: str) -> None:
        """One level of the root, outside dagship's own tree: made, never changed."""
        parent, name = posixpath.dirname(path), posixpath.basename(path)
        if self.g1:
            pid = -1 if parent == "/" else self._g1_id(parent)
            self._tolerant("POST", "/resources/directory",
                           {"type": "FILE", "name": name, "pid": pid, "currentDir": parent,
                            "description": ""})
        else:
            self._mkdir_g2(name, self.base.rstrip("/") + parent.rstrip("/") + "/")

    def _mkdir_g2(self, name: str, current: str) -> None:
        self._tolerant("POST", "/resources/directory",
                       {"type": "FILE", "name": name, "pid": -1, "currentDir": current})

    def _g1_id(self, full: str) -> int:
        tree = self._http.call("GET", "/resources/list", {"type": "FILE"}) or []
        for node in _nodes(tree):
            if _tree_name(node) == full and _tree_dir(node):
                return int(node["id"])
        raise ApiError(f"the resource folder {full} was not found after creating it",
                       code=-1, endpoint="GET /resources/list")

    def _dir_row(self, rel: str, full: str) -> RemoteFile:
        return RemoteFile(rel, full, 0, True, self._g1_id(full) if self.g1 else None)

    def _tolerant(self, method: str, path: str, form: dict[str, Any],
                  files: dict[str, tuple[str, bytes]] | None = None) -> None:
        """A create that may be repeated: "already exists" is the wanted state (a retried
        attempt whose first answer was lost, or a folder another run made)."""
        def attempt(_n: int) -> None:
            try:
                self._http.once(method, path, form, files)
            except ApiError as exc:
                if exc.code != RESOURCE_EXIST:
                    raise self._explained(exc, path) from exc
        self.c.policy.run(attempt, f"{method} {path}")

    def _explained(self, exc: ApiError, path: str) -> ApiError:
        """3.1 keeps files in the folder of the user's tenant: without one, an upload says
        10181 and a folder fails with its generic code. Say what to do about it."""
        if self.g1 and (exc.code == TENANT_NOT_EXIST
                        or (exc.code == CREATE_ERROR and path == "/resources/directory")):
            return ApiError(f"{exc.message}; on 3.1 the resource center keeps files in the "
                            "folder of the token's user's tenant: give that user a tenant "
                            "(Security > User Manage > Edit)", code=exc.code,
                            endpoint=exc.endpoint)
        if exc.code == STORAGE_NOT_STARTUP:
            return ApiError(f"{exc.message}; the scheduler has no resource storage: set "
                            "resource.storage.type (e.g. LOCAL or HDFS) in its "
                            "common.properties", code=exc.code, endpoint=exc.endpoint)
        return exc

    def upload(self, rel: str, data: bytes, description: str) -> None:
        folder = posixpath.dirname(rel)
        self.ensure_dir(folder)
        parent = self._dirs[folder]
        name = posixpath.basename(rel)
        files = {"file": (name, data)}
        if self.g1:
            form: dict[str, Any] = {"type": "FILE", "name": name, "pid": parent.id,
                                    "currentDir": parent.full_name, "description": description}
        else:
            form = {"type": "FILE", "name": name,
                    "currentDir": parent.full_name.rstrip("/") + "/"}
        self._tolerant("POST", "/resources", form, files)

    def update(self, f: RemoteFile, data: bytes, description: str) -> None:
        name = posixpath.basename(f.path)
        files = {"file": (name, data)}
        if self.g1:
            form: dict[str, Any] = {"type": "FILE", "name": name, "description": description}
            self.c.policy.run(lambda _n: self._http.once("PUT", f"/resources/{f.id}", form,
                                                         files), f"PUT /resources/{f.id}")
        else:
            form = {"type": "FILE", "name": name, "fullName": f.full_name, "tenantCode": ""}
            self.c.policy.run(lambda _n: self._http.once("PUT", "/resources", form, files),
                              "PUT /resources")

    def delete(self, f: RemoteFile) -> None:
        if not (_norm(f.full_name) == _norm(self.full_name(f.path)) and f.path):
            # the one guard that matters: dagship deletes only below its own folder
            raise ValueError(f"refusing to delete {f.full_name}: outside {self.root}")
        if self.g1:
            try:
                self._http.call("DELETE", f"/resources/{f.id}")
            except ApiError as exc:
                if exc.code != DELETE_ERROR:
                    raise
                raise ApiError(f"{exc.message}; a 3.1 server on H2 (the standalone server) "
                               "fails every resource delete while an online workflow uses "
                               "a resource: take such workflows offline, or delete by hand",
                               code=exc.code, endpoint=exc.endpoint) from exc
        else:
            self._http.call("DELETE", "/resources", {"fullName": f.full_name, "tenantCode": ""})


    def delete_folder(self, top: RemoteFile) -> None:
        """The owned folder itself, once empty: only `destroy` removes it (a preview's
        folder is named after its project). The parents above it are shared and stay."""
        if top.path or not top.directory or _norm(top.full_name) != _norm(self.full_name("")):
            raise ValueError(f"refusing to delete {top.full_name}: not the folder {self.root}")
        if self.g1:
            self._http.call("DELETE", f"/resources/{top.id}")
        else:
            self._http.call("DELETE", "/resources", {"fullName": top.full_name, "tenantCode": ""})


def _norm(full: Any) -> str:
    return _strip(full).rstrip("/")


def _strip(full: Any) -> str:
    """3.2+ local storage may answer `file:/...`; the path is what names the resource."""
    text = str(full or "")
    return text[len("file:"):] if text.startswith("file:") else text


def _tree_name(node: Mapping[str, Any]) -> str:
    """3.1.1's tree writes `fullName` without its leading `/` (the rows have it)."""
    return "/" + str(node.get("fullName") or "").lstrip("/")


def _tree_dir(node: Mapping[str, Any]) -> bool:
    """Lombok's getter of `isDirctory` makes the JSON key `dirctory` on 3.1.1."""
    return bool(node.get("dirctory", node.get("isDirctory")))


def _nodes(tree: Any) -> Iterator[dict[str, Any]]:
    for node in tree or []:
        yield node
        yield from _nodes(node.get("children"))

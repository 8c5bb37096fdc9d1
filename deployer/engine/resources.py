"""Plan and apply the resource files of a repository against one target's resource center.

What "unchanged" rests on differs by generation, because what the server keeps does:
- 3.1 keeps a description per resource: dagship writes `dagship sha256:<digest>` there
  when it uploads, which is true of the bytes it sent. A file counts as unchanged when that
  description and the size the server reports both match the repository's file; anything
  else (another description, another size) is uploaded again. No download is needed.
- 3.2+ keeps no description. A file whose size differs is changed; one whose size matches
  is downloaded and its digest compared, so nothing is assumed.
Either way an unchanged file costs no upload.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from deployer.client.api import DSClient
from deployer.client.resources import RemoteFile, ResourceCenter
from deployer.core.config import Target
from deployer.core.errors import ApiError, DagshipError, ValidationFailed
from deployer.definitions.resources import LocalResource

UPLOAD, UPDATE, UNCHANGED, DELETE = "upload", "update", "unchanged", "delete"
FULL_NAME_MAX = 128  # 3.1's RESOURCE_FULL_NAME_MAX_LENGTH
PREFIX = "dagship sha256:"
QUERY_RESOURCES_LIST_PAGING = 10057  # a resource listing the server could not answer


@dataclass
class ResourcePlan:
    path: str  # relative to the repository (and to the owned folder)
    action: str
    local: LocalResource | None = None
    remote: RemoteFile | None = None
    why: str = ""


@dataclass
class ResourceSync:
    root: str
    generation: str
    items: list[ResourcePlan]
    orphans: list[str] = field(default_factory=list)  # ours on the server, kept (no prune)
    empty_dirs: list[RemoteFile] = field(default_factory=list)  # pruned after the files
    refs: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> task reference
    base: str | None = None  # 3.2+: the tenant's folder, once known
    dirs: dict[str, RemoteFile] = field(default_factory=dict)  # the folders the plan saw

    def counts(self) -> dict[str, int]:
        out = {UPLOAD: 0, UPDATE: 0, DELETE: 0, UNCHANGED: 0}
        for item in self.items:
            out[item.action] += 1
        return out

    def changed(self) -> list[ResourcePlan]:
        return [i for i in self.items if i.action != UNCHANGED]

    def summary(self) -> str:
        n = self.counts()
        return (f"Resources: {n[UPLOAD]} to upload, {n[UPDATE]} to update, {n[DELETE]} to "
                f"delete, {n[UNCHANGED]} unchanged")


def check_local(local: Mapping[str, LocalResource], target: Target, generation: str) -> None:
    """What the server would refuse, refused before any request, naming the file."""
    limit = target.resource_max_mb * 1024 * 1024
    problems = []
    for res in local.values():
        if res.size > limit:
            problems.append(f"{res.path}: {res.size} bytes exceeds the limit of "
                            f"{target.resource_max_mb} MiB (resource_max_mb of target "
                            f"{target.name}; DolphinScheduler itself refuses files over 1 GiB)")
        elif res.size == 0:
            problems.append(f"{res.path}: empty file (DolphinScheduler refuses empty "
                            "resources, code 10062)")
        full = posixpath.join(target.resource_root, res.path)
        if generation == "3.1" and len(full) > FULL_NAME_MAX:
            problems.append(f"{res.path}: its resource-center name {full} is {len(full)} "
                            f"characters; 3.1 allows {FULL_NAME_MAX}")
    if problems:
        raise ValidationFailed("resource files the scheduler would refuse; nothing was "
                               "sent:\n  " + "\n  ".join(problems))


def resource_generation(client: DSClient, target: Target, known: str | None) -> str:
    """The dialect of the resource center. A pinned api_version or a detected one wins;
    with no project yet, 3.3+ is told by its base-dir endpoint."""
    if target.api_version or known:
        return str(target.api_version or known)
    try:
        client._http.call("GET", "/resources/base-dir", {"type": "FILE"})
    except DagshipError:
        return "3.2"
    return "3.3"


def plan_resources(client: DSClient, target: Target, generation: str,
                   local: Mapping[str, LocalResource], *, prune: bool) -> ResourceSync:
    center = ResourceCenter(client, generation, target.resource_root)
    try:
        remote = center.list()
    except ApiError as exc:
        raise _pin_hint(exc, target, generation) from exc
    sync = ResourceSync(center.root, generation, [], base=center._base,
                        dirs=dict(center._dirs))
    for path, res in sorted(local.items()):
        have = remote.get(path)
        if have is None:
            sync.items.append(ResourcePlan(path, UPLOAD, res, why=f"new, {_size(res.size)}"))
            continue
        if have.directory:
            sync.items.append(ResourcePlan(path, UPDATE, res, have,
                                           why="a folder of that name is on the server"))
            continue
        why = _difference(center, res, have)
        sync.items.append(ResourcePlan(path, UPDATE if why else UNCHANGED, res, have, why))
    wanted_dirs = {posixpath.dirname(p) for p in local}
    wanted_dirs |= {d for p in list(wanted_dirs) for d in _parents(p)}
    for path, have in sorted(remote.items()):
        if path in local or not path:  # the owned folder itself stays
            continue
        if have.directory:
            if path not in wanted_dirs and prune:
                sync.empty_dirs.append(have)
            continue
        if prune:
            sync.items.append(ResourcePlan(path, DELETE, None, have, "gone from Git"))
        else:
            sync.orphans.append(path)
    # deepest first, so that a folder is empty when its turn comes
    sync.empty_dirs.sort(key=lambda d: d.path.count("/"), reverse=True)
    _learn_refs(sync, center, remote)
    return sync


def _pin_hint(exc: ApiError, target: Target, generation: str) -> ApiError:
    """3.1 shares every workflow path with 3.2, so an unpinned 3.1 server is taken for 3.2
    until the resource listing, which it refuses with 10057 (3.2's `fullName` query means
    nothing to it). Say what to set rather than leave the server's bare message."""
    if exc.code != QUERY_RESOURCES_LIST_PAGING or generation != "3.2" or target.api_version:
        return exc
    return ApiError(f"{exc}; a DolphinScheduler 3.1 answers 3.2's resource listing so: if "
                    f"this server is 3.1, set `api_version: \"3.1\"` under "
                    f"targets.{target.name} in dagship.yaml", code=exc.code,
                    endpoint=exc.endpoint)


def _difference(center: ResourceCenter, res: LocalResource, have: RemoteFile) -> str:
    if have.size != res.size:
        return f"{_size(have.size)} -> {_size(res.size)}"
    if center.g1:
        if have.description != PREFIX + res.digest:
            return "content differs from what dagship last uploaded (digest)"
        return ""
    if _digest(center.content(have)) != res.digest:
        return "content differs (same size)"
    return ""


def _digest(data: bytes) -> str:
    import hashlib
    return hashlib.sha256(data).hexdigest()


def _parents(path: str) -> list[str]:
    out = []
    while path:
        path = posixpath.dirname(path)
        out.append(path)
    return out


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n = n / 1024  # type: ignore[assignment]
    return f"{n} B"


def _learn_refs(sync: ResourceSync, center: ResourceCenter,
                remote: Mapping[str, RemoteFile]) -> None:
    """What tasks send for each file: 3.1 needs the id (known once the file exists),
    3.2+ the full name (known once the base folder is)."""
    for item in sync.items:
        if item.action == DELETE:
            continue
        have = remote.get(item.path)
        if have is not None and not have.directory:
            sync.refs[item.path] = center.reference(have)
        elif not center.g1 and center._base is not None:
            sync.refs[item.path] = {"resourceName": center.full_name(item.path)}


@dataclass
class ResourceOutcome:
    path: str
    action: str
    ok: bool
    error: str | None = None
    error_code: int | None = None


def apply_uploads(sync: ResourceSync, client: DSClient) -> list[ResourceOutcome]:
    """Uploads and updates, before any workflow; then every reference is known."""
    # the folders' rows (3.1 ids) and the base folder, as the plan read them
    center = ResourceCenter(client, sync.generation, sync.root, base=sync.base, dirs=sync.dirs)
    out: list[ResourceOutcome] = []
    work = [i for i in sync.items if i.action in (UPLOAD, UPDATE)]
    if not work:
        return out
    for item in work:
        if item.local is None:
            continue
        try:
            data = item.local.data()
            if _digest(data) != item.local.digest:
                raise ValidationFailed(f"{item.path} changed while dagship was deploying it")
            if item.remote is not None and item.remote.directory:
                raise ValidationFailed(f"{item.path}: the server has a folder of that name; "
                                       "dagship does not replace folders with files")
            if item.action == UPLOAD:
                center.upload(item.path, data, PREFIX + item.local.digest)
            elif item.remote is not None:
                center.update(item.remote, data, PREFIX + item.local.digest)
            out.append(ResourceOutcome(item.path, item.action, True))
        except DagshipError as exc:
            out.append(ResourceOutcome(item.path, item.action, False, exc.message,
                                       exc.code if isinstance(exc, ApiError) else None))
    sync.base = center._base
    if center.g1 and any(o.ok and o.action == UPLOAD for o in out):
        _learn_refs(sync, center, center.list())  # the ids the new files were given
    else:  # an update keeps its id, and 3.2+ names are paths: nothing to read again
        _learn_refs(sync, center, {i.path: i.remote for i in sync.items
                                   if i.remote is not None})
    return out


def apply_deletes(sync: ResourceSync, client: DSClient) -> list[ResourceOutcome]:
    """Files gone from Git, then folders left empty: last, after every workflow."""
    center = ResourceCenter(client, sync.generation, sync.root, base=sync.base)
    out: list[ResourceOutcome] = []
    doomed = [i for i in sync.items if i.action == DELETE]
    for item in doomed:
        if item.remote is None:
            continue
        try:
            center.delete(item.remote)
            out.append(ResourceOutcome(item.path, DELETE, True))
        except DagshipError as exc:
            out.append(ResourceOutcome(item.path, DELETE, False, exc.message,
                                       exc.code if isinstance(exc, ApiError) else None))
    if doomed and any(not o.ok for o in out):
        return out  # a folder whose file stayed is not empty: leave the folders alone
    for d in sync.empty_dirs:
        try:
            center.delete(d)
        except DagshipError as exc:
            out.append(ResourceOutcome(d.path + "/", DELETE, False, exc.message,
                                       exc.code if isinstance(exc, ApiError) else None))
    return out


def localized(dag: Mapping[str, Any], sync: ResourceSync | None) -> Mapping[str, Any]:
    """A remote workflow whose resource references (3.1 ids, 3.2+ full names) name the
    repository's paths again, so that a plan's diff speaks the workflow file's words
    (`resource_list: [resources/a.sh]`, not `[{"id": 7}]`). Other names stay as they are."""
    if sync is None or not sync.refs:
        return dag
    back = {json.dumps(ref, sort_keys=True): path for path, ref in sync.refs.items()}

    def local(ref: Any) -> Any:
        if isinstance(ref, Mapping):
            key = {k: ref[k] for k in (("id",) if sync.generation == "3.1" else ("resourceName",))
                   if k in ref}
            path = back.get(json.dumps(key, sort_keys=True))
            if path is not None:
                return {"resourceName": path}
        return ref

    tasks = []
    for task in dag.get("taskDefinitionList") or []:
        raw = task.get("taskParams")
        params = json.loads(raw) if isinstance(raw, str) else raw
        if isinstance(params, Mapping):
            params = dict(params)
            if isinstance(params.get("resourceList"), list):
                params["resourceList"] = [local(r) for r in params["resourceList"]]
            if params.get("mainJar") is not None:
                params["mainJar"] = local(params["mainJar"])
            task = {**task, "taskParams": json.dumps(params) if isinstance(raw, str) else params}
        tasks.append(task)
    return {**dag, "taskDefinitionList": tasks}

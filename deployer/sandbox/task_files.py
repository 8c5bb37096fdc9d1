"""A task's resource_list files in its execution folder, as the real worker puts them.

The worker downloads every resource of a task's `resourceList` into the task's execution
folder before the script runs, under the resource's path inside the resource center: on 3.1
`execLocalPath + "/" + fullName` (fullName `/dagship/p/x.sh` gives `dagship/p/x.sh`), on
3.2+ the full name in storage made relative to the tenant's resource folder (the same
`dagship/p/x.sh`). So a script refers to `dagship/p/x.sh` relative to its working folder on
both generations, and the sandbox places the files there too.

What each generation does with a name it cannot find: 3.1's master looks the ids up and
silently drops the ones that are gone (the script then finds no file); 3.2+'s worker fails
the task's download. Without storage, 3.2+'s worker fails the task ("Storage service config
does not exist!"); 3.1 never gets as far, since nothing could be uploaded.
"""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING, Any

from deployer.sandbox.resources import G2_BASE

if TYPE_CHECKING:
    from deployer.sandbox.store import State


class DownloadFailed(Exception):
    """The worker could not fetch a resource: the task fails before its script runs."""


def _refs(task: dict[str, Any]) -> list[dict[str, Any]]:
    params = task.get("taskParams")
    found = params.get("resourceList") if isinstance(params, dict) else None
    return [r for r in found or [] if isinstance(r, dict)]


def _relative(st: State, full: str) -> str:
    if not st.gen.g1 and full.startswith(G2_BASE):
        return full[len(G2_BASE):]
    return full.lstrip("/")


def _row(st: State, ref: dict[str, Any]) -> dict[str, Any] | None:
    if st.gen.g1:
        wanted = ref.get("id")
        return next((r for r in st.resources.values()
                     if r["id"] == wanted and not r["directory"]), None)
    row = st.resources.get(str(ref.get("resourceName") or ""))
    return row if row is not None and not row["directory"] else None


def place(st: State, task: dict[str, Any], folder: str) -> list[str]:
    """Write the task's resources below `folder`; returns the log lines to show."""
    refs = _refs(task)
    if not refs:
        return []
    if not st.storage and not st.gen.g1:
        raise DownloadFailed("Storage service config does not exist!")
    lines: list[str] = []
    with st.lock:
        rows = [(ref, _row(st, ref)) for ref in refs]
    for ref, row in rows:
        if row is None:
            if not st.gen.g1:
                raise DownloadFailed(f"Download resource file: {ref.get('resourceName')} "
                                     "error: the file does not exist")
            lines.append(f"resource id {ref.get('id')} not found; not downloaded")
            continue
        rel = posixpath.normpath(_relative(st, row["fullName"]))
        if rel.startswith(("..", "/")):  # a name the sandbox never makes; never write outside
            raise DownloadFailed(f"Download resource file: {row['fullName']} error")
        target = os.path.join(folder, *rel.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(row["content"])
        lines.append(f"get resource file from path: {row['fullName']} -> {rel}")
    return lines

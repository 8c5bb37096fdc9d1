"""The sandbox's in-memory model: rows, indexes, code generation and the JSON state file.

Everything is plain JSON-compatible dicts so the state file is a straight dump. One re-entrant
lock guards every read and mutation; request handlers hold it for the whole operation, which
keeps each API call atomic like a database transaction. Business rules live in `workflows.py`
and `schedules.py`; this module only stores.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deployer.sandbox.generation import Generation
from deployer.sandbox.runs import Runs

__all__ = ["ADMIN", "CodeGenerator", "State", "now_text"]

# The seeded admin has no tenant (tenantId 0), as on a fresh real server.
ADMIN: dict[str, Any] = {"id": 1, "userName": "admin", "password": "dolphinscheduler123",
                         "userType": "ADMIN_USER", "tenantId": 0}
_EPOCH_MS = int(datetime(2021, 1, 1, tzinfo=UTC).timestamp() * 1000)
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def now_text() -> str:
    return datetime.now(UTC).strftime(DATE_FORMAT)


class CodeGenerator:
    """Snowflake-like 64-bit codes: ms since 2021-01-01 << 10 | 5-bit machine | 5-bit sequence.
    Strictly increasing, so two codes never collide even within one millisecond."""

    def __init__(self, machine: int = 7) -> None:
        self._machine = machine & 0x1F
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            ms = int(time.time() * 1000) - _EPOCH_MS
            code = (ms << 10) | (self._machine << 5)
            self._last = max(code, self._last + 1)
            return self._last


class State:
    """All sandbox rows. Keys of the dicts are ints in memory, strings in the state file."""

    def __init__(self, gen: Generation, *, datasources: dict[str, str] | None = None,
                 environments: dict[str, str] | None = None,
                 state_path: str | os.PathLike[str] | None = None) -> None:
        self.gen = gen
        self.resources: dict[str, dict[str, Any]] = {}  # full name -> row, with `content`
        self.storage = True  # False: a server without resource storage configured
        self.created = now_text()  # when the seeded rows (the default tenant) were made
        self.lock = threading.RLock()
        self.codes = CodeGenerator()
        self.path = Path(state_path) if state_path else None
        self.projects: dict[int, dict[str, Any]] = {}
        self.wfs: dict[int, dict[str, Any]] = {}
        self.tasks: dict[tuple[int, int], dict[str, Any]] = {}
        self.task_max: dict[int, int] = {}
        self.versions: dict[int, dict[int, dict[str, Any]]] = {}
        self.schedules: dict[int, dict[str, Any]] = {}
        self.tokens: dict[int, dict[str, Any]] = {}
        self.sessions: dict[str, int] = {}
        self.seq: dict[str, int] = {}
        self.runs = Runs()  # instances, task instances, logs: in memory only
        self.tenant_rows: dict[int, dict[str, Any]] = {}  # tenants made through the API
        self.admin_tenant = 0  # the admin's tenantId (0: none, as seeded)
        self.admin_queue: str | None = None  # the queue `POST /users/update` gave the admin
        self.by_name: dict[tuple[int, str], int] = {}        # (project code, name) -> wf code
        self.schedule_of: dict[int, list[int]] = {}          # wf code -> schedule ids
        self.datasources: list[dict[str, Any]] = [
            {"id": i, "name": name, "type": kind, "note": "", "userId": 1, "userName": "admin",
             "connectionParams": "{}", "createTime": now_text(), "updateTime": now_text()}
            for i, (name, kind) in enumerate(sorted((datasources or {}).items()), start=1)]
        self.environments: list[dict[str, Any]] = [
            {"id": i, "code": 100_000_000_000_000 + i, "name": name, "config": config,
             "description": "", "workerGroups": ["default"], "operator": 1,
             "createTime": now_text(), "updateTime": now_text()}
            for i, (name, config) in enumerate(sorted((environments or {}).items()), start=1)]
        self._dirty = threading.Event()
        self._flusher: threading.Thread | None = None
        self._closing = False
        if self.path and self.path.exists():
            self._load(json.loads(self.path.read_text(encoding="utf-8")))

    def next_id(self, table: str) -> int:
        self.seq[table] = self.seq.get(table, 0) + 1
        return self.seq[table]

    # --- assertions helpers (tests and the demo) -------------------------------------------

    def project(self, name: str) -> dict[str, Any] | None:
        with self.lock:
            return next((p for p in self.projects.values() if p["name"] == name), None)

    def workflows_of(self, project_code: int) -> list[dict[str, Any]]:
        with self.lock:
            return [w for w in self.wfs.values() if w["projectCode"] == project_code]

    def workflow_view(self, wf: dict[str, Any]) -> dict[str, Any]:
        """A workflow with its tasks, relations and schedule expanded."""
        with self.lock:
            view = {k: v for k, v in wf.items() if k not in ("tasks",)}
            view["tasks"] = [dict(self.tasks[(c, v)]) for c, v in wf["tasks"]]
            ids = self.schedule_of.get(wf["code"], [])
            view["schedule"] = dict(self.schedules[ids[0]]) if ids else None
            return view

    def workflows(self, project_name: str) -> list[dict[str, Any]]:
        """Every workflow of a project (by name), expanded, sorted by name; [] if no project."""
        with self.lock:
            proj = self.project(project_name)
            if proj is None:
                return []
            rows = self.workflows_of(proj["code"])
            return sorted((self.workflow_view(w) for w in rows), key=lambda w: w["name"])

    def workflow(self, project_name: str, name: str) -> dict[str, Any] | None:
        return next((w for w in self.workflows(project_name) if w["name"] == name), None)

    def task_versions(self, code: int) -> list[int]:
        with self.lock:
            return sorted(v for (c, v) in self.tasks if c == code)

    # --- persistence -----------------------------------------------------------------------

    def changed(self) -> None:
        """Call after each mutation: schedules an atomic write of the state file.

        Writes are coalesced by a background thread (at most one write in flight, the next one
        right after it), so a burst of 1000 calls does not serialise 1000 full dumps."""
        if self.path is None:
            return
        self._dirty.set()
        if self._flusher is None:
            self._flusher = threading.Thread(target=self._flush_loop, name="sandbox-state",
                                             daemon=True)
            self._flusher.start()

    def _flush_loop(self) -> None:
        while not self._closing:
            if self._dirty.wait(timeout=0.2):
                self._dirty.clear()
                self.flush()

    def flush(self) -> None:
        if self.path is None:
            return
        with self.lock:
            text = json.dumps(self._dump(), separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, self.path)

    def close(self) -> None:
        self._closing = True
        if self._flusher is not None:
            self._flusher.join(timeout=2)
        if self.path is not None and (self._dirty.is_set() or self._flusher is not None):
            self.flush()

    def _dump(self) -> dict[str, Any]:
        return {
            "apiVersion": self.gen.version,
            "projects": list(self.projects.values()),
            "workflows": list(self.wfs.values()),
            "tasks": list(self.tasks.values()),
            "versions": [snap for log in self.versions.values() for snap in log.values()],
            "schedules": list(self.schedules.values()),
            "tokens": list(self.tokens.values()),
            "sessions": self.sessions,
            "seq": self.seq,
            # file contents as base64: a JSON state file cannot hold bytes
            "resources": [{**r, "content": base64.b64encode(r["content"]).decode("ascii")}
                          for r in self.resources.values()],
        }

    def _load(self, data: dict[str, Any]) -> None:
        self.projects = {p["code"]: p for p in data.get("projects", [])}
        self.wfs = {w["code"]: w for w in data.get("workflows", [])}
        for w in self.wfs.values():
            w["tasks"] = [tuple(pair) for pair in w["tasks"]]
            self.by_name[(w["projectCode"], w["name"])] = w["code"]
        for t in data.get("tasks", []):
            self.tasks[(t["code"], t["version"])] = t
            self.task_max[t["code"]] = max(self.task_max.get(t["code"], 0), t["version"])
        for snap in data.get("versions", []):
            snap["tasks"] = [tuple(pair) for pair in snap["tasks"]]
            self.versions.setdefault(snap["code"], {})[snap["version"]] = snap
        self.schedules = {s["id"]: s for s in data.get("schedules", [])}
        for s in sorted(self.schedules.values(), key=lambda s: s["id"]):
            self.schedule_of.setdefault(s["workflowCode"], []).append(s["id"])
        self.tokens = {t["id"]: t for t in data.get("tokens", [])}
        self.sessions = dict(data.get("sessions", {}))
        self.seq = dict(data.get("seq", {}))
        self.resources = {r["fullName"]: {**r, "content": base64.b64decode(r["content"])}
                          for r in data.get("resources", [])}

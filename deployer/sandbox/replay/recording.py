"""Recorded HTTP exchanges (`../shared/dolphinscheduler/recordings/<server>/`), read as data.

A recording folder holds one JSON-lines transcript per test module (`test_contract.jsonl`,
...) and `_outcomes.jsonl` (pytest's outcome per test). Each line is one exchange: test id,
phase, method, path (with the `/dolphinscheduler` context), query and form as `parse_qs`
dicts, status, the answer's Content-Type and its body parsed as JSON (the text when it is not
JSON, "" when empty). The token is the literal `<TOKEN>`. An optional `auth` field (written by
our own recorder, `record.py`) says which credential the request carried: "token" (the run's
token), "none", or {"token": VALUE} for a test's own token.

A folder is a real server's recording unless its name starts with `sandbox-` (the candidate
transcripts recorded beside them). Its API dialect comes from `_meta.json` when present, else
from the first two numbers of the folder name (`3.2.2` -> 3.2, `3.3-dev-2025-01-02` -> 3.3).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deployer.sandbox.generation import VERSIONS

__all__ = ["CONTEXT", "Exchange", "Recording", "RecordingError", "discover", "endpoint_of",
           "load"]

CONTEXT = "/dolphinscheduler"
OUTCOMES = "_outcomes.jsonl"
META = "_meta.json"
_NUMBER = re.compile(r"/-?\d+(?=/|$)")


class RecordingError(Exception):
    """A recording that cannot be read: names the file and line."""


@dataclass(frozen=True)
class Exchange:
    file: str
    line: int
    seq: int
    test: str | None
    phase: str | None
    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str | None
    form: Any
    json_body: Any
    status: int
    response_content_type: str | None
    response: Any
    auth: Any = None

    @property
    def endpoint(self) -> str:
        return endpoint_of(self.method, self.path)


@dataclass
class Recording:
    name: str
    folder: Path
    dialect: str
    exchanges: list[Exchange] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def endpoint_of(method: str, path: str) -> str:
    """`GET /projects/{n}/process-definition/list`: context dropped, numbers as {n}."""
    bare = path[len(CONTEXT):] if path.startswith(CONTEXT) else path
    return f"{method} {_NUMBER.sub('/{n}', bare) or '/'}"


def discover(root: Path) -> list[Path]:
    """Every real server's recording under `root` (folders with transcripts, not `sandbox-*`)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith("sandbox-") and any(p.glob("*.jsonl")))


def dialect_of(folder: Path) -> str:
    meta = folder / META
    if meta.is_file():
        try:
            value = json.loads(meta.read_text(encoding="utf-8")).get("dialect")
        except ValueError as exc:
            raise RecordingError(f"{meta}: not JSON ({exc})") from None
        if value in VERSIONS:
            return str(value)
        raise RecordingError(f"{meta}: \"dialect\" must be one of {', '.join(VERSIONS)}, "
                             f"not {value!r}")
    found = re.match(r"(\d+)\.(\d+)", folder.name)
    dialect = f"{found.group(1)}.{found.group(2)}" if found else ""
    if dialect not in VERSIONS:
        raise RecordingError(f"{folder}: cannot tell the API dialect from the folder name; "
                             f"write {META} with {{\"dialect\": \"3.2\"}} (one of "
                             f"{', '.join(VERSIONS)})")
    return dialect


def _file_order(folder: Path, names: list[str]) -> list[str]:
    """Transcripts in the order their tests ran (from _outcomes.jsonl), others after."""
    order: list[str] = []
    outcomes = folder / OUTCOMES
    if outcomes.is_file():
        for text in outcomes.read_text(encoding="utf-8").splitlines():
            try:
                test = str(json.loads(text).get("test") or "")
            except (ValueError, AttributeError):
                continue
            module = Path(test.split("::")[0]).stem + ".jsonl"
            if module in names and module not in order:
                order.append(module)
    return order + sorted(n for n in names if n not in order)


def _exchange(name: str, line: int, raw: Any) -> Exchange:
    if not isinstance(raw, dict):
        raise RecordingError(f"{name}:{line}: expected a JSON object per line")
    try:
        return Exchange(
            file=name, line=line, seq=int(raw["seq"]), test=raw.get("test"),
            phase=raw.get("phase"), method=str(raw["method"]), path=str(raw["path"]),
            query=dict(raw.get("query") or {}), content_type=raw.get("content_type"),
            form=raw.get("form"), json_body=raw.get("json_body"), status=int(raw["status"]),
            response_content_type=raw.get("response_content_type"),
            response=raw.get("response"), auth=raw.get("auth"))
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"{name}:{line}: missing or malformed field ({exc!r}); "
                             "expected seq, method, path, status, response") from None


def load(folder: Path, skip: frozenset[str] = frozenset()) -> Recording:
    """The recording of `folder`, without the files named in `skip`."""
    names = sorted(p.name for p in folder.glob("*.jsonl")
                   if p.name != OUTCOMES and p.name not in skip)
    rec = Recording(folder.name, folder, dialect_of(folder))
    for name in _file_order(folder, names):
        path = folder / name
        with path.open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    raw = json.loads(text)
                except ValueError as exc:
                    raise RecordingError(f"{path}:{number}: not JSON ({exc})") from None
                rec.exchanges.append(_exchange(name, number, raw))
        rec.files.append(name)
    return rec

"""The allowance file of one recording: every known difference, with its reason.

    allowed:                       # differences that stay, each with why
      - kind: data.order           # exact
        endpoint: GET /projects/{n}/process-definition/list   # fnmatch pattern
        where: "data[]"            # optional pattern on the JSON path
        detail: "*"                # optional pattern on the detail ("null vs number", ...)
        reason: real servers sort by create_time desc; dagship never depends on row order
    fixed:                         # differences the sandbox no longer has: they must not return
      - kind: status
        endpoint: POST /projects/{n}/schedules
        test: tests/sandbox/test_contract.py::test_failed_schedule_create_is_201
        note: a failed create answers HTTP 201 like every CREATED endpoint

`tests` (a pattern or a list) limits an entry to some of the recorded tests, for the
differences that follow from one cause in those tests only. `sometimes: true` marks a
difference that depends on timing (rows made within one second, a parallel deploy): a fresh
recording may lack it, so it is never stale.

An allowance that matches nothing in the replay is stale and reported as such, so the file
stays a true list. A `fixed` entry that matches a difference is a regression.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from deployer.sandbox.replay.compare import Difference
from deployer.sandbox.replay.recording import RecordingError

__all__ = ["Allowance", "Allowances", "load_allowances"]

_KEYS = {"kind", "endpoint", "where", "detail", "reason", "test", "note", "tests", "sometimes"}


@dataclass(frozen=True)
class Allowance:
    kind: str
    endpoint: str
    where: str | None
    detail: str | None
    reason: str
    test: str | None = None  # the regression test of a `fixed` entry
    tests: tuple[str, ...] | None = None  # optional patterns on the recorded test id
    sometimes: bool = False  # timing-dependent: not stale when a recording lacks it

    def matches(self, diff: Difference, test: str | None) -> bool:
        return (diff.kind == self.kind and fnmatchcase(diff.endpoint, self.endpoint)
                and (self.where is None or fnmatchcase(diff.where, self.where))
                and (self.detail is None or fnmatchcase(diff.detail, self.detail))
                and (self.tests is None
                     or any(fnmatchcase(test or "", t) for t in self.tests)))

    def label(self) -> str:
        parts = [self.kind, self.endpoint]
        if self.where:
            parts.append(self.where)
        if self.detail:
            parts.append(f"({self.detail})")
        return " ".join(parts)


@dataclass(frozen=True)
class Allowances:
    path: Path | None
    allowed: tuple[Allowance, ...] = ()
    fixed: tuple[Allowance, ...] = ()
    # recording file -> why it is not replayed (its answers depend on what the sandbox
    # cannot reproduce, such as a real worker's pace)
    unreplayed: tuple[tuple[str, str], ...] = ()

    @property
    def unreplayed_files(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.unreplayed)

    def allowance_for(self, diff: Difference, test: str | None) -> Allowance | None:
        return next((a for a in self.allowed if a.matches(diff, test)), None)

    def regression(self, diff: Difference, test: str | None) -> Allowance | None:
        return next((a for a in self.fixed if a.matches(diff, test)), None)


def _entry(path: Path, section: str, index: int, raw: Any, *, fixed: bool) -> Allowance:
    where = f"{path}: {section}[{index}]"
    if not isinstance(raw, dict):
        raise RecordingError(f"{where}: expected a mapping with kind, endpoint and "
                             f"{'note' if fixed else 'reason'}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise RecordingError(f"{where}: unknown key(s) {', '.join(unknown)}; expected "
                             f"{', '.join(sorted(_KEYS))}")
    text = raw.get("note" if fixed else "reason")
    for key, value in (("kind", raw.get("kind")), ("endpoint", raw.get("endpoint")),
                       ("note" if fixed else "reason", text)):
        if not isinstance(value, str) or not value.strip():
            raise RecordingError(f"{where}: `{key}` must be a non-empty string")
    for key in ("where", "detail", "test"):
        if key in raw and not isinstance(raw[key], str):
            raise RecordingError(f"{where}: `{key}` must be a string")
    tests = raw.get("tests")
    if isinstance(tests, str):
        tests = [tests]
    if tests is not None and not (isinstance(tests, list)
                                  and all(isinstance(t, str) for t in tests)):
        raise RecordingError(f"{where}: `tests` must be a pattern or a list of patterns")
    return Allowance(raw["kind"], raw["endpoint"], raw.get("where"), raw.get("detail"),
                     str(text).strip(), raw.get("test"),
                     tuple(tests) if tests is not None else None, raw.get("sometimes") is True)


def load_allowances(path: Path) -> Allowances:
    """The file's entries; an absent file allows nothing."""
    if not path.is_file():
        return Allowances(None)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise RecordingError(f"{path}: not valid YAML ({exc})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict) or set(data) - {"allowed", "fixed", "recording", "unreplayed"}:
        raise RecordingError(f"{path}: expected a mapping with `allowed` and `fixed` lists")
    sections: dict[str, tuple[Allowance, ...]] = {}
    for section in ("allowed", "fixed"):
        items = data.get(section) or []
        if not isinstance(items, list):
            raise RecordingError(f"{path}: `{section}` must be a list")
        sections[section] = tuple(_entry(path, section, i, raw, fixed=section == "fixed")
                                  for i, raw in enumerate(items))
    unreplayed: list[tuple[str, str]] = []
    for i, raw in enumerate(data.get("unreplayed") or []):
        if not isinstance(raw, dict) or not raw.get("file") or not str(raw.get("reason") or
                                                                       "").strip():
            raise RecordingError(f"{path}: unreplayed[{i}]: expected `file` and a `reason`")
        unreplayed.append((str(raw["file"]), str(raw["reason"]).strip()))
    return Allowances(path, sections["allowed"], sections["fixed"], tuple(unreplayed))

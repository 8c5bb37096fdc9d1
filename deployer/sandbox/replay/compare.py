"""One recorded answer against the sandbox's answer to the same (rewritten) request.

Compared: the HTTP status; the Content-Type (without parameters); the envelope's `code`,
`success`, `failed` and `msg` (numbers, digit-grouped or not, count as one placeholder); the
keys of `data`, recursively, their value types, and their values where they are
deterministic. Not deterministic, so compared by type only: `id`s, session ids, timestamps
and tokens the request did not carry. Codes are compared through the `ValueMap` (and learnt
there the first time they show up). List items are paired by name, else by code, else by
position, so a different row order is its own kind (`data.order`), not a cascade.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deployer.sandbox.replay.values import ValueMap, is_code

__all__ = ["Answer", "Difference", "compare", "request_strings"]

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_NUMBERS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_VOLATILE_KEYS = frozenset({"sessionId"})
# the server's own stamps: a request that copied a row back carries them, yet they are not
# an answer to the request
_STAMP_KEYS = frozenset({"createTime", "updateTime", "operateTime"})
_SCHEDULE_KEYS = ("processDefinitionCode", "workflowDefinitionCode")
SNIPPET = 160


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str | None
    body: Any


@dataclass(frozen=True)
class Difference:
    kind: str
    endpoint: str
    where: str
    detail: str
    recorded: str
    sandbox: str

    @property
    def signature(self) -> tuple[str, str, str, str]:
        return self.kind, self.endpoint, self.where, self.detail


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "..."


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    return "list" if isinstance(value, list) else "dict" if isinstance(value, dict) else "other"


def _base(ctype: str | None) -> str:
    return (ctype or "-").split(";")[0].strip().lower() or "-"


def normalise_msg(text: Any) -> str:
    return _NUMBERS.sub("<N>", str(text))


def request_strings(values: Iterable[str]) -> frozenset[str]:
    """The strings a request carried, and every timestamp inside them (JSON strings too)."""
    out: set[str] = set()
    for value in values:
        out.add(value)
        out.update(_TIMESTAMP.findall(value))
    return frozenset(out)


class _Walk:
    def __init__(self, endpoint: str, values: ValueMap, sent: frozenset[str]) -> None:
        self.endpoint = endpoint
        self.values = values
        self.sent = sent
        self.found: list[Difference] = []

    def diff(self, kind: str, where: str, detail: str, rec: Any, sb: Any) -> None:
        self.found.append(Difference(kind, self.endpoint, where, detail, _short(rec),
                                     _short(sb)))

    def value(self, rec: Any, sb: Any, where: str, key: str | None = None) -> None:
        if rec is None and sb is None:
            return
        if _type(rec) != _type(sb):
            self.diff("data.type", where, f"{_type(rec)} vs {_type(sb)}", rec, sb)
        elif isinstance(rec, dict):
            self.mapping(rec, sb, where)
        elif isinstance(rec, list):
            self.sequence(rec, sb, where)
        elif isinstance(rec, str):
            self.text(rec, sb, where, key)
        elif isinstance(rec, int) and not isinstance(rec, bool) and key != "id":
            self.number(rec, sb, where)
        elif key != "id" and rec != sb:
            self.diff("data.value", where, "value differs", rec, sb)

    def number(self, rec: int, sb: Any, where: str) -> None:
        if is_code(rec):
            known = self.values.code(rec)
            if known is None and is_code(sb):
                self.values.learn_code(rec, sb)
                return
            if known == sb:
                return
        elif rec == sb:
            return
        self.diff("data.value", where, "value differs", rec, sb)

    def text(self, rec: str, sb: str, where: str, key: str | None) -> None:
        if self.values.text(rec) == sb:
            return
        stamp = bool(_TIMESTAMP.fullmatch(rec) and _TIMESTAMP.fullmatch(sb))
        if stamp and key in _STAMP_KEYS:
            return
        made = rec not in self.sent  # made by the server: compared by type and form only
        if made and (stamp or key in _VOLATILE_KEYS or key == "token"):
            return
        self.diff("data.value", where, "value differs", rec, sb)

    def mapping(self, rec: dict[str, Any], sb: dict[str, Any], where: str) -> None:
        missing = sorted(set(rec) - set(sb))
        extra = sorted(set(sb) - set(rec))
        if missing:
            self.diff("data.keys-missing", where, ",".join(missing), missing, None)
        if extra:
            self.diff("data.keys-extra", where, ",".join(extra), None, extra)
        if any(k in rec for k in _SCHEDULE_KEYS) and "crontab" in rec:
            rid, sid = rec.get("id"), sb.get("id")
            if isinstance(rid, int) and isinstance(sid, int):
                self.values.learn_schedule(rid, sid)
        for key in rec:
            if key in sb:
                self.value(rec[key], sb[key], f"{where}.{key}" if where else key, key)

    def sequence(self, rec: list[Any], sb: list[Any], where: str) -> None:
        item = f"{where}[]"
        if not rec or not sb:
            if rec or sb:
                detail = "non-empty vs empty" if rec else "empty vs non-empty"
                self.diff("data.list-emptiness", item, detail, len(rec), len(sb))
            return
        if all(isinstance(r, dict) for r in rec) and all(isinstance(s, dict) for s in sb):
            self.rows(rec, sb, item)
            return
        if len(rec) == len(sb) and any(is_code(r) and self.values.code(r) is None for r in rec):
            for r, s in zip(rec, sb, strict=True):  # fresh codes (gen-task-codes): by position
                self.value(r, s, item)
            return
        mapped = [self.values.json(r) for r in rec]
        if mapped == sb:
            return
        if Counter(map(repr, mapped)) == Counter(map(repr, sb)):
            self.diff("data.order", item, "same items, other order", rec, sb)
        elif len(rec) != len(sb):
            self.diff("data.length", item, f"{len(rec)} vs {len(sb)} items", len(rec), len(sb))
        else:
            for r, s in zip(rec, sb, strict=True):
                self.value(r, s, item)

    def rows(self, rec: list[dict[str, Any]], sb: list[dict[str, Any]], item: str) -> None:
        rec_ids, sb_ids = self.identities(rec, sb)
        if rec_ids is None or sb_ids is None:
            if len(rec) != len(sb):
                self.diff("data.length", item, f"{len(rec)} vs {len(sb)} items", len(rec),
                          len(sb))
            for r, s in zip(rec, sb, strict=False):
                self.value(r, s, item)
            return
        by_id = dict(zip(sb_ids, sb, strict=True))
        paired = [i for i in rec_ids if i in by_id]
        gone = [i for i in rec_ids if i not in by_id]
        more = [i for i in sb_ids if i not in set(rec_ids)]
        if gone:
            self.diff("data.items-missing", item, f"{len(gone)} item(s)", gone, None)
        if more:
            self.diff("data.items-extra", item, f"{len(more)} item(s)", None, more)
        if paired != [i for i in sb_ids if i in set(paired)]:
            self.diff("data.order", item, "same items, other order", rec_ids, sb_ids)
        for ident, row in zip(rec_ids, rec, strict=True):
            if ident in by_id:
                self.value(row, by_id[ident], item)

    def identities(self, rec: list[dict[str, Any]],
                   sb: list[dict[str, Any]]) -> tuple[list[Any] | None, list[Any] | None]:
        """Keys that pair rows: a unique name, else a (mapped) code, else None (by position)."""
        for make in (_name, self._code):
            rec_ids = [make(r) for r in rec]
            sb_ids = [make(s) if make is _name else _code_of(s) for s in sb]
            if (None not in rec_ids and None not in sb_ids and len(set(rec_ids)) == len(rec)
                    and len(set(sb_ids)) == len(sb)):
                return rec_ids, sb_ids
        return None, None

    def _code(self, row: dict[str, Any]) -> Any:
        found = _code_of(row)
        if found is None:
            return None
        mapped = tuple(self.values.code(c) if is_code(c) else c for c in found)
        return None if None in mapped else mapped  # unknown codes: pair by position


def _name(row: dict[str, Any]) -> Any:
    for key in ("processDefinition", "workflowDefinition"):
        if isinstance(row.get(key), dict):
            row = row[key]
    name = row.get("name")
    return name if isinstance(name, str) and name else None


def _code_of(row: dict[str, Any]) -> tuple[Any, ...] | None:
    for key in ("processDefinition", "workflowDefinition"):
        if isinstance(row.get(key), dict):
            row = row[key]
    if is_code(row.get("code")):
        return (row["code"],)
    if "preTaskCode" in row and "postTaskCode" in row:
        return (row["preTaskCode"], row["postTaskCode"])
    for key in _SCHEDULE_KEYS:
        if is_code(row.get(key)):
            return (row[key],)
    return None


def _envelope(body: Any) -> bool:
    return isinstance(body, dict) and isinstance(body.get("code"), int) and "data" in body


def compare(endpoint: str, rec: Answer, sb: Answer, values: ValueMap,
            sent: frozenset[str]) -> list[Difference]:
    walk = _Walk(endpoint, values, sent)
    if rec.status != sb.status:
        walk.diff("status", "", f"{rec.status} vs {sb.status}", rec.status, sb.status)
    if _base(rec.content_type) != _base(sb.content_type):
        walk.diff("content-type", "", f"{_base(rec.content_type)} vs {_base(sb.content_type)}",
                  rec.content_type, sb.content_type)
    if not _envelope(rec.body):
        if _envelope(sb.body):
            walk.diff("envelope.extra", "", "no envelope vs envelope", rec.body, sb.body)
        elif isinstance(rec.body, dict) and isinstance(sb.body, dict):
            walk.mapping(rec.body, sb.body, "")
        elif rec.body != sb.body and not (rec.status >= 400 and sb.status == rec.status):
            walk.diff("body", "", f"{_type(rec.body)} vs {_type(sb.body)}", rec.body, sb.body)
        return walk.found
    if not _envelope(sb.body):
        kind = "endpoint.unknown" if sb.status == 404 else "envelope.missing"
        walk.diff(kind, "", f"envelope vs HTTP {sb.status} {_type(sb.body)}", rec.body, sb.body)
        return walk.found
    for key in ("code", "success", "failed"):
        if rec.body.get(key) != sb.body.get(key):
            walk.diff(f"envelope.{key}", "", f"{rec.body.get(key)} vs {sb.body.get(key)}",
                      rec.body.get(key), sb.body.get(key))
    if rec.body["code"] != sb.body["code"]:
        return walk.found  # the rest describes another outcome: not comparable
    if normalise_msg(rec.body.get("msg")) != normalise_msg(sb.body.get("msg")):
        walk.diff("envelope.msg", "", f"code {rec.body['code']}", rec.body.get("msg"),
                  sb.body.get("msg"))
    walk.value(rec.body.get("data"), sb.body.get("data"), "data")
    return walk.found

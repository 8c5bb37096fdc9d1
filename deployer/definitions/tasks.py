"""One task of the YAML dialect: type lookup, keys, values, traps, DS taskParams."""

from __future__ import annotations

import re
from typing import Any

from deployer.core.wording import hint, kind
from deployer.definitions import dialect, legacy, subst
from deployer.definitions.dialect import (
    COMMON_KEYS,
    LOGIC_KEYS,
    WORKER_RESOURCE_KEYS,
    Key,
    TaskType,
)
from deployer.definitions.positions import offset_to_mark
from deployer.definitions.secrets import ALLOW_MARKER, allowed_at, find_credentials
from deployer.definitions.taskparams import task_params
from deployer.definitions.values import BAD
from deployer.definitions.walk import RawTask, TaskState
from deployer.yaml.nodes import Mark, MDict, MList

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_SCAN_KEYS = frozenset({"command", "definition", "sql", "json", "method", "url",
                        "sagemaker_request_json", "main_args", "others", "script_params"})
_ALLOWED: dict[str, dict[str, Key]] = {}  # task type -> accepted keys, built once
_TYPE_NAMES = ", ".join(t.name for t in dialect.TASK_TYPES if t.name != "SubProcess")
# every key some task may carry: none of them is a misspelled `task_type`
_KNOWN_KEYS = frozenset(COMMON_KEYS).union(WORKER_RESOURCE_KEYS, *(
    t.by_name for t in dialect.TASK_TYPES))


class TaskReader(TaskState):
    def read(self, node: Any, mark: Mark, index: int) -> RawTask | None:
        if not isinstance(node, MDict):
            self.out.add("WF103", mark, f"tasks[{index}]: expected a task mapping with `name:` "
                         f"and `task_type:`, got {kind(node)}")
            return None
        name = self._name(node, index)
        ttype = self._type(node, name or f"tasks[{index}]")
        where = f"task `{name}`: " if name else f"tasks[{index}]: "
        if ttype is None:
            return None
        vals = self._keys(node, ttype, where)
        if name is None:
            return None
        deps = vals.pop("deps", [])
        dep_marks = self._dep_marks(node, len(deps))
        self.seen.add(name)
        raw = RawTask(name=name, mark=node.mark, ttype=ttype, node=node, vals=vals,
                      deps=deps, dep_marks=dep_marks)
        if all(k.name in vals for k in ttype.keys if k.required):
            task_params(self, raw, where)
        return raw

    def finish(self, raws: list[RawTask]) -> None:
        by_name = {r.name: r for r in raws}
        for target, mark, label, owner in self.pending:
            if target in self.seen:
                self.out.add("WF205", mark, f"{label}: `{target}` is declared after `{owner}`; "
                             "pydolphinscheduler resolves branch targets in file order and "
                             "fails; move it above")
            else:
                known = ", ".join(sorted(self.seen)) or "none"
                self.out.add("WF204", mark, f"{label}: no task named `{target}` in this "
                             f"workflow{hint(target, self.seen)}; tasks: {known}")
        for raw in raws:
            for target in raw.downstream:
                if target in by_name:
                    by_name[target].upstream.append(raw.name)

    # --- identity -------------------------------------------------------------------

    def _name(self, node: MDict, index: int) -> str | None:
        raw = node.get("name")
        if raw is None:
            self.out.add("WF105", node.mark, f"tasks[{index}]: missing `name:` (unique within "
                         "the workflow)")
            return None
        if isinstance(raw, bool | dict | list):
            self.out.add("WF103", node.value_mark("name"), f"tasks[{index}]: `name`: expected "
                         f"a string, got {kind(raw)}")
            return None
        name = self.r.v.text(raw, node.value_mark("name"))
        self.r.parsed.task_names.add(name)
        if len(name) > 255:
            self.out.add("WF702", node.value_mark("name"), f"task name has {len(name)} "
                         "characters; at most 255 are accepted")
        return name

    def _type(self, node: MDict, label: str) -> TaskType | None:
        raw = node.get("task_type")
        if raw is None:
            self._missing_type(node, label)
            return None
        if not isinstance(raw, str):
            self.out.add("WF103", node.value_mark("task_type"), f"task `{label}`: `task_type`: "
                         f"expected a string, got {kind(raw)}")
            return None
        ttype = dialect.lookup(raw)
        if ttype is not None:
            if ttype.name == "SubProcess":
                legacy.subprocess_type(self.out, node, f"task `{label}`: ")
            return ttype
        alias = dialect.DS_ALIASES.get(raw.upper())
        close = alias or (hint(raw, [t.name for t in dialect.TASK_TYPES], fold=True)
                          .removeprefix(" (did you mean `").removesuffix("`?)"))
        suggestion = f" (did you mean `{close}`?)" if close else ""
        ds = f"; `{raw}` is DolphinScheduler's type name, not the YAML dialect's" if alias else ""
        self.out.add("WF106", node.value_mark("task_type"), f"task `{label}`: unknown task_type "
                     f"{raw!r}{suggestion}{ds}; accepted (any case): {_TYPE_NAMES}")
        if alias:  # keep checking the keys against the intended type
            self._keys(node, dialect.lookup(alias) or dialect.TASK_TYPES[0], f"task `{label}`: ")
        return None

    def _missing_type(self, node: MDict, label: str) -> None:
        """No `task_type:`: a misspelling of it gets "did you mean" (and the other keys are
        checked against the type it names); a key any task may carry is never taken for it."""
        typo = next((k for k in node if isinstance(k, str) and k not in _KNOWN_KEYS
                     and hint(k, ("task_type",))), None)
        if typo is None:
            self.out.add("WF105", node.mark, f"task `{label}`: missing `task_type:`; accepted: "
                         f"{_TYPE_NAMES}")
            return
        self.out.add("WF102", node.key_mark(typo), f"task `{label}`: unknown key `{typo}` (did "
                     f"you mean `task_type`?); every task needs `task_type:`, one of: "
                     f"{_TYPE_NAMES}")
        value = node[typo]
        intended = dialect.lookup(value) if isinstance(value, str) else None
        if intended is not None:
            self._keys(node, intended, f"task `{label}`: ", skip=typo)

    # --- keys --------------------------------------------------------------------------

    def _allowed(self, ttype: TaskType) -> dict[str, Key]:
        cached = _ALLOWED.get(ttype.name)
        if cached is not None:
            return cached
        allowed = {k: v for k, v in COMMON_KEYS.items()
                   if not ttype.logic or k in LOGIC_KEYS}
        allowed.update(ttype.by_name)
        if ttype.worker_resource:
            allowed.update(WORKER_RESOURCE_KEYS)
        _ALLOWED[ttype.name] = allowed
        return allowed

    def _keys(self, node: MDict, ttype: TaskType, where: str,
              skip: str | None = None) -> dict[str, Any]:
        allowed = self._allowed(ttype)
        vals: dict[str, Any] = {}
        suggested: set[str] = set()
        untimed = False
        for key in node:
            if key == skip:
                continue
            spec = allowed.get(key)
            if spec is None and key == "timeout_flag" and not ttype.logic:
                untimed = legacy.timeout_flag(self.out, node, where)
                continue
            if spec is None:
                suggested |= self._unknown(node, key, ttype, allowed, where)
                continue
            if key in ("name", "task_type"):
                continue
            if node[key] is None and not spec.required:
                continue
            if key == "http_params" and isinstance(node[key], list):
                self.out.add("WF504", node.key_mark(key), f"{where}`http_params` is a list "
                             "(the pydolphinscheduler 3.x form); pydolphinscheduler 4.1 warns "
                             "that it ignores the list, then fails at submit "
                             "(PyDSParamException: `params` must be a dict); write a mapping "
                             "`name: value`")
                continue
            value = self.r.v.get(node, spec, where)
            if value is not BAD:
                vals[key] = value
        if untimed and "timeout" in vals:
            vals["timeout"] = 0  # 3.x's `timeout_flag: CLOSE`: the timeout stays off
        for key, spec in ttype.by_name.items():
            if spec.required and key not in suggested and (key not in node or node[key] is None):
                self.out.add("WF105", node.mark, f"{where}missing `{key}:` (required for "
                             f"{ttype.name})")
        self._traps(node, ttype, vals, where)
        return vals

    def _unknown(self, node: MDict, key: str, ttype: TaskType, allowed: dict[str, Key],
                 where: str) -> set[str]:
        mark = node.key_mark(key)
        if ttype.logic and key in COMMON_KEYS:
            self.out.add("WF503", mark, f"{where}`{key}` is dropped silently on a {ttype.name} "
                         f"task (pydolphinscheduler builds it from {', '.join(ttype.by_name)} "
                         "only); remove it")
            return set()
        if key in legacy.REMOVED_TASK_KEYS:
            self.out.add("WF102", mark, f"{where}unknown key `{key}` for {ttype.name} "
                         f"({legacy.REMOVED_TASK_KEYS[key]}); pydolphinscheduler 4.x ignores "
                         "it silently")
            return set()
        snake = _CAMEL.sub("_", key).lower()
        close = snake if snake in allowed else None
        text = f" (did you mean `{close}`?)" if close else hint(key, allowed)
        self.out.add("WF102", mark, f"{where}unknown key `{key}`{text} for {ttype.name}; "
                     f"pydolphinscheduler ignores it silently; accepted: {', '.join(allowed)}")
        found = close or text.removeprefix(" (did you mean `").removesuffix("`?)")
        return {found} if found else set()

    def _traps(self, node: MDict, ttype: TaskType, vals: dict[str, Any], where: str) -> None:
        key = ttype.script_key
        if key and isinstance(vals.get(key), str):
            value = vals[key].rstrip()
            raw = node.get(key)
            if isinstance(raw, str) and "$RESOURCE{" in raw:
                # dagship's own token: what it becomes is a path the worker made, never a
                # name pydolphinscheduler would read (and lint, which keeps it, agrees)
                value = raw.rstrip()
            if value.endswith(ttype.script_exts):
                ext = value.rsplit(".", 1)[-1]
                self.out.add("WF501", node.value_mark(key), f"{where}`{key}` ends with "
                             f"'.{ext}': pydolphinscheduler then reads it as a file through "
                             "a resource plugin, which YAML cannot configure; use "
                             f'`$FILE{{"path"}}` to inline the file, or end the {key} otherwise '
                             "(e.g. `bash job.sh;` or a trailing comment)")
        if ttype.name == "Switch" and not self.has_param:
            self.out.add("WF505", node.mark, f"{where}a Switch needs workflow `param:` (the "
                         "variables its conditions test); pydolphinscheduler refuses the "
                         "workflow otherwise")
        self._credentials(node, vals)

    def _credentials(self, node: MDict, vals: dict[str, Any]) -> None:
        for key in _SCAN_KEYS.intersection(node):
            raw = node[key]
            if not isinstance(raw, str):
                continue
            payload = subst.file_payload(raw, self.r.ctx)
            if payload is not None:
                path, text = payload
                for hit in find_credentials(text):
                    if not allowed_at(text, hit.offset):
                        self.out.add("WF601", offset_to_mark(text, hit.offset), hit.message,
                                     path=self.r.ctx.display(path))
                continue
            for hit in find_credentials(raw):
                mark = self.r.lines.locate(node.value_mark(key), raw, hit.offset)
                if not self._allow_marked(mark):
                    self.out.add("WF601", mark, f"`{key}`: {hit.message}")
        if "http_params" in node:
            self._http_credentials(node["http_params"])

    def _http_credentials(self, params: Any) -> None:
        """Each HTTP parameter or header is read as `name=value`, so `token`, `password`,
        `Authorization: Bearer ...` or an API key sent by an Http task is found too."""
        pairs: list[tuple[str, Any, Mark]] = []
        if isinstance(params, MDict):
            pairs = [(str(k), v, params.value_mark(k)) for k, v in params.items()]
        elif isinstance(params, MList):  # the WF504 form: {prop, value, httpParametersType}
            pairs = [(str(p.get("prop")), p.get("value"), p.value_mark("value"))
                     for p in params if isinstance(p, MDict)]
        for name, value, mark in pairs:
            if not isinstance(value, str | int) or isinstance(value, bool):
                continue
            sep = ": " if name.lower() == "authorization" else "="
            hits = find_credentials(f"{name}{sep}{value}")
            if hits and not self._allow_marked(mark):
                self.out.add("WF601", mark, f"`http_params.{name}`: {hits[0].message}")

    def _allow_marked(self, mark: Mark) -> bool:
        return ALLOW_MARKER in self.r.lines.line(mark.line)

    def _dep_marks(self, node: MDict, n: int) -> list[Mark]:
        deps = node.get("deps")
        if isinstance(deps, MList):
            return [deps.item_mark(i) for i in range(n)]
        return [node.value_mark("deps")] * n

"""Value checks of the YAML dialect: kinds, enums with the dialect's case rules, params."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from deployer.core.wording import did_you_mean, kind
from deployer.definitions import subst
from deployer.definitions._collect import Collector
from deployer.definitions.dialect import Key
from deployer.definitions.model import Property
from deployer.yaml.nodes import Mark, MDict

BAD: Any = object()  # a value that produced a finding
_KIND_NAMES = {"text": "a string", "int": "an integer", "num": "a number", "bool": "true or false",
               "map": "a mapping", "list": "a list", "strs": "a list of strings",
               "stmts": "a string or a list of strings", "scalar": "a string or a number"}
_TYPE_CALL = re.compile(r"^([A-Z][A-Z_]*)\((.*)\)$", re.DOTALL)
# Integers YAML 1.1 reads differently from the digits written: `010` is 8 (octal), `1:30` is
# 90 (base 60), `0x1F`, `0b11` and `1_000` are numbers too. pyds loads them the same way, so a
# zip code, a name or a timeout silently changes; written text differs from str(value).
_YAML11_INT = re.compile(r"[-+]?(?:0[0-7_]+|0[xob][0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+"
                         r"|[0-9]+_[0-9_]*)(?=\s*(?:#|$|[,\]}]))")
PARAM_TYPES = ("VARCHAR", "LONG", "INTEGER", "FLOAT", "DOUBLE", "DATE", "TIME", "TIMESTAMP",
               "BOOLEAN", "LIST", "FILE")


class Values:
    """Checks and substitutes the values of one file."""

    def __init__(self, ctx: subst.Context, out: Collector,
                 line: Callable[[int], str] | None = None) -> None:
        self.ctx = ctx
        self.out = out
        self.line = line  # the file's source lines, to see how a number was written

    def text(self, raw: Any, mark: Mark) -> str:
        if isinstance(raw, str):
            return subst.resolve(raw, mark, self.ctx, self.out)
        if isinstance(raw, int) and not isinstance(raw, bool):
            self.number_trap(raw, mark)
        return str(raw)

    def number_trap(self, raw: int, mark: Mark, *, as_text: bool = True) -> None:
        """WF103 when YAML 1.1 read the digits written at `mark` as another number (for a
        text value: as anything but the text written, so `007` as a name is flagged too)."""
        if self.line is None:
            return
        m = _YAML11_INT.match(self.line(mark.line), mark.col - 1)
        if m is None:
            return
        written = m.group()
        digits = written.lstrip("+-").replace("_", "")
        if not as_text and digits.isdigit() and int(digits, 10) == abs(raw):
            return  # `timeout: 010` reads 8, but `retries: 00` is 0 and `1_000` is 1000
        self.out.add("WF103", mark, f"`{written}` is read by YAML 1.1 as the number {raw} "
                     f"(octal, base 60, hex or digit groups); quote it (\"{written}\") to "
                     "keep the text, or write the number plainly")

    def get(self, node: MDict, key: Key, where: str) -> Any:
        raw = node[key.name]
        mark = node.value_mark(key.name)
        label = f"{where}`{key.name}`"
        expected = _KIND_NAMES[key.kind]
        if key.kind == "scalar" and isinstance(raw, int | float) and not isinstance(raw, bool):
            if isinstance(raw, int):
                self.number_trap(raw, mark, as_text=False)
            return raw
        if key.kind in ("text", "scalar"):
            if raw is None or isinstance(raw, bool | dict | list):
                extra = (" (YAML reads unquoted yes/no/true/false/on/off as booleans; quote "
                         "the value)") if isinstance(raw, bool) else ""
                return self._bad("WF103", mark,
                                 f"{label}: expected {expected}, got {kind(raw)}{extra}")
            value = self.text(raw, mark)
            return self.enum(value, key, mark, label) if key.enum else value
        if key.kind in ("int", "num", "bool"):
            ok = (isinstance(raw, bool) if key.kind == "bool" else
                  isinstance(raw, int | float if key.kind == "num" else int)
                  and not isinstance(raw, bool))
            if ok:
                if isinstance(raw, int) and not isinstance(raw, bool):
                    self.number_trap(raw, mark, as_text=False)
                return raw
            if isinstance(raw, str) and subst.TOKEN.search(raw):
                return self.text(raw, mark)  # a per-target value, checked at deploy time
            return self._bad("WF103", mark, f"{label}: expected {expected}, got {kind(raw)}")
        if key.kind == "map":
            if isinstance(raw, dict):
                return raw
            return self._bad("WF103", mark, f"{label}: expected {expected} (`name: value` "
                             f"lines), got {kind(raw)}")
        if key.kind == "list":
            if isinstance(raw, list):
                return raw
            return self._bad("WF103", mark, f"{label}: expected {expected}, got {kind(raw)}")
        return self._strings(raw, mark, label, key.kind == "stmts")

    def _strings(self, raw: Any, mark: Mark, label: str, single_ok: bool) -> Any:
        if isinstance(raw, str) and single_ok:
            return [self.text(raw, mark)]
        if not isinstance(raw, list):
            hint = " such as [a, b]" if not single_ok else ""
            return self._bad("WF103", mark, f"{label}: expected a list of strings{hint}, "
                             f"got {kind(raw)}")
        items: list[str] = []
        for i, item in enumerate(raw):
            m = raw.item_mark(i) if hasattr(raw, "item_mark") else mark
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                return self._bad("WF103", m, f"{label}[{i}]: expected a string, got {kind(item)}")
            items.append(self.text(item, m) if isinstance(item, str) else str(item))
        return items

    def enum(self, value: str, key: Key, mark: Mark, label: str) -> Any:
        if subst.TOKEN.search(value):
            return value  # unresolved in lint mode: checked with the target's value at deploy
        if key.any_case and value.upper() in key.enum:
            return value.upper()
        if value in key.enum:
            return value
        accepted = ", ".join(key.enum)
        close = did_you_mean(value, key.enum, fold=True)
        case = "; values are case-sensitive" if close and close.lower() == value.lower() else ""
        hint = f" (did you mean `{close}`?{case})" if close else ""
        return self._bad("WF104", mark, f"{label}: {value!r} is not accepted{hint}; expected "
                         f"one of {accepted}")

    def _bad(self, code: str, mark: Mark, message: str) -> Any:
        self.out.add(code, mark, message)
        return BAD

    def params(self, node: MDict, key: str, direct: str, where: str) -> list[Property]:
        """input_params / output_params -> localParams, with the `TYPE(value)` form."""
        mapping = node[key]
        out: list[Property] = []
        for name, raw in mapping.items():
            mark = mapping.value_mark(name)
            if isinstance(raw, dict | list):
                self.out.add("WF103", mark, f"{where}`{key}.{name}`: expected a scalar or "
                             f"TYPE(value) with TYPE one of {', '.join(PARAM_TYPES)}, "
                             f"got {kind(raw)}")
                continue
            out.append(self._param(str(name), raw, direct, mark, f"{where}`{key}.{name}`"))
        return out

    def _param(self, name: str, raw: Any, direct: str, mark: Mark, label: str) -> Property:
        if raw is None:
            return Property(name, "", direct, "VARCHAR")
        if isinstance(raw, bool):
            return Property(name, str(raw).lower(), direct, "BOOLEAN")
        if isinstance(raw, int):
            self.number_trap(raw, mark, as_text=False)
            return Property(name, str(raw), direct, "INTEGER")
        if isinstance(raw, float):
            return Property(name, str(raw), direct, "FLOAT")
        value = self.text(raw, mark)
        m = _TYPE_CALL.match(value.strip())
        if m is None:
            return Property(name, value, direct, "VARCHAR")
        if m.group(1) not in PARAM_TYPES:
            close = did_you_mean(m.group(1), PARAM_TYPES, fold=True)
            hint = f" (did you mean `{close}`?)" if close else ""
            self.out.add("WF104", mark, f"{label}: unknown parameter type {m.group(1)!r}{hint}; "
                         f"expected TYPE(value) with TYPE one of {', '.join(PARAM_TYPES)}")
            return Property(name, value, direct, "VARCHAR")
        return Property(name, m.group(2).rstrip(), direct, m.group(1))

"""Collecting findings for one file: codes from the registry, `lint.disable` applied."""

from __future__ import annotations

from typing import Any

from deployer.core.findings import Finding
from deployer.definitions.codes import CODES
from deployer.yaml.nodes import Mark, MDict, MList


class Collector:
    """Findings of one source file, positioned by 1-based line and column."""

    def __init__(self, display: str, disabled: frozenset[str] = frozenset()) -> None:
        self.display = display
        self.disabled = disabled
        self.findings: list[Finding] = []
        self.errors = 0

    def add(self, code: str, mark: Mark, message: str, *, path: str | None = None) -> None:
        if code in self.disabled:
            return
        sev = CODES[code][0]
        if sev == "error":
            self.errors += 1
        self.findings.append(
            Finding(path or self.display, mark.line, mark.col, code, sev, message)
        )


def key_mark(node: Any, key: str) -> Mark:
    if isinstance(node, MDict):
        return node.key_mark(key)
    return getattr(node, "mark", Mark(1, 1))


def value_mark(node: Any, key: str) -> Mark:
    if isinstance(node, MDict):
        return node.value_mark(key)
    return getattr(node, "mark", Mark(1, 1))


def item_mark(node: Any, index: int) -> Mark:
    if isinstance(node, MList):
        return node.item_mark(index)
    return getattr(node, "mark", Mark(1, 1))


def node_mark(node: Any, default: Mark) -> Mark:
    mark = getattr(node, "mark", None)
    return mark if isinstance(mark, Mark) else default

"""YAML loading that remembers where every key and value came from.

PyYAML's C composer builds the node tree; we construct plain Python values from it
ourselves (`deployer.yaml.loader.load`), so that (a) every mapping and sequence carries
line/column marks, (b) duplicate keys are reported instead of silently keeping the last
one, and (c) YAML 1.1 surprises are neutralised: mapping keys stay the text that was
written (`on:` is the key "on", not True) and timestamps stay strings.

This module itself imports nothing heavy, so code that only needs the mark types (the
config loader of a commit-msg hook run without a config file) stays fast.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Mark(NamedTuple):
    """1-based line and column, as editors and `PATH:LINE:COL` reports count.

    A NamedTuple, not a dataclass: a lint of a large repository makes hundreds of
    thousands of marks, and tuple construction is several times cheaper.
    """

    line: int
    col: int


class MDict(dict[str, Any]):
    """A mapping that knows the position of itself, of each key and of each value."""

    mark: Mark
    key_marks: dict[str, Mark]
    value_marks: dict[str, Mark]

    def key_mark(self, key: str) -> Mark:
        return self.key_marks.get(key, self.mark)

    def value_mark(self, key: str) -> Mark:
        return self.value_marks.get(key, self.key_mark(key))


class MList(list[Any]):
    """A sequence that knows the position of itself and of each item."""

    mark: Mark
    item_marks: list[Mark]

    def item_mark(self, index: int) -> Mark:
        return self.item_marks[index] if index < len(self.item_marks) else self.mark


class DuplicateKey(NamedTuple):
    key: str
    mark: Mark
    first: Mark


class YamlSyntaxError(Exception):
    def __init__(self, message: str, mark: Mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark

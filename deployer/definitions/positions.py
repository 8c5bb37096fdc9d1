"""Map an offset inside a YAML string value back to the file's line and column.

A credential found at offset N of a block scalar (`command: |`) is on the N-th
character of the text that starts one line below the key; quoted scalars start one
column after their quote. Folded and multi-line flow scalars are approximated by
counting newlines, which is exact for the common cases.
"""

from __future__ import annotations

from deployer.yaml.nodes import Mark


class Lines:
    """The raw lines of a file, split once, for position mapping."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def line(self, number: int) -> str:
        if self._lines is None:
            self._lines = self._text.splitlines()
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def locate(self, mark: Mark, value: str, offset: int) -> Mark:
        head = self.line(mark.line)
        indicator = head[mark.col - 1] if 0 < mark.col <= len(head) else ""
        newlines = value.count("\n", 0, offset)
        line_start = value.rfind("\n", 0, offset) + 1
        within = offset - line_start
        if indicator in ("|", ">"):
            line = mark.line + 1 + newlines
            text = self.line(line)
            indent = len(text) - len(text.lstrip(" "))
            return Mark(line, indent + within + 1)
        shift = 1 if indicator in ('"', "'") else 0
        if newlines == 0:
            return Mark(mark.line, mark.col + shift + within)
        text = self.line(mark.line + newlines)
        indent = len(text) - len(text.lstrip(" "))
        return Mark(mark.line + newlines, indent + within + 1)


def offset_to_mark(text: str, offset: int) -> Mark:
    """Line and column of an offset into a whole file's text (JSON, $FILE payloads)."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Mark(line, col)

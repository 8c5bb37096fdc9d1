"""The one YAML writer of the dialect: `pull` and `convert` write with it, `fmt` rewrites with it.

Canonical form: keys in the dialect's order (the order the examples use: identity, then
how the task runs, then what it does, so a long script comes last); scripts and other
multi-line text as literal block scalars; `deps` as a flow list; other strings plain where
the loader reads the plain form back as the same string, otherwise double-quoted
(single-quoted when the text holds a backslash or a double quote); crons and dates always
double-quoted. Tasks keep their order (it matters to the dialect). Comments survive:
ruamel.yaml's round-trip mode keeps them attached to the keys they follow, and a key that
is already in order is never moved.

ruamel.yaml is imported only here and in `deployer.adopt.order`, and only `fmt`, `pull` and
`convert` import these modules (the click layer imports a command's module only when it
runs), so the hooks that run on every commit (`lint`, `commit-msg`) never load it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

from deployer.adopt.order import order_document
from deployer.yaml.loader import load as load_marked
from deployer.yaml.nodes import YamlSyntaxError

ALWAYS_QUOTED = frozenset({"schedule", "start_time", "end_time"})
_FLOW_LISTS = frozenset({"deps"})  # written as [a, b]


class FormatError(Exception):
    """A file the writer cannot format (YAML syntax, duplicate keys)."""
    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def _yaml() -> Any:
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never fold a long line: a diff should show the line that changed
    y.preserve_quotes = True
    y.allow_unicode = True
    return y


# --- scalar styles ----------------------------------------------------------------------


def _plain_ok(text: str) -> bool:
    """The loader reads `text` written plain back as the same string."""
    if not text or text != text.strip() or "\n" in text or text[0] in "'\"":
        return False
    try:
        value, _dups = load_marked(f"k: {text}\n")
    except YamlSyntaxError:
        return False
    return isinstance(value, dict) and value.get("k") == text


def _literal_ok(text: str) -> bool:
    """A `|` block holds the text exactly: no carriage return or control character, no tab
    where the block's indentation is read, no blank-only line with trailing blanks."""
    if "\r" in text or text.startswith(("\t", " ")) or text.startswith("\n"):
        return False
    if any(not (ch.isprintable() or ch in "\n\t") for ch in text):
        return False
    return all(line.strip() or not line for line in text.split("\n"))


def styled(text: str, key: str | None, was_plain: bool) -> Any:
    """The scalar to write for a string value under `key`."""
    multi_line = "\n" in text.rstrip("\n") or (text.endswith("\n") and text.strip())
    if multi_line and _literal_ok(text):
        return LiteralScalarString(text)
    if key in ALWAYS_QUOTED:
        return DoubleQuotedScalarString(text)
    if was_plain or _plain_ok(text):
        return text
    if ("\\" in text or '"' in text) and "'" not in text and "\n" not in text \
            and text.isprintable():
        return SingleQuotedScalarString(text)
    return DoubleQuotedScalarString(text)


def _restyle(node: Any, key: str | None = None, *, fresh: bool = False) -> Any:
    """Walk the document; return the node (a str may be replaced by a styled one).

    `fresh`: a new document (pull, convert), whose plain strings carry no author's choice.
    """
    if isinstance(node, CommentedMap):
        node.fa.set_block_style()
        _plain_keys(node)
        for k in list(node.keys()):
            new = _restyle(node[k], str(k), fresh=fresh)
            if new is not node[k]:
                # CommentedMap.__setitem__ would keep the old scalar's quoting
                dict.__setitem__(node, k, new)
        return node
    if isinstance(node, CommentedSeq):
        if key in _FLOW_LISTS and all(isinstance(x, str | int) for x in node) \
                and not any(node.ca.items.values()):  # a flow list cannot hold comments
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        for i, item in enumerate(node):
            new = _restyle(item, key, fresh=fresh)
            if new is not item:
                list.__setitem__(node, i, new)
        return node
    if isinstance(node, LiteralScalarString | FoldedScalarString):
        return node  # a block scalar stays what its author chose
    if isinstance(node, str):
        plain = not fresh and not isinstance(node, ScalarString)  # ruamel: plain -> str
        new = styled(str(node), key, plain and "\n" not in node)
        anchor = getattr(node, "anchor", None)
        if anchor is not None and getattr(anchor, "value", None):
            return node  # an anchored scalar stays as it is: aliases point at it
        return new if str(new) != str(node) or type(new) is not type(node) else node
    return node


def _plain_keys(cm: Any) -> None:
    """Quoted keys (`"name": x`, common in flow mappings) -> plain, where that reads the same."""
    keys = list(cm.keys())
    for pos, key in enumerate(keys):
        if isinstance(key, ScalarString) and _plain_ok(str(key)):
            comment = cm.ca.items.pop(key, None)
            value = dict.__getitem__(cm, key)
            cm.pop(key)
            cm.insert(pos, str(key), value)
            if comment is not None:
                cm.ca.items[str(key)] = comment


# --- public -----------------------------------------------------------------------------


def _dump(doc: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue()


def to_commented(value: Any) -> Any:
    """Plain dicts/lists (a pulled document) -> ruamel's round-trip containers."""
    if isinstance(value, Mapping):
        cm = CommentedMap()
        for k, v in value.items():
            cm[k] = to_commented(v)
        return cm
    if isinstance(value, list | tuple):
        return CommentedSeq(to_commented(v) for v in value)
    return value


def render(document: Mapping[str, Any], header: str = "") -> str:
    """A new file from a document: canonical order and styles, a blank line between tasks."""
    doc = to_commented(document)
    order_document(doc)
    doc = _restyle(doc, fresh=True)
    text = header + _blank_between_tasks(_dump(doc))
    if _plain_data(text) != _strip(to_plain(document)):
        raise FormatError("the YAML writer would not read back as written (please report)")
    return text


def to_plain(value: Any) -> Any:
    """A document with tuples as lists, as the loader gives them back."""
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def _blank_between_tasks(text: str) -> str:
    """ruamel has no blank-line API for sequence items: add one before each task but the first."""
    out: list[str] = []
    in_tasks = first = False
    for line in text.splitlines(keepends=True):
        if line.startswith("tasks:"):
            in_tasks, first = True, True
            if out and out[-1].strip():
                out.append("\n")
        elif in_tasks and line.startswith("  - "):
            if not first and out and out[-1].strip():
                out.append("\n")
            first = False
        elif line[:1] not in (" ", "\n", ""):
            in_tasks = False
        out.append(line)
    return "".join(out)


def _plain_data(text: str) -> Any:
    value, _dups = load_marked(text)
    return _strip(value)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def format_text(text: str) -> str | None:
    """The canonical form of a workflow file's text; None when it is not a workflow document.

    Raises FormatError when the file cannot be read, or when the result would read back
    differently (a guard: formatting must never change what a file means).
    """
    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FormatError(f"cannot parse: {exc.problem or exc.context}",
                          (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) \
            from None

    if not isinstance(doc, CommentedMap) or "workflow" not in doc:
        return None
    order_document(doc)
    doc = _restyle(doc)
    out = _dump(doc)
    if _plain_data(out) != _plain_data(text):
        raise FormatError("formatting would change what the file means; left as it is "
                          "(please report this file)")
    return out

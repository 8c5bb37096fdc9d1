"""The one YAML writer of the dialect: `pull` and `convert` write with it, `fmt` rewrites with it.

Canonical form: keys in the dialect's order (the order the examples use: identity, then
how the task runs, then what it does, so a long script comes last); scripts and other
multi-line text as literal block scalars; `deps` as a flow list; other strings plain where
the loader reads the plain form back as the same string, otherwise double-quoted
(single-quoted when the text holds a backslash or a double quote); crons and dates always
double-quoted. Tasks keep their order (it matters to the dialect). Comments survive:
ruamel.yaml's round-trip mode keeps them attached to the keys they follow, and a key that
is already in order is never moved.

ruamel.yaml is imported here only, and only `fmt`, `pull` and `convert` import this module,
so the hooks that run on every commit (`lint`, `commit-msg`) never load it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from deployer.definitions import dialect
from deployer.yamlmarks import YamlSyntaxError
from deployer.yamlmarks import load as load_marked

TOP_ORDER = ("workflow", "tasks")
WORKFLOW_ORDER = ("name", "description", "project", "user", "schedule", "timezone",
                  "start_time", "end_time", "online_schedule", "release_state", "worker_group",
                  "warning_type", "warning_group_id", "execution_type", "timeout", "param", "run")
TASK_HEAD = ("name", "task_type", "deps", "description")
ITEM_ORDERS: dict[str, tuple[str, ...]] = {  # nested mappings, by the key that holds them
    "condition": ("task", "condition"),
    "groups": ("op", "groups", "task", "flag", "project_name", "workflow_name",
               "dependent_task_name", "dependent_date"),
    "local_params": ("prop", "direct", "type", "value"),
}
ALWAYS_QUOTED = frozenset({"schedule", "start_time", "end_time"})
_FLOW_LISTS = frozenset({"deps"})  # written as [a, b]


class FormatError(Exception):
    """A file the writer cannot format (YAML syntax, duplicate keys)."""

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never fold a long line: a diff should show the line that changed
    y.preserve_quotes = True
    y.allow_unicode = True
    return y


# --- ordering ---------------------------------------------------------------------------


def _reorder(cm: Any, order: Iterable[str]) -> None:
    """Put the keys of a CommentedMap in `order` (unknown keys after, as they were).

    Only keys out of place move, so comments attached to keys in order stay where they are.
    """
    rank: dict[str, int] = {}
    for i, k in enumerate(order):
        rank.setdefault(k, i)
    keys = list(cm.keys())
    want = sorted(keys, key=lambda k: (rank.get(k, len(rank)), keys.index(k)))
    if want == keys:
        return
    trailing = _detach_tail(cm)  # the blank line or comment after the mapping's last value
    for key in want:
        cm.move_to_end(key)
    if trailing is not None:
        _attach_tail(cm, trailing)


def _tail(node: Any) -> tuple[Any, Any, int] | None:
    """(container, key, slot) of the comment that follows the last value of `node`."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and node:
        key = next(reversed(node))
        value = node[key]
        if isinstance(value, CommentedMap | CommentedSeq) and value \
                and not value.fa.flow_style():
            return _tail(value)
        return node, key, 2
    if isinstance(node, CommentedSeq) and node:
        value = node[-1]
        if isinstance(value, CommentedMap | CommentedSeq) and value \
                and not value.fa.flow_style():
            return _tail(value)
        return node, len(node) - 1, 0
    return None


def _detach_tail(node: Any) -> Any:
    """Take the lines that follow the last value (blank lines, comment lines) off it; an
    end-of-line comment on the value's own line stays with it."""
    import copy

    where = _tail(node)
    if where is None:
        return None
    holder, key, slot = where
    entry = holder.ca.items.get(key)
    if not entry or len(entry) <= slot or entry[slot] is None:
        return None
    token = entry[slot]
    if not token.value.startswith("#"):
        entry[slot] = None
        return token
    own, _nl, rest = token.value.partition("\n")
    if not rest:
        return None
    tail = copy.copy(token)
    tail.value = "\n" + rest  # ends the value's line, then the lines that followed
    token.value = own + "\n"
    return tail


def _attach_tail(node: Any, token: Any) -> None:
    where = _tail(node)
    if where is None:
        return
    holder, key, slot = where
    entry = holder.ca.items.setdefault(key, [None] * (4 if slot == 2 else 2))
    while len(entry) <= slot:
        entry.append(None)
    if entry[slot] is None:
        entry[slot] = token
    else:  # the new last value has its own end-of-line comment: the lines go after it
        entry[slot].value = entry[slot].value.rstrip("\n") + "\n" + token.value


def _task_order(task: Mapping[str, Any]) -> list[str]:
    ttype = dialect.lookup(str(task.get("task_type", "")))
    own = [k.name for k in ttype.keys] if ttype else []
    return [*TASK_HEAD, *dialect.COMMON_KEYS, *dialect.WORKER_RESOURCE_KEYS, *own]


def _order_document(doc: Any) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(doc, CommentedMap):
        return
    others = [k for k in doc if k not in TOP_ORDER]
    _reorder(doc, [*others, *TOP_ORDER])
    wf = doc.get("workflow")
    if isinstance(wf, CommentedMap):
        _reorder(wf, WORKFLOW_ORDER)
    tasks = doc.get("tasks")
    if isinstance(tasks, CommentedSeq):
        for task in tasks:
            if isinstance(task, CommentedMap):
                _reorder(task, _task_order(task))
                for key, value in task.items():
                    _order_items(key, value)


def _order_items(key: str, value: Any) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    order = ITEM_ORDERS.get(key)
    if order is None or not isinstance(value, CommentedSeq):
        return
    for item in value:
        if isinstance(item, CommentedMap):
            _reorder(item, order)
            for k, v in item.items():
                _order_items(k, v)


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
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

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
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, ScalarString

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
    from ruamel.yaml.scalarstring import ScalarString

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
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

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
    _order_document(doc)
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
    from ruamel.yaml.error import MarkedYAMLError

    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FormatError(f"cannot parse: {exc.problem or exc.context}",
                          (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1) \
            from None
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(doc, CommentedMap) or "workflow" not in doc:
        return None
    _order_document(doc)
    doc = _restyle(doc)
    out = _dump(doc)
    if _plain_data(out) != _plain_data(text):
        raise FormatError("formatting would change what the file means; left as it is "
                          "(please report this file)")
    return out

"""Canonical key order of a workflow document, for `deployer.adopt.write`: identity, then how
a task runs, then what it does (a long script comes last). Keys already in order never move,
and the blank lines or comments after a mapping's last value stay at its end when its keys
are reordered (ruamel.yaml attaches them to that value)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from deployer.definitions import dialect

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


def order_document(doc: Any) -> None:
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
    order = ITEM_ORDERS.get(key)
    if order is None or not isinstance(value, CommentedSeq):
        return
    for item in value:
        if isinstance(item, CommentedMap):
            _reorder(item, order)
            for k, v in item.items():
                _order_items(k, v)

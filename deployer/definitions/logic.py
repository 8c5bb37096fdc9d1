"""Switch, Condition and Dependent: the dialect's special parsers, into DS taskParams.

Branch targets and condition inputs become `TaskRef`s plus implied DAG edges; dependent
items become `ProjectRef` / `WorkflowRef` / `ForeignTaskRef` with the `cycle` pyds infers
from the date value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deployer.core.wording import hint, kind
from deployer.definitions import dialect, legacy, subst
from deployer.definitions.model import ForeignTaskRef, ProjectRef, TaskRef, WorkflowRef
from deployer.definitions.walk import RawTask, Reference, TaskState
from deployer.yaml.nodes import Mark, MDict

_DEP_ITEM_KEYS = ("project_name", "workflow_name", "dependent_task_name", "dependent_date")


def logic_params(tr: TaskState, raw: RawTask, where: str) -> None:
    name = raw.ttype.name
    if name == "Switch":
        _switch(tr, raw, where)
    elif name == "Condition":
        _condition(tr, raw, where)
    else:
        _dependent(tr, raw, where)


def _mapping(tr: TaskState, node: Any, mark: Mark, label: str, keys: tuple[str, ...],
             required: tuple[str, ...]) -> MDict | None:
    if not isinstance(node, MDict):
        tr.out.add("WF103", mark, f"{label}: expected a mapping with {', '.join(keys)}, "
                   f"got {kind(node)}")
        return None
    ok = True
    for key in node:
        if key not in keys:
            tr.out.add("WF102", node.key_mark(key), f"{label}: unknown key `{key}`"
                       f"{hint(key, keys)}; accepted: {', '.join(keys)}")
            ok = False
    for key in required:
        if key not in node or node[key] is None:
            tr.out.add("WF105", node.mark, f"{label}: missing `{key}:`")
            ok = False
    return node if ok else None


def _text(tr: TaskState, node: MDict, key: str, label: str) -> str | None:
    raw = node[key]
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        tr.out.add("WF103", node.value_mark(key), f"{label}.{key}: expected a string, got "
                   f"{kind(raw)}")
        return None
    return tr.r.v.text(raw, node.value_mark(key))


def _target(tr: TaskState, raw: RawTask, node: MDict, key: str, label: str) -> str | None:
    name = _text(tr, node, key, label)
    if name is None:
        return None
    mark = node.value_mark(key)
    if name not in tr.seen:
        tr.pending.append((name, mark, f"{label}.{key}", raw.name))
    return name


def _op(tr: TaskState, node: MDict, label: str) -> str | None:
    value = _text(tr, node, "op", label)
    if value is None:
        return None
    if value.lower() not in ("and", "or"):
        tr.out.add("WF104", node.value_mark("op"), f"{label}.op: {value!r} is not accepted; "
                   "expected `and` or `or` (any case)")
        return None
    return value.upper()


def _list(tr: TaskState, node: MDict, key: str, label: str) -> list[Any]:
    value = node[key]
    if not isinstance(value, list):
        tr.out.add("WF103", node.value_mark(key), f"{label}.{key}: expected a list, got "
                   f"{kind(value)}")
        return []
    return value


def _switch(tr: TaskState, raw: RawTask, where: str) -> None:
    branches: list[dict[str, Any]] = []
    default: TaskRef | None = None
    items = raw.vals["condition"]
    for i, item in enumerate(items):
        label = f"{where}condition[{i}]"
        node = _mapping(tr, item, items.item_mark(i), label, ("task", "condition"), ("task",))
        if node is None:
            continue
        target = _target(tr, raw, node, "task", label)
        if target is None:
            continue
        raw.downstream.append(target)
        if "condition" in node and node["condition"] is not None:
            expr = _text(tr, node, "condition", label)
            branches.append({"condition": expr or "", "nextNode": TaskRef(target)})
        else:
            default = TaskRef(target)
    raw.params = {"switchResult": {"dependTaskList": branches, "nextNode": default},
                  "localParams": [], "resourceList": []}


ItemReader = Callable[[Any, Mark, str], "dict[str, Any] | None"]


def _groups(tr: TaskState, raw: RawTask, where: str, read_item: ItemReader) -> list[Any]:
    """The `op` + `groups` nesting that Condition and Dependent share: a list of groups, each
    a relation over the items `read_item` accepts (it reports the ones it refuses)."""
    groups: list[dict[str, Any]] = []
    for i, group in enumerate(_list(tr, raw.node, "groups", where.rstrip(": "))):
        label = f"{where}groups[{i}]"
        node = _mapping(tr, group, raw.node["groups"].item_mark(i), label, ("op", "groups"),
                        ("op", "groups"))
        if node is None:
            continue
        relation = _op(tr, node, label)
        items = [x for j, item in enumerate(_list(tr, node, "groups", label))
                 if (x := read_item(item, node["groups"].item_mark(j),
                                    f"{label}.groups[{j}]")) is not None]
        groups.append({"relation": relation or "AND", "dependItemList": items})
    return groups


def _condition(tr: TaskState, raw: RawTask, where: str) -> None:
    def read_item(item: Any, mark: Mark, label: str) -> dict[str, Any] | None:
        inode = _mapping(tr, item, mark, label, ("task", "flag"), ("task", "flag"))
        if inode is None:
            return None
        target = _target(tr, raw, inode, "task", label)
        if not isinstance(inode["flag"], bool):
            tr.out.add("WF103", inode.value_mark("flag"), f"{label}.flag: expected true "
                       f"(success) or false (failure), got {kind(inode['flag'])}")
            return None
        if target is None:
            return None
        raw.upstream.append(target)  # a condition's inputs run before it
        return {"depTaskCode": TaskRef(target),
                "status": "SUCCESS" if inode["flag"] else "FAILURE"}

    groups = _groups(tr, raw, where, read_item)
    ok = _target(tr, raw, raw.node, "success_task", where.rstrip(": "))
    failed = _target(tr, raw, raw.node, "failed_task", where.rstrip(": "))
    raw.downstream += [t for t in (ok, failed) if t]
    relation = _op(tr, raw.node, where.rstrip(": "))
    raw.params = {
        "dependence": {"relation": relation or "AND", "dependTaskList": groups},
        "conditionResult": {"successNode": [TaskRef(ok)] if ok else [],
                            "failedNode": [TaskRef(failed)] if failed else []},
        "localParams": [], "resourceList": [],
    }


def _dependent(tr: TaskState, raw: RawTask, where: str) -> None:
    groups = _groups(tr, raw, where,
                     lambda item, mark, label: _dep_item(tr, item, mark, label))
    relation = _op(tr, raw.node, where.rstrip(": "))
    raw.params = {"dependence": {"relation": relation or "AND", "dependTaskList": groups},
                  "localParams": [], "resourceList": []}


def _dep_item(tr: TaskState, item: Any, mark: Mark, label: str) -> dict[str, Any] | None:
    wkey = legacy.workflow_key(tr.out, item, label) if isinstance(item, MDict) \
        else "workflow_name"
    if wkey is None:
        return None
    keys = (_DEP_ITEM_KEYS[0], wkey, *_DEP_ITEM_KEYS[2:])
    node = _mapping(tr, item, mark, label, keys, keys[:3])
    if node is None:
        return None
    project_raw = node["project_name"]
    project = _text(tr, node, "project_name", label)
    workflow = _text(tr, node, wkey, label)
    task = _text(tr, node, "dependent_task_name", label)
    date = _date(tr, node, label)
    if project is None or workflow is None or task is None or date is None:
        return None
    written = project
    target = tr.r.ctx.target
    if target is not None:  # a project key of `projects:` names that project on the target
        project = target.aliases.get(project, project)
    same = project_raw == subst.CONFIG_PROJECT or tr.r.same_project(project)
    proj = None if same else project
    foreign_task = None if task == "0" else task
    tr.r.parsed.refs.append(Reference("dep", workflow, same, foreign_task,
                                      node.value_mark(wkey), None if same else written))
    return {"projectCode": ProjectRef(proj), "definitionCode": WorkflowRef(workflow, proj),
            "depTaskCode": ForeignTaskRef(workflow, foreign_task, proj),
            "cycle": infer_cycle(date), "dateValue": date}


def _date(tr: TaskState, node: MDict, label: str) -> str | None:
    if "dependent_date" not in node or node["dependent_date"] is None:
        return "today"
    value = _text(tr, node, "dependent_date", label)
    if value is None:
        return None
    value = value.strip()
    if value.upper() in dialect.DEPENDENT_DATE_KEYS:
        return dialect.DEPENDENT_DATE_KEYS[value.upper()]
    if value in dialect.DATE_VALUES:
        return value
    tr.out.add("WF104", node.value_mark("dependent_date"), f"{label}.dependent_date: {value!r} "
               f"is not accepted{hint(value, sorted(dialect.DATE_VALUES), fold=True)}; expected "
               "a DependentDate name (e.g. LAST_WEDNESDAY, any case) or value (e.g. today, "
               "last24Hours, lastMonthBegin)")
    return None


def infer_cycle(date: str) -> str:
    """pyds' inference: hour / day / month / week from the date value."""
    if "Hour" in date:
        return "hour"
    if date == "today" or "Days" in date:
        return "day"
    if "Month" in date:
        return "month"
    return "week"

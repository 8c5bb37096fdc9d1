"""The pydolphinscheduler YAML dialect, read strictly, into a WorkflowSpec.

Everything pyds silently swallows (unknown keys, a removed `tenant:`, common keys on
logic tasks, a list `http_params`) is a finding here. The walk collects what the
cross-file checks need (names, task names, references) even from files with errors.
"""

from __future__ import annotations

from typing import Any

from deployer.core.wording import hint, kind
from deployer.definitions.dialect import WORKFLOW_KEYS
from deployer.definitions.graph import check_graph
from deployer.definitions.model import Property, TaskSpec, WorkflowSpec
from deployer.definitions.schedule import build_schedule
from deployer.definitions.tasks import TaskReader
from deployer.definitions.values import BAD
from deployer.definitions.walk import FileState, Parsed, RawTask
from deployer.yaml.nodes import Mark, MDict, MList

DESCRIPTION_ROOM = 255 - 48  # the deployer appends " [dagship <12 hex> <7 hex> v<version>]"
_TOP_KEYS = ("workflow", "tasks")


def is_workflow_tree(tree: Any) -> bool:
    return isinstance(tree, MDict) and "workflow" in tree


class PydsReader(FileState):
    # --- top level and workflow ------------------------------------------------------

    def read(self, tree: Any) -> Parsed:
        if not isinstance(tree, MDict) or "workflow" not in tree:
            where = getattr(tree, "mark", Mark(1, 1))
            self.out.add("WF107", where, "not a workflow file: expected a mapping with "
                         "`workflow:` (name, schedule, ...) and `tasks:` (a list of tasks); "
                         "files only included via $FILE/$WORKFLOW belong outside the "
                         "workflows folders or in a non-YAML extension")
            return self.parsed
        for key in tree:
            if key not in _TOP_KEYS and hint(key, _TOP_KEYS):
                self.out.add("WF102", tree.key_mark(key), f"unknown top-level key `{key}`"
                             f"{hint(key, _TOP_KEYS)}; a workflow file has `workflow:` and "
                             "`tasks:` (other top-level keys only hold YAML anchors)")
        wf = tree["workflow"]
        if not isinstance(wf, MDict):
            self.out.add("WF103", tree.value_mark("workflow"), "`workflow`: expected a mapping "
                         f"with at least `name:`, got {kind(wf)}")
            return self.parsed
        wvals = self._workflow_keys(wf)
        tasks_node = tree.get("tasks")
        if "tasks" not in tree:
            self.out.add("WF105", tree.mark, "missing `tasks:` (a list of task mappings)")
            tasks_node = MList()
        elif not isinstance(tasks_node, list):
            self.out.add("WF103", tree.value_mark("tasks"), "`tasks`: expected a list of task "
                         f"mappings, got {kind(tasks_node)}")
            tasks_node = MList()
        raws = self._tasks(tasks_node, has_param="param" in wvals)
        if not tasks_node and isinstance(tree.get("tasks"), list):
            self.out.add("WF206", tree.key_mark("tasks"), "a workflow needs at least one task")
        check_graph(raws, self.out)
        self.parsed.children = [(r.workflow, r.mark) for r in self.parsed.refs
                                if r.kind == "sub"] + self.ctx.workflow_refs
        if self.parsed.name is not None:
            # _spec checks the schedule first and gives up after it when anything failed,
            # so a file with an unrelated error still gets its cron and dates checked.
            self.parsed.spec = self._spec(wf, wvals, raws)
        return self.parsed

    def _workflow_keys(self, wf: MDict) -> dict[str, Any]:
        vals: dict[str, Any] = {}
        for key in wf:
            spec = WORKFLOW_KEYS.get(key)
            if spec is None:
                self._unknown_workflow_key(wf, key)
                continue
            if wf[key] is None and not spec.required:
                continue
            if key == "release_state":
                vals[key] = self._release_state(wf)
                continue
            value = self.v.get(wf, spec, "workflow.")
            if value is not BAD:
                vals[key] = value
            if key == "run" and value is True:
                # pydolphinscheduler starts the workflow on every submit and forgets it; a
                # deploy that started workflows as a side effect would run production jobs
                # on every push, unwaited. A smoke run is explicit, per target, and waited.
                self.out.add("WF509", wf.value_mark("run"), "`run: true` is not honoured: "
                             "dagship deploys and never starts a workflow as a side effect; "
                             "list it under `targets.<name>.smoke.workflows` in dagship.yaml "
                             "and deploy with `--smoke` (or run `dagship run --wait`), then "
                             "delete `run:`")
        if "name" not in wf or wf["name"] is None:
            self.out.add("WF105", wf.mark, "workflow: missing `name:` (the workflow's name in "
                         "DolphinScheduler)")
        elif "name" in vals:
            self.parsed.name = vals["name"]
            self.parsed.name_mark = wf.value_mark("name")
            self._lengths(wf, "name", vals["name"], 255, "")
        if "description" in vals:
            self._lengths(wf, "description", vals["description"], DESCRIPTION_ROOM,
                          " (DolphinScheduler's limit is 255; dagship reserves 48 for its deploy "
                          "marker ` [dagship <digest> <commit> v<version>]`)")
        return vals

    def _lengths(self, node: MDict, key: str, value: str, limit: int, why: str) -> None:
        if len(value) > limit:
            code = "WF702" if key == "name" else "WF701"
            self.out.add(code, node.value_mark(key), f"`{key}` has {len(value)} characters; "
                         f"at most {limit} are accepted{why}")

    def _unknown_workflow_key(self, wf: MDict, key: str) -> None:
        mark = wf.key_mark(key)
        if key == "tenant":
            self.out.add("WF508", mark, "`tenant` was removed from the workflow in "
                         "pydolphinscheduler 4.1 (DolphinScheduler 3.2+ sets the tenant at run "
                         "time); delete the key")
            return
        extra = (" (it expects Python objects and cannot be used from YAML)"
                 if key in ("resource_plugin", "resource_list") else hint(key, WORKFLOW_KEYS))
        self.out.add("WF102", mark, f"unknown workflow key `{key}`{extra}; pydolphinscheduler "
                     f"ignores it silently; accepted keys: {', '.join(WORKFLOW_KEYS)}")

    def _release_state(self, wf: MDict) -> Any:
        raw = wf["release_state"]
        mark = wf.value_mark("release_state")
        if isinstance(raw, str) and raw in ("online", "offline"):
            return raw.upper()
        if isinstance(raw, str) and raw.lower() in ("online", "offline"):
            self.out.add("WF502", mark, f"release_state {raw!r} must be lowercase "
                         f"(`{raw.lower()}`): pydolphinscheduler only accepts `online` or "
                         "`offline`")
            return BAD
        self.out.add("WF104", mark, f"release_state: expected `online` or `offline`, got "
                     f"{kind(raw)}")
        return BAD

    # --- tasks ------------------------------------------------------------------------

    def _tasks(self, tasks: list[Any], *, has_param: bool) -> list[RawTask]:
        reader = TaskReader(self, has_param=has_param)
        raws: list[RawTask] = []
        for i, node in enumerate(tasks):
            mark = tasks.item_mark(i) if isinstance(tasks, MList) else Mark(1, 1)
            raw = reader.read(node, mark, i)
            if raw is not None:
                raws.append(raw)
        reader.finish(raws)
        return raws

    # --- the model ----------------------------------------------------------------------

    def _spec(self, wf: MDict, vals: dict[str, Any], raws: list[RawTask]) -> WorkflowSpec | None:
        worker_group = vals.get("worker_group", "default")
        warning_type = vals.get("warning_type", "NONE")

        def text(key: str) -> str | None:
            value = vals.get(key)
            return value if isinstance(value, str) else None

        schedule = build_schedule(wf, text, self.out, self.lines.line, worker_group, warning_type)
        if self.out.errors:
            return None
        params = vals.get("param") or MDict()
        global_params = tuple(
            Property(str(k), self.v.text(v, params.value_mark(k)) if v is not None else "")
            for k, v in params.items()
        )
        tasks = tuple(_task_spec(raw, worker_group) for raw in raws)
        return WorkflowSpec(
            name=vals["name"], path=self.path, tasks=tasks,
            description=vals.get("description", ""), project=vals.get("project"),
            release_state=vals.get("release_state", "ONLINE"),
            execution_type=vals.get("execution_type", "PARALLEL"),
            timeout=vals.get("timeout", 0), warning_group_id=vals.get("warning_group_id", 0),
            global_params=global_params, schedule=schedule, source_format="pyds",
            line=wf.mark.line, depends_on_workflows=tuple(self.ctx.depends_on),
        )


def _task_spec(raw: RawTask, worker_group: str) -> TaskSpec:
    v = raw.vals
    deps = list(dict.fromkeys([*raw.deps, *raw.upstream]))
    common = not raw.ttype.logic
    def g(key: str, default: Any) -> Any:
        return v.get(key, default) if common else default
    return TaskSpec(
        name=raw.name, task_type=raw.ttype.ds_type, params=raw.params, deps=tuple(deps),
        description=g("description", ""), flag=g("flag", "YES"),
        priority=g("task_priority", "MEDIUM"), worker_group=g("worker_group", worker_group),
        environment=g("environment_name", None), fail_retry_times=g("fail_retry_times", 0),
        fail_retry_interval=g("fail_retry_interval", 1), timeout=g("timeout", 0),
        timeout_notify_strategy=g("timeout_notify_strategy", None),
        delay_time=g("delay_time", 0), task_group_id=g("task_group_id", 0),
        task_group_priority=g("task_group_priority", 0), cpu_quota=g("cpu_quota", -1),
        memory_max=g("memory_max", -1), is_cache=g("is_cache", False), line=raw.mark.line,
    )

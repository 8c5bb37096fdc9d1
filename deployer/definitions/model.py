"""The normalised, dialect-neutral model of a workflow definition.

Whatever the source (pydolphinscheduler YAML or DolphinScheduler's export JSON), a
valid file becomes one `WorkflowSpec`. Task parameters are already in
DolphinScheduler's own `taskParams` shape (camelCase keys, 3.3+ naming:
`SUB_WORKFLOW` / `workflowDefinitionCode`), except that every value the server knows
by a code or id is left as a *reference by name* (the `*Ref` classes below). The
deployer's translation step resolves those against the target, so a file never
carries an environment-specific number, and the API dialect layer renames
3.3+ names back to 3.1/3.2 ones where the server needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# --- references resolved at deploy time -------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskRef:
    """Another task of the same workflow (switch branches, condition branches and inputs)."""

    name: str


@dataclass(frozen=True, slots=True)
class ProjectRef:
    """A project by name; None means the target's own project."""

    name: str | None


@dataclass(frozen=True, slots=True)
class WorkflowRef:
    """A workflow by name (sub-workflow child, dependent upstream); project None = target's."""

    name: str
    project: str | None = None


@dataclass(frozen=True, slots=True)
class ForeignTaskRef:
    """A task of another workflow (dependent item). task None = the whole workflow (code 0)."""

    workflow: str
    task: str | None
    project: str | None = None


@dataclass(frozen=True, slots=True)
class DatasourceRef:
    """A datasource by name; its id (and type, when the file does not say) come from the server."""

    name: str
    type: str | None = None


Ref = TaskRef | ProjectRef | WorkflowRef | ForeignTaskRef | DatasourceRef


# --- the model ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Property:
    """A DolphinScheduler parameter (globalParams / localParams item)."""

    prop: str
    value: str
    direct: str = "IN"  # IN | OUT
    type: str = "VARCHAR"  # VARCHAR INTEGER LONG FLOAT DOUBLE DATE TIME TIMESTAMP BOOLEAN LIST FILE


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    crontab: str  # Quartz, 6 or 7 fields, validated
    timezone: str  # IANA / Java zone id
    start_time: str  # "yyyy-MM-dd HH:mm:ss"
    end_time: str  # "yyyy-MM-dd HH:mm:ss"
    online: bool = True
    failure_strategy: str = "END"  # CONTINUE | END
    warning_type: str = "NONE"  # NONE SUCCESS FAILURE ALL
    warning_group_id: int = 0
    priority: str = "MEDIUM"
    worker_group: str = "default"
    environment: str | None = None  # environment name, resolved to a code at deploy time
    tenant_code: str = "default"


@dataclass(frozen=True, slots=True)
class TaskSpec:
    name: str
    task_type: str  # DolphinScheduler type name, 3.3+ spelling: SHELL, SQL, SUB_WORKFLOW, ...
    params: dict[str, Any]  # taskParams; may hold *Ref values anywhere inside
    deps: tuple[str, ...] = ()  # upstream task names: the full DAG, implied edges included
    description: str = ""
    flag: str = "YES"  # YES | NO
    priority: str = "MEDIUM"  # HIGHEST HIGH MEDIUM LOW LOWEST
    worker_group: str = "default"
    environment: str | None = None  # environment name, resolved at deploy time
    fail_retry_times: int = 0
    fail_retry_interval: int = 1
    timeout: int = 0  # minutes; > 0 means timeoutFlag OPEN
    timeout_notify_strategy: str | None = None  # WARN | FAILED | WARNFAILED
    delay_time: int = 0
    task_group_id: int = 0
    task_group_priority: int = 0
    cpu_quota: int = -1
    memory_max: int = -1
    is_cache: bool = False
    line: int = 0  # where the task starts in its file (1-based), for reports


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    name: str
    path: Path  # the file it came from
    tasks: tuple[TaskSpec, ...]
    description: str = ""
    project: str | None = None  # a project named in the file; the target's project wins
    release_state: str = "ONLINE"  # ONLINE | OFFLINE (Git is the truth; pyds default online)
    execution_type: str = "PARALLEL"
    timeout: int = 0
    warning_group_id: int = 0
    global_params: tuple[Property, ...] = ()
    schedule: ScheduleSpec | None = None
    source_format: str = "pyds"  # pyds | native
    line: int = 1
    depends_on_workflows: tuple[str, ...] = field(default=())  # same-project names to deploy first

    def task(self, name: str) -> TaskSpec:
        for t in self.tasks:
            if t.name == name:
                return t
        raise KeyError(name)

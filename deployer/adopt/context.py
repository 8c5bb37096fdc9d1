"""What the modules of `deployer.adopt` share: the code -> name lookups of a target, what the
dialect cannot say (`Loss`), and the workflow being turned back into the dialect
(`Reversal`, the state `reverse`, `logic` and `params` work on)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from deployer.engine.canonical import to_int


@dataclass(frozen=True, slots=True)
class Loss:
    """A remote field the dialect cannot express: a deploy of the pulled file changes it."""

    workflow: str
    where: str  # "task `x`: taskParams.segmentSeparator", "schedule: failureStrategy"
    detail: str

    def __str__(self) -> str:
        return f"{self.workflow}: {self.where}: {self.detail}"


@dataclass
class Names:
    """Code -> name lookups for one target (or one export file)."""

    project: str | None = None  # the target's project (dependents on it use ${CONFIG...})
    workflows: dict[int, tuple[str | None, str]] = field(default_factory=dict)  # code->(proj, name)
    tasks: dict[int, str] = field(default_factory=dict)  # any task code -> name
    projects: dict[int, str | None] = field(default_factory=dict)  # None = the target's project
    datasources: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (name, type)
    environments: dict[int, str] = field(default_factory=dict)
    # called with a project code the maps above do not know yet; fills them (pull only)
    fetch_project: Callable[[int], None] | None = None

    def ensure(self, project_code: int) -> None:
        """Fill in a project the maps do not know yet (pull asks the target)."""
        if project_code not in self.projects and self.fetch_project is not None:
            self.fetch_project(project_code)

    def add_dag(self, dag: Mapping[str, Any], project: str | None) -> None:
        wf = dag.get("workflowDefinition") or {}
        self.workflows[to_int(wf.get("code"))] = (project, str(wf.get("name")))
        for t in dag.get("taskDefinitionList") or []:
            self.tasks[to_int(t.get("code"))] = str(t.get("name"))


class Reversal:
    """One remote workflow (DagData, 3.3+ names) on its way back into the dialect."""

    def __init__(self, dag: Mapping[str, Any], names: Names) -> None:
        self.dag = dag
        self.names = names
        self.wf = dag.get("workflowDefinition") or {}
        self.name = str(self.wf.get("name"))
        self.tasks: list[Mapping[str, Any]] = list(dag.get("taskDefinitionList") or [])
        self.own = {to_int(t.get("code")): str(t.get("name")) for t in self.tasks}
        self.losses: list[Loss] = []

    def lose(self, where: str, detail: str) -> None:
        self.losses.append(Loss(self.name, where, detail))

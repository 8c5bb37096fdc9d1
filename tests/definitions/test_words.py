"""The model back in the words of the workflow file, for plan, status and diff."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deployer.core.config import Config, Target
from deployer.definitions import words
from deployer.definitions.repo import load_repository

PULL = Path(__file__).parents[1] / "data" / "pull"


@pytest.fixture(scope="module")
def all_types(tmp_path_factory):
    root = tmp_path_factory.mktemp("all-types")
    for name in ("all_types.yaml", "child_wf.yaml"):
        shutil.copy(PULL / name, root / name)
    target = Target("staging", "http://ds", "T", "proj")
    loaded = load_repository(Config(root=root, path=None, workflows=(".",),
                                    targets={"staging": target}))
    assert [f for f in loaded.findings if f.severity == "error"] == []
    return {w.name: w for w in loaded.workflows}["all_types"]


def test_every_task_type_speaks_only_dialect_keys(all_types) -> None:
    """Every taskParams key the loader writes maps back to the key that wrote it."""
    for task in all_types.tasks:
        view = words.task_view(task)
        assert [k for k in view if k.startswith("taskParams.")] == [], task.name
        assert view["task_type"] == words.type_name(task)
    assert {words.type_name(t) for t in all_types.tasks} >= {
        "Shell", "Sql", "DVCUpload", "MLflowModels", "Switch", "Condition", "Dependent"}


def test_a_shell_task_in_the_files_words(all_types) -> None:
    view = words.task_view(all_types.task("shell"))
    assert view["task_type"] == "Shell"
    assert "command" in view
    assert "rawScript" not in str(list(view))
    assert view["task_priority"] == "HIGH"
    assert view["environment_name"] == "prod_env"
    assert view["timeout"] == 15


def test_references_and_parameters_read_as_written(all_types) -> None:
    by_type = {words.type_name(t): words.task_view(t) for t in all_types.tasks}
    assert by_type["SubWorkflow"]["workflow_name"] == "child_wf"
    assert isinstance(by_type["Sql"]["datasource_name"], str)
    dep = by_type["Dependent"]
    assert dep["op"] in ("and", "or")
    assert set(dep["groups"][0]["groups"][0]) == {"project_name", "workflow_name",
                                                  "dependent_task_name", "dependent_date"}


def test_workflow_and_schedule_keys(all_types) -> None:
    assert words.workflow_view(all_types)["release_state"] == "online"
    assert words.workflow_view(all_types)["param"] == {"run_date": "$[yyyy-MM-dd-1]",
                                                       "mode": "full"}
    sched = words.schedule_view(all_types.schedule)
    assert sched["schedule"] == "0 0 3 * * ? *"
    assert sched["timezone"] == "Europe/Berlin"
    assert "timezoneId" not in sched
    assert "crontab" not in sched
    assert sched["schedule.failureStrategy"] == "END"  # no dialect key: DS's name
    assert words.schedule_view(None) == {}

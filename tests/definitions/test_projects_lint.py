"""Lint of a repository with several projects: names per project, dependents across them."""

from __future__ import annotations

from pathlib import Path

from deployer.core.config import load_config
from deployer.definitions.repo import load_repository
from tests.helpers.workflow_yaml import wf_yaml


def dep(project: str, workflow: str, task: str) -> str:
    return ("  - name: wait\n    task_type: Dependent\n    op: and\n    groups:\n"
            "      - op: and\n        groups:\n"
            f"          - project_name: {project}\n            workflow_name: {workflow}\n"
            f"            dependent_task_name: {task}\n")


def repo(tmp_path: Path, files: dict[str, str]) -> list[str]:
    (tmp_path / "dagship.yaml").write_text(
        "projects:\n  finance: wf/finance/\n  ingest: wf/ingest/\n", encoding="utf-8")
    for rel, text in files.items():
        path = tmp_path / "wf" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    loaded = load_repository(load_config(cwd=tmp_path))
    return [f"{f.path}:{f.line} {f.code} {f.message}" for f in loaded.findings]


def test_a_dependent_on_another_projects_workflow_is_checked_by_name(tmp_path: Path) -> None:
    found = repo(tmp_path, {
        "ingest/load.yaml": wf_yaml("load", [("a", "echo a", ())]),
        "finance/ok.yaml": wf_yaml("ok", [("r", "echo r", ())], extra=dep("ingest", "load", "a")),
        "finance/typo.yaml": wf_yaml("typo", [("r", "echo r", ())],
                                     extra=dep("ingest", "lod", "a")),
        "finance/task.yaml": wf_yaml("task", [("r", "echo r", ())],
                                     extra=dep("ingest", "load", "b")),
    })
    assert len(found) == 2, found
    assert "wf/finance/typo.yaml:" in found[1]
    assert "WF408" in found[1]
    assert "workflow 'lod' of project 'ingest', which no file" in found[1]
    assert "(did you mean `load`?)" in found[1]
    assert "WF409 dependent_task_name 'b' is not a task of workflow 'load'" in found[0]


def test_one_workflow_name_in_two_projects_is_fine_and_twice_in_one_is_not(
        tmp_path: Path) -> None:
    found = repo(tmp_path, {"ingest/daily.yaml": wf_yaml("daily"),
                            "finance/daily.yaml": wf_yaml("daily"),
                            "finance/again.yaml": wf_yaml("daily")})
    assert len(found) == 1
    assert "WF406" in found[0]
    assert "must be unique across project 'finance'" in found[0]

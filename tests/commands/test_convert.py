"""`dagship convert`: DolphinScheduler export JSON (3.2 and 3.3+ keys) into the dialect."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers.pull import run

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("DAGSHIP_CORPUS", ROOT.parent / "shared" / "corpus"))
EXPORTS = sorted((CORPUS / "ds-export").glob("*.json")) if CORPUS.is_dir() else []


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "workflows").mkdir(parents=True)
    (repo / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    return repo


@pytest.mark.skipif(not EXPORTS, reason="shared corpus not present (set DAGSHIP_CORPUS)")
@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.name)
def test_corpus_exports_convert_and_lint_clean(export: Path, tmp_path, monkeypatch,
                                               capsys) -> None:
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo)
    res = run(capsys, "convert", str(export), "-o", "workflows/test.yaml")
    assert res.code == 0, res.err
    text = (repo / "workflows" / "test.yaml").read_text()
    assert text.startswith("workflow:\n  name: test\n")
    assert 'command: echo "hello world"' in text
    lint = run(capsys, "lint")
    assert lint.code == 0, lint.out + lint.err
    assert lint.out == ""
    # and to stdout, byte for byte the same
    res = run(capsys, "convert", str(export))
    assert res.out == text


def _export(legacy: bool) -> list[dict]:
    wf, rel = (("processDefinition", "processTaskRelationList") if legacy
               else ("workflowDefinition", "workflowTaskRelationList"))
    sub_type, sub_key = (("SUB_PROCESS", "processDefinitionCode") if legacy
                         else ("SUB_WORKFLOW", "workflowDefinitionCode"))

    def task(code: int, name: str, ttype: str, params: dict) -> dict:
        return {"code": code, "name": name, "version": 1, "taskType": ttype,
                "taskParams": json.dumps(params), "flag": "YES", "taskPriority": "MEDIUM",
                "workerGroup": "default", "environmentCode": -1, "failRetryTimes": 0,
                "failRetryInterval": 1, "timeoutFlag": "CLOSE", "timeout": 0, "delayTime": 0,
                "cpuQuota": -1, "memoryMax": -1}

    child = {wf: {"code": 11, "name": "child", "projectCode": 1, "releaseState": "ONLINE",
                  "description": "the child [dagship 0123456789ab 89abcde v0.1.0]",
                  "globalParams": "[]", "executionType": "PARALLEL", "timeout": 0},
             rel: [{"preTaskCode": 0, "postTaskCode": 101}],
             "taskDefinitionList": [task(101, "leaf", "SHELL", {
                 "rawScript": "echo leaf\necho done", "localParams": [], "resourceList": []})],
             "schedule": None}
    parent = {wf: {"code": 12, "name": "parent", "projectCode": 1, "releaseState": "OFFLINE",
                   "description": "", "globalParams": "[]", "executionType": "PARALLEL",
                   "timeout": 0},
              rel: [{"preTaskCode": 0, "postTaskCode": 201},
                    {"preTaskCode": 201, "postTaskCode": 202}],
              "taskDefinitionList": [
                  task(201, "run_child", sub_type, {sub_key: 11, "localParams": []}),
                  task(202, "wait", "DEPENDENT", {"dependence": {
                      "relation": "AND", "dependTaskList": [{"relation": "OR", "dependItemList": [
                          {"projectCode": 1, "definitionCode": 11, "depTaskCode": 101,
                           "cycle": "day", "dateValue": "today"}]}]}})],
              "schedule": {"crontab": "0 0 1 * * ? *", "timezoneId": "UTC",
                           "startTime": "2024-01-01 00:00:00",
                           "endTime": "2099-12-31 23:59:59", "releaseState": "OFFLINE",
                           "warningType": "NONE", "failureStrategy": "END",
                           "workerGroup": "default"}}
    return [parent, child]


@pytest.mark.parametrize("legacy", [True, False], ids=["3.2-keys", "3.3-keys"])
def test_export_of_several_workflows_into_a_folder(legacy: bool, tmp_path, monkeypatch,
                                                   capsys) -> None:
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo)
    (tmp_path / "export.json").write_text(json.dumps(_export(legacy)), encoding="utf-8")
    res = run(capsys, "convert", str(tmp_path / "export.json"))
    assert res.code == 2
    assert "holds 2 workflows" in res.err
    res = run(capsys, "convert", str(tmp_path / "export.json"), "-o", "workflows")
    assert res.code == 0, res.err
    assert res.err == ""
    parent = (repo / "workflows" / "parent.yaml").read_text()
    assert parent == (
        "workflow:\n"
        "  name: parent\n"
        '  schedule: "0 0 1 * * ? *"\n'
        "  timezone: UTC\n"
        '  start_time: "2024-01-01 00:00:00"\n'
        "  online_schedule: false\n"
        "  release_state: offline\n"
        "\n"
        "tasks:\n"
        "  - name: run_child\n"
        "    task_type: SubWorkflow\n"
        "    workflow_name: child\n"
        "\n"
        "  - name: wait\n"
        "    task_type: Dependent\n"
        "    deps: [run_child]\n"
        "    op: and\n"
        "    groups:\n"
        "      - op: or\n"
        "        groups:\n"
        "          - project_name: ${CONFIG.WORKFLOW_PROJECT}\n"
        "            workflow_name: child\n"
        "            dependent_task_name: leaf\n"
        "            dependent_date: today\n")
    child = (repo / "workflows" / "child.yaml").read_text()
    assert "description: the child\n" in child  # dagship's marker is not the user's text
    assert "    command: |-\n      echo leaf\n      echo done\n" in child  # no final newline
    lint = run(capsys, "lint")
    assert lint.code == 0, lint.out + lint.err


def test_convert_names_what_it_cannot_resolve(tmp_path, monkeypatch, capsys) -> None:
    export = _export(legacy=False)[:1]  # the parent without its child
    (tmp_path / "export.json").write_text(json.dumps(export), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = run(capsys, "convert", "export.json")
    assert res.code == 0
    assert "sub-workflow code 11 is not a workflow of this project" in res.err
    assert "workflow_name: workflow_11" in res.out


def test_convert_bad_input(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.json").write_text('[{"workflowDefinition": ', encoding="utf-8")
    res = run(capsys, "convert", "broken.json")
    assert res.code == 2
    assert "broken.json:1:25: invalid JSON" in res.err
    (tmp_path / "other.json").write_text('[{"a": 1}]', encoding="utf-8")
    res = run(capsys, "convert", "other.json")
    assert res.code == 2
    assert "element 0 is not an exported workflow" in res.err
    assert "Traceback" not in res.err

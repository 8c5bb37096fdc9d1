"""`dagship lint` end to end through the CLI boundary: output lines and exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from deployer.cli.main import main

SHELL = "workflow:\n  name: {name}\ntasks:\n  - name: a\n    task_type: Shell\n    command: {cmd}\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    wf = tmp_path / "workflows"
    wf.mkdir()
    (wf / "good.yaml").write_text(SHELL.format(name="good", cmd="echo ok"), encoding="utf-8")
    (wf / "bad.yaml").write_text(SHELL.format(name="bad", cmd="echo ok") +
                                 "    fail_retry_time: 3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_output_exit_1_and_summary(repo, capsys):
    assert main(["lint"]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "workflows/bad.yaml:7:5: WF102 task `a`: unknown key `fail_retry_time` (did you mean "
        "`fail_retry_times`?) for Shell; pydolphinscheduler ignores it silently; accepted: name, "
        "task_type, deps, description, flag, task_priority, worker_group, environment_name, "
        "task_group_id, task_group_priority, delay_time, fail_retry_times, fail_retry_interval, "
        "timeout_notify_strategy, timeout, is_cache, resource_list, input_params, output_params, "
        "local_params, command, cpu_quota, memory_max"]
    assert err.splitlines() == ["1 error, 0 warnings in 1 of 2 files"]


def test_clean_files_exit_0(repo, capsys):
    assert main(["lint", "workflows/good.yaml"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "no problems in 1 file\n"


def test_json_and_github_formats(repo, capsys):
    assert main(["lint", "--format", "json"]) == 1
    (item,) = json.loads(capsys.readouterr().out)
    assert {k: item[k] for k in ("path", "line", "col", "code", "severity")} == {
        "path": "workflows/bad.yaml", "line": 7, "col": 5, "code": "WF102", "severity": "error"}
    assert main(["lint", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("::error file=workflows/bad.yaml,line=7,col=5,title=WF102::task `a`")


def test_junit_and_codequality_reports(repo, capsys):
    assert main(["lint", "--junit", "j.xml", "--codequality", "cq.json"]) == 1
    junit = Path("j.xml").read_text(encoding="utf-8")
    assert 'tests="2" failures="1"' in junit
    assert "WF102" in junit
    (cq,) = json.loads(Path("cq.json").read_text(encoding="utf-8"))
    assert cq["check_name"] == "WF102"
    assert cq["location"] == {"path": "workflows/bad.yaml",
                                                               "lines": {"begin": 7}}


def test_missing_path_is_a_usage_error(repo, capsys):
    assert main(["lint", "workflows/nope.yaml"]) == 2
    err = capsys.readouterr().err
    assert err == "dagship: error: workflows/nope.yaml: no such file or directory\n"


def test_changed_file_only_still_sees_the_whole_repo(repo, capsys):
    (repo / "workflows" / "zz_dup.yaml").write_text(SHELL.format(name="good", cmd="echo x"),
                                                 encoding="utf-8")
    assert main(["lint", "workflows/good.yaml"]) == 0  # the duplicate is dup.yaml's finding
    capsys.readouterr()
    assert main(["lint", "workflows/zz_dup.yaml"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("workflows/zz_dup.yaml:2:9: WF406 workflow name 'good' is also used by "
                          "workflows/good.yaml:2")


def test_config_lint_disable_and_warnings_do_not_fail(repo, capsys):
    (repo / "dagship.yaml").write_text("lint:\n  disable: [WF102]\n", encoding="utf-8")
    (repo / "workflows" / "sched.yaml").write_text(
        "workflow:\n  name: s\n  schedule: '0 0 2 * * ? *'\ntasks:\n"
        "  - {name: a, task_type: Shell, command: echo 非ASCII}\n", encoding="utf-8")
    assert main(["lint"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("workflows/sched.yaml:3:3: WF305 no `timezone:`")
    assert err == "0 errors, 1 warning in 1 of 3 files\n"


def test_broken_yaml_is_a_finding_not_a_traceback(repo, capsys):
    (repo / "workflows" / "broken.yaml").write_text("workflow: [\n", encoding="utf-8")
    assert main(["lint", "workflows/broken.yaml"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("workflows/broken.yaml:2:1: WF100 invalid YAML")
    assert os.path.exists("workflows/broken.yaml")


def test_schedule_is_checked_even_when_the_file_has_other_errors(tmp_path, monkeypatch, capsys):
    wf = tmp_path / "workflows"
    wf.mkdir()
    (wf / "a.yaml").write_text(
        "workflow:\n  name: a\n  schedule: \"0 2 * * *\"\n  timezone: UTC\n"
        "tasks:\n  - name: u\n    task_type: Shell\n    deps: [zz]\n    command: echo hi\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--format", "json"]) == 1
    codes = [(f["code"], f["line"]) for f in json.loads(capsys.readouterr().out)]
    assert codes == [("WF301", 3), ("WF202", 8)]


def test_the_hooks_force_exclude_skips_files_outside_the_workflows_folders(repo, capsys):
    # pre-commit's `files: \.(ya?ml|json)$` passes dagship.yaml and CI files too; the hook
    # says --force-exclude (as ruff's hook does), so they are skipped, silently
    (repo / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    (repo / ".gitlab-ci.yml").write_text("stages: [lint]\n", encoding="utf-8")
    assert main(["lint", "--force-exclude", "dagship.yaml", ".gitlab-ci.yml",
                 "workflows/good.yaml"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == ["no problems in 1 file"]


def test_a_file_named_outside_the_workflows_folders_is_linted(repo, capsys):
    (repo / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    (repo / "drafts").mkdir()
    (repo / "drafts" / "new.yaml").write_text(SHELL.format(name="new", cmd="echo ok") +
                                              "    fail_retry_time: 3\n", encoding="utf-8")
    assert main(["lint", "drafts/new.yaml"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("drafts/new.yaml:7:5: WF102 ")
    assert err.splitlines() == ["1 error, 0 warnings in 1 of 1 file"]
    assert main(["lint", "drafts"]) == 1  # a folder named: its workflow files
    assert capsys.readouterr().out.startswith("drafts/new.yaml:7:5: WF102 ")
    (repo / ".gitlab-ci.yml").write_text("stages: [lint]\n", encoding="utf-8")
    assert main(["lint", ".gitlab-ci.yml"]) == 1  # named: it must be a workflow file
    assert "WF107 not a workflow file" in capsys.readouterr().out


def test_a_named_file_that_cannot_be_a_workflow_is_a_usage_error(repo, capsys):
    (repo / "notes.txt").write_text("notes\n", encoding="utf-8")
    assert main(["lint", "notes.txt"]) == 2
    assert capsys.readouterr().err == ("dagship: error: notes.txt: not a workflow file "
                                       "(*.yaml, *.yml or *.json)\n")


def test_nothing_to_lint_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dagship.yaml").write_text("workflows: [flows/]\n", encoding="utf-8")
    assert main(["lint"]) == 0
    assert capsys.readouterr().err == (
        "dagship: nothing to lint: flows/ does not exist (`workflows:` of "
        f"{tmp_path / 'dagship.yaml'})\n")
    (tmp_path / "flows").mkdir()
    assert main(["lint"]) == 0
    assert capsys.readouterr().err == (
        "dagship: nothing to lint: no *.yaml, *.yml or *.json file under flows/ (`workflows:` "
        f"of {tmp_path / 'dagship.yaml'})\n")
    (tmp_path / "dagship.yaml").unlink()
    assert main(["lint"]) == 0
    assert capsys.readouterr().err == (
        "dagship: nothing to lint: workflows/ does not exist (the default folder: no "
        f"dagship.yaml found in {tmp_path} or above)\n")


def test_lint_from_a_subdirectory_names_paths_from_the_repository_root(repo, monkeypatch, capsys):
    (repo / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    monkeypatch.chdir(repo / "workflows")
    assert main(["lint", "bad.yaml"]) == 1
    assert capsys.readouterr().out.startswith("workflows/bad.yaml:7:5: WF102")
    assert main(["lint", "."]) == 1
    assert capsys.readouterr().err == "1 error, 0 warnings in 1 of 2 files\n"


def test_lint_disable_of_an_unknown_code_warns_with_the_closest_code(repo, capsys):
    (repo / "dagship.yaml").write_text("lint:\n  disable: [wf102, WF102]\n", encoding="utf-8")
    assert main(["lint"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == ["dagship: warning: lint.disable: unknown code `wf102` (did you mean "
                   "`WF102`?); codes are listed in docs/rules.md (WF100 ... WF702)",
                   "no problems in 2 files"]

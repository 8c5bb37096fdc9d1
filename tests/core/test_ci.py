"""deployer.core.ci: CI detection, the default format, merge targets and `--range auto`."""

from __future__ import annotations

import json

import pytest

from deployer.cli.main import main
from deployer.core.ci import commit_range, default_format, detect, merge_target_branch
from deployer.core.errors import UsageError

A, B = "a" * 40, "b" * 40
ZERO = "0" * 40


@pytest.mark.parametrize(("env", "ci", "fmt"), [
    ({"GITHUB_ACTIONS": "true"}, "github", "github"),
    ({"GITLAB_CI": "true"}, "gitlab", "text"),
    ({"JENKINS_URL": "https://ci.example.com/"}, "jenkins", "text"),
    ({"CI": "true"}, None, "text"),
    ({}, None, "text"),
])
def test_detection_and_default_format(env, ci, fmt):
    assert detect(env) == ci
    assert default_format(env) == fmt


def test_merge_target_branch_of_each_ci():
    assert merge_target_branch({"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main"}) == "main"
    assert merge_target_branch({"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": ""}) is None
    assert merge_target_branch({"GITLAB_CI": "true",
                                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "develop"}) == "develop"
    assert merge_target_branch({"JENKINS_URL": "x", "CHANGE_TARGET": "main"}) == "main"
    assert merge_target_branch({"GITHUB_BASE_REF": "main"}) is None  # not in a CI


def test_github_ranges_from_the_event_payload(tmp_path):
    event = tmp_path / "event.json"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_PATH": str(event), "GITHUB_SHA": B}
    event.write_text(json.dumps({"pull_request": {"base": {"sha": A}, "head": {"sha": B}}}))
    assert commit_range(env) == f"{A}..{B}"
    event.write_text(json.dumps({"before": A, "after": B}))
    assert commit_range(env) == f"{A}..{B}"
    event.write_text(json.dumps({"before": ZERO, "after": B}))  # a new branch
    assert commit_range(env) == f"{B}^!"
    event.write_text("{not json")
    with pytest.raises(UsageError, match="cannot read the GitHub event payload"):
        commit_range(env)


def test_gitlab_and_jenkins_ranges():
    gl = {"GITLAB_CI": "true", "CI_COMMIT_SHA": B}
    assert commit_range({**gl, "CI_MERGE_REQUEST_DIFF_BASE_SHA": A}) == f"{A}..{B}"
    assert commit_range({**gl, "CI_MERGE_REQUEST_DIFF_BASE_SHA": A,
                         "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": "c" * 40}) == f"{A}..{'c' * 40}"
    assert commit_range({**gl, "CI_COMMIT_BEFORE_SHA": A}) == f"{A}..{B}"
    assert commit_range({**gl, "CI_COMMIT_BEFORE_SHA": ZERO}) == f"{B}^!"
    jk = {"JENKINS_URL": "x", "GIT_COMMIT": B}
    assert commit_range({**jk, "CHANGE_TARGET": "main"}) == f"origin/main..{B}"
    assert commit_range({**jk, "GIT_PREVIOUS_SUCCESSFUL_COMMIT": A}) == f"{A}..{B}"
    assert commit_range(jk) == f"{B}^!"


def test_range_auto_outside_ci_is_a_usage_error(tmp_path, monkeypatch, capsys):
    for var in ("GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["commit-msg", "--range", "auto"]) == 2
    err = capsys.readouterr().err
    assert "--range auto: cannot tell which commits outside a detected CI" in err
    assert "--range origin/main..HEAD" in err


def test_lint_prints_annotations_on_github_and_text_elsewhere(tmp_path, monkeypatch, capsys):
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "w.yaml").write_text("workflow:\n  name: w\ntasks: 3\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITLAB_CI", raising=False)
    monkeypatch.delenv("JENKINS_URL", raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["lint"]) == 1
    assert capsys.readouterr().out.startswith("::error file=workflows/w.yaml,line=3")
    assert main(["lint", "--format", "text"]) == 1  # an explicit format wins
    assert capsys.readouterr().out.startswith("workflows/w.yaml:3:")
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert main(["lint"]) == 1
    assert capsys.readouterr().out.startswith("workflows/w.yaml:3:")


def _two_targets(root, url: str) -> None:
    (root / "workflows").mkdir()
    (root / "workflows" / "w.yaml").write_text(
        "workflow:\n  name: w\ntasks:\n  - name: t\n    task_type: Shell\n    command: echo\n")
    (root / "dagship.yaml").write_text(
        "targets:\n"
        f"  staging: {{url: {url}, token_env: T, project: p-staging, branches: [develop]}}\n"
        f"  production: {{url: {url}, token_env: T, project: p-prod, branches: [main],"
        " production: true}\n")


@pytest.fixture
def ci_repo(tmp_path, monkeypatch):
    from deployer.sandbox import Sandbox

    for var in ("GITHUB_REF_NAME", "GITHUB_REF_TYPE", "GITHUB_BASE_REF", "CI_COMMIT_BRANCH",
                "BRANCH_NAME", "GIT_BRANCH", "GITLAB_CI", "JENKINS_URL", "CHANGE_TARGET",
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"):
        monkeypatch.delenv(var, raising=False)
    with Sandbox(token="tok-0123456789abcdef") as sb:
        _two_targets(tmp_path, sb.base_url)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("T", sb.token)
        yield sb


@pytest.mark.parametrize(("into", "target"), [("main", "production"), ("develop", "staging")])
def test_a_pull_request_plans_against_the_target_it_merges_into(ci_repo, monkeypatch, capsys,
                                                                into, target):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REF_NAME", "7/merge")
    monkeypatch.setenv("GITHUB_BASE_REF", into)
    assert main(["plan", "--no-progress"]) == 0
    assert f"Target {target}:" in capsys.readouterr().out
    # a deploy of the same build deploys nothing: the merge, not the request, deploys
    assert main(["deploy", "--no-progress"]) == 0
    assert "pull request build" in capsys.readouterr().out
    assert ci_repo.state.project("p-prod") is None
    assert ci_repo.state.project("p-staging") is None


def test_a_gitlab_merge_request_plan_names_its_target(ci_repo, monkeypatch, capsys):
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
    monkeypatch.setenv("DAGSHIP_TARGET", "production")  # the env var stands for --target
    assert main(["plan", "--no-progress"]) == 0
    assert "Target production: project p-prod" in capsys.readouterr().out

"""Target selection, the token's secrecy, validation before sending, and the reports."""

from __future__ import annotations

import json
import logging

import pytest

from tests.helpers.deploy_env import PROJECT, Env, sub_yaml, wf_yaml


def test_branch_maps_to_target(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("etl", wf_yaml("etl"))
    monkeypatch.setenv("GITHUB_REF_NAME", "develop")
    res = env.run("deploy", "--no-progress", target=None)
    assert res.code == 0, res.err
    assert env.remote("etl") is not None


def test_glob_branch_and_jenkins_origin_prefix(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("etl", wf_yaml("etl"))
    monkeypatch.setenv("GIT_BRANCH", "origin/release/1.2")
    res = env.run("plan", target=None)
    assert res.code == 0, res.err
    assert "Target staging" in res.out


def test_github_tag_ref_is_not_a_branch(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("etl", wf_yaml("etl"))
    monkeypatch.setenv("GITHUB_REF_NAME", "main")
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")
    monkeypatch.setenv("CI_COMMIT_BRANCH", "develop")
    res = env.run("plan", target=None)
    assert "Target staging" in res.out


def test_pull_request_merge_ref_is_not_a_branch(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("etl", wf_yaml("etl"))
    config = env.root / "dagship.yaml"  # staging takes every branch
    config.write_text(config.read_text().replace("[develop, 'release/*']", "['*']"))
    monkeypatch.setenv("GITHUB_REF_NAME", "123/merge")
    monkeypatch.setenv("GITHUB_REF_TYPE", "branch")
    before = env.sb.request_count
    res = env.run("deploy", target=None)
    assert res.code == 0, res.err
    assert "pull request build" in res.out
    assert env.sb.request_count == before
    # Named explicitly, a production target still refuses a build that is no listed branch.
    res = env.run("deploy", target="production")
    assert res.code == 1
    assert "production target" in res.err


def test_jenkins_refs_heads_prefix(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("etl", wf_yaml("etl"))
    monkeypatch.setenv("GIT_BRANCH", "refs/heads/develop")
    res = env.run("plan", target=None)
    assert res.code == 0, res.err
    assert "Target staging" in res.out


def test_unmapped_branch_deploys_nothing(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("etl", wf_yaml("etl"))
    monkeypatch.setenv("CI_COMMIT_BRANCH", "feature/x")
    before = env.sb.request_count
    res = env.run("deploy", target=None)
    assert res.code == 0
    assert "branch 'feature/x' is mapped to no target" in res.out
    assert env.sb.request_count == before


def test_production_refuses_an_unlisted_branch(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("etl", wf_yaml("etl"))
    monkeypatch.setenv("BRANCH_NAME", "develop")
    res = env.run("deploy", target="production")
    assert res.code == 1
    assert "production target" in res.err
    assert "main" in res.err
    assert env.sb.state.project("dagship-prod") is None
    monkeypatch.setenv("BRANCH_NAME", "main")
    res = env.run("deploy", "--no-progress", target="production")
    assert res.code == 0, res.err


def test_missing_token_names_the_variable(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("etl", wf_yaml("etl"))
    monkeypatch.delenv("DS_TOKEN")
    res = env.run("deploy")
    assert res.code == 2
    assert "DS_TOKEN" in res.err


def test_invalid_files_send_nothing(env: Env) -> None:
    env.write("good", wf_yaml("good"))
    env.write("bad", wf_yaml("bad", [("a", "echo a", ("missing",))]))
    before = env.sb.request_count
    res = env.run("deploy")
    assert res.code == 1
    assert "bad.yaml" in res.err
    assert env.sb.request_count == before


def test_missing_reference_names_file_task_and_name(env: Env) -> None:
    env.write("wf", wf_yaml("wf", [("a", "echo a", ())], extra=(
        "  - name: q\n    task_type: Sql\n    datasource_name: nope\n"
        "    sql: select 1\n    deps: [a]\n")))
    res = env.run("deploy")
    assert res.code == 1
    assert "wf.yaml: task 'q'" in res.err
    assert "datasource 'nope'" in res.err
    assert env.sb.state.workflows(PROJECT) == []


def test_token_never_in_output_even_verbose(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    env.write("etl", wf_yaml("etl", schedule="0 0 2 * * ? *"))
    caplog.set_level(logging.DEBUG, logger="dagship.http")
    res = env.run("deploy", "--verbose", "--json", "r.json", "--markdown", "r.md")
    assert res.code == 0
    assert "GET" in res.err  # requests were logged
    token = env.sb.token
    texts = [res.out, res.err, caplog.text, (env.root / "r.json").read_text(),
             (env.root / "r.md").read_text()]
    assert all(token not in t for t in texts)
    # An error that echoes the token is redacted too.
    env.mp.setenv("DS_TOKEN", token + "-wrong")
    res = env.run("deploy", "--verbose")
    assert res.code == 3
    assert token not in res.out + res.err


def test_json_and_markdown_reports(env: Env) -> None:
    env.write("child", wf_yaml("child"))
    env.write("parent", sub_yaml("parent", "child.yaml"))
    env.deploy()
    env.write("child", wf_yaml("child", [("a", "echo a", ()), ("b", "echo B", ("a",)),
                                         ("c", "echo c", ("b",))], schedule="0 0 2 * * ? *"))
    res = env.run("plan", "--json", "plan.json", "--markdown", "plan.md")
    assert res.code == 0
    assert res.out == (
        "Target staging: project dagship-test, DolphinScheduler 3.3 API, not a Git checkout\n"
        "\n"
        "dagship will perform the following actions on target staging (project "
        "dagship-test):\n"
        "\n"
        "  ~ workflow child  (update in place)\n"
        "      ~ task b (Shell)\n"
        '          ~ command: "echo b" -> "echo B"\n'
        "      + task c (Shell)\n"
        '      + schedule: "0 0 2 * * ? *" (timezone UTC)\n'
        "\n"
        "Plan: 0 to create, 1 to update, 0 to delete, 1 unchanged, 0 drifted\n")
    doc = json.loads((env.root / "plan.json").read_text())
    assert doc["summary"] == {"create": 0, "update": 1, "delete": 0, "unchanged": 1,
                              "drifted": 0}
    child = next(w for w in doc["workflows"] if w["name"] == "child")
    assert child["tasks"] == {"added": ["c"], "changed": ["b"], "removed": []}
    # the same per-field changes as the text, in the same words
    changed = {t["name"]: t for t in child["changes"]["tasks"]}
    assert changed["b"]["changes"] == [{"field": "command", "old": "echo b", "new": "echo B"}]
    assert changed["c"]["status"] == "added"
    assert child["changes"]["schedule"][0]["new"]["schedule"] == "0 0 2 * * ? *"
    assert doc["result"] is None
    md = (env.root / "plan.md").read_text()
    assert "| ~ | update | `child` |" in md
    assert '- **~ task** `b` (Shell):\n  - `command`: `"echo b"` → `"echo B"`' in md
    assert "```mermaid\nflowchart LR" in md
    assert "class t2 added" in md
    assert "class t1 changed" in md
    assert "t0 --> t1" in md


def test_plan_detailed_exitcode_says_whether_changes_are_pending(env: Env) -> None:
    """As `terraform plan -detailed-exitcode`: 0 nothing to do, 2 changes, 1 any error."""
    env.write("etl", wf_yaml("etl"))
    assert env.run("plan", "--detailed-exitcode").code == 2  # to create
    assert env.run("plan").code == 0  # without the option: 0 with changes too
    env.deploy()
    assert env.run("plan", "--detailed-exitcode").code == 0
    env.write("etl", wf_yaml("etl", [("a", "echo changed", ())]))
    assert env.run("plan", "--detailed-exitcode").code == 2
    env.mp.setenv("DS_TOKEN", "")  # a usage error is 2 normally: here it must not read so
    res = env.run("plan", "--detailed-exitcode")
    assert res.code == 1
    assert "the token for target 'staging' is missing" in res.err

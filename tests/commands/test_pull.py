"""Adoption round trip against the sandbox, in both API generations: workflows made the way the
UI makes them (every task type of the dialect), `pull`, then `deploy` sends nothing (no new
version), a second `pull` writes byte-identical files, and the pulled files lint clean."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.dsui import edit_task_script
from tests.helpers.pull import (
    DATASOURCES,
    ENVIRONMENTS,
    HERE,
    PROJECT,
    TOKEN,
    client,
    create_like_ui,
    run,
    versions,
    write_config,
)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(params=["3.2", "3.3"])
def adopted(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A sandbox holding the all-types workflows, made like the UI, and an empty data repo."""
    with Sandbox(api_version=request.param, token=TOKEN, datasources=DATASOURCES,
                 environments=ENVIRONMENTS) as sb:
        source = tmp_path / "source"
        write_config(source, sb)
        for name in ("all_types.yaml", "child_wf.yaml"):
            shutil.copy(HERE / name, source / "workflows" / name)
        create_like_ui(sb, source, ["child_wf", "all_types"])
        c = client(sb)
        try:  # and one edit saved in the UI afterwards
            code = int(sb.state.project(PROJECT)["code"])
            edit_task_script(c, code, "all_types", "python", "print('edited in the UI')\n")
        finally:
            c.close()
        repo = tmp_path / "repo"
        write_config(repo, sb)
        monkeypatch.chdir(repo)
        monkeypatch.setenv("DS_TOKEN", sb.token)
        yield sb, repo


def test_pull_then_deploy_sends_nothing(adopted, capsys) -> None:
    sb, repo = adopted
    served = sb.request_count
    res = run(capsys, "pull", "--target", "staging")
    assert res.code == 0, res.err
    assert "warning" not in res.err, res.err
    assert sb.request_count - served <= 8  # list requests, not one per workflow
    written = _tree(repo / "workflows")
    assert set(written) == {"all_types.yaml", "child_wf.yaml"}
    text = written["all_types.yaml"].decode()
    assert "[dagship" not in text
    assert "print('edited in the UI')" in text  # the UI's edit is what Git now holds
    assert "workflow_name: child_wf" in text  # references by name, not code
    assert "datasource_name: pg" in text
    assert "environment_name: prod_env" in text
    before = versions(sb)
    served = sb.request_count
    res = run(capsys, "deploy", "--target", "staging", "--no-progress")
    assert res.code == 0, res.err
    assert "nothing to do" in res.out, res.out
    assert versions(sb) == before
    assert sb.request_count - served < 15  # reads only

    again = run(capsys, "pull", "--target", "staging")
    assert again.code == 0
    assert "0 file(s) written, 0 unchanged, 2 kept as written (they already match)" \
        in again.out
    assert _tree(repo / "workflows") == written

    lint = run(capsys, "lint")
    assert lint.code == 0, lint.out + lint.err


def test_pull_one_workflow_with_side_files(adopted, capsys) -> None:
    sb, repo = adopted
    c = client(sb)
    try:
        code = int(sb.state.project(PROJECT)["code"])
        long_script = "".join(f"echo line {i}\n" for i in range(12))
        edit_task_script(c, code, "all_types", "branch_a", long_script)
    finally:
        c.close()
    res = run(capsys, "pull", "--target", "staging", "--workflow", "all_types", "--side-files")
    assert res.code == 0, res.err
    tree = _tree(repo / "workflows")
    assert set(tree) == {"all_types.yaml", "all_types/branch_a.sh"}
    assert tree["all_types/branch_a.sh"].decode() == long_script
    assert 'command: $FILE{"all_types/branch_a.sh"}' in tree["all_types.yaml"].decode()
    # the child is not in the repo: deploy only what was pulled, which changes nothing
    before = versions(sb)
    (repo / "workflows" / "child_wf.yaml").write_text(
        "workflow:\n  name: child_wf\n\ntasks:\n"
        "  - name: leaf\n    task_type: Shell\n    command: echo leaf\n", encoding="utf-8")
    res = run(capsys, "deploy", "--target", "staging", "--no-progress")
    assert res.code == 0, res.out + res.err
    assert "nothing to do" in res.out
    assert versions(sb) == before


def test_pull_names_what_the_dialect_cannot_say(adopted, capsys) -> None:
    sb, _repo = adopted
    c = client(sb)
    try:
        code = int(sb.state.project(PROJECT)["code"])
        dag = c.get_workflow(code, "all_types")
        assert dag is not None
        for t in dag["taskDefinitionList"]:
            if t["name"] == "sql":
                t["taskParams"] = {**t["taskParams"], "segmentSeparator": ";"}
        wf = dag["workflowDefinition"]
        c.release_workflow(code, wf["code"], "OFFLINE")
        c.update_workflow(code, wf["code"], {
            "name": wf["name"], "description": wf["description"],
            "globalParams": wf["globalParams"], "locations": wf["locations"],
            "timeout": wf["timeout"], "executionType": wf["executionType"],
            "taskDefinitionJson": dag["taskDefinitionList"],
            "taskRelationJson": dag["workflowTaskRelationList"]})
    finally:
        c.close()
    res = run(capsys, "pull", "--target", "staging")
    assert res.code == 0
    assert "all_types: task `sql`: taskParams.segmentSeparator" in res.err
    assert "a deploy of the file would change it" in res.err


def test_pull_errors(adopted, capsys) -> None:
    _sb, _repo = adopted
    res = run(capsys, "pull", "--target", "staging", "--workflow", "nope")
    assert res.code == 2
    assert "no workflow named 'nope'" in res.err
    res = run(capsys, "pull", "--target", "prod")
    assert res.code == 2
    assert "unknown target 'prod'" in res.err


def test_pull_keeps_a_file_that_already_matches(adopted, capsys) -> None:
    sb, repo = adopted
    config = (repo / "dagship.yaml").read_text()
    (repo / "dagship.yaml").write_text(config + "    variables: {greeting: leaf}\n")
    templated = ("# the child, with its greeting per target\nworkflow:\n  name: child_wf\n\n"
                 "tasks:\n  - name: leaf\n    task_type: Shell\n"
                 "    command: echo $VAR{greeting}\n")
    (repo / "workflows" / "child.yaml").write_text(templated)
    (repo / "workflows" / "all_types.yaml").write_text("not: a workflow of ours\n")
    res = run(capsys, "pull", "--target", "staging")
    assert res.code == 0, res.err
    assert (repo / "workflows" / "child.yaml").read_text() == templated
    assert "1 kept as written" in res.out
    # a file that is no workflow is never overwritten: the pulled one gets another name
    assert (repo / "workflows" / "all_types.yaml").read_text() == "not: a workflow of ours\n"
    assert "pulled workflows/all_types_2.yaml" in res.out

    c = client(sb)
    try:
        edit_task_script(c, int(sb.state.project(PROJECT)["code"]), "child_wf", "leaf",
                         "echo changed in the UI")
    finally:
        c.close()
    res = run(capsys, "pull", "--target", "staging", "--workflow", "child_wf")
    assert res.code == 0, res.err
    assert "pulled workflows/child.yaml" in res.out  # its own file, rewritten
    assert "command: echo changed in the UI" in (repo / "workflows" / "child.yaml").read_text()
    assert "workflows/child.yaml was rewritten with the target's values" in res.err


def test_both_generations_pull_the_same_bytes(tmp_path: Path, monkeypatch, capsys) -> None:
    trees = []
    for version in ("3.2", "3.3"):
        with Sandbox(api_version=version, token=TOKEN, datasources=DATASOURCES,
                     environments=ENVIRONMENTS) as sb:
            source = tmp_path / version / "source"
            write_config(source, sb)
            for name in ("all_types.yaml", "child_wf.yaml"):
                shutil.copy(HERE / name, source / "workflows" / name)
            create_like_ui(sb, source, ["child_wf", "all_types"])
            repo = tmp_path / version / "repo"
            write_config(repo, sb)
            monkeypatch.chdir(repo)
            monkeypatch.setenv("DS_TOKEN", sb.token)
            res = run(capsys, "pull", "--target", "staging")
            assert res.code == 0, res.err
            trees.append(_tree(repo / "workflows"))
    assert trees[0] == trees[1]


def test_a_file_that_does_not_load_here_is_still_rewritten_in_place(adopted, capsys,
                                                                    monkeypatch) -> None:
    _sb, repo = adopted
    monkeypatch.delenv("NOT_SET_HERE", raising=False)
    (repo / "workflows" / "the_child.yaml").write_text(
        "workflow:\n  name: child_wf\n\ntasks:\n  - name: leaf\n    task_type: Shell\n"
        "    command: echo $ENV{NOT_SET_HERE}\n")
    res = run(capsys, "pull", "--target", "staging", "--workflow", "child_wf")
    assert res.code == 0, res.err
    assert res.out.splitlines()[0] == "pulled workflows/the_child.yaml"
    assert sorted(p.name for p in (repo / "workflows").iterdir()) == ["the_child.yaml"]
    assert "command: echo leaf" in (repo / "workflows" / "the_child.yaml").read_text()


def test_pull_looks_up_and_names_the_token_as_deploy_does(tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    with Sandbox(api_version="3.3", token=TOKEN) as sb:
        repo = tmp_path / "repo"
        write_config(repo, sb)
        monkeypatch.chdir(repo)
        monkeypatch.delenv("DS_TOKEN", raising=False)
        for command in ("pull", "plan"):
            res = run(capsys, command, "--target", "staging")
            assert (res.code, res.err) == (2, (
                "dagship: error: the token for target 'staging' is missing: set the "
                "environment variable DS_TOKEN (targets.staging.token_env)\n"))
        monkeypatch.setenv("DS_TOKEN", "not-the-token-0123456789abcdef")
        for command in ("pull", "plan"):
            res = run(capsys, command, "--target", "staging")
            assert res.code == 3, res.err
            assert ("the token in the environment variable DS_TOKEN "
                    "(targets.staging.token_env) is wrong or has expired") in res.err
            assert "not-the-token" not in res.err

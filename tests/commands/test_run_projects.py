"""`dagship run` and `deploy --smoke` in a repository of three projects, against the sandbox
over real HTTP: a name is found in the one project that has it, `key/name` picks one of
several, and the smoke run runs once after every project is deployed."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.projects_repo import Projects
from tests.helpers.workflow_yaml import wf_yaml

FAST = ("--poll", "0.05", "--no-progress")


@pytest.fixture
def repo(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Projects:
    r = Projects(tmp_path / "repo", sandbox, monkeypatch, capsys)
    res = r.run("deploy", "--target", "staging", "--no-progress")
    assert res.code == 0, res.out + res.err
    return r


def test_a_name_of_one_project_runs_there(repo: Projects) -> None:
    res = repo.run("run", "--target", "staging", "report", "--wait", *FAST)
    assert res.code == 0, res.err
    assert "started finance/report as instance 1" in res.err
    assert "finance/report #1: SUCCESS" in res.err
    assert repo.started_in() == ["finance-staging"]


def test_a_name_of_two_projects_is_refused_and_says_how_to_pick(repo: Projects) -> None:
    res = repo.run("run", "--target", "staging", "load", *FAST)
    assert res.code == 2, res.err
    assert "deployed in 2 projects of target 'staging'" in res.err
    assert "ingest (ingest-staging), marketing (marketing-staging)" in res.err
    assert "e.g. ingest/load" in res.err
    assert "Traceback" not in res.err
    assert repo.started_in() == []


def test_key_slash_name_picks_the_project_and_one_run_follows_two_projects(
        repo: Projects) -> None:
    res = repo.run("run", "--target", "staging", "marketing/load", "ingest/load", "report",
                   "--wait", *FAST)
    assert res.code == 0, res.err
    for n, shown in enumerate(("marketing/load", "ingest/load", "finance/report"), 1):
        assert f"{shown} #{n}: SUCCESS" in res.err
    assert repo.started_in() == ["marketing-staging", "ingest-staging", "finance-staging"]


@pytest.mark.parametrize(("name", "words"), [
    ("nope/load", ["deployed in none of the projects", "'nope' is no project key",
                   "keys: finance, ingest, marketing"]),
    ("finance/load", ["'load' is not deployed in project finance (finance-staging)"]),
    ("missing", ["deployed in none of the projects of target 'staging'"]),
])
def test_names_not_found_say_where_dagship_looked(repo: Projects, name: str,
                                                  words: list[str]) -> None:
    res = repo.run("run", "--target", "staging", name, *FAST)
    assert res.code == 2, res.err
    for word in words:
        assert word in res.err
    assert repo.started_in() == []


def test_a_preview_target_runs_in_the_branch_project(repo: Projects,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSHIP_BRANCH", "feature/x")
    res = repo.run("deploy", "--target", "preview", "--no-progress")
    assert res.code == 0, res.out + res.err
    res = repo.run("run", "--target", "preview", "marketing/load", "--wait", *FAST)
    assert res.code == 0, res.err
    assert [p.split("--")[0] for p in repo.started_in()] == ["marketing-feature-x"]


SMOKE = "    smoke:\n      workflows: [report, ingest/load]\n      timeout: 30\n      poll: 0.05\n"


def test_deploy_smoke_runs_once_after_every_project(
        tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = Projects(tmp_path / "repo", sandbox, monkeypatch, capsys, smoke=SMOKE)
    res = repo.run("deploy", "--target", "staging", "--no-progress", "--smoke",
                   "--smoke-junit", "smoke.xml")
    assert res.code == 0, res.out + res.err
    assert res.out.count("=== project") == 3  # each project deployed ...
    assert res.err.count("smoke run of report, ingest/load on staging") == 1  # ... one smoke
    assert repo.started_in() == ["finance-staging", "ingest-staging"]
    assert repo.sb.state.workflow("marketing-staging", "load") is not None
    assert 'name="i"' in (repo.root / "smoke.xml").read_text()


def test_deploy_smoke_naming_a_workflow_of_two_projects_fails_after_the_deploy(
        tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = Projects(tmp_path / "repo", sandbox, monkeypatch, capsys,
                    smoke=SMOKE.replace("ingest/load", "load"))
    res = repo.run("deploy", "--target", "staging", "--no-progress", "--smoke")
    assert res.code == 2, res.err
    assert "say which as KEY/NAME, e.g. ingest/load" in res.err
    assert repo.started_in() == []
    assert sandbox.state.workflow("ingest-staging", "load") is not None  # deployed all the same


def test_deploy_smoke_without_smoke_config_sends_nothing(repo: Projects) -> None:
    repo.write("finance", "extra", wf_yaml("extra"))
    res = repo.run("deploy", "--target", "staging", "--no-progress", "--smoke")
    assert res.code == 2, res.err
    assert "has no `smoke:`" in res.err
    assert repo.sb.state.workflow("finance-staging", "extra") is None

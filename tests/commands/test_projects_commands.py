"""`diff`, `pull` and `rollback` in a repository of three projects, against the sandbox over
real HTTP: each works project by project, under the project's heading, and never mixes two
projects' workflows of one name (`load` is both ingest's and marketing's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.gitrun import commit_all, git
from tests.helpers.projects_repo import Projects
from tests.helpers.workflow_yaml import wf_yaml


@pytest.fixture
def repo(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Projects:
    r = Projects(tmp_path / "repo", sandbox, monkeypatch, capsys)
    git("init", "-q", cwd=r.root)
    commit_all(r.root, "feat: v1", tag="v1")
    return r


def _sections(out: str) -> dict[str, str]:
    """The output under each `=== project KEY: NAME ===` heading, by key."""
    parts = out.split("\n=== project ")[1:]
    return {p.split(":", 1)[0]: p for p in parts}


def _tasks(sb: Sandbox, project: str, name: str) -> dict[str, str]:
    wf = sb.state.workflow(project, name)
    assert wf is not None, (project, name)
    return {t["name"]: json.loads(t["taskParams"])["rawScript"]
            if isinstance(t["taskParams"], str) else t["taskParams"]["rawScript"]
            for t in wf["tasks"]}


def _v2(repo: Projects) -> None:
    repo.write("ingest", "load", wf_yaml("load", [("i", "echo ingest v2", ())]))
    repo.write("marketing", "campaigns", wf_yaml("campaigns", [("c", "echo c", ())]))
    commit_all(repo.root, "feat: v2", tag="v2")


def test_diff_reports_each_projects_changes_under_its_heading(repo: Projects) -> None:
    _v2(repo)
    res = repo.run("diff", "v1", "v2", "--target", "staging")
    assert res.code == 0, res.out + res.err
    sections = _sections(res.out)
    assert sorted(sections) == ["finance", "ingest", "marketing"], res.out
    assert "load (workflows/ingest/load.yaml): ~1 task" in sections["ingest"], res.out
    assert '"echo ingest" -> "echo ingest v2"' in sections["ingest"]
    assert "campaigns (workflows/marketing/campaigns.yaml)" in sections["marketing"], res.out
    assert "load" not in sections["marketing"]  # the other project's `load` did not change
    assert "No workflow changes (1 unchanged)" in sections["finance"], res.out
    res = repo.run("diff", "v1", "v2", "--target", "staging", "--json", "diff.json")
    assert res.code == 0, res.err
    doc = json.loads((repo.root / "diff.json").read_text(encoding="utf-8"))
    assert doc["target"] == "staging"
    by_key = {p["key"]: p for p in doc["projects"]}
    assert by_key["ingest"]["project"] == "ingest-staging"
    assert json.dumps(by_key["ingest"]["report"]).count('"load"') >= 1
    assert '"campaigns"' in json.dumps(by_key["marketing"]["report"])
    assert '"campaigns"' not in json.dumps(by_key["ingest"]["report"])


def test_pull_writes_each_project_into_its_own_folder(repo: Projects) -> None:
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    for key in ("finance", "ingest", "marketing"):
        for f in (repo.root / "workflows" / key).iterdir():
            f.unlink()
    res = repo.run("pull", "--target", "staging")
    assert res.code == 0, res.out + res.err
    commit_all(repo.root, "chore: pulled")
    pulled = {p.relative_to(repo.root / "workflows").as_posix()
              for p in (repo.root / "workflows").rglob("*.yaml")}
    assert pulled == {"finance/report.yaml", "ingest/load.yaml", "marketing/load.yaml"}
    assert "echo ingest" in (repo.root / "workflows/ingest/load.yaml").read_text()
    assert "echo marketing" in (repo.root / "workflows/marketing/load.yaml").read_text()
    before = {p: wf["version"] for p in ("ingest-staging", "marketing-staging")
              for wf in [repo.sb.state.workflow(p, "load")] if wf}
    res = repo.run("deploy", "--target", "staging", "--no-progress")
    assert res.code == 0, res.out + res.err
    assert res.out.count("nothing to do") == 3, res.out  # what was pulled is what is there
    assert before == {p: repo.sb.state.workflow(p, "load")["version"] for p in before}


def test_pull_of_one_workflow_name_pulls_it_where_it_is(repo: Projects) -> None:
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    (repo.root / "workflows/finance/report.yaml").unlink()
    res = repo.run("pull", "--target", "staging", "--workflow", "report")
    assert res.code == 0, res.out + res.err
    assert (repo.root / "workflows/finance/report.yaml").is_file()
    assert "=== project ingest" not in res.out  # the projects without it are not read
    res = repo.run("pull", "--target", "staging", "--workflow", "load")
    assert res.code == 2, res.out + res.err
    assert "say which as KEY/NAME, e.g. ingest/load" in res.err
    (repo.root / "workflows/marketing/load.yaml").unlink()
    res = repo.run("pull", "--target", "staging", "--workflow", "marketing/load")
    assert res.code == 0, res.out + res.err
    assert "echo marketing" in (repo.root / "workflows/marketing/load.yaml").read_text()
    assert not (repo.root / "workflows/ingest/load.yaml").read_text().count("marketing")


def test_rollback_to_a_ref_restores_every_project(repo: Projects) -> None:
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    _v2(repo)
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    assert _tasks(repo.sb, "ingest-staging", "load") == {"i": "echo ingest v2"}
    marketing = repo.sb.state.workflow("marketing-staging", "load")
    assert marketing is not None
    res = repo.run("rollback", "--to", "v1", "--target", "staging", "--no-progress")
    assert res.code == 0, res.out + res.err
    assert sorted(_sections(res.out)) == ["finance", "ingest", "marketing"]
    assert _tasks(repo.sb, "ingest-staging", "load") == {"i": "echo ingest"}
    after = repo.sb.state.workflow("marketing-staging", "load")
    assert after is not None
    assert after["version"] == marketing["version"]  # unchanged since v1: not touched
    assert repo.sb.state.workflow("marketing-staging", "campaigns") is not None  # no prune


def test_rollback_of_a_version_switches_the_workflow_of_its_project(repo: Projects) -> None:
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    _v2(repo)
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    marketing = repo.sb.state.workflow("marketing-staging", "load")
    res = repo.run("rollback", "--target", "staging", "--workflow", "ingest/load",
                   "--version", "1")
    assert res.code == 0, res.out + res.err
    assert "=== project ingest: ingest-staging ===" in res.out
    assert _tasks(repo.sb, "ingest-staging", "load") == {"i": "echo ingest"}
    assert repo.sb.state.workflow("marketing-staging", "load") == marketing  # not touched
    res = repo.run("rollback", "--target", "staging", "--workflow", "load", "--version", "1")
    assert res.code == 2, res.out + res.err
    assert "ingest/load" in res.err

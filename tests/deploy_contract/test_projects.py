"""Several projects in one repository, and preview projects per branch, on every backend.

Everything is read back through the API with dagship's own client; every project a test
makes carries the test's unique prefix and is removed afterwards."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deployer.client import DSClient
from deployer.client.resources import ResourceCenter
from tests.deploy_contract.helpers import (
    TOKEN_ENV,
    Backend,
    Run,
    remove_project,
    remove_resource_tree,
)
from tests.helpers.clirun import forget_ci, run_cli
from tests.helpers.tenant import give_tenant
from tests.helpers.workflow_yaml import wf_yaml


def dependent_on(project: str, workflow: str, task: str) -> str:
    return ("  - name: wait_upstream\n    task_type: Dependent\n    op: and\n"
            "    groups:\n      - op: and\n        groups:\n"
            f"          - project_name: {project}\n"
            f"            workflow_name: {workflow}\n"
            f"            dependent_task_name: {task}\n"
            "            dependent_date: last1Days\n")


class Repo:
    def __init__(self, root: Path, backend: Backend, prefix: str,
                 capsys: pytest.CaptureFixture[str]) -> None:
        self.root, self.backend, self.prefix, self.capsys = root, backend, prefix, capsys
        timeouts = "    timeout: 30\n    deadline: 60\n" if backend.real else ""
        common = (f"    url: {backend.url}\n    token_env: {TOKEN_ENV}\n"
                  f'    api_version: "{backend.api_version}"\n{timeouts}')
        (root / "workflows").mkdir(parents=True)
        for key in ("ingest", "finance", "marketing"):
            (root / "workflows" / key).mkdir()
        (root / "dagship.yaml").write_text(
            "projects:\n"  # finance first: its Dependent task makes ingest go before it
            "  finance: workflows/finance/\n"
            "  ingest: workflows/ingest/\n"
            "  marketing: workflows/marketing/\n"
            "targets:\n"
            f"  staging:\n{common}    project: \"{prefix}-{{project}}\"\n"
            f"  preview:\n{common}    project: \"{prefix}-{{project}}-{{branch}}\"\n"
            "    branches: ['feature/*']\n"
            f"  production:\n{common}    project: \"{prefix}-{{project}}-prod\"\n",
            encoding="utf-8")

    def write(self, project: str, name: str, text: str) -> None:
        (self.root / "workflows" / project / f"{name}.yaml").write_text(text, encoding="utf-8")

    def run(self, *args: str) -> Run:
        got = run_cli(self.capsys, [*args, "--verbose", "--no-color"])
        return Run(got.code, got.out, got.err)


@pytest.fixture
def prefix(backend: Backend) -> Iterator[str]:
    name = f"ct{uuid.uuid4().hex[:8]}"
    yield name
    with backend.client() as c:
        # a workflow another project's Dependent task uses goes last: in rounds
        for _round in range(3):
            for p in c.list_projects():
                if str(p["name"]).startswith(name):
                    try:
                        remove_project(c, str(p["name"]))
                    except AssertionError:
                        continue
        assert not [p for p in c.list_projects() if str(p["name"]).startswith(name)]


@pytest.fixture
def repo(tmp_path: Path, backend: Backend, prefix: str, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Repo:
    r = Repo(tmp_path / "repo", backend, prefix, capsys)
    monkeypatch.chdir(r.root)
    monkeypatch.setenv(TOKEN_ENV, backend.token)
    forget_ci(monkeypatch)
    monkeypatch.delenv("DAGSHIP_BRANCH", raising=False)
    return r


def snapshot(c: DSClient, prefix: str) -> dict[str, Any]:
    """Every project of the test as the API shows it: description, and each workflow's
    version, release state and tasks."""
    out: dict[str, Any] = {}
    for p in c.list_projects():
        if str(p["name"]).startswith(prefix):
            out[str(p["name"])] = (p.get("description"), {
                str(d["workflowDefinition"]["name"]): (
                    d["workflowDefinition"]["version"], d["workflowDefinition"]["releaseState"],
                    sorted(str(t["name"]) for t in d["taskDefinitionList"]))
                for d in c.list_workflows(int(p["code"]))})
    return out


def three_projects(repo: Repo) -> None:
    repo.write("ingest", "load", wf_yaml("load", [("a", "echo load", ())]))
    repo.write("finance", "report", wf_yaml("report", [("r", "echo report", ())],
                                            extra=dependent_on("ingest", "load", "a")))
    repo.write("marketing", "campaigns", wf_yaml("campaigns", [("c", "echo c", ())]))


def test_three_projects_deploy_in_one_plan_and_a_cross_project_dependent_resolves(
        repo: Repo, backend: Backend, prefix: str) -> None:
    three_projects(repo)
    res = repo.run("deploy", "--target", "staging", "--no-progress", "--json", "r.json")
    assert res.code == 0, res.out + res.err
    # ingest goes first although the config lists finance first: finance waits on it
    assert res.out.index("=== project ingest") < res.out.index("=== project finance")
    doc = json.loads((repo.root / "r.json").read_text())
    assert [p["project"] for p in doc["projects"]] == [
        f"{prefix}-ingest", f"{prefix}-finance", f"{prefix}-marketing"]
    with backend.client() as c:
        ingest = c.find_project(f"{prefix}-ingest")
        finance = c.find_project(f"{prefix}-finance")
        assert ingest is not None
        assert finance is not None
        load = c.get_workflow(int(ingest["code"]), "load")
        report = c.get_workflow(int(finance["code"]), "report")
        assert load is not None
        assert report is not None
        wait = next(t for t in report["taskDefinitionList"] if t["name"] == "wait_upstream")
        params = wait["taskParams"]
        params = json.loads(params) if isinstance(params, str) else params
        item = params["dependence"]["dependTaskList"][0]["dependItemList"][0]
        assert int(item["projectCode"]) == int(ingest["code"])
        assert int(item["definitionCode"]) == int(load["workflowDefinition"]["code"])
        a_code = next(int(t["code"]) for t in load["taskDefinitionList"] if t["name"] == "a")
        assert int(item["depTaskCode"]) == a_code
        # nothing of the production target was made
        assert c.find_project(f"{prefix}-finance-prod") is None
    again = repo.run("deploy", "--target", "staging", "--no-progress")
    assert again.code == 0, again.out + again.err
    assert again.writes == []
    assert again.out.count("0 to create, 0 to update, 0 to delete") == 3
    status = repo.run("status", "--target", "staging", "--no-progress")
    assert status.code == 0, status.out + status.err
    for key in ("ingest", "finance", "marketing"):
        assert f"=== project {key}: {prefix}-{key} ===" in status.out
    assert status.writes == []


def test_prune_stays_inside_the_projects_the_config_names(
        repo: Repo, backend: Backend, prefix: str) -> None:
    three_projects(repo)
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    with backend.client() as c:  # a project of the same prefix that the config does not name
        other = int(c.create_project(f"{prefix}-other", "kept")["code"])
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    (repo.root / "workflows" / "marketing" / "campaigns.yaml").unlink()
    repo.write("marketing", "promo", wf_yaml("promo"))
    with backend.client() as c:
        before = snapshot(c, prefix)
    res = repo.run("deploy", "--target", "staging", "--no-progress", "--prune")
    assert res.code == 0, res.out + res.err
    with backend.client() as c:
        after = snapshot(c, prefix)
        assert set(after[f"{prefix}-marketing"][1]) == {"promo"}
        for name in (f"{prefix}-ingest", f"{prefix}-finance", f"{prefix}-other"):
            assert after[name] == before[name]
        assert other


def test_two_branches_previews_side_by_side_and_destroy_touches_nothing_else(
        repo: Repo, backend: Backend, prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    three_projects(repo)
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    for branch in ("feature/a", "feature/B_2"):
        monkeypatch.setenv("DAGSHIP_BRANCH", branch)
        res = repo.run("deploy", "--target", "preview", "--no-progress")
        assert res.code == 0, res.out + res.err
    with backend.client() as c:
        before = snapshot(c, prefix)
    previews = {n for n in before if n.count("-") > 1 and "--" in n}
    assert len(previews) == 6, sorted(before)  # 3 projects x 2 branches, names distinct
    for name in previews:
        assert "[dagship preview target=preview branch=feature/" in before[name][0]
        assert before[name][1], name  # the workflows are there
    listed = repo.run("previews", "--target", "preview")
    assert listed.code == 0, listed.err
    assert listed.out.count("feature/a") == 3
    assert listed.out.count("feature/B_2") == 3

    monkeypatch.setenv("DAGSHIP_BRANCH", "feature/a")
    dry = repo.run("destroy", "--target", "preview", "--dry-run")
    assert dry.code == 0, dry.out + dry.err
    assert dry.writes == []
    res = repo.run("destroy", "--target", "preview")
    assert res.code == 0, res.out + res.err
    with backend.client() as c:
        after = snapshot(c, prefix)
    gone = {n for n in before if n not in after}
    assert len(gone) == 3, gone
    assert all("feature-a--" in n for n in gone), gone
    assert after == {n: v for n, v in before.items() if n not in gone}  # the rest untouched
    again = repo.run("destroy", "--target", "preview")
    assert again.code == 0, again.out + again.err
    assert again.writes == []
    assert "does not exist; nothing to destroy" in again.out


@pytest.fixture
def resource_trees(backend: Backend, prefix: str, monkeypatch: pytest.MonkeyPatch
                   ) -> Iterator[None]:
    """The token's user gets a tenant (3.1 keeps files in its folder); dagship's folders of
    the test's projects are removed afterwards (the prefix fixture removes the projects)."""
    restore = give_tenant(backend.url, backend.token, backend.api_version, real=backend.real,
                          mp=monkeypatch)
    try:
        yield
    finally:
        try:
            with backend.client() as c:
                for name in _resource_folders(c, backend, prefix):
                    remove_resource_tree(c, backend.api_version, f"/dagship/{name}")
        finally:
            restore()


def _resource_folders(c: DSClient, backend: Backend, prefix: str) -> dict[str, set[str]]:
    """Each folder below /dagship of the test's projects -> the files in it."""
    out: dict[str, set[str]] = {}
    for path, f in ResourceCenter(c, backend.api_version, "/dagship").list().items():
        top, _, rest = path.partition("/")
        if top.startswith(prefix):
            files = out.setdefault(top, set())
            if rest and not f.directory:
                files.add(rest)
    return out


def test_destroy_removes_the_previews_resources_and_no_others(
        repo: Repo, backend: Backend, prefix: str, monkeypatch: pytest.MonkeyPatch,
        resource_trees: None) -> None:
    config = repo.root / "dagship.yaml"
    config.write_text("resources: [resources/]\n" + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    (repo.root / "resources" / "etl" / "deep").mkdir(parents=True)
    (repo.root / "resources" / "etl" / "load.sh").write_text("echo load\n", encoding="utf-8")
    (repo.root / "resources" / "etl" / "deep" / "q.sql").write_text("select 1;\n",
                                                                    encoding="utf-8")
    # offline: a 3.1 server on H2 refuses every resource delete while any online workflow
    # uses a resource (docs/resources.md), and the other previews' workflows stay
    repo.write("ingest", "load", "workflow:\n  name: load\n  release_state: offline\n"
               "tasks:\n  - name: a\n    task_type: Shell\n    command: bash load.sh;\n"
               "    resource_list: [resources/etl/load.sh, resources/etl/deep/q.sql]\n")
    repo.write("finance", "report", wf_yaml("report", [("r", "echo report", ())],
                                            release_state="offline"))
    assert repo.run("deploy", "--target", "staging", "--no-progress").code == 0
    for branch in ("feature/a", "feature/b"):
        monkeypatch.setenv("DAGSHIP_BRANCH", branch)
        res = repo.run("deploy", "--target", "preview", "--no-progress")
        assert res.code == 0, res.out + res.err
    files = {"etl/load.sh", "etl/deep/q.sql"}
    with backend.client() as c:
        before = _resource_folders(c, backend, prefix)
        projects = snapshot(c, prefix)
    ours = {n for n in before if "feature-a--" in n}
    # every project of every build has its own folder, with the repository's files in it
    assert len(before) == 9, sorted(before)
    assert len(ours) == 3, sorted(before)
    assert all(v == {f"resources/{f}" for f in files} for v in before.values()), before

    monkeypatch.setenv("DAGSHIP_BRANCH", "feature/a")
    dry = repo.run("destroy", "--target", "preview", "--dry-run")
    assert dry.code == 0, dry.out + dry.err
    assert dry.writes == []
    for name in ours:
        assert f"would delete resource folder /dagship/{name}" in dry.out, dry.out
        for f in files:
            assert f"would delete resource resources/{f} (/dagship/{name})" in dry.out
        assert f"would delete resource resources/etl/deep/ (/dagship/{name})" in dry.out
    res = repo.run("destroy", "--target", "preview")
    assert res.code == 0, res.out + res.err
    out = res.out
    for name in ours:  # the files before the folders, and all of it before the project
        steps = [f"resource resources/etl/load.sh (/dagship/{name})",
                 f"resource resources/etl/ (/dagship/{name})", f"resource folder /dagship/{name}"]
        if name in projects:
            steps.append(f"delete project {name} ")
        at = [out.index(step) for step in steps]
        assert at == sorted(at), out
    # marketing has no workflow, so no project was made: its folder went all the same
    assert sum(name in projects for name in ours) == 2
    with backend.client() as c:
        after = _resource_folders(c, backend, prefix)
        left = snapshot(c, prefix)
    assert after == {n: v for n, v in before.items() if n not in ours}
    assert left == {n: v for n, v in projects.items() if n not in ours}
    again = repo.run("destroy", "--target", "preview")
    assert again.code == 0, again.out + again.err
    assert again.writes == []
    assert "resource" not in again.out


def test_destroy_refuses_a_project_dagship_did_not_create_and_production(
        repo: Repo, backend: Backend, prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("ingest", "load", wf_yaml("load", [("a", "echo load", ())]))
    monkeypatch.setenv("DAGSHIP_BRANCH", "main2")
    res = repo.run("deploy", "--target", "preview", "--no-progress")
    assert res.code != 0
    assert "feature/*" in res.err
    monkeypatch.setenv("DAGSHIP_BRANCH", "feature/x")
    name = f"{prefix}-ingest-feature-x--"
    with backend.client() as c:  # someone made the preview's project by hand
        assert repo.run("destroy", "--target", "preview", "--dry-run").code == 0
        res = repo.run("deploy", "--target", "preview", "--no-progress", "--dry-run")
        made = next(line for line in res.out.splitlines() if name in line)
        project = made[made.index(name):].split()[0].rstrip(")")
        c.create_project(project, "made by hand")
    refused = repo.run("destroy", "--target", "preview")
    assert refused.code != 0
    assert "was not created by dagship" in refused.err
    assert refused.writes == []
    with backend.client() as c:
        assert c.find_project(project) is not None
    prod = repo.run("destroy", "--target", "production")
    assert prod.code != 0
    assert "production target" in prod.err
    assert prod.requests == []


def test_a_build_no_target_takes_runs_the_command_once_as_it_is(
        repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    three_projects(repo)
    monkeypatch.setenv("GITHUB_REF_NAME", "7/merge")  # a pull request build: no target
    for command in ("plan", "deploy", "status"):
        res = repo.run(command)
        assert res.code == 0, res.out + res.err
        assert "mapped to no target; nothing to deploy" in res.out
        assert res.requests == []

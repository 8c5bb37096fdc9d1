"""`dagship destroy` and the resource center, against the sandbox over real HTTP: the
preview's own folder goes, a target's shared `resource_dir` stays, and so does the folder
of a project that keeps a workflow dagship did not make."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.client import DSClient
from deployer.client.resources import ResourceCenter
from deployer.sandbox import Sandbox
from tests.deploy_contract.helpers import create_handmade
from tests.helpers.clirun import Result, forget_ci, run_cli
from tests.helpers.workflow_yaml import wf_yaml


class Preview:
    def __init__(self, root: Path, sb: Sandbox, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str], extra: str = "") -> None:
        self.root, self.sb, self.capsys = root, sb, capsys
        (root / "workflows").mkdir(parents=True)
        (root / "resources").mkdir()
        (root / "resources" / "a.sh").write_text("echo a\n", encoding="utf-8")
        (root / "workflows" / "etl.yaml").write_text(wf_yaml("etl"), encoding="utf-8")
        (root / "dagship.yaml").write_text(
            "resources: [resources/]\ntargets:\n  preview:\n"
            f"    url: {sb.base_url}\n    token_env: DS_TOKEN\n"
            "    project: \"p-{branch}\"\n    branches: ['feature/*']\n" + extra,
            encoding="utf-8")
        monkeypatch.chdir(root)
        monkeypatch.setenv("DS_TOKEN", sb.token)
        forget_ci(monkeypatch)
        monkeypatch.setenv("DAGSHIP_BRANCH", "feature/a")

    def run(self, *args: str) -> Result:
        return run_cli(self.capsys, [*args, "--target", "preview"])

    def files(self, root: str) -> set[str]:
        with DSClient(self.sb.base_url, self.sb.token) as c:
            return {p for p, f in ResourceCenter(c, "3.3", root).list().items()
                    if not f.directory}


def test_the_previews_own_folder_goes_and_a_second_run_finds_nothing(
        tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = Preview(tmp_path / "repo", sandbox, monkeypatch, capsys)
    assert repo.run("deploy", "--no-progress").code == 0
    project = next(p["name"] for p in sandbox.state.projects.values())
    assert repo.files(f"/dagship/{project}") == {"resources/a.sh"}
    res = repo.run("destroy")
    assert res.code == 0, res.out + res.err
    with DSClient(sandbox.base_url, sandbox.token) as c:
        assert ResourceCenter(c, "3.3", f"/dagship/{project}").list() == {}
        assert "" in ResourceCenter(c, "3.3", "/dagship").list()  # the parent stays
    again = repo.run("destroy")
    assert again.code == 0, again.err
    assert "resource" not in again.out
    assert "nothing to destroy" in again.out


def test_a_shared_resource_dir_is_kept(tmp_path: Path, sandbox: Sandbox,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    repo = Preview(tmp_path / "repo", sandbox, monkeypatch, capsys,
                   extra="    resource_dir: /shared/previews\n")
    assert repo.run("deploy", "--no-progress").code == 0
    res = repo.run("destroy")
    assert res.code == 0, res.out + res.err
    assert "kept resource folder /shared/previews" in res.out
    assert repo.files("/shared/previews") == {"resources/a.sh"}
    assert not sandbox.state.projects  # the project itself went


def test_a_kept_project_keeps_its_resource_folder(tmp_path: Path, sandbox: Sandbox,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo = Preview(tmp_path / "repo", sandbox, monkeypatch, capsys)
    assert repo.run("deploy", "--no-progress").code == 0
    project = next(p for p in sandbox.state.projects.values())
    with DSClient(sandbox.base_url, sandbox.token) as c:  # someone adds one by hand
        create_handmade(c, int(project["code"]), "mine", params={"rawScript": "bash a.sh"})
    res = repo.run("destroy")
    assert res.code == 0, res.out + res.err
    assert "its resource folder is kept too" in res.out
    assert repo.files(f"/dagship/{project['name']}") == {"resources/a.sh"}
    assert sandbox.state.workflow(str(project["name"]), "etl") is None  # dagship's went

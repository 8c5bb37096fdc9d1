"""`dagship pull` on every backend of the deploy contract suite: workflows the UI left behind
(no dagship marker, one task edited by hand) come back as YAML that deploys as a no-op (no
write request, no new version), and a second pull writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deployer.cli.main import main
from deployer.engine import metadata
from tests.deploy_contract.helpers import Backend, Remote, Repo, sql_to_shell

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _unmanage(remote: Remote) -> None:
    """Save every workflow as the UI does, with the description its author typed (no
    dagship marker): from then on they are workflows dagship did not deploy."""
    pc = remote.pc
    for dag in remote.c.list_workflows(pc):
        wf = dag["workflowDefinition"]
        code = int(wf["code"])
        online = wf["releaseState"] == "ONLINE"
        if online:
            remote.c.release_workflow(pc, code, "OFFLINE")
        remote.c.update_workflow(pc, code, {
            "name": wf["name"], "description": metadata.parse(wf["description"])[0],
            "globalParams": wf.get("globalParams") or [], "locations": wf.get("locations") or [],
            "timeout": wf.get("timeout") or 0, "executionType": wf.get("executionType"),
            "taskDefinitionJson": dag["taskDefinitionList"],
            "taskRelationJson": dag["workflowTaskRelationList"]})
        if online:
            remote.c.release_workflow(pc, code, "ONLINE")


def test_pull_round_trip(repo: Repo, remote: Remote, backend: Backend, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(EXAMPLES / "workflows", repo.root / "workflows", dirs_exist_ok=True)
    for path in (repo.root / "workflows").glob("*.yaml"):
        path.write_text(sql_to_shell(path.read_text(encoding="utf-8")), encoding="utf-8")
    repo.deploy()
    _unmanage(remote)
    remote.ui_edit("load_customers", "fetch_customer_export", "echo 'edited in the UI'\n")

    adopted = Repo(tmp_path / "adopted", backend, repo.project, monkeypatch, capsys)
    pulled = adopted.run("pull")
    assert pulled.code == 0, pulled.out + pulled.err
    assert "warning" not in pulled.err, pulled.err
    assert pulled.writes == [], pulled.writes
    files = {p.name: p.read_bytes() for p in (adopted.root / "workflows").glob("*.yaml")}
    assert len(files) == 6
    assert b"echo 'edited in the UI'" in files["load_customers.yaml"]
    assert b"[dagship" not in b"".join(files.values())

    versions = remote.versions()
    deployed = adopted.run("deploy", "--no-progress")
    assert deployed.code == 0, deployed.out + deployed.err
    assert "nothing to do" in deployed.out, deployed.out
    assert deployed.writes == [], deployed.writes
    assert remote.versions() == versions

    again = adopted.run("pull")
    assert again.code == 0, again.err
    assert "0 file(s) written" in again.out
    assert {p.name: p.read_bytes()
            for p in (adopted.root / "workflows").glob("*.yaml")} == files
    assert main(["lint"]) == 0

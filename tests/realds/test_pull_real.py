"""`dagship pull` against a real DolphinScheduler: what the UI left behind comes back as YAML
that deploys as a no-op (no write request, no new version), and a second pull writes nothing.

Skipped unless DAGSHIP_REAL_DS_URL is set (`python3 scripts/real-ds/realds.py deploy-test`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dsui import edit_task_script
from realds_helpers import RealDS, repo_config
from test_deploy_real import Remote, Repo

from deployer import metadata
from deployer.cli import main


def _unmanage(remote: Remote) -> None:
    """Save every workflow as the UI does, with the description its author typed (no
    dagship marker): from then on they are workflows dagship did not deploy."""
    for name, dag in remote.dags().items():
        wf = dag["workflowDefinition"]
        code = int(wf["code"])
        online = wf["releaseState"] == "ONLINE"
        if online:
            remote.c.release_workflow(remote.pc, code, "OFFLINE")
        remote.c.update_workflow(remote.pc, code, {
            "name": name, "description": metadata.parse(wf["description"])[0],
            "globalParams": wf.get("globalParams") or [], "locations": wf.get("locations") or [],
            "timeout": wf.get("timeout") or 0, "executionType": wf.get("executionType"),
            "taskDefinitionJson": dag["taskDefinitionList"],
            "taskRelationJson": dag["workflowTaskRelationList"]})
        if online:
            remote.c.release_workflow(remote.pc, code, "ONLINE")


@pytest.mark.usefixtures("cleanup")
def test_pull_round_trip_on_a_real_server(real_repo: Path, real_ds: RealDS, project_name: str,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    source = Repo(real_repo, real_ds, project_name, monkeypatch, capsys)
    first = source.cli("deploy", "--no-progress")
    assert first.code == 0, first.out + first.err
    remote = Remote(real_ds, project_name)
    _unmanage(remote)
    edit_task_script(remote.c, remote.pc, "load_customers", "fetch_customer_export",
                     "echo 'edited in the UI'\n")

    (tmp_path / "adopted" / "workflows").mkdir(parents=True)
    (tmp_path / "adopted" / "dagship.yaml").write_text(repo_config(real_ds, project_name),
                                                       encoding="utf-8")
    repo = Repo(tmp_path / "adopted", real_ds, project_name, monkeypatch, capsys)
    pulled = repo.cli("pull")
    assert pulled.code == 0, pulled.out + pulled.err
    assert "warning" not in pulled.err, pulled.err
    assert pulled.writes == [], pulled.writes
    files = {p.name: p.read_bytes() for p in (repo.root / "workflows").glob("*.yaml")}
    assert len(files) == 6
    assert b"echo 'edited in the UI'" in files["load_customers.yaml"]
    assert b"[dagship" not in b"".join(files.values())

    versions = remote.versions()
    deployed = repo.cli("deploy", "--no-progress")
    assert deployed.code == 0, deployed.out + deployed.err
    assert "nothing to do" in deployed.out, deployed.out
    assert deployed.writes == [], deployed.writes
    assert remote.versions() == versions

    again = repo.cli("pull")
    assert again.code == 0, again.err
    assert "0 file(s) written" in again.out
    assert {p.name: p.read_bytes() for p in (repo.root / "workflows").glob("*.yaml")} == files
    assert main(["lint"]) == 0

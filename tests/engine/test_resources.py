"""Resources from Git end to end through the CLI against the sandbox (over HTTP)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from deployer.core.errors import EXIT_PARTIAL
from tests.helpers.deploy_env import Env

JAR = bytes(range(256)) * 64


def _setup(env: Env, extra: str = "") -> None:
    text = (env.root / "dagship.yaml").read_text(encoding="utf-8")
    (env.root / "dagship.yaml").write_text("resources: [resources/]\n" + text, encoding="utf-8")
    if extra:
        env.write_config(extra)
        text = (env.root / "dagship.yaml").read_text(encoding="utf-8")
        (env.root / "dagship.yaml").write_text("resources: [resources/]\n" + text,
                                               encoding="utf-8")
    res = env.root / "resources"
    (res / "lib").mkdir(parents=True, exist_ok=True)
    (res / "run.sh").write_text("echo hello\n", encoding="utf-8")
    (res / "lib" / "app.jar").write_bytes(JAR)
    env.write("uses", "workflow:\n  name: uses\ntasks:\n  - name: a\n    task_type: Shell\n"
              "    command: bash run.sh;\n    resource_list: [resources/run.sh]\n"
              "  - name: b\n    task_type: Spark\n    program_type: JAVA\n"
              "    main_class: x.Main\n    main_package: resources/lib/app.jar\n")


def _params(wf: dict[str, Any] | None) -> dict[str, Any]:
    """Task name -> the resource reference the server keeps (resourceList or mainJar)."""
    assert wf is not None
    out = {}
    for t in wf["tasks"]:
        p = t["taskParams"]
        p = json.loads(p) if isinstance(p, str) else p
        out[t["name"]] = p.get("mainJar") or p.get("resourceList")
    return out


def _requests(err: str) -> list[str]:
    return re.findall(r"(GET|POST|PUT|DELETE) (/\S+) ->", err)


def test_deploy_uploads_then_noop_sends_no_upload(env: Env) -> None:
    _setup(env)
    plan = env.run("plan")
    assert plan.code == 0, plan.out + plan.err
    assert "+ resource resources/run.sh" in plan.out
    assert "Resources: 2 to upload, 0 to update, 0 to delete, 0 unchanged" in plan.out
    env.deploy()
    rows = env.sb.state.resources
    jar = rows["/dolphinscheduler/default/resources/dagship/dagship-test/resources/lib/app.jar"]
    assert jar["content"] == JAR
    full = "/dolphinscheduler/default/resources/dagship/dagship-test/resources/"
    assert _params(env.remote("uses")) == {
        "a": [{"resourceName": full + "run.sh"}], "b": {"resourceName": full + "lib/app.jar"}}
    again = env.run("deploy", "--no-progress", "--verbose")
    assert again.code == 0, again.out + again.err
    sent = _requests(again.err)
    assert not [s for s in sent if s[0] != "GET"], sent  # nothing written at all
    assert "nothing to do" in again.out


def test_update_and_prune_only_inside_the_folder(env: Env) -> None:
    _setup(env)
    env.deploy()
    # something of someone else's, beside dagship's folder
    c = env.client()
    from deployer.client.resources import ResourceCenter
    other = ResourceCenter(c, "3.3", "/team-b")
    other.upload("keep.sh", b"mine\n", "")
    (env.root / "resources" / "run.sh").write_text("echo changed\n", encoding="utf-8")
    (env.root / "resources" / "lib" / "app.jar").unlink()
    env.write("uses", "workflow:\n  name: uses\ntasks:\n  - name: a\n    task_type: Shell\n"
              "    command: bash run.sh;\n    resource_list: [resources/run.sh]\n")
    plan = env.run("plan", "--prune")
    assert "~ resource resources/run.sh" in plan.out, plan.out
    assert "- resource resources/lib/app.jar" in plan.out
    env.deploy("--prune")
    names = set(env.sb.state.resources)
    base = "/dolphinscheduler/default/resources/"
    assert base + "team-b/keep.sh" in names
    assert base + "dagship/dagship-test/resources/lib/app.jar" not in names
    assert base + "dagship/dagship-test/resources/lib" not in names  # left empty: pruned
    run = env.sb.state.resources[base + "dagship/dagship-test/resources/run.sh"]
    assert run["content"] == b"echo changed\n"
    c.close()


def test_missing_resource_is_a_lint_error_with_a_hint(env: Env) -> None:
    _setup(env)
    env.write("bad", "workflow:\n  name: bad\ntasks:\n  - name: a\n    task_type: Shell\n"
              "    command: echo;\n    resource_list: [resources/rn.sh]\n")
    res = env.run("plan")
    assert res.code != 0
    assert "workflows/bad.yaml:7:21: WF412" in res.err + res.out
    assert "did you mean `resources/run.sh`" in res.err + res.out


def test_size_limit_refused_before_any_request(env: Env) -> None:
    _setup(env, "    resource_max_mb: 1\n")
    (env.root / "resources" / "big.bin").write_bytes(b"x" * (1024 * 1024 + 1))
    res = env.run("deploy", "--no-progress", "--verbose")
    assert res.code != 0
    assert "resources/big.bin: 1048577 bytes exceeds the limit of 1 MiB" in res.err + res.out
    assert _requests(res.err) == []
    assert "Traceback" not in res.err


@pytest.mark.parametrize("version", ["3.1", "3.2"])
def test_legacy_generations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str], version: str) -> None:
    from deployer.sandbox import Sandbox
    with Sandbox(api_version=version) as sb:
        if version == "3.1":
            from deployer.sandbox.store import ADMIN
            monkeypatch.setitem(ADMIN, "tenantId", 1)
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        _setup(env, f"    api_version: \"{version}\"\n")
        env.deploy()
        again = env.run("deploy", "--no-progress", "--verbose")
        assert again.code == 0, again.out + again.err
        assert not [s for s in _requests(again.err)
                    if s[0] != "GET" and not s[1].endswith("/list")]
        refs = _params(sb.state.workflow("dagship-test", "uses"))
        if version == "3.1":  # ids, the ones the server gave the files
            ids = {r["fullName"]: r["id"] for r in sb.state.resources.values()}
            assert refs == {"a": [{"id": ids["/dagship/dagship-test/resources/run.sh"]}],
                            "b": {"id": ids["/dagship/dagship-test/resources/lib/app.jar"]}}
        else:
            assert refs["b"] == {"resourceName": "/dolphinscheduler/default/resources/dagship/"
                                 "dagship-test/resources/lib/app.jar"}


def test_status_shows_each_resource(env: Env) -> None:
    _setup(env)
    env.deploy()
    (env.root / "resources" / "run.sh").write_text("echo other\n", encoding="utf-8")
    (env.root / "resources" / "new.sql").write_text("select 1;\n", encoding="utf-8")
    res = env.run("status")
    assert res.code == 0, res.out + res.err
    assert "Resources in /dagship/dagship-test: 1 differs, 1 in sync, 1 not deployed" in res.out
    assert "  differs: resources/run.sh (11 B -> 11 B" not in res.out  # same size: digest
    assert "  differs: resources/run.sh (content differs (same size))" in res.out
    assert "  not deployed: resources/new.sql (new, 10 B)" in res.out
    doc = json.loads(env.run("status", "--format", "json").out)
    assert {r["path"]: r["sync"] for r in doc["resources"]} == {
        "resources/lib/app.jar": "in sync", "resources/new.sql": "not deployed",
        "resources/run.sh": "differs"}


def test_diff_lists_resource_files_between_refs(env: Env) -> None:
    from tests.helpers.gitrun import commit_all, git
    _setup(env)
    git("init", "-q", "-b", "main", cwd=env.root)
    commit_all(env.root, "feat: first")
    (env.root / "resources" / "run.sh").write_text("echo two\n", encoding="utf-8")
    (env.root / "resources" / "lib" / "app.jar").unlink()
    (env.root / "resources" / "more.py").write_text("print(1)\n", encoding="utf-8")
    env.write("uses", "workflow:\n  name: uses\ntasks:\n  - name: a\n    task_type: Shell\n"
              "    command: bash run.sh;\n    resource_list: [resources/run.sh]\n")
    res = env.run("diff", "HEAD", target=None)
    assert res.code == 0, res.out + res.err
    assert "3 resource file(s) differ:" in res.out
    for line in ("  - resource resources/lib/app.jar", "  + resource resources/more.py",
                 "  ~ resource resources/run.sh"):
        assert line in res.out


def test_uncommitted_resource_change_refuses_the_deploy(env: Env) -> None:
    from tests.helpers.gitrun import commit_all, git
    _setup(env)
    git("init", "-q", "-b", "develop", cwd=env.root)
    commit_all(env.root, "feat: first")
    (env.root / "resources" / "lib" / "app.jar").write_bytes(JAR[:100])
    (env.root / "resources" / "run.sh").unlink()
    env.write("uses", "workflow:\n  name: uses\ntasks:\n  - name: b\n    task_type: Spark\n"
              "    program_type: JAVA\n    main_class: x.Main\n"
              "    main_package: resources/lib/app.jar\n")
    res = env.run("deploy", "--no-progress")
    assert res.code != 0
    text = res.out + res.err
    assert "resources/lib/app.jar (modified)" in text
    assert "resources/run.sh (deleted)" in text
    assert env.sb.state.resources == {}  # nothing was sent


@pytest.mark.parametrize("version", ["3.1", "3.3"])
def test_server_without_storage_is_told_and_no_workflow_deployed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        version: str) -> None:
    from deployer.sandbox import Sandbox
    from deployer.sandbox.store import ADMIN
    monkeypatch.setitem(ADMIN, "tenantId", 1)
    with Sandbox(api_version=version) as sb:
        sb.state.storage = False
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        _setup(env, f"    api_version: \"{version}\"\n")
        res = env.run("deploy", "--no-progress", "--json", "report.json")
        text = res.out + res.err
        assert res.code == EXIT_PARTIAL, text
        assert "Traceback" not in text
        if version == "3.1":
            assert "storage not startup (code 60002)" in text
            assert "set resource.storage.type" in text
        else:
            assert "(code 10054)" in text
        assert "skipped uses: not attempted: a resource upload failed" in text
        assert sb.state.workflow("dagship-test", "uses") is None
        doc = json.loads((env.root / "report.json").read_text(encoding="utf-8"))
        assert {i["path"]: i["action"] for i in doc["resources"]["items"]} == {
            "resources/lib/app.jar": "upload", "resources/run.sh": "upload"}


def test_rollback_ships_the_resources_of_the_ref(env: Env) -> None:
    from tests.helpers.gitrun import commit_all, git
    _setup(env)
    git("init", "-q", "-b", "develop", cwd=env.root)
    commit_all(env.root, "feat: v1", tag="v1")
    env.deploy()
    (env.root / "resources" / "run.sh").write_text("echo v2\n", encoding="utf-8")
    commit_all(env.root, "feat: v2")
    env.deploy()
    full = "/dolphinscheduler/default/resources/dagship/dagship-test/resources/run.sh"
    assert env.sb.state.resources[full]["content"] == b"echo v2\n"
    res = env.run("rollback", "--to", "v1", "--no-progress")
    assert res.code == 0, res.out + res.err
    assert "~ resource resources/run.sh" in res.out
    assert env.sb.state.resources[full]["content"] == b"echo hello\n"


def test_an_unpinned_3_1_server_is_told_to_pin_api_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # 3.1 and 3.2 share every workflow path, so an unpinned 3.1 is taken for 3.2 until the
    # resource listing, which 3.1 answers with 10057: the error must say what to set
    from deployer.sandbox import Sandbox
    from deployer.sandbox.store import ADMIN
    with Sandbox(api_version="3.1") as sb:
        monkeypatch.setitem(ADMIN, "tenantId", 1)
        env = Env(tmp_path / "repo", sb, monkeypatch, capsys)
        _setup(env)
        res = env.run("deploy", "--no-progress")
        assert res.code != 0
        assert 'api_version: "3.1"' in res.err, res.err
        assert "targets.staging" in res.err, res.err
        assert "Traceback" not in res.err
        assert sb.state.workflow("dagship-test", "uses") is None

"""`dagship run` and `deploy --smoke`, one contract for every backend (the sandbox in each
dialect, started with --execute, and a real DolphinScheduler when one is configured).

A 3.1 server (real, or the sandbox in 3.1) starts an instance only for a workflow whose
creator has a tenant (3.2+ take the tenant at start, `default`); the `tenant` fixture gives
the admin one that maps to this OS user for the test, and takes it away again afterwards.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from tests.deploy_contract.helpers import Backend, Repo
from tests.helpers.run_tenant import admin_tenant
from tests.helpers.workflow_yaml import wf_yaml

POLL = ("--poll", "0.2", "--no-progress")
LONG = "240"  # seconds a real master/worker may take for a small workflow
MARKER = "dagship-marker-7f3a"


@pytest.fixture
def tenant(backend: Backend) -> Iterator[None]:
    if backend.api_version != "3.1":
        yield
        return
    with admin_tenant(backend.url, backend.token):
        yield


def _junit_cases(repo: Repo, name: str) -> dict[str, ET.Element]:
    root = ET.fromstring((repo.root / name).read_bytes())  # noqa: S314 - our own report
    return {str(c.get("name")): c for c in root.iter("testcase")}


def test_run_waits_until_success(repo: Repo, tenant: None) -> None:
    repo.write("hello", wf_yaml("hello", [("a", f"echo {MARKER}-a", ()),
                                          ("b", "echo b", ("a",))]))
    repo.deploy()
    res = repo.run("run", "hello", "--wait", "--timeout", LONG, "--junit", "r.xml", *POLL)
    assert res.code == 0, res.err
    assert "task a: SUCCESS" in res.err
    assert "task b: SUCCESS" in res.err
    assert ": SUCCESS" in res.err.splitlines()[-1]
    cases = _junit_cases(repo, "r.xml")
    assert sorted(cases) == ["a", "b"]
    assert not any(c.find("failure") is not None for c in cases.values())


def test_run_failing_task_gives_exit_6_and_its_log(repo: Repo, tenant: None) -> None:
    repo.write("broken", wf_yaml("broken", [
        ("ok", "echo fine", ()),
        # the output differs from the script's text: the log holds what the task printed
        ("boom", "'echo dagship-$((6*7))-boom; exit 3'", ("ok",)),
        ("never", "echo never", ("boom",))]))
    repo.deploy()
    res = repo.run("run", "broken", "--wait", "--timeout", LONG, "--markdown", "r.md", *POLL)
    assert res.code == 6, res.err
    assert "task boom (SHELL): FAILURE" in res.err
    tail = [line for line in res.err.splitlines() if line.startswith("    | ")]
    assert any("dagship-42-boom" in line for line in tail), res.err  # from the log API
    assert "task never" not in res.err
    assert "dagship-42-boom" in (repo.root / "r.md").read_text()


def test_run_dry_run_runs_no_task_body(repo: Repo, tenant: None) -> None:
    repo.write("dry", wf_yaml("dry", [("boom", "'exit 3'", ())]))
    repo.deploy()
    res = repo.run("run", "dry", "--wait", "--dry-run", "--timeout", LONG, *POLL)
    assert res.code == 0, res.err
    assert "(dry run)" in res.err
    assert "task boom: SUCCESS" in res.err


def test_run_smoke_step_after_a_deploy(repo: Repo, tenant: None) -> None:
    config = repo.root / "dagship.yaml"
    config.write_text(config.read_text().replace(
        "    branches: ['*']\n",
        f"    branches: ['*']\n    smoke:\n      workflows: [smoke_me]\n      timeout: {LONG}\n"
        "      poll: 0.2\n"), encoding="utf-8")
    repo.write("smoke_me", wf_yaml("smoke_me", [("a", "echo smoke", ())]))
    res = repo.run("deploy", "--no-progress", "--smoke")
    assert res.code == 0, res.out + res.err
    assert "smoke run of smoke_me" in res.err
    assert "task a: SUCCESS" in res.err


def test_run_on_31_without_a_tenant_says_what_to_do(repo: Repo, backend: Backend) -> None:
    if backend.api_version != "3.1":
        pytest.skip("3.2+ take the tenant at start")
    repo.write("lonely", wf_yaml("lonely", [("a", "echo a", ())]))
    repo.deploy()
    res = repo.run("run", "lonely", "--wait", *POLL)
    assert res.code == 4, res.err
    assert "(code 50027)" in res.err
    assert "give it to the token's user" in res.err

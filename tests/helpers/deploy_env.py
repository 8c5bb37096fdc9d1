"""Fixtures of the tests that deploy (tests/engine/, tests/commands/): a data repository on
disk and a sandbox scheduler over real HTTP. tests/conftest.py registers them as a plugin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deployer.client import DSClient, RetryPolicy
from deployer.sandbox import Sandbox
from tests.helpers.clirun import Result, forget_ci, run_cli
from tests.helpers.dsui import edit_task_script
from tests.helpers.workflow_yaml import sub_yaml, wf_yaml

TOKEN = "s3cr3t-token-0123456789abcdef0123"
PROJECT = "dagship-test"
# wf_yaml and sub_yaml live in tests/helpers/workflow_yaml.py (shared with tests/deploy_contract/)
__all__ = ["PROJECT", "TOKEN", "Env", "sub_yaml", "ui_edit", "wf_yaml"]


class Env:
    """A repository with dagship.yaml pointing at a live sandbox; runs the real CLI."""

    def __init__(self, root: Path, sb: Sandbox, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> None:
        self.root, self.sb, self.mp, self.capsys = root, sb, monkeypatch, capsys
        (root / "workflows").mkdir(parents=True, exist_ok=True)
        self.write_config()
        monkeypatch.chdir(root)
        monkeypatch.setenv("DS_TOKEN", sb.token)
        forget_ci(monkeypatch)

    def write_config(self, staging_extra: str = "") -> None:
        (self.root / "dagship.yaml").write_text(
            "workflows: [workflows/]\n"
            "targets:\n"
            "  staging:\n"
            f"    url: {self.sb.base_url}\n"
            "    token_env: DS_TOKEN\n"
            f"    project: {PROJECT}\n"
            "    branches: [develop, 'release/*']\n"
            f"{staging_extra}"
            "  production:\n"
            f"    url: {self.sb.base_url}\n"
            "    token_env: DS_TOKEN\n"
            "    project: dagship-prod\n"
            "    branches: [main]\n"
            "    production: true\n",
            encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        (self.root / "workflows" / f"{name}.yaml").write_text(text, encoding="utf-8")

    def remove(self, name: str) -> None:
        (self.root / "workflows" / f"{name}.yaml").unlink()

    def run(self, *args: str, target: str | None = "staging") -> Result:
        return run_cli(self.capsys, list(args) + (["--target", target] if target else []))

    def deploy(self, *args: str) -> Result:
        res = self.run("deploy", "--no-progress", *args)
        assert res.code == 0, res.out + res.err
        return res

    def client(self) -> DSClient:
        return DSClient(self.sb.base_url, self.sb.token,
                        policy=RetryPolicy(initial_wait=0.001, max_wait=0.01))

    def remote(self, name: str) -> dict[str, Any] | None:
        return self.sb.state.workflow(PROJECT, name)

    def project_code(self) -> int:
        proj = self.sb.state.project(PROJECT)
        assert proj is not None
        return int(proj["code"])


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(api_version="3.3", token=TOKEN, datasources={"pg": "POSTGRESQL"},
                 environments={"prod_env": "export A=1"}) as sb:
        yield sb


@pytest.fixture
def env(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Env:
    return Env(tmp_path / "repo", sandbox, monkeypatch, capsys)


def ui_edit(env: Env, name: str, task: str, script: str) -> None:
    """Change one task the way the UI does (see tests/helpers/dsui.py)."""
    c = env.client()
    try:
        edit_task_script(c, env.project_code(), name, task, script)
    finally:
        c.close()

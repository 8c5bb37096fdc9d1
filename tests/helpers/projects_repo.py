"""A data repository of three projects on a live sandbox (tests/commands/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.clirun import Result, forget_ci, run_cli
from tests.helpers.workflow_yaml import wf_yaml


class Projects:
    """finance, ingest and marketing; `load` is a workflow of both ingest and marketing."""

    def __init__(self, root: Path, sb: Sandbox, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str], smoke: str = "") -> None:
        self.root, self.sb, self.capsys = root, sb, capsys
        for key in ("finance", "ingest", "marketing"):
            (root / "workflows" / key).mkdir(parents=True)
        common = f"    url: {sb.base_url}\n    token_env: DS_TOKEN\n"
        (root / "dagship.yaml").write_text(
            "projects:\n  finance: workflows/finance/\n  ingest: workflows/ingest/\n"
            "  marketing: workflows/marketing/\n"
            f"targets:\n  staging:\n{common}    project: \"{{project}}-staging\"\n{smoke}"
            f"  preview:\n{common}    project: \"{{project}}-{{branch}}\"\n"
            "    branches: ['feature/*']\n", encoding="utf-8")
        self.write("finance", "report", wf_yaml("report", [("r", "echo report", ())]))
        self.write("ingest", "load", wf_yaml("load", [("i", "echo ingest", ())]))
        self.write("marketing", "load", wf_yaml("load", [("m", "echo marketing", ())]))
        monkeypatch.chdir(root)
        monkeypatch.setenv("DS_TOKEN", sb.token)
        forget_ci(monkeypatch)
        monkeypatch.delenv("DAGSHIP_BRANCH", raising=False)

    def write(self, key: str, name: str, text: str) -> None:
        (self.root / "workflows" / key / f"{name}.yaml").write_text(text, encoding="utf-8")

    def run(self, *args: str) -> Result:
        return run_cli(self.capsys, list(args))

    def started_in(self) -> list[str]:
        """The project of each instance the sandbox started, in order."""
        by_code = {int(p["code"]): str(p["name"]) for p in self.sb.state.projects.values()}
        return [by_code[int(i["projectCode"])]
                for _, i in sorted(self.sb.state.runs.instances.items())]

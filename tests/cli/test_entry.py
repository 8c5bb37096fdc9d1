"""The fast entry: `commit-msg FILE` and the hook's `lint [--force-exclude]` start without
click."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_commit_msg_fast_path_imports_nothing_heavy(tmp_path: Path) -> None:
    msg = tmp_path / "MSG"
    msg.write_text("feat: add a thing\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from deployer.cli.entry import main\n"
        f"rc = main(['commit-msg', {str(msg)!r}])\n"
        "heavy = ('requests', 'tenacity', 'yaml', 'urllib3', 'click', 'dataclasses')\n"
        "heavy = sorted(m for m in heavy if m in sys.modules)\n"
        "print(rc, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "0 []"


def test_lint_fast_path_imports_no_cli_or_network_and_agrees_with_click(tmp_path: Path) -> None:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    (tmp_path / "workflows" / "bad.yaml").write_text(
        "workflow:\n  name: bad\ntasks:\n  - name: a\n    task_type: Shell\n    comand: x\n",
        encoding="utf-8")
    code = (
        "import sys\n"
        "from deployer.cli.entry import main\n"
        "rc = main(['lint', '--force-exclude', 'workflows/bad.yaml'])\n"  # the hook's form
        "heavy = ('requests', 'tenacity', 'urllib3', 'click', 'ruamel')\n"
        "heavy = sorted(m for m in heavy if m in sys.modules)\n"
        "print(rc, heavy)\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "DAGSHIP_CONFIG")}
    fast = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, check=True, env=env)
    *findings, last = fast.stdout.strip().splitlines()
    assert last == "1 []", fast.stdout + fast.stderr
    assert any("WF102" in line for line in findings), fast.stdout
    # the same command line through click (an option forces it) prints the same findings
    slow = subprocess.run(
        [sys.executable, "-m", "deployer", "lint", "--no-color", "workflows/bad.yaml"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env=env)
    assert slow.returncode == 1
    assert slow.stdout.strip().splitlines() == findings

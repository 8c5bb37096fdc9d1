"""Without git on PATH, every command that uses git says that git is missing (exit 2),
never "not a Git checkout", "cannot tell which branch" or a marker claiming `nogit`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.clirun import forget_ci, run_cli
from tests.helpers.gitrun import commit_all, git

CONFIG = """\
workflows: [workflows/]
targets:
  staging:
    url: http://127.0.0.1:9/dolphinscheduler
    token_env: DS_TOKEN
    project: p
    branches: [main]
"""
WORKFLOW = "workflow:\n  name: a\ntasks:\n  - name: t\n    task_type: Shell\n    command: x\n"


@pytest.fixture
def no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "repo"
    (repo / "workflows").mkdir(parents=True)
    (repo / "dagship.yaml").write_text(CONFIG, encoding="utf-8")
    (repo / "workflows" / "a.yaml").write_text(WORKFLOW, encoding="utf-8")
    git("init", "-q", cwd=repo)
    commit_all(repo, "feat: a", tag="v1")
    (repo / "workflows" / "a.yaml").write_text(WORKFLOW + "    description: b\n")
    commit_all(repo, "feat: b")
    forget_ci(monkeypatch)
    monkeypatch.chdir(repo)
    monkeypatch.setenv("DS_TOKEN", "t" * 32)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return repo


@pytest.mark.parametrize("command", [
    ["plan"], ["plan", "--target", "staging"], ["deploy", "--target", "staging"],
    ["status", "--target", "staging"], ["rollback", "--target", "staging", "--to", "v1"],
    ["diff"], ["diff", "v1", "HEAD"], ["commit-msg", "--range", "v1..HEAD"], ["branch"],
])
def test_every_git_using_command_says_git_is_missing(no_git: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      command: list[str]) -> None:
    res = run_cli(capsys, command)
    assert res.code == 2, res.out + res.err
    assert "git is not installed or not on PATH" in res.err, res.err
    assert "Traceback" not in res.err

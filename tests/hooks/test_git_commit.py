"""Real `git commit`, `git merge`, `git revert`, `git rebase` with `dagship commit-msg` as a plain
git hook: what git writes into the message file, and what it keeps, decide what is linted.

No pre-commit here (see test_e2e.py for that): the hook execs the console script of the
running interpreter's environment, so these tests are fast.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DAGSHIP = Path(sys.executable).parent / "dagship"
LONG = " ".join(["word"] * 30)


def run(*args: str, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    import os

    proc = subprocess.run(list(args), cwd=cwd, capture_output=True, check=False,
                          env={**os.environ, **(env or {})})
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.fixture
def repo(git_repo: Path, git_cmd, commit_file) -> Path:
    """A repository on branch feature/x with one commit and our commit-msg hook."""
    hook = git_repo / ".git" / "hooks" / "commit-msg"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f'#!/bin/sh\nexec "{DAGSHIP}" commit-msg "$1"\n', encoding="utf-8")
    hook.chmod(0o755)
    commit_file(git_repo, "a.txt", "a\n", "chore: start")
    git_cmd("switch", "-q", "-c", "feature/x")
    return git_repo


def _stage(repo: Path, git_cmd, name: str = "b.txt",
           content: str = "feature: not a header\n" + LONG + "\n") -> None:
    (repo / name).write_text(content, encoding="utf-8")
    git_cmd("add", name)


def _last_message(git_cmd) -> str:
    return str(git_cmd("log", "-1", "--format=%B").stdout)


def test_dash_m_keeps_hash_lines_and_the_hook_sees_them(repo: Path, git_cmd) -> None:
    (repo / "dagship.yaml").write_text("commit:\n  ticket_pattern: '#[0-9]+'\n",
                                       encoding="utf-8")
    _stage(repo, git_cmd)
    result = run("git", "commit", "-m", "fix: x", "-m", "#123", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _last_message(git_cmd) == "fix: x\n\n#123\n\n"  # git kept the line: it counts


def test_edited_message_drops_comment_lines(repo: Path, git_cmd) -> None:
    (repo / "dagship.yaml").write_text("commit:\n  ticket_pattern: '#[0-9]+'\n",
                                       encoding="utf-8")
    _stage(repo, git_cmd)
    result = run("git", "commit", "--edit", "-m", "fix: x", "-m", "#123", cwd=repo)
    assert result.returncode == 1
    assert "CM113" in result.stderr  # the editor ran: git strips `#123`, so must we


def test_verbose_commit_with_comment_char_auto(repo: Path, git_cmd) -> None:
    git_cmd("config", "core.commentChar", "auto")
    _stage(repo, git_cmd)
    result = run("git", "commit", "-v", "--edit", "-m", "feat: z", "-m", "#1 is kept", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _last_message(git_cmd) == "feat: z\n\n#1 is kept\n\n"


def test_emptied_message_lets_git_abort_quietly(repo: Path, git_cmd) -> None:
    _stage(repo, git_cmd)
    result = run("git", "commit", "--edit", "-m", "feat: x", cwd=repo,
                 env={"GIT_EDITOR": "sed -i -e '/^[^#]/d'"})
    assert result.returncode == 1
    assert result.stderr == "Aborting commit due to empty commit message.\n"


def test_conflicted_merge_no_edit_and_octopus(repo: Path, git_cmd, commit_file) -> None:
    commit_file(repo, "a.txt", "feature\n", "feat: on the branch")
    git_cmd("switch", "-q", "-c", "feature/y", "HEAD~1")
    commit_file(repo, "a.txt", "other\n", "feat: elsewhere")
    assert run("git", "merge", "feature/x", cwd=repo).returncode == 1  # a conflict
    (repo / "a.txt").write_text("both\n", encoding="utf-8")
    git_cmd("add", "a.txt")
    result = run("git", "commit", "--no-edit", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _last_message(git_cmd).startswith("Merge branch 'feature/x' into feature/y\n\n# Conf")
    for name in ("p", "q"):
        git_cmd("switch", "-q", "-c", f"feature/{name}", "feature/x")
        commit_file(repo, f"{name}.txt", name, f"feat: {name}")
        git_cmd("update-ref", f"refs/remotes/origin/{name}", "HEAD")
    git_cmd("switch", "-q", "feature/y")
    result = run("git", "merge", "--no-edit", "origin/p", "origin/q", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _last_message(git_cmd).startswith("Merge remote-tracking branches 'origin/p' and")


def test_revert_fixup_amend_and_reword(repo: Path, git_cmd, commit_file) -> None:
    commit_file(repo, "b.txt", "b\n", "feat(ingest): " + "x" * 56)  # 70 characters
    result = run("git", "revert", "--no-edit", "HEAD", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr  # the title is 80 long
    _stage(repo, git_cmd, "c.txt", "c\n")
    result = run("git", "commit", "--fixup=amend:HEAD", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _last_message(git_cmd).startswith('amend! Revert "feat(ingest): ')
    reword = {"GIT_SEQUENCE_EDITOR": "sed -i -e '1s/^pick/reword/'",
              "GIT_EDITOR": "sed -i -e '1s/.*/feature: reworded/'"}
    result = run("git", "rebase", "-i", "HEAD~1", cwd=repo, env=reword)
    assert result.returncode != 0
    assert 'CM103 type "feature" is not allowed' in result.stderr
    run("git", "rebase", "--abort", cwd=repo)


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_message_file_that_cannot_be_read(repo: Path, kind: str) -> None:
    target = repo / ("nothing" if kind == "missing" else ".git")
    result = run(str(DAGSHIP), "commit-msg", str(target), cwd=repo)
    assert result.returncode == 2
    reason = "No such file or directory" if kind == "missing" else "Is a directory"
    assert result.stderr == f"dagship: error: cannot read commit message file {target}: {reason}\n"

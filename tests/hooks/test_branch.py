"""`dagship branch`: protected branches and naming, at commit time and at push time."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from deployer.cli.main import main
from deployer.core.config import BranchRules
from hooks.branch import check_pushes, example_name

PATTERN = r"^(main|develop|(feature|bugfix|release|hotfix)/[A-Za-z0-9._-]+)$"
Z = "0" * 40
A = "a" * 40


def test_commit_on_protected_branch_is_refused(git_repo: Path, commit_file,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    commit_file(git_repo, "a", "1", "chore: start")
    assert main(["branch"]) == 1
    assert capsys.readouterr().err == (
        'main:1:1: BR101 commits directly on protected branch "main" are refused; move your '
        "work to a new branch: git switch -c feature/my-change\n")


def test_first_commit_and_detached_head_pass_silently(
        git_repo: Path, git_cmd, commit_file, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["branch"]) == 0  # unborn main: nowhere else to commit yet
    commit_file(git_repo, "a", "1", "chore: start")
    git_cmd("switch", "-q", "--detach")
    assert main(["branch"]) == 0
    assert capsys.readouterr() == ("", "")


def test_branch_names(git_repo: Path, git_cmd, commit_file,
                      capsys: pytest.CaptureFixture[str]) -> None:
    commit_file(git_repo, "a", "1", "chore: start")
    git_cmd("switch", "-q", "-c", "feature/orders")
    assert main(["branch"]) == 0
    git_cmd("switch", "-q", "-c", "my orders fix".replace(" ", "_"))
    assert main(["branch"]) == 1
    assert capsys.readouterr().err == (
        f'my_orders_fix:1:1: BR102 branch name "my_orders_fix" does not match the pattern '
        f"{PATTERN}; rename it, e.g. git branch -m feature/my_orders_fix\n")


def test_name_option_and_config(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (git_repo / "dagship.yaml").write_text(
        "branches:\n  pattern: '^(trunk|JIRA-[0-9]+-[a-z-]+)$'\n  protected: [trunk]\n",
        encoding="utf-8")
    assert main(["branch", "--name", "JIRA-12-orders"]) == 0
    assert main(["branch", "--name", "trunk"]) == 1
    assert "git switch -c <topic-branch>" in capsys.readouterr().err
    assert main(["branch", "--name", "feature/x"]) == 1
    assert capsys.readouterr().err == (
        'feature/x:1:1: BR102 branch name "feature/x" does not match the pattern '
        "^(trunk|JIRA-[0-9]+-[a-z-]+)$\n")


def test_example_name_follows_the_pattern() -> None:
    assert example_name(BranchRules()) == "feature/my-change"
    rules = BranchRules(pattern=r"^(feat|fix)-[a-z-]+$")
    assert example_name(rules, "Orders Fix") == "feat-orders-fix"
    assert example_name(BranchRules(pattern=r"^[0-9]+$")) is None


def test_outside_a_repository_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert main(["branch"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dagship: error: cannot tell the current branch: fatal: not a git")
    assert "give --name" in err


@pytest.mark.parametrize(("update", "codes"), [
    (("refs/heads/feature/x", A, "refs/heads/feature/x", Z), []),
    (("refs/heads/wip", A, "refs/heads/wip", Z), ["BR102"]),
    (("(delete)", Z, "refs/heads/wip", A), []),                      # deleting is fine
    (("refs/tags/v1", A, "refs/tags/v1", Z), []),                    # tags are fine
    (("refs/heads/main", A, "refs/heads/main", A), []),              # main to main: allowed
    (("refs/heads/feature/x", A, "refs/heads/main", A), ["BR103"]),  # bypasses review
    (("HEAD", A, "refs/heads/main", A), []),                         # HEAD is main here
])
def test_check_pushes(update: tuple[str, str, str, str], codes: list[str]) -> None:
    findings = check_pushes([update], BranchRules(), head_branch="main")
    assert [f.code for f in findings] == codes


def test_pre_push_reads_git_input(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    lines = (f"refs/heads/feature/ok {A} refs/heads/feature/ok {Z}\n"
             f"refs/heads/Bad {A} refs/heads/Bad {Z}\n"
             f"refs/heads/feature/ok {A} refs/heads/main {A}\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["branch", "--pre-push"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f'Bad:1:1: BR102 branch name "Bad" does not match the pattern {PATTERN}; rename it, '
        "e.g. git branch -m feature/Bad",
        'main:1:1: BR103 pushing "feature/ok" onto protected branch "main" bypasses review; '
        "push it to its own branch and open a pull request",
    ]
    monkeypatch.setattr(sys, "stdin", io.StringIO("garbage\n"))
    assert main(["branch", "--pre-push"]) == 2
    assert "unexpected pre-push input 'garbage'" in capsys.readouterr().err


def test_pre_push_under_pre_commit_uses_its_variables(
        git_repo: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/topic")
    monkeypatch.setenv("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/topic")
    assert main(["branch"]) == 1  # no --pre-push needed: the variables say which stage
    assert "BR102" in capsys.readouterr().err
    monkeypatch.setenv("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/feature/topic")
    assert main(["branch"]) == 0


def _rebase_stop(git_cmd, onto: str) -> None:
    """Start `git rebase -i` and stop at an `edit` of the first commit (HEAD detached)."""
    import os

    env = {**os.environ, "GIT_SEQUENCE_EDITOR": "sed -i -e '1s/^pick/edit/'"}
    import subprocess

    subprocess.run(["git", "rebase", "-q", "-i", onto], env=env, check=True,
                   capture_output=True)
    assert git_cmd("symbolic-ref", "-q", "HEAD", check=False).returncode == 1


def test_commit_during_a_rebase_of_a_protected_branch(
        git_repo: Path, git_cmd, commit_file, capsys: pytest.CaptureFixture[str]) -> None:
    commit_file(git_repo, "a", "1", "chore: start")
    commit_file(git_repo, "b", "2", "chore: more")
    _rebase_stop(git_cmd, "HEAD~1")
    assert main(["branch"]) == 1  # a commit here lands on main
    assert capsys.readouterr().err.startswith(
        'main:1:1: BR101 commits directly on protected branch "main" are refused (also while '
        "rebasing it); move your work")
    git_cmd("rebase", "--abort")
    git_cmd("switch", "-q", "-c", "feature/x")
    _rebase_stop(git_cmd, "HEAD~1")
    assert main(["branch"]) == 0
    git_cmd("rebase", "--abort")
    git_cmd("switch", "-q", "-c", "wip")
    _rebase_stop(git_cmd, "HEAD~1")
    assert main(["branch"]) == 1
    assert "BR102" in capsys.readouterr().err


def test_worktrees_and_unicode_names(git_repo: Path, git_cmd, commit_file,
                                     monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    commit_file(git_repo, "a", "1", "chore: start")
    commit_file(git_repo, "b", "2", "chore: more")
    other = git_repo.parent / "other"
    git_cmd("worktree", "add", "-q", "-b", "feature/données", str(other))
    monkeypatch.chdir(other)
    assert main(["branch"]) == 1  # the default pattern is ASCII only
    assert capsys.readouterr().err.startswith(
        'feature/données:1:1: BR102 branch name "feature/données" does not match')
    git_cmd("switch", "-q", "-c", "feature/ok", cwd=other)
    assert main(["branch"]) == 0
    # a rebase of main in the main worktree is not a rebase here, and the other way round
    monkeypatch.chdir(git_repo)
    _rebase_stop(git_cmd, "HEAD~1")
    monkeypatch.chdir(other)
    assert main(["branch"]) == 0
    monkeypatch.chdir(git_repo)
    assert main(["branch"]) == 1


@pytest.mark.parametrize(("local", "remote", "code"), [
    (None, "refs/heads/main", 0),                  # older pre-commit: the current branch
    ("HEAD", "refs/heads/main", 0),
    ("refs/heads/feature/x", "refs/heads/main", 1),
    (None, "feature/x", 0),                        # a bare name is a branch
    (None, "wip", 1),
    ("refs/tags/v1", "refs/tags/v1", 0),
])
def test_pre_commit_remote_branch_variants(git_repo: Path, commit_file,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str],
                                           local: str | None, remote: str, code: int) -> None:
    commit_file(git_repo, "a", "1", "chore: start")  # on main
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("PRE_COMMIT_REMOTE_BRANCH", remote)
    if local is None:
        monkeypatch.delenv("PRE_COMMIT_LOCAL_BRANCH", raising=False)
    else:
        monkeypatch.setenv("PRE_COMMIT_LOCAL_BRANCH", local)
    assert main(["branch"]) == code, capsys.readouterr().err

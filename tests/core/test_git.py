"""The one git runner: real git in throwaway repositories, and PATH without git for the
"git is missing" wording every git-using command shares."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deployer.cli.main import main
from deployer.core import git
from deployer.core.errors import GitError, GitMissing
from tests.helpers.gitrun import git as run_git


@pytest.fixture
def no_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH on which no `git` can be found."""
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.usefixtures("no_git")
def test_missing_git_is_its_own_error_naming_what_it_was_needed_for(tmp_path: Path) -> None:
    with pytest.raises(GitMissing) as exc:
        git.run(["rev-parse", "HEAD"], cwd=tmp_path, what="find the commit of 'v1'")
    assert exc.value.message == ("git is not installed or not on PATH (needed to find the "
                                 "commit of 'v1'); install git, or put it on PATH")
    assert exc.value.exit_code == 2
    assert git.output(["rev-parse", "HEAD"], tmp_path) is None  # a question: "unknown"


@pytest.mark.usefixtures("no_git")
def test_branch_hook_without_git_says_git_is_missing(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["branch"]) == 2
    assert capsys.readouterr().err == ("dagship: error: git is not installed or not on PATH; "
                                       "install git, or put it on PATH\n")


def test_diff_without_git_says_git_is_missing_not_that_a_branch_is(
        git_repo: Path, commit_file, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (git_repo / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    commit_file(git_repo, "workflows/.keep", "", "chore: start")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_BASE_REF", "develop")  # the default BASE asks git for it
    empty = git_repo.parent / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert main(["diff"]) == 2
    err = capsys.readouterr().err
    assert "git is not installed or not on PATH" in err
    assert "not in this clone" not in err


def test_a_git_that_never_answers_is_stopped_at_the_timeout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "git").write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 30\n", encoding="utf-8")
    (slow / "git").chmod(0o755)
    monkeypatch.setenv("PATH", str(slow))
    with pytest.raises(GitError, match=r"^git ls-tree gave no answer within 0.3 s \(needed to "
                                       r"list the files\)$"):
        git.run(["ls-tree", "HEAD"], cwd=tmp_path, what="list the files", timeout=0.3)


def test_a_refusal_is_said_with_gits_last_line(git_repo: Path) -> None:
    with pytest.raises(GitError) as exc:
        git.run(["rev-parse", "--verify", "nope"], cwd=git_repo, what="find it")
    assert exc.value.message == "cannot find it: fatal: Needed a single revision"
    assert git.run(["rev-parse", "--verify", "nope"], cwd=git_repo, check=False).returncode


def test_current_branch_on_a_branch_unborn_detached_and_outside(
        git_repo: Path, commit_file, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert git.current_branch(git_repo) == "main"  # unborn: no commit yet, still a branch
    commit_file(git_repo, "a.txt", "a\n", "feat: a")
    run_git("switch", "-q", "-c", "feature/x", cwd=git_repo)
    assert git.current_branch(git_repo) == "feature/x"
    run_git("switch", "-q", "--detach", "HEAD", cwd=git_repo)
    assert git.current_branch(git_repo) is None
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(GitError, match=r"^cannot tell the current branch: fatal: not a git"):
        git.current_branch(outside)

"""Shared fixtures: a sealed git environment and throwaway repositories.

Every test runs with a git that cannot see the developer's setup: author and committer
are pinned, the system config is ignored, HOME (and so ~/.gitconfig and any tool's cache
under it) is a temporary folder, templates come from an empty folder, editors are a
no-op, and no GIT_* variable of an outer git process (e.g. when the suite itself runs
from a hook) leaks in.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrun import git

# The deploy fixtures (`env`, `sandbox`) serve tests/engine/ and tests/commands/ alike.
pytest_plugins = ["tests.helpers.deploy_env"]

# Variables an outer git or pre-commit process may have set; a test must not inherit them.
_LEAKY_PREFIXES = ("GIT_", "PRE_COMMIT")

_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada Tester",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z",
    "GIT_COMMITTER_NAME": "Ada Tester",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
}


@pytest.fixture(scope="session", autouse=True)
def sealed_git_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Seal git for the whole session; yields the temporary HOME."""
    real_home = Path.home()
    home = tmp_path_factory.mktemp("home")
    templates = tmp_path_factory.mktemp("git-templates")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(_LEAKY_PREFIXES):
                mp.delenv(name)
        # The CI the suite runs in must not change its answers (deployer.core.ci detection).
        for name in ("GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL"):
            mp.delenv(name, raising=False)
        for name, value in _GIT_IDENTITY.items():
            mp.setenv(name, value)
        mp.setenv("HOME", str(home))
        mp.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        mp.setenv("GIT_TEMPLATE_DIR", str(templates))
        mp.setenv("GIT_ALLOW_PROTOCOL", "file")
        # A no-op editor that is not `:`: git exports GIT_EDITOR=: to hooks exactly when
        # no editor ran (`-m`, `--no-edit`), and the commit-msg hook relies on that.
        mp.setenv("GIT_EDITOR", "true")
        mp.setenv("GIT_TERMINAL_PROMPT", "0")
        # pip keeps its download cache where it was, so hook environments build quickly.
        mp.setenv("PIP_CACHE_DIR", os.environ.get("PIP_CACHE_DIR",
                                                  str(real_home / ".cache" / "pip")))
        (home / ".gitconfig").write_text(
            "[init]\n\tdefaultBranch = main\n"
            "[commit]\n\tgpgSign = false\n"
            "[tag]\n\tgpgSign = false\n"
            "[core]\n\tquotePath = false\n\tautocrlf = false\n",
            encoding="utf-8",
        )
        yield home


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh repository (branch main, no commits) that is also the working directory."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "--quiet", cwd=repo)
    monkeypatch.chdir(repo)
    return repo


def _commit_file(repo: Path, name: str, content: str, message: str | bytes,
                 *extra: str) -> str:
    """Write, stage and commit one file without hooks; returns the new commit's SHA."""
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    git("add", name, cwd=repo)
    raw = message if isinstance(message, bytes) else message.encode("utf-8")
    git("commit", "--quiet", "--no-verify", "--cleanup=verbatim", *extra, "-F", "-",
        cwd=repo, input=raw)
    return git("rev-parse", "HEAD", cwd=repo).stdout.strip()


@pytest.fixture
def git_cmd() -> Callable[..., subprocess.CompletedProcess[str]]:
    """`git_cmd("log", cwd=repo)`: run git, raise with its output when it fails."""
    return git


@pytest.fixture
def commit_file() -> Callable[..., str]:
    """`commit_file(repo, name, content, message)`: commit one file (no hooks), return SHA."""
    return _commit_file

"""The changelog is written by git-cliff from our own Conventional Commits (its configuration
is [tool.git-cliff] in pyproject.toml): run on this repository's history, every commit that
is not a merge appears once, under the section of its type."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.engines import ROOT
from tests.helpers.gitrun import git

GIT_CLIFF = Path(sys.executable).parent / "git-cliff"
SECTIONS = {"feat": "Features", "fix": "Fixes", "perf": "Performance", "refactor": "Refactoring",
            "docs": "Documentation", "test": "Tests", "build": "Build and CI",
            "ci": "Build and CI", "revert": "Reverts", "style": "Other", "chore": "Other"}


def _cliff(*args: str, repository: Path = ROOT) -> str:
    """git-cliff with our configuration (run from the root: it reads [tool.git-cliff] only
    from a pyproject.toml named relatively) on `repository`'s history."""
    exe = str(GIT_CLIFF) if GIT_CLIFF.exists() else shutil.which("git-cliff")
    assert exe, "git-cliff is in the test extra (pip install -e '.[test]')"
    done = subprocess.run([exe, "--config", "pyproject.toml", "--repository", str(repository),
                           *args], cwd=ROOT, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _sections(changelog: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in changelog.splitlines():
        if line.startswith("### "):
            current = found.setdefault(line[4:], [])
        elif line.startswith("- ") and current is not None:
            current.append(line)
    return found


def test_our_history_becomes_a_changelog_of_every_commit_by_type():
    if git("rev-parse", "--is-shallow-repository", cwd=ROOT).stdout.strip() == "true":
        pytest.skip("a shallow clone has no history to write a changelog from")
    changelog = _cliff("--unreleased", "--tag", "v9.9.9")
    assert changelog.startswith("# Changelog\n")
    assert re.search(r"^## 9\.9\.9 \(\d{4}-\d{2}-\d{2}\)$", changelog, flags=re.M)
    sections = _sections(changelog)
    subjects = git("log", "--no-merges", "--format=%h %s", cwd=ROOT).stdout.splitlines()
    assert sum(len(v) for v in sections.values()) == len(subjects)
    for line in subjects:
        short, subject = line.split(" ", 1)
        kind = re.match(r"(\w+)(\(([^)]*)\))?!?: (.*)", subject)
        assert kind, subject  # make check keeps our history Conventional
        entry = [e for e in sections[SECTIONS[kind.group(1)]] if f"({short[:7]})" in e]
        assert len(entry) == 1, (subject, entry)
        assert kind.group(4) in entry[0]
    assert "Merge branch" not in changelog


def test_release_commits_are_left_out_and_tags_make_sections(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "--quiet", cwd=repo)
    for message, tag in [("feat: a first feature", None), ("chore(release): v0.1.0", "v0.1.0"),
                         ("fix(lint): a fix", None), ("feat!: a breaking change", None)]:
        git("commit", "--quiet", "--allow-empty", "-m", message, cwd=repo)
        if tag:
            git("tag", tag, cwd=repo)
    changelog = _cliff(repository=repo)
    assert "## Unreleased" in changelog
    assert "## 0.1.0 (" in changelog
    assert "chore(release)" not in changelog
    assert "v0.1.0 (" not in changelog
    unreleased = changelog.split("## 0.1.0")[0]
    assert "- **lint**: a fix" in unreleased
    assert "- (breaking) a breaking change" in unreleased
    assert "a first feature" in changelog.split("## 0.1.0")[1]
    # the next tag after a 0.x breaking change is a minor bump (SemVer's 0.x rule)
    assert _cliff("--bumped-version", repository=repo).strip() == "v0.2.0"

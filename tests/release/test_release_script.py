"""scripts/release.py, run on a copy of this repository: it bumps the one version source and
every release pin (nothing else names the old version afterwards, and the templates' own
invariants still hold), writes the changelog, commits and tags; it refuses what would make
an untrue release."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from deployer import __version__
from tests.helpers.engines import clean_env, run
from tests.helpers.gitrun import git
from tests.helpers.ship import copy_checkout

pytestmark = pytest.mark.slow


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "dagship"
    copy_checkout(root)
    git("init", "--quiet", cwd=root)
    git("add", "--all", cwd=root)
    git("commit", "--quiet", "--no-verify", "-m", "feat: everything so far", cwd=root)
    return root


def _release(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # git-cliff of the test venv
    return subprocess.run([sys.executable, "scripts/release.py", *args], cwd=repo, env=env,
                          capture_output=True, text=True, check=False, timeout=120)


def test_a_release_bumps_every_pin_commits_and_tags(repo):
    done = _release(repo, "0.2.0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "git push origin main v0.2.0" in done.stdout
    assert git("log", "-1", "--format=%s", cwd=repo).stdout.strip() == "chore(release): v0.2.0"
    assert git("cat-file", "-t", "v0.2.0", cwd=repo).stdout.strip() == "tag"  # annotated
    assert git("rev-parse", "v0.2.0^{commit}", cwd=repo).stdout == \
        git("rev-parse", "HEAD", cwd=repo).stdout
    assert '__version__ = "0.2.0"' in (repo / "deployer" / "__init__.py").read_text()
    assert git("status", "--porcelain", cwd=repo).stdout == ""
    # the old version is named nowhere but in git-cliff's first tag and the tests (which
    # read __version__)
    left = git("grep", "-l", "-F", __version__, cwd=repo, check=False).stdout.split()
    assert [p for p in left if not p.startswith("tests/")] == ["pyproject.toml"], left
    assert re.search(r'^initial_tag = "v0\.1\.0"$', (repo / "pyproject.toml").read_text(),
                     flags=re.M)
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## 0\.2\.0 \(\d{4}-\d{2}-\d{2}\)$", changelog, flags=re.M)
    assert "- everything so far" in changelog
    assert "chore(release)" not in changelog


def test_the_bumped_templates_keep_their_invariants(repo):
    """The offline template and README tests of the copy, at the new version."""
    assert _release(repo, "0.2.0").returncode == 0
    env = clean_env({"PYTHONPATH": str(repo)})
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    result = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                  "tests/ci_templates/test_offline.py", "tests/ci_templates/test_readme_ci.py",
                  "-k", "not groovy"], repo, env)
    result.require()
    assert re.search(r"\d+ passed", result.log), result.log
    probe = run([sys.executable, "-c", "import deployer; print(deployer.__file__, "
                 "deployer.__version__)"], repo, env).require().log
    assert probe.split() == [str(repo / "deployer" / "__init__.py"), "0.2.0"]


def test_the_first_release_tags_the_current_version_and_the_next_is_proposed(repo):
    assert _release(repo).returncode == 0  # no version: git-cliff's (the first tag)
    assert git("describe", "--tags", cwd=repo).stdout.strip() == f"v{__version__}"
    git("commit", "--quiet", "--allow-empty", "-m", "feat(lint): a new check", cwd=repo)
    done = _release(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    major, minor = __version__.split(".")[:2]
    assert git("describe", "--tags", cwd=repo).stdout.strip() == f"v{major}.{int(minor) + 1}.0"


@pytest.mark.parametrize(("setup", "args", "message"), [
    ("dirty", ("0.2.0",), "the working tree has changes"),
    ("branch", ("0.2.0",), "releases are cut from main, not 'topic'"),
    ("tagged", ("0.2.0",), "the tag v0.2.0 exists already"),
    ("", ("0.0.9",), f"version 0.0.9 does not come after {__version__}"),
    ("", ("two",), "version 'two': expected X.Y.Z"),
])
def test_what_would_make_an_untrue_release_is_refused(repo, setup, args, message):
    if setup == "dirty":
        (repo / "README.md").write_text("edited\n", encoding="utf-8")
    elif setup == "branch":
        git("switch", "--quiet", "-c", "topic", cwd=repo)
    elif setup == "tagged":
        git("tag", "v0.2.0", cwd=repo)
    head = git("rev-parse", "HEAD", cwd=repo).stdout
    done = _release(repo, *args)
    assert done.returncode == 1
    assert f"release: {message}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert git("rev-parse", "HEAD", cwd=repo).stdout == head  # nothing committed

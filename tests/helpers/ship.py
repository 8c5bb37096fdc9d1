"""Fixtures for the tests of how dagship ships (tests/ci_templates, tests/release; their conftest.py
import them): what a team installs dagship from, as it would, the dagship repository (this
checkout, committed and tagged in a local bare repository that stands in for its host through
`url.<bare>.insteadOf`), and a package index that holds only dagship's dependencies, so
dagship itself can only come from Git."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from deployer import __version__
from tests.helpers.engines import CACHE, ROOT
from tests.helpers.gitrun import git

HOME_URL = "https://github.com/dagship/dagship"
# where gitlab-ci-local looks for the component project `gitlab.example.com/acme/dagship`
GITLAB_MIRROR_URL = "https://gitlab.example.com/acme/dagship"


def pep503_index(wheels: Path, base: Path) -> str:
    """A PEP 503 index (file://) under base/simple of the wheels in `wheels`."""
    for wheel in wheels.glob("*.whl"):
        name = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
        folder = base / "simple" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / wheel.name).write_bytes(wheel.read_bytes())
        links = "".join(f'<a href="{w.name}">{w.name}</a>\n'
                        for w in sorted(folder.glob("*.whl")))
        (folder / "index.html").write_text(links)
    return (base / "simple").as_uri()


@dataclass(frozen=True)
class DagshipGit:
    source: Path  # a clone of the repository (this checkout's files, one commit)
    bare: Path    # the "host": reached as HOME_URL and GITLAB_MIRROR_URL
    commit: str
    tag: str      # v<version>, annotated, on `commit`


def checkout_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, check=True).stdout
    return [p for p in out.decode("utf-8").split("\0") if p and os.path.lexists(ROOT / p)]


def copy_checkout(dest: Path) -> None:
    """The working tree as a fresh clone would hold it with this change applied: tracked and
    new files, nothing ignored (.venv, .cache, build output)."""
    for rel in checkout_files():
        src, dst = ROOT / rel, dest / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            dst.symlink_to(os.readlink(src))
        else:
            shutil.copy2(src, dst)


@pytest.fixture(scope="session")
def dagship_git(tmp_path_factory: pytest.TempPathFactory, sealed_git_env: Path) -> DagshipGit:
    base = tmp_path_factory.mktemp("dagship-host")
    source = base / "dagship"
    copy_checkout(source)
    git("init", "--quiet", cwd=source)
    git("add", "-A", cwd=source)
    git("commit", "--quiet", "--no-verify", "-m", "chore(release): the checkout under test",
        cwd=source)
    tag = f"v{__version__}"
    git("tag", "-a", tag, "-m", f"dagship {tag}", cwd=source)
    commit = git("rev-parse", "HEAD", cwd=source).stdout.strip()
    bare = base / "dagship.git"
    git("clone", "--quiet", "--bare", str(source), str(bare))
    # Longest prefix wins: `.../dagship.git` and `.../dagship` both reach the bare repository.
    # gitlab-ci-local asks for the component project with an explicit :443.
    gitconfig = Path(os.environ["GIT_CONFIG_GLOBAL"])
    for url in (HOME_URL, GITLAB_MIRROR_URL, GITLAB_MIRROR_URL.replace(".com/", ".com:443/")):
        for form in (url, url + ".git"):
            git("config", "--file", str(gitconfig), "--add", f"url.{bare}.insteadOf", form)
    return DagshipGit(source, bare, commit, tag)


def _requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [*project["build-system"]["requires"], *project["project"]["dependencies"]]


PYTHONS = ("3.11", "3.12")  # the suite's own Python, and the templates' default


def _wheelhouse_home(reqs: list[str], pythons: tuple[str, ...]) -> Path:
    """Where the wheelhouse of `reqs` for `pythons` lives, keyed by what it holds."""
    key = hashlib.sha256("\n".join([*reqs, *pythons]).encode()).hexdigest()[:16]
    return CACHE / "wheelhouse" / key


def built_wheelhouse() -> tuple[str | None, Path]:
    """The `wheelhouse` fixture's index if it is already built (else None), and its folder:
    for runs without the network (realds.py's private namespace), which cannot build it."""
    home = _wheelhouse_home(_requirements(), PYTHONS)
    return ((home / "simple").as_uri() if (home / "simple").is_dir() else None), home


def _wheelhouse(reqs: list[str], pythons: tuple[str, ...]) -> str:
    """A PEP 503 index (file://) of `reqs` for each Python, kept in .cache/ between runs,
    keyed by what it holds."""
    home = _wheelhouse_home(reqs, pythons)
    key = home.name
    if not (home / "simple").is_dir():
        wheels = home.with_name(key + ".partial")
        shutil.rmtree(wheels, ignore_errors=True)
        for version in pythons:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet",
                            "--disable-pip-version-check", "--only-binary=:all:",
                            "--python-version", version, "-d", str(wheels), *reqs],
                           check=True, timeout=600)
        pep503_index(wheels, wheels)
        wheels.rename(home)
    return (home / "simple").as_uri()


@pytest.fixture(scope="session")
def wheelhouse() -> str:
    """dagship's build and runtime dependencies for each Python the jobs use, without
    dagship: a job that installs dagship can only get it from Git or a folder."""
    return _wheelhouse(_requirements(), PYTHONS)


@pytest.fixture(scope="session")
def release_wheelhouse() -> str:
    """What the release workflow's build job installs (the test extra's build, twine and
    git-cliff), with dagship's build dependencies, for its Python."""
    test_extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]["test"]
    tools = [r for r in test_extra if r.split(">")[0] in ("build", "twine", "git-cliff")]
    assert len(tools) == 3, test_extra
    return _wheelhouse([*_requirements(), *tools], ("3.12",))


@pytest.fixture(scope="session")
def quickstart_wheelhouse() -> str:
    """What the README's quickstart installs besides dagship (pre-commit), with dagship's
    dependencies, for the machine's python3: still no dagship."""
    test_extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]["test"]
    pre_commit = [r for r in test_extra if r.startswith("pre-commit")]
    return _wheelhouse([*_requirements(), *pre_commit], PYTHONS)


"""`dagship init` knows where its own dagship came from: dagship installed each way a team
installs it (from Git, a folder, an editable checkout, a wheel file, a package index), in a
fresh venv, then asked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from deployer import __version__
from deployer.commands.init_source import HOME, Source, parse_hooks_repo
from deployer.core.errors import UsageError
from tests.helpers.engines import ROOT, clean_env
from tests.helpers.ship import HOME_URL, pep503_index

ASK = ("import json, dataclasses; from deployer.commands.init_source import installed; "
       "print(json.dumps(dataclasses.asdict(installed())))")


def test_home_is_the_repository_pyproject_names():
    import tomllib
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert HOME == urls["Repository"] == HOME_URL


@pytest.mark.parametrize(("given", "repo", "rev"), [
    ("https://github.com/acme/dagship", "https://github.com/acme/dagship", f"v{__version__}"),
    ("https://github.com/acme/dagship@v0.2.0", "https://github.com/acme/dagship", "v0.2.0"),
    ("https://gitlab.example.com/data/dagship.git@" + "a" * 40,
     "https://gitlab.example.com/data/dagship.git", "a" * 40),
    ("git@github.com:acme/dagship", "git@github.com:acme/dagship", f"v{__version__}"),
    ("git@github.com:acme/dagship@release/1.x", "git@github.com:acme/dagship", "release/1.x"),
    ("ssh://git@host/acme/dagship", "ssh://git@host/acme/dagship", f"v{__version__}"),
    ("ssh://git@host/acme/dagship@v1.0.0", "ssh://git@host/acme/dagship", "v1.0.0"),
    ("/srv/git/dagship.git@v0.1.0", "/srv/git/dagship.git", "v0.1.0"),
])
def test_hooks_repo_is_a_url_with_an_optional_revision(given, repo, rev):
    source = parse_hooks_repo(given)
    assert (source.repo, source.rev) == (repo, rev)
    assert source.origin == "named by `dagship init --hooks-repo`"


@pytest.mark.parametrize("given", ["", "@v1", "https://github.com/acme/dagship@-x",
                                   "https://github.com/acme/dagship@v 1"])
def test_a_bad_hooks_repo_is_a_usage_error_naming_what_is_expected(given):
    with pytest.raises(UsageError, match=r"--hooks-repo .*(expected URL\[@REV\]|is not a tag)"):
        parse_hooks_repo(given)


def test_a_commit_with_a_tag_is_pinned_frozen_as_pre_commit_writes_it():
    commit = "0123456789abcdef0123456789abcdef01234567"
    assert Source("u", commit, "v0.1.0", "x").pinned == f"{commit}  # frozen: v0.1.0"
    assert Source("u", commit, None, "x").pinned == commit
    assert Source("u", "v0.1.0", "v0.1.0", "x").pinned == "v0.1.0"


def _ask(venv: Path, cwd: Path) -> dict:
    done = subprocess.run([str(venv / "bin" / "python"), "-c", ASK], cwd=cwd,
                          env=clean_env(), capture_output=True, text=True, check=True,
                          timeout=60)
    return json.loads(done.stdout)


def _install(venv: Path, *args: str, index: str) -> None:
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "--force-reinstall", "--index-url", index,
                    *args], check=True, timeout=300, env=clean_env())


@pytest.mark.slow
def test_each_way_of_installing_dagship_is_told_apart(tmp_path, dagship_git, wheelhouse):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    elsewhere = tmp_path / "data"  # a data repository, not the dagship checkout
    elsewhere.mkdir()

    _install(venv, f"git+{HOME_URL}@{dagship_git.tag}", index=wheelhouse)
    assert _ask(venv, elsewhere) == {
        "repo": HOME_URL, "rev": dagship_git.commit, "label": dagship_git.tag,
        "origin": f"dagship was installed from {HOME_URL} at {dagship_git.tag}"}

    _install(venv, str(dagship_git.source), index=wheelhouse)
    assert _ask(venv, elsewhere) == {
        "repo": None, "rev": None, "label": None,
        "origin": f"dagship was installed from the folder {dagship_git.source}"}

    _install(venv, "--editable", str(dagship_git.source), index=wheelhouse)
    assert _ask(venv, elsewhere)["origin"] == \
        f"dagship was installed from the folder {dagship_git.source} (editable)"

    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(wheels), str(dagship_git.source)], check=True, timeout=300,
                   env=clean_env({"PIP_INDEX_URL": wheelhouse}))
    (wheel,) = wheels.glob("*.whl")
    _install(venv, str(wheel), index=wheelhouse)
    assert _ask(venv, elsewhere) == {
        "repo": HOME, "rev": f"v{__version__}", "label": f"v{__version__}",
        "origin": f"dagship {__version__} was installed from the archive {wheel.as_uri()}"}

    index = pep503_index(wheels, tmp_path / "index")
    _install(venv, f"dagship=={__version__}", "--extra-index-url", wheelhouse, index=index)
    assert _ask(venv, elsewhere) == {
        "repo": HOME, "rev": f"v{__version__}", "label": f"v{__version__}",
        "origin": f"dagship {__version__} was installed from a package index"}
    # a stray dagship.egg-info in the working directory is not the running dagship
    (elsewhere / "dagship.egg-info").mkdir()
    (elsewhere / "dagship.egg-info" / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: dagship\nVersion: 9.9.9\n")
    assert _ask(venv, elsewhere)["origin"] == \
        f"dagship {__version__} was installed from a package index"

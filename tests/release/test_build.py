"""The release artifacts, built as the release workflow builds them: `python -m build` (the
sdist, then the wheel from the sdist) of a clean copy of this checkout, `twine check --strict`
as PyPI would judge the metadata, and the wheel's exact contents."""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from deployer import __version__
from tests.helpers.engines import ROOT, clean_env, run
from tests.helpers.ship import checkout_files, copy_checkout

pytestmark = pytest.mark.slow
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory, wheelhouse: str) -> Path:
    source = tmp_path_factory.mktemp("source") / "dagship"
    copy_checkout(source)
    out = source.parent / "dist"
    # build's isolated environment gets setuptools from the local index (no PyPI needed)
    run([sys.executable, "-m", "build", "--outdir", str(out), str(source)], source,
        clean_env({"PIP_INDEX_URL": wheelhouse})).require()
    return out


def test_build_makes_one_sdist_and_one_wheel_that_twine_accepts(dist):
    assert sorted(p.name for p in dist.iterdir()) == [
        f"dagship-{__version__}-py3-none-any.whl", f"dagship-{__version__}.tar.gz"]
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                           *map(str, sorted(dist.iterdir()))],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


def _expected_wheel_files() -> set[str]:
    """The two import packages' modules and py.typed markers, and the CI templates `dagship
    init` copies (ci-templates/ as deployer/ci_templates): nothing else of the repository."""
    tracked = checkout_files()
    wanted = {p for p in tracked
              if p.startswith(("hooks/", "deployer/")) and p.endswith((".py", "py.typed"))}
    wanted |= {"deployer/ci_templates/" + p.removeprefix("ci-templates/")
               for p in tracked if p.startswith("ci-templates/")}
    info = f"dagship-{__version__}.dist-info"
    return wanted | {f"{info}/{n}" for n in ("METADATA", "WHEEL", "entry_points.txt",
                                            "top_level.txt", "RECORD")}


def test_the_wheel_holds_exactly_the_packages_and_their_data(dist):
    with zipfile.ZipFile(dist / f"dagship-{__version__}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"dagship-{__version__}.dist-info/entry_points.txt").decode()
        top_level = wheel.read(f"dagship-{__version__}.dist-info/top_level.txt").decode()
    assert names == _expected_wheel_files(), {
        "missing": sorted(_expected_wheel_files() - names),
        "unexpected": sorted(names - _expected_wheel_files())}
    assert "deployer/ci_templates/jenkins/.groovylintrc.json" in names  # a dot file too
    assert not any(n.startswith(("tests/", "bench/", "scripts/", "templates/", "examples/"))
                   for n in names)
    script = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert f"dagship = {script['dagship']}" in entry_points
    assert top_level.split() == ["deployer", "hooks"]


def test_the_metadata_says_what_pyproject_says(dist):
    with zipfile.ZipFile(dist / f"dagship-{__version__}-py3-none-any.whl") as wheel:
        meta = email.message_from_bytes(wheel.read(f"dagship-{__version__}.dist-info/METADATA"))
    assert meta["Name"] == "dagship"
    assert meta["Version"] == __version__  # the one source: deployer/__init__.py
    assert meta["Requires-Python"] == PROJECT["requires-python"]
    assert meta["License-Expression"] == PROJECT["license"]
    assert sorted(meta.get_all("Requires-Dist")[:len(PROJECT["dependencies"])]) == \
        sorted(PROJECT["dependencies"])
    assert f"Repository, {PROJECT['urls']['Repository']}" in meta.get_all("Project-URL")
    assert meta.get_payload().startswith("# dagship")  # the README is the long description


def test_the_sdist_rebuilds_the_same_wheel_contents(dist, tmp_path, wheelhouse):
    """A wheel built from the sdist (what pip does with it) holds the same files: the sdist
    carries the CI templates behind the deployer/ci_templates link."""
    with tarfile.open(dist / f"dagship-{__version__}.tar.gz") as sdist:
        sdist.extractall(tmp_path, filter="data")
    out = tmp_path / "wheel"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out),
         str(tmp_path / f"dagship-{__version__}")], tmp_path,
        clean_env({"PIP_INDEX_URL": wheelhouse})).require()
    with zipfile.ZipFile(next(out.glob("*.whl"))) as wheel:
        rebuilt = {n for n in wheel.namelist() if ".dist-info/" not in n}
    assert rebuilt == {n for n in _expected_wheel_files() if ".dist-info/" not in n}

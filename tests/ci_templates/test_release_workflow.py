"""dagship's own release workflow (.github/workflows/release.yml): validated offline as the
templates are, and run in act on a tag push up to the publish step.

In act the workspace is a tagged copy of this checkout whose `.ci/run` is a stub (`.ci/run`
is this very suite; the stub records that the release ran it, and can fail); the actions the
workflow uses are stand-ins (tests/ci_templates/actrun.py): artifacts go to a folder, and the PyPI
publish step records what it was given instead of uploading. The GitHub release job, after
publishing, is not run.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from deployer import __version__
from tests.ci_templates.actrun import (
    DOWNLOAD_ARTIFACT,
    SETUP_PYTHON,
    UPLOAD_ARTIFACT,
    Act,
    composite,
    download_artifact,
    setup_python,
    step_output,
    upload_artifact,
)
from tests.ci_templates.helpers import SHA_PIN, load_yaml, validator
from tests.helpers.engines import ROOT, act
from tests.helpers.gitrun import git
from tests.helpers.ship import copy_checkout

RELEASE = ROOT / ".github" / "workflows" / "release.yml"
PYPI_PUBLISH = "pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc"


def _workflow() -> dict[str, Any]:
    return load_yaml(RELEASE.read_text(encoding="utf-8"))


# ---- offline --------------------------------------------------------------------------------

@pytest.mark.parametrize("schema", ["vendor.github-workflows",
                                    "custom.github-workflows-require-timeout"])
def test_the_release_workflow_matches_the_schemas(schema):
    done = subprocess.run([validator("check-jsonschema"), "--builtin-schema", schema,
                           str(RELEASE)], capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_in_the_release_workflow():
    done = subprocess.run([validator("zizmor"), "--offline", "--no-progress", str(RELEASE)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_tag_is_tested_built_once_then_published_by_trusted_publishing():
    workflow = _workflow()
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    jobs = workflow["jobs"]
    assert list(jobs) == ["test", "build", "publish", "github-release"]
    assert [jobs[j].get("needs") for j in jobs] == [None, "test", "build", "publish"]
    assert [s.get("run") for s in jobs["test"]["steps"]][-1] == ".ci/run"
    publish = jobs["publish"]
    assert publish["environment"]["name"] == "pypi"
    assert publish["permissions"] == {"id-token": "write"}  # and nothing else: no token
    assert any(s.get("uses") == PYPI_PUBLISH for s in publish["steps"])
    assert "secrets." not in json.dumps(workflow)
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    for name in ("test", "build"):
        assert jobs[name]["permissions"] == {"contents": "read"}
    for job in jobs.values():
        assert job["timeout-minutes"]
        for step in job["steps"]:
            if "uses" in step:
                assert SHA_PIN.match(step["uses"]), step["uses"]
            assert "${{" not in step.get("run", ""), step


# ---- in act ---------------------------------------------------------------------------------

CI_STUB = """#!/usr/bin/env bash
# stands in for .ci/run (this test suite) in the release workflow test
echo "ci ran at $(git rev-parse HEAD)" >> "$CI_MARKER"
exit "${CI_EXIT:-0}"
"""
PUBLISH = ('set -euo pipefail\nls "$DIST" > "$PUBLISH_LOG"\n'
           'test "$(ls "$DIST" | grep -c "\\.whl$")" = 1\n'
           'test "$(ls "$DIST" | grep -c "\\.tar\\.gz$")" = 1\n'
           'test "$(ls "$DIST" | wc -l)" = 2\n')


class Release:
    def __init__(self, tmp: Path, wheelhouse: str):
        self.source = tmp / "dagship"
        copy_checkout(self.source)
        (self.source / ".ci" / "run").write_text(CI_STUB, encoding="utf-8")
        git("init", "--quiet", cwd=self.source)
        git("add", "--all", cwd=self.source)
        git("commit", "--quiet", "--no-verify", "-m", "feat: everything so far",
            cwd=self.source)
        self.marker, self.store, self.published = (tmp / "ci-marker", tmp / "artifacts",
                                                   tmp / "published")
        self.tmp, self.wheelhouse = tmp, wheelhouse

    def run(self, tag: str, ci_exit: int = 0):
        git("tag", "--force", "-a", tag, "-m", tag, cwd=self.source)
        stand_ins = self.tmp / f"actions-{tag}-{ci_exit}"
        act_run = Act(self.source, self.tmp, {
            SETUP_PYTHON: setup_python(stand_ins / "setup-python", "3.11", "3.12"),
            UPLOAD_ARTIFACT: upload_artifact(stand_ins / "upload"),
            DOWNLOAD_ARTIFACT: download_artifact(stand_ins / "download"),
            PYPI_PUBLISH: composite(stand_ins / "pypi", "pypa/gh-action-pypi-publish",
                                     {"packages-dir": "dist/"}, PUBLISH,
                                     {"DIST": "${{ inputs.packages-dir }}"}),
        }, {"PIP_INDEX_URL": self.wheelhouse, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "CI_MARKER": str(self.marker), "CI_EXIT": str(ci_exit),
            "ARTIFACT_STORE": str(self.store), "PUBLISH_LOG": str(self.published)})
        return act_run("push", {"ref": f"refs/tags/{tag}"}, job="publish")


@pytest.fixture
def release(tmp_path, release_wheelhouse) -> Release:
    act()  # skip (or fail) at once when act is missing
    return Release(tmp_path, release_wheelhouse)


@pytest.mark.slow
def test_a_tag_push_runs_the_ci_then_builds_and_hands_both_artifacts_to_pypi(release):
    result = release.run(f"v{__version__}").require()
    head = git("rev-parse", "HEAD", cwd=release.source).stdout.strip()
    assert release.marker.read_text() == f"ci ran at {head}\n"  # the tagged commit's CI
    assert release.published.read_text().split() == [
        f"dagship-{__version__}-py3-none-any.whl", f"dagship-{__version__}.tar.gz"]
    out = step_output(result.log)
    assert "PASSED" in out  # twine check --strict
    notes = (release.store / "release-notes" / "release-notes.md").read_text()
    assert "### Features" in notes
    assert "- everything so far" in notes
    assert not notes.startswith("# Changelog")  # the section alone, for the release page


@pytest.mark.slow
def test_a_tag_that_is_not_the_version_publishes_nothing(release):
    result = release.run("v9.9.9")
    assert result.returncode != 0
    assert f"::error::tag v9.9.9, but deployer/__init__.py says {__version__}" in result.log
    assert "Error: Job 'build the sdist and the wheel' failed" in result.log
    assert not release.published.exists()
    assert not (release.store / "dist").exists()


@pytest.mark.slow
def test_a_failing_ci_stops_the_release_before_the_build(release):
    result = release.run(f"v{__version__}", ci_exit=1)
    assert result.returncode != 0
    assert release.marker.is_file()
    assert "Error: Job 'the whole CI' failed" in result.log
    assert "build the sdist and the wheel" not in result.log  # never started
    assert not release.published.exists()

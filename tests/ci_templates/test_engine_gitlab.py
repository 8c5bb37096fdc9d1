"""The GitLab templates in a real GitLab CI engine: gitlab-ci-local, shell executor, offline.

The data repository's .gitlab-ci.yml includes the component `$CI_SERVER_FQDN/acme/dagship/
dagship@v<version>`, which gitlab-ci-local fetches with git from the component project: the
local bare repository of the dagship checkout under test, tagged with the version and reached
through `url.<bare>.insteadOf`. The component installs dagship from its own commit
(`$[[ component.sha ]]`) out of that repository; the jobs' package index holds only dagship's
dependencies. The shell executor ignores `image:`, so a bare Python 3.12 venv first on PATH
stands in for the default image (python:3.12, which has git), and a PATH without git stands
in for python:3.12-slim. Deploys go to a sandbox on 127.0.0.1, read back through the API.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from deployer import __version__
from deployer.sandbox import Sandbox
from tests.ci_templates.actrun import python_home
from tests.ci_templates.datarepo import TOKEN, DataRepo, bad_commit, make_data_repo
from tests.helpers.engines import Run, clean_env, gitlab_ci_local, run
from tests.helpers.gitrun import git

pytestmark = pytest.mark.slow
COMPONENT_CI = f"""\
stages: [validate, deploy]
include:
  - component: $CI_SERVER_FQDN/acme/dagship/dagship@v{__version__}
"""
# gitlab-ci-local sets GITLAB_CI=false where GitLab sets true; pipeline variables as GitLab
# sets them (a merge request pipeline has no CI_COMMIT_BRANCH)
PUSH = {"GITLAB_CI": "true"}
MERGE_REQUEST = {"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
                 "CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "develop",
                 "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature/x"}
QUIET = "GITLAB_CI,CI_PIPELINE_SOURCE,CI_MERGE_REQUEST_IID,CI_MERGE_REQUEST_TARGET_BRANCH_NAME," \
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME,CI_MERGE_REQUEST_DIFF_BASE_SHA"


def _image(where: Path, git_on_path: bool = True) -> Path:
    """A stand-in for the job image: a bare CPython 3.12 venv (python:3.12), and a bin folder
    with every host tool except git, so that a PATH of only those two has no git
    (python:3.12-slim)."""
    python = str(python_home("3.12") / "python3")
    subprocess.run([python, "-m", "venv", str(where / "venv")], check=True, timeout=120)
    tools = where / "tools"
    tools.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        for exe in Path(folder).iterdir():
            name = exe.name
            if (git_on_path or not name.startswith("git")) and not (tools / name).exists() \
                    and os.access(exe, os.X_OK) and not exe.is_dir():
                (tools / name).symlink_to(exe)
    return where


@dataclass
class Pipeline:
    repo: DataRepo
    wheelhouse: str
    tmp: Path
    runs: int = 0

    def __call__(self, variables: dict[str, str], *jobs: str, git_on_path: bool = True,
                 unset: tuple[str, ...] = ()) -> Run:
        self.runs += 1
        image = _image(self.tmp / f"image-{self.runs}", git_on_path)
        cmd: list[str | Path] = [*gitlab_ci_local(), "--force-shell-executor", "--concurrency",
                                 "1", "--no-color", "--ignore-predefined-vars", QUIET, *jobs]
        # the job's PATH is the image's; gitlab-ci-local itself runs with the host's
        job_path = f"{image / 'venv' / 'bin'}:{image / 'tools'}"
        for name, value in {**variables, "PATH": job_path, "PIP_INDEX_URL": self.wheelhouse,
                            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}.items():
            cmd += ["--variable", f"{name}={value}"]
        for name in unset:
            cmd += ["--unset-variable", name]
        result = run(cmd, self.repo.root, clean_env())
        (self.tmp / f"pipeline-{self.runs}.log").write_text(result.log, encoding="utf-8")
        return result


@pytest.fixture
def gitlab(tmp_path: Path, dagship_git, wheelhouse) -> Iterator[tuple[DataRepo, Pipeline]]:
    gitlab_ci_local()  # skip (or fail) at once when it is missing
    with Sandbox(token=TOKEN) as sb:
        repo = make_data_repo(tmp_path / "data", sb, "gitlab",
                              "https://gitlab.example.com/acme/data.git")
        (repo.root / ".gitlab-ci.yml").write_text(COMPONENT_CI, encoding="utf-8")
        git("commit", "--quiet", "--no-verify", "--amend", "-a", "--no-edit", cwd=repo.root)
        repo.head = git("rev-parse", "HEAD", cwd=repo.root).stdout.strip()
        git("update-ref", "refs/remotes/origin/feature/x", repo.head, cwd=repo.root)
        yield repo, Pipeline(repo, wheelhouse, tmp_path)


def _merge_request(repo: DataRepo) -> dict[str, str]:
    # merge request pipelines see unprotected variables only: a read-only token, by name
    return {**MERGE_REQUEST, "CI_MERGE_REQUEST_DIFF_BASE_SHA": repo.base,
            "DS_STAGING_TOKEN": TOKEN}


def _passed(log: str, job: str) -> bool:
    return re.search(rf"^\s*PASS\s+{job}\s*$", log, flags=re.M) is not None


def _failed(log: str, job: str) -> bool:
    return re.search(rf"^\s*FAIL\s+{job}\s*$", log, flags=re.M) is not None


def _junit(path: Path) -> tuple[int, str]:
    """Failed test cases of a JUnit report dagship wrote, and the report's text."""
    root = ElementTree.parse(path).getroot()  # noqa: S314 - our own report
    return len(root.findall(".//testcase/failure")), path.read_text(encoding="utf-8")


def _job(log: str, job: str) -> str:
    """What one job printed (gitlab-ci-local prefixes each line with the job's name)."""
    return "\n".join(line[len(job) + 1:].lstrip() for line in log.splitlines()
                     if line.startswith(job + " "))


def test_merge_request_pipeline_runs_the_component_of_its_version(gitlab, dagship_git):
    repo, pipeline = gitlab
    log = pipeline(_merge_request(repo), unset=("CI_COMMIT_BRANCH",)).require().log
    for job in ("dagship-lint", "dagship-commits", "dagship-diff", "dagship-plan"):
        assert _passed(log, job), (job, log)
    assert "dagship-deploy" not in log
    # the component came from the tagged repository, and installed dagship from its commit
    assert f"downloaded acme/dagship v{__version__} templates/dagship" in log
    expanded = yaml.safe_load((repo.root / ".gitlab-ci-local" / "expanded-gitlab-ci.yml")
                              .read_text(encoding="utf-8"))
    lint = expanded["dagship-lint"]
    assert lint["variables"]["DAGSHIP_SOURCE"] == \
        f"git+https://github.com/dagship/dagship.git@{dagship_git.commit}"
    assert lint["image"]["name"] == "python:3.12"  # has git (pip installs from Git)
    (installed,) = (pipeline.tmp / "image-1" / "venv").glob(
        "lib/python3.12/site-packages/dagship-*.dist-info/direct_url.json")
    assert json.loads(installed.read_text())["vcs_info"]["commit_id"] == dagship_git.commit
    assert f"dagship, version {__version__}" in _job(log, "dagship-lint")
    assert "0 file(s) would be reformatted, 2 unchanged" in _job(log, "dagship-lint")
    assert "Target staging: project dataops-staging" in _job(log, "dagship-plan")
    diff = (repo.root / "dagship-diff.md").read_text(encoding="utf-8")
    assert f"merge base with develop ({repo.base[:7]})" in diff
    assert "| + | `second` |" in diff
    failures, junit = _junit(repo.root / "dagship-commits.xml")
    assert failures == 0
    assert repo.head[:7] in junit
    assert repo.deployed("dataops-staging") == {}
    assert TOKEN not in log


def test_branch_pipelines_of_develop_and_main_deploy(gitlab):
    repo, pipeline = gitlab
    repo.merge_feature("develop")
    repo.checkout("develop")
    log = pipeline({**PUSH, "DS_STAGING_TOKEN": TOKEN}).require().log
    assert _passed(log, "dagship-deploy-staging"), log
    assert "dagship-lint" not in log  # merge request jobs only
    staging = repo.deployed("dataops-staging")
    assert sorted(staging) == ["hello_dagship", "second"]
    assert all(f"{repo.head[:7]} v{__version__}]" in d for d in staging.values()), staging
    assert repo.smoke_runs() == [("second", "SUCCESS")]  # the staging smoke step ran
    assert "smoke run of second on staging" in _job(log, "dagship-deploy-staging")

    repo.merge_feature("main")
    repo.checkout("main")
    log = pipeline({**PUSH, "DS_PROD_TOKEN": TOKEN}).require().log
    assert _passed(log, "dagship-deploy-production"), log
    assert sorted(repo.deployed("dataops")) == ["hello_dagship", "second"]
    assert repo.smoke_runs() == [("second", "SUCCESS")]  # production: no smoke run
    assert TOKEN not in log


def test_the_files_init_writes_deploy_as_written(gitlab, dagship_git):
    """`dagship init --ci gitlab`'s own .gitlab-ci.yml (the plain include, copied into
    .gitlab/), unchanged: a push to develop installs its pinned dagship and deploys."""
    repo, pipeline = gitlab
    repo.merge_feature("develop")
    repo.checkout("develop")
    git("checkout", "--quiet", repo.base, "--", ".gitlab-ci.yml", cwd=repo.root)  # init's
    assert "local: .gitlab/dagship.gitlab-ci.yml" in (repo.root / ".gitlab-ci.yml").read_text()
    log = pipeline({**PUSH, "DS_STAGING_TOKEN": TOKEN}).require().log
    assert _passed(log, "dagship-deploy-staging"), log
    assert sorted(repo.deployed("dataops-staging")) == ["hello_dagship", "second"]
    (installed,) = (pipeline.tmp / f"image-{pipeline.runs}" / "venv").glob(
        "lib/python3.12/site-packages/dagship-*.dist-info/direct_url.json")
    assert json.loads(installed.read_text())["vcs_info"]["commit_id"] == dagship_git.commit


def test_a_bad_commit_message_fails_its_job_with_the_junit_report(gitlab):
    repo, pipeline = gitlab
    bad = bad_commit(repo)
    result = pipeline(_merge_request(repo), "dagship-commits", unset=("CI_COMMIT_BRANCH",))
    assert result.returncode != 0, result.log
    assert _failed(result.log, "dagship-commits"), result.log
    failures, junit = _junit(repo.root / "dagship-commits.xml")
    assert failures == 1
    assert bad[:7] in junit


def test_a_deploy_without_its_token_fails_with_the_clear_message(gitlab):
    repo, pipeline = gitlab
    repo.merge_feature("main")
    repo.checkout("main")
    result = pipeline(PUSH)
    assert result.returncode != 0, result.log
    out = _job(result.log, "dagship-deploy-production")
    assert re.search(r"token for target 'production' is missing.*DS_PROD_TOKEN", out), out
    assert repo.deployed("dataops") == {}


def test_diff_in_an_image_without_git_says_git_is_missing(gitlab, tmp_path):
    """python:3.12-slim has no git: the diff job fails and says so (the install step is given
    a wheel, since pip itself needs git to install from a Git URL)."""
    repo, pipeline = gitlab
    wheels = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(wheels), str(Path(__file__).resolve().parents[2])], check=True,
                   timeout=300)
    (wheel,) = wheels.glob("dagship-*.whl")
    (repo.root / ".gitlab-ci.yml").write_text(
        COMPONENT_CI + f"    inputs:\n      package: {wheel}\n", encoding="utf-8")
    result = pipeline(_merge_request(repo), "dagship-diff", git_on_path=False,
                      unset=("CI_COMMIT_BRANCH",))
    assert result.returncode != 0, result.log
    out = _job(result.log, "dagship-diff")
    assert "dagship: error: git is not installed or not on PATH" in out, out
    assert "no such branch" not in out  # git was not there to say so

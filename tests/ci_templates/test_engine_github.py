"""The GitHub templates in a real GitHub Actions engine: nektos/act in host mode, offline.

The data repository is `dagship init --ci github`'s: its caller workflow runs the reusable
workflow, whose every dagship step is the composite action `dagship/dagship/ci-templates/
github@<ref>`, which act resolves to the dagship repository under test (`--local-repository`).
The action installs dagship from that checkout; the job's package index holds only
dagship's dependencies, so no other dagship can be installed. actions/checkout is act's own
(it copies the work tree, history included); actions/setup-python is a stand-in that puts a
venv of the requested Python first on PATH (tests/ci_templates/actrun.py). Deploys go to a
sandbox on 127.0.0.1, and the tests read the result back through the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer import __version__
from deployer.sandbox import Sandbox
from tests.ci_templates.actrun import SETUP_PYTHON, Act, setup_python, step_output
from tests.ci_templates.datarepo import TOKEN, DataRepo, bad_commit, make_data_repo
from tests.helpers.engines import act

pytestmark = pytest.mark.slow


def _action_ref(repo: Path) -> str:
    """The ref the reusable workflow's dagship steps name (one ref for all of them)."""
    text = (repo / ".github" / "workflows" / "dagship.yml").read_text(encoding="utf-8")
    refs = set(re.findall(r"uses: dagship/dagship/ci-templates/github@(\S+)", text))
    assert len(refs) == 1, refs
    return refs.pop()


class GitHub:
    def __init__(self, repo: DataRepo, dagship_source: Path, wheelhouse: str, tmp: Path):
        self.repo, self.dagship_source = repo, dagship_source
        self.act = Act(repo.root, tmp, {
            f"dagship/dagship@{_action_ref(repo.root)}": dagship_source,
            SETUP_PYTHON: setup_python(tmp / "setup-python", "3.12"),
        }, {"PIP_INDEX_URL": wheelhouse, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})

    def __call__(self, event: str, payload: dict, secrets: dict[str, str]):
        return self.act(event, payload, secrets)


@pytest.fixture
def github(tmp_path: Path, dagship_git, wheelhouse) -> Iterator[tuple[DataRepo, GitHub]]:
    act()  # skip (or fail) at once when act is missing
    with Sandbox(token=TOKEN) as sb:
        repo = make_data_repo(tmp_path / "data", sb, "github", "https://github.com/acme/data")
        yield repo, GitHub(repo, dagship_git.source, wheelhouse, tmp_path)


def _pull_request(repo: DataRepo, head: str) -> dict:
    return {"number": 7, "pull_request": {
        "number": 7, "head": {"ref": "feature/x", "sha": head},
        "base": {"ref": "develop", "sha": repo.base}}}


def _push(branch: str, before: str, after: str) -> dict:
    return {"ref": f"refs/heads/{branch}", "before": before, "after": after}


def test_pull_request_validates_with_the_action_of_its_own_ref(github):
    repo, run_act = github
    result = run_act("pull_request", _pull_request(repo, repo.head),
                     {"DS_STAGING_TOKEN": TOKEN}).require()
    log = result.log
    for step in ("Lint workflow files", "Check formatting", "Lint commit messages",
                 "Semantic diff", "Plan"):
        assert re.search(rf"Success - Main {step}", log), (step, log)
    out = step_output(log)
    # every step is the action of the ref the workflow names, read from the repository under
    # test, and runs the dagship that action installed from its own checkout (the job's
    # index has no dagship)
    assert log.count(f"cachedir dagship/dagship with ref {_action_ref(repo.root)} and subpath"
                     f" 'ci-templates/github/action.yml' from {run_act.dagship_source}") == 5
    assert out.count(f"dagship, version {__version__}") == 5, out
    assert "0 file(s) would be reformatted, 2 unchanged" in out
    assert "Target staging: project dataops-staging" in out  # develop's target, planned
    assert "second" in out
    assert repo.deployed("dataops-staging") == {}  # a plan sends nothing
    assert TOKEN not in log
    # the diff and the plan are in the job summary
    summaries = re.findall(r"Summary - (### dagship.*)", log)
    assert summaries[0].startswith("### dagship diff: merge base with develop"), summaries
    assert "### dagship: staging (dataops-staging)" in summaries, summaries  # the plan


def test_pushes_to_develop_and_main_deploy_to_their_targets(github):
    repo, run_act = github
    repo.merge_feature("develop")
    repo.checkout("develop")
    run_act("push", _push("develop", repo.base, repo.head),
            {"DS_STAGING_TOKEN": TOKEN}).require()
    staging = repo.deployed("dataops-staging")
    assert sorted(staging) == ["hello_dagship", "second"]
    assert all(f"{repo.head[:7]} v{__version__}]" in d for d in staging.values()), staging
    assert repo.deployed("dataops") == {}
    assert repo.smoke_runs() == [("second", "SUCCESS")]  # the staging smoke step ran

    repo.merge_feature("main")
    repo.checkout("main")
    run_act("push", _push("main", repo.base, repo.head), {"DS_PROD_TOKEN": TOKEN}).require()
    assert sorted(repo.deployed("dataops")) == ["hello_dagship", "second"]
    assert repo.smoke_runs() == [("second", "SUCCESS")]  # production: no smoke run


def test_a_bad_commit_message_fails_the_job_with_an_annotation(github):
    repo, run_act = github
    bad = bad_commit(repo)
    result = run_act("pull_request", _pull_request(repo, bad), {"DS_STAGING_TOKEN": TOKEN})
    assert result.returncode != 0, result.log
    assert re.search(r"Failure - Main Lint commit messages", result.log), result.log
    assert re.search(rf"::error file={bad[:7]}[^\n]*CM1\d\d", result.log), result.log
    # the other checks still ran and passed (`!cancelled()`), so the request shows them all
    assert re.search(r"Success - Main Semantic diff", result.log), result.log


def test_a_deploy_without_its_token_fails_with_the_clear_message(github):
    repo, run_act = github
    repo.merge_feature("main")
    repo.checkout("main")
    result = run_act("push", _push("main", repo.base, repo.head), {})
    assert result.returncode != 0, result.log
    assert re.search(r"Failure - Main Deploy", result.log), result.log
    assert re.search(r"token for target 'production' is missing.*DS_PROD_TOKEN",
                     step_output(result.log)), result.log
    assert repo.deployed("dataops") == {}

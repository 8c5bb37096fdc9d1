"""Preview projects through the real CI engines (and the Jenkins step's own scripts): a
pull/merge request deploys its own project (name and plan in the job's report), and closing
it destroys that project, every other project unchanged (read back through the API).

GitHub: dagship-preview.yml called on pull_request (opened, then closed) in act. GitLab: the
dagship-preview component in gitlab-ci-local, the merge request pipeline's deploy job and
then its environment's stop job (GitLab runs it when the merge request is merged or closed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deployer import __version__
from deployer.client import DSClient
from deployer.core.projects import render
from deployer.sandbox import Sandbox
from tests.ci_templates.actrun import step_output
from tests.ci_templates.datarepo import TOKEN, DataRepo, make_data_repo
from tests.ci_templates.helpers import groovy_sh_scripts
from tests.ci_templates.test_engine_github import GitHub, _action_ref, _pull_request
from tests.ci_templates.test_engine_gitlab import (
    COMPONENT_CI,
    Pipeline,
    _job,
    _merge_request,
    _passed,
)
from tests.helpers.engines import act, clean_env, gitlab_ci_local, run
from tests.helpers.gitrun import git

pytestmark = pytest.mark.slow

TEMPLATES = Path(__file__).resolve().parents[2] / "ci-templates"
PREVIEW = render("dataops-{branch}", "", "feature/x")
PREVIEW_TARGET = (
    "  preview:\n"
    "    url: {url}\n"
    "    token_env: DS_STAGING_TOKEN\n"
    '    project: "dataops-{{branch}}"\n'
    "    branches: ['feature/*']\n"
    "    variables:\n"
    "      worker_group: default\n"
)


def _with_preview_target(repo: DataRepo, extra: dict[str, str],
                         target: str = PREVIEW_TARGET) -> None:
    """The data repository's feature branch with a preview target (and `extra` files)."""
    config = repo.root / "dagship.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("targets:\n", "targets:\n" + target.format(
        url=repo.sandbox.base_url), 1), encoding="utf-8")
    for rel, body in extra.items():
        (repo.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo.root / rel).write_text(body, encoding="utf-8")
    git("add", "-A", cwd=repo.root)
    git("commit", "--quiet", "--no-verify", "-m", "ci: preview projects", cwd=repo.root)
    repo.head = git("rev-parse", "HEAD", cwd=repo.root).stdout.strip()
    git("update-ref", "refs/remotes/origin/feature/x", repo.head, cwd=repo.root)


def project_versions(c: DSClient) -> dict[str, Any]:
    """Every project as the API shows it: description and each workflow's version."""
    return {str(p["name"]): (p.get("description"), {
        str(d["workflowDefinition"]["name"]): d["workflowDefinition"]["version"]
        for d in c.list_workflows(int(p["code"]))}) for p in c.list_projects()}


def _projects(repo: DataRepo) -> dict[str, Any]:
    c = DSClient(repo.sandbox.base_url, repo.sandbox.token, timeout=10.0)
    try:
        return project_versions(c)
    finally:
        c.close()


def _bystander(repo: DataRepo) -> None:
    """A project someone made by hand, with a workflow: it must stay as it is."""
    c = DSClient(repo.sandbox.base_url, repo.sandbox.token, timeout=10.0)
    try:
        c.create_project("team-sandbox", "made by hand")
    finally:
        c.close()


@pytest.fixture
def github(tmp_path: Path, dagship_git, wheelhouse) -> Iterator[tuple[DataRepo, GitHub]]:
    act()
    with Sandbox(token=TOKEN) as sb:
        repo = make_data_repo(tmp_path / "data", sb, "github", "https://github.com/acme/data")
        ref = _action_ref(repo.root)
        reusable = (TEMPLATES / "github" / "dagship-preview.yml").read_text(encoding="utf-8")
        _with_preview_target(repo, {
            ".github/workflows/dagship-preview.yml": reusable.replace(
                f"@v{__version__}", f"@{ref}"),
            ".github/workflows/preview.yml": (
                "name: preview\non:\n  pull_request:\n"
                "    types: [opened, synchronize, reopened, closed]\n"
                "jobs:\n  preview:\n    uses: ./.github/workflows/dagship-preview.yml\n"
                "    with:\n      target: preview\n    secrets:\n"
                "      DS_STAGING_TOKEN: ${{ secrets.DS_STAGING_TOKEN }}\n"),
        })
        yield repo, GitHub(repo, dagship_git.source, wheelhouse, tmp_path)


def test_github_pull_request_deploys_its_preview_and_closing_it_destroys_it(github):
    repo, run_act = github
    _bystander(repo)
    before = _projects(repo)
    opened = {**_pull_request(repo, repo.head), "action": "opened"}
    result = run_act("pull_request", opened, {"DS_STAGING_TOKEN": TOKEN}).require()
    assert re.search(r"Success - Main Deploy the preview", result.log), result.log
    out = step_output(result.log)
    # the plan, naming the preview's project (the action also writes it to the job summary)
    assert f"project {PREVIEW}" in out
    assert "Plan: 2 to create" in out
    after = _projects(repo)
    assert set(after) - set(before) == {PREVIEW}
    assert "[dagship preview target=preview branch=feature/x " in after[PREVIEW][0]
    assert set(after[PREVIEW][1]) == {"hello_dagship", "second"}
    assert {k: v for k, v in after.items() if k != PREVIEW} == before

    closed = {**_pull_request(repo, repo.head), "action": "closed"}
    closed["pull_request"]["merged"] = True
    result = run_act("pull_request", closed, {"DS_STAGING_TOKEN": TOKEN}).require()
    assert re.search(r"Success - Main Destroy the preview", result.log), result.log
    assert "Deploy the preview" not in result.log
    assert _projects(repo) == before


@pytest.fixture
def gitlab(tmp_path: Path, dagship_git, wheelhouse) -> Iterator[tuple[DataRepo, Pipeline]]:
    gitlab_ci_local()
    with Sandbox(token=TOKEN) as sb:
        repo = make_data_repo(tmp_path / "data", sb, "gitlab",
                              "https://gitlab.example.com/acme/data.git")
        _with_preview_target(repo, {".gitlab-ci.yml": COMPONENT_CI + (
            f"  - component: $CI_SERVER_FQDN/acme/dagship/dagship-preview@v{__version__}\n"
            "    inputs:\n      target: preview\n")})
        yield repo, Pipeline(repo, wheelhouse, tmp_path)


def test_gitlab_merge_request_deploys_its_preview_and_the_stop_job_destroys_it(gitlab):
    repo, pipeline = gitlab
    _bystander(repo)
    before = _projects(repo)
    result = pipeline(_merge_request(repo), "dagship-preview")
    assert _passed(result.log, "dagship-preview"), result.log
    assert PREVIEW in _job(result.log, "dagship-preview")
    report = (repo.root / "dagship-preview.md").read_text(encoding="utf-8")
    assert f"### dagship: preview ({PREVIEW})" in report
    assert "Plan: 2 to create" in report
    after = _projects(repo)
    assert set(after) - set(before) == {PREVIEW}
    assert {k: v for k, v in after.items() if k != PREVIEW} == before

    result = pipeline(_merge_request(repo), "dagship-preview-stop")
    assert _passed(result.log, "dagship-preview-stop"), result.log
    assert _projects(repo) == before


def test_jenkins_preview_step_deploys_a_change_request_and_its_cleanup_destroys_it(
        tmp_path, dagship_git, wheelhouse):
    """No Jenkins runs here (tests/ci_templates/test_engine_jenkins.py): the step's own shell
    scripts run for real in their order, with the variables a multibranch change request
    build has."""
    text = (TEMPLATES / "jenkins" / "vars" / "dagshipPreview.groovy").read_text(encoding="utf-8")
    defaults = dict(re.findall(r"(DAGSHIP_\w+): config\.\w+ \?: '([^']*)'", text))
    assert defaults["DAGSHIP_PACKAGE"] == \
        f"git+https://github.com/dagship/dagship.git@v{__version__}"
    install, cleanup, deploy = groovy_sh_scripts(text)
    assert "dagship previews --older-than" in cleanup
    assert "dagship deploy" in deploy
    with Sandbox(token=TOKEN) as sb:
        repo = make_data_repo(tmp_path / "data", sb, "jenkins",
                              "https://git.example.com/acme/data.git")
        _with_preview_target(repo, {})
        _bystander(repo)
        before = _projects(repo)
        env = {**defaults, "DAGSHIP_TARGET": "preview", "JENKINS_URL": "http://jenkins.invalid/",
               "BRANCH_NAME": "PR-7", "CHANGE_ID": "7", "CHANGE_TARGET": "develop",
               "CHANGE_BRANCH": "feature/x", "GIT_COMMIT": repo.head,
               "PIP_INDEX_URL": wheelhouse, "DS_STAGING_TOKEN": TOKEN}
        for script in (install, deploy):
            run(["sh", "-xe", "-c", script], repo.root, clean_env(env)).require()
        report = (repo.root / "dagship-preview.md").read_text(encoding="utf-8")
        assert f"### dagship: preview ({PREVIEW})" in report
        after = _projects(repo)
        assert set(after) - set(before) == {PREVIEW}
        # the nightly job (no change request): previews idle longer than the limit go
        nightly = {k: v for k, v in env.items() if not k.startswith("CHANGE_")}
        listed = run(["sh", "-xe", "-c", cleanup], repo.root,
                     clean_env({**nightly, "BRANCH_NAME": "main", "DAGSHIP_CLEANUP": "0m"}))
        listed.require()
        assert PREVIEW in listed.log
        assert _projects(repo) == before

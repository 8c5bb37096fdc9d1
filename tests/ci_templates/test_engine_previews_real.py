"""The GitLab merge request preview flow of test_engine_previews.py, against the real
DolphinScheduler of tests/helpers/real_ds.py: the dagship-preview component in
gitlab-ci-local deploys the merge request's own project on the real server, and the
environment's stop job destroys it, every other project unchanged (read back through the API).

`scripts/real-ds/realds.py deploy-test` runs this file (CI does) in a private network
namespace: nothing can be downloaded there, so the wheelhouse the sandbox engine tests build
(`make test`) and gitlab-ci-local (`make ci-tools`) must already be in .cache/. Without a
server this file is skipped; with DAGSHIP_REQUIRE_REAL_DS=1 a missing server, wheelhouse or
engine fails it instead.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deployer import __version__
from deployer.core.projects import render
from tests.ci_templates.datarepo import DataRepo, make_data_repo
from tests.ci_templates.test_engine_gitlab import (
    COMPONENT_CI,
    Pipeline,
    _job,
    _merge_request,
    _passed,
)
from tests.ci_templates.test_engine_previews import _with_preview_target, project_versions
from tests.deploy_contract.helpers import remove_project
from tests.helpers import real_ds
from tests.helpers.engines import gitlab_ci_local
from tests.helpers.ship import built_wheelhouse

pytestmark = pytest.mark.slow

REAL = real_ds.from_env()


@dataclass(frozen=True)
class Server:
    """What the data repository helpers read of a server (DataRepo.sandbox): its URL and
    token. The real server has no in-process state, so DataRepo.smoke_runs is not used."""
    base_url: str
    token: str


def _pinned(repo: DataRepo) -> None:
    """Every target of the repository speaks 3.1 to the real server (no detection), with
    the longer bounds a real server's answers need."""
    config = repo.root / "dagship.yaml"
    text = re.sub(r"^(    token_env: \S+).*$",
                  r'\1\n    api_version: "3.1"\n    timeout: 30\n    deadline: 60',
                  config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text, encoding="utf-8")


def _require(what: str) -> None:
    """A missing tool fails the test in a run that requires the real server: that run
    (deploy-test, offline) would otherwise pass on a skip."""
    if real_ds.required():
        pytest.fail(f"{what}, and {real_ds.REQUIRE_ENV}=1 requires this test to run",
                    pytrace=False)


@pytest.fixture
def real() -> real_ds.RealDS:
    """First, so that a run without a server skips before building anything."""
    if REAL is None:
        real_ds.missing()
    return REAL


@pytest.fixture
def wheelhouse_offline(real: real_ds.RealDS) -> str:
    index, home = built_wheelhouse()
    if index is None:
        _require(f"the wheelhouse {home} is not built (the sandbox engine tests of `make test` "
                 "build it; deploy-test's private network cannot download it)")
        pytest.skip(f"the wheelhouse {home} is not built: run `make test` first")
    return index


@pytest.fixture
def real_gitlab(real: real_ds.RealDS, wheelhouse_offline: str, tmp_path: Path, dagship_git
                ) -> Iterator[tuple[DataRepo, Pipeline, real_ds.RealDS, str, str]]:
    try:
        gitlab_ci_local()
    except pytest.skip.Exception as skipped:
        _require(str(skipped))
        raise
    # a unique project template: a long-lived server may hold anybody's dataops-feature-x
    template = f"dagship-mr-{uuid.uuid4().hex[:8]}-{{branch}}"
    preview = render(template, "", "feature/x")
    bystander = f"dagship-mr-bystander-{uuid.uuid4().hex[:8]}"
    repo = make_data_repo(tmp_path / "data", Server(real.url, real.token),  # type: ignore[arg-type]
                          "gitlab", "https://gitlab.example.com/acme/data.git")
    _pinned(repo)
    target = (
        "  preview:\n    url: {url}\n    token_env: DS_STAGING_TOKEN\n"
        '    api_version: "3.1"\n    timeout: 30\n    deadline: 60\n'
        # _with_preview_target formats {url}: the template's {branch} stays one
        '    project: "' + template.replace("{", "{{").replace("}", "}}") + '"\n'
        "    branches: ['feature/*']\n    variables:\n      worker_group: default\n")
    _with_preview_target(repo, {".gitlab-ci.yml": COMPONENT_CI + (
        f"  - component: $CI_SERVER_FQDN/acme/dagship/dagship-preview@v{__version__}\n"
        "    inputs:\n      target: preview\n")}, target)
    try:
        yield repo, Pipeline(repo, wheelhouse_offline, tmp_path), real, preview, bystander
    finally:
        with real.client() as c:  # the server is left as it was found, even after a failure
            for name in (preview, bystander):
                remove_project(c, name)
                assert c.find_project(name) is None, f"project {name} was left behind"


def _projects(real: real_ds.RealDS) -> dict[str, Any]:
    with real.client() as c:
        return project_versions(c)


def test_gitlab_merge_request_deploys_its_preview_on_the_real_server_and_stop_destroys_it(
        real_gitlab):
    repo, pipeline, real, preview, bystander = real_gitlab
    with real.client() as c:
        c.create_project(bystander, "made by hand")
    before = _projects(real)
    assert bystander in before
    assert preview not in before
    variables = {**_merge_request(repo), "DS_STAGING_TOKEN": real.token}
    result = pipeline(variables, "dagship-preview")
    assert _passed(result.log, "dagship-preview"), result.log
    assert preview in _job(result.log, "dagship-preview")
    report = (repo.root / "dagship-preview.md").read_text(encoding="utf-8")
    assert f"### dagship: preview ({preview})" in report
    assert "Plan: 2 to create" in report
    after = _projects(real)
    assert set(after) - set(before) == {preview}
    assert "[dagship preview target=preview branch=feature/x " in after[preview][0]
    assert set(after[preview][1]) == {"hello_dagship", "second"}
    assert {k: v for k, v in after.items() if k != preview} == before

    result = pipeline(variables, "dagship-preview-stop")
    assert _passed(result.log, "dagship-preview-stop"), result.log
    assert _projects(real) == before
    assert real.token not in "\n".join(p.read_text(encoding="utf-8")
                                       for p in pipeline.tmp.glob("pipeline-*.log"))

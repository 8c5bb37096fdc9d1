"""Backends of the deploy contract suite: the sandbox in each API dialect, always, and the real
DolphinScheduler of tests/helpers/real_ds.py when one is configured (skipped without one, failed
without one when DAGSHIP_REQUIRE_REAL_DS=1).

Every test deploys into a project of its own with a unique name and removes it afterwards
(schedules and workflows offline, workflows deleted, project deleted), asserting it is gone:
a long-lived real server is left as it was found.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.deploy_contract.helpers import Backend, Remote, Repo, remove_project
from tests.helpers import real_ds

# 3.1 is the dialect of the real server CI boots; 3.2 and 3.3 are the two API generations.
SANDBOX_DIALECTS = ("3.1", "3.2", "3.3")
TOKEN = "contract-token-0123456789abcdef"
REAL = real_ds.from_env()


@pytest.fixture(params=[f"sandbox-{v}" for v in SANDBOX_DIALECTS] + ["real"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "real":
        if REAL is None:
            real_ds.missing()
        yield Backend(f"real-{REAL.version}", REAL.url, REAL.token, REAL.version)
        return
    version = request.param.removeprefix("sandbox-")
    # --execute: task logs hold what the scripts printed, as on a real worker
    with Sandbox(api_version=version, token=TOKEN, execute=True) as sb:
        yield Backend(request.param, sb.base_url, sb.token, version, sb)


@pytest.fixture
def project(backend: Backend) -> Iterator[str]:
    """A fresh project name; whatever the test made in it is removed afterwards."""
    name = f"dagship-ct-{uuid.uuid4().hex[:10]}"
    yield name
    with backend.client() as c:
        remove_project(c, name)
        assert c.find_project(name) is None, f"project {name} was left behind"


@pytest.fixture
def repo(tmp_path: Path, backend: Backend, project: str, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> Repo:
    return Repo(tmp_path / "repo", backend, project, monkeypatch, capsys)


@pytest.fixture
def remote(backend: Backend, project: str) -> Iterator[Remote]:
    r = Remote(backend, project)
    yield r
    r.close()

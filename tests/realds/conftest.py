"""Fixtures for the smoke tests against a real DolphinScheduler (skipped without one).

`python3 scripts/real-ds/realds.py deploy-test` boots a real 3.1.1 server, sets
DAGSHIP_REAL_DS_URL / _TOKEN / _VERSION and runs these (with the contract tests).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from realds_helpers import TOKEN_ENV, RealDS, remove_project, repo_config, sql_to_shell

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def real_ds() -> RealDS:
    url = os.environ.get("DAGSHIP_REAL_DS_URL")
    if not url:
        pytest.skip("no real DolphinScheduler: set DAGSHIP_REAL_DS_URL (scripts/real-ds/realds.py)")
    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        pytest.fail(f"DAGSHIP_REAL_DS_URL is set but {TOKEN_ENV} is not")
    return RealDS(url, token, os.environ.get("DAGSHIP_REAL_DS_VERSION", "3.1"))


@pytest.fixture
def project_name() -> str:
    return f"dagship-smoke-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def real_repo(tmp_path: Path, real_ds: RealDS, project_name: str) -> Path:
    """examples/ copied, its SQL tasks made Shell, dagship.yaml pointing at the real server."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "workflows", root / "workflows")
    for path in (root / "workflows").glob("*.yaml"):
        path.write_text(sql_to_shell(path.read_text(encoding="utf-8")), encoding="utf-8")
    (root / "dagship.yaml").write_text(repo_config(real_ds, project_name), encoding="utf-8")
    return root


@pytest.fixture
def cleanup(real_ds: RealDS, project_name: str) -> Iterator[None]:
    """After the test: schedules and workflows offline, workflows deleted, project deleted."""
    yield
    with real_ds.client() as c:
        remove_project(c, project_name)
        assert c.find_project(project_name) is None, f"project {project_name} was left behind"

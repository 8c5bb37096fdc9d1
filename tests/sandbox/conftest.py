from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sandbox_helpers import DS

from deployer.sandbox import Sandbox
from deployer.sandbox.generation import VERSIONS

REAL_URL = os.environ.get("DAGSHIP_REAL_DS_URL")


@pytest.fixture(params=list(VERSIONS) if not REAL_URL else ["real"])
def ds_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    """(base_url, token, api_version): a fresh sandbox per API version, or the real server
    named by DAGSHIP_REAL_DS_URL / DAGSHIP_REAL_DS_TOKEN / DAGSHIP_REAL_DS_VERSION."""
    if REAL_URL:
        yield (REAL_URL, os.environ["DAGSHIP_REAL_DS_TOKEN"],
               os.environ.get("DAGSHIP_REAL_DS_VERSION", "3.3"))
        return
    with Sandbox(api_version=request.param, datasources={"pg": "POSTGRESQL"}) as sb:
        yield sb.base_url, sb.token, request.param


@pytest.fixture
def ds(ds_server: tuple[str, str, str]) -> DS:
    return DS(*ds_server)

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deployer.sandbox import Sandbox
from deployer.sandbox.generation import VERSIONS
from tests.helpers import real_ds
from tests.sandbox.helpers import DS

REAL = real_ds.from_env()


@pytest.fixture(params=["real"] if REAL or real_ds.required() else list(VERSIONS))
def ds_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    """(base_url, token, api_version): a fresh sandbox per API version, or the real server
    named by DAGSHIP_REAL_DS_URL / _TOKEN / _VERSION (tests/helpers/real_ds.py); with
    DAGSHIP_REQUIRE_REAL_DS=1 and no server, every contract test fails."""
    if request.param == "real":
        if REAL is None:
            real_ds.missing()
        yield REAL.url, REAL.token, REAL.version
        return
    with Sandbox(api_version=request.param, datasources={"pg": "POSTGRESQL"}) as sb:
        yield sb.base_url, sb.token, request.param


@pytest.fixture
def ds(ds_server: tuple[str, str, str]) -> DS:
    return DS(*ds_server)

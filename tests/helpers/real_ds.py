"""The real DolphinScheduler the real-backend tests talk to, from the environment.

`scripts/real-ds/realds.py test|deploy-test` boots one and sets DAGSHIP_REAL_DS_URL,
DAGSHIP_REAL_DS_TOKEN, DAGSHIP_REAL_DS_VERSION (the API dialect, e.g. "3.1") and
DAGSHIP_REQUIRE_REAL_DS=1. Without a server the real-backend tests are skipped, unless
DAGSHIP_REQUIRE_REAL_DS=1 says a real server is part of this run: then they fail, so a CI
step that lost its server cannot pass on skips.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NoReturn

import pytest

from deployer.client import DSClient, RetryPolicy

URL_ENV = "DAGSHIP_REAL_DS_URL"
TOKEN_ENV = "DAGSHIP_REAL_DS_TOKEN"
VERSION_ENV = "DAGSHIP_REAL_DS_VERSION"
REQUIRE_ENV = "DAGSHIP_REQUIRE_REAL_DS"


@dataclass(frozen=True)
class RealDS:
    url: str
    token: str
    version: str  # API dialect: "3.1", "3.2", "3.3"

    def client(self) -> DSClient:
        return DSClient(self.url, self.token, api_version=self.version, timeout=30.0,
                        policy=RetryPolicy(deadline=60.0))


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def from_env() -> RealDS | None:
    """The configured server, or None when DAGSHIP_REAL_DS_URL is unset."""
    url = os.environ.get(URL_ENV, "")
    if not url:
        return None
    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        pytest.fail(f"{URL_ENV} is set but {TOKEN_ENV} is not")
    return RealDS(url.rstrip("/"), token, os.environ.get(VERSION_ENV, "3.1"))


def missing() -> NoReturn:
    """Skip a real-backend test that has no server, or fail it if one is required."""
    why = f"no real DolphinScheduler: {URL_ENV} is not set (scripts/real-ds/realds.py)"
    if required():
        pytest.fail(f"{why}, and {REQUIRE_ENV}=1 requires one", pytrace=False)
    pytest.skip(why)

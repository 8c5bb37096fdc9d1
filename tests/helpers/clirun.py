"""The real CLI run in-process, with what it printed; and the CI variables a test must not
inherit from the machine running it (they choose the branch, hence the target, and the
commit). Shared by tests/engine, tests/deploy_contract and tests/pull."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from deployer.cli.main import main

BRANCH_VARS = ("GITHUB_REF_NAME", "GITHUB_REF_TYPE", "CI_COMMIT_BRANCH", "BRANCH_NAME",
               "GIT_BRANCH", "GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "CI")


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> Result:
    capsys.readouterr()  # drop what earlier steps printed
    code = main(list(argv))
    got = capsys.readouterr()
    return Result(code, got.out, got.err)


def forget_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in BRANCH_VARS:
        monkeypatch.delenv(var, raising=False)

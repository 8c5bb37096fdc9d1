"""`git(...)` for test modules and for conftest.py."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(*args: str, cwd: Path | str | None = None, check: bool = True,
        input: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """Run git in `cwd` (in the sealed environment of conftest.py); text output, failures
    raise with git's output in the message."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, input=input,
                          check=False)
    result = subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{result.stdout}{result.stderr}")
    return result


def commit_all(root: Path, message: str, tag: str | None = None) -> str:
    """Commit everything in `root` (hooks off), optionally tag it; returns the commit."""
    git("add", "-A", cwd=root)
    git("commit", "-q", "--no-verify", "-m", message, cwd=root)
    if tag:
        git("tag", tag, cwd=root)
    return git("rev-parse", "HEAD", cwd=root).stdout.strip()

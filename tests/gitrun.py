"""`git(...)` for test modules (conftest's fixture-free twin; conftest cannot be imported by
name from subfolders, as each folder has its own conftest module)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run git in the sealed environment of conftest.py; a failure raises with its output."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}{proc.stderr}")
    return proc


def commit_all(root: Path, message: str, tag: str | None = None) -> str:
    """Commit everything in `root` (hooks off), optionally tag it; returns the commit."""
    git("add", "-A", cwd=root)
    git("commit", "-q", "--no-verify", "-m", message, cwd=root)
    if tag:
        git("tag", tag, cwd=root)
    return git("rev-parse", "HEAD", cwd=root).stdout.strip()

#!/usr/bin/env python3
"""Prepare a dagship release: `python3 scripts/release.py [VERSION]` (see docs/releasing.md).

On a clean checkout of main it
1. takes VERSION (default: the one git-cliff proposes from the Conventional Commits since the
   last tag: a feat bumps the minor, a fix the patch),
2. writes it into the one version source (deployer/__init__.py) and into every release pin of
   the templates, the README and the Jenkins help (the `v<old>` / `==<old>` refs of PINNED),
3. writes CHANGELOG.md with git-cliff,
4. commits `chore(release): v<VERSION>` and makes the annotated tag v<VERSION>.
It pushes nothing: pushing the tag starts .github/workflows/release.yml (test, build, publish
to PyPI, GitHub release).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION_FILE = "deployer/__init__.py"
# Files that name the current release; a test bumps a copy and finds the old version nowhere else.
PINNED = (
    "README.md",
    "docs/ci.md",
    "docs/hooks.md",
    "ci-templates/github/action.yml",
    "ci-templates/github/dagship.yml",
    "ci-templates/github/dagship-preview.yml",
    "ci-templates/gitlab/dagship.gitlab-ci.yml",
    "ci-templates/jenkins/Jenkinsfile",
    "ci-templates/jenkins/Jenkinsfile.previews",
    "ci-templates/jenkins/vars/dagshipDeploy.groovy",
    "ci-templates/jenkins/vars/dagshipDeploy.txt",
    "ci-templates/jenkins/vars/dagshipPreview.groovy",
    "templates/dagship.yml",
    "templates/dagship-preview.yml",
)
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_SOURCE = re.compile(r'^__version__ = "([^"]+)"$', flags=re.M)


class ReleaseError(Exception):
    """What stops a release, said to the maintainer (exit 1)."""


def _run(*cmd: str, root: Path) -> str:
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ReleaseError(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}".rstrip())
    return done.stdout


def _git_cliff() -> str:
    beside = Path(sys.executable).parent / "git-cliff"
    found = str(beside) if beside.exists() else shutil.which("git-cliff")
    if not found:
        raise ReleaseError("git-cliff is not installed: pip install -e '.[test]' (or git-cliff)")
    return found


def current_version(root: Path) -> str:
    match = _SOURCE.search((root / VERSION_FILE).read_text(encoding="utf-8"))
    if match is None:
        raise ReleaseError(f"{VERSION_FILE}: no `__version__ = \"X.Y.Z\"` line")
    return match.group(1)


def next_version(root: Path, wanted: str | None) -> str:
    proposed = wanted or _run(_git_cliff(), "--bumped-version", root=root).strip()
    version = proposed.removeprefix("v")
    if not _VERSION.match(version):
        raise ReleaseError(f"version {proposed!r}: expected X.Y.Z, e.g. 0.2.0")
    return version


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def bump(root: Path, old: str, new: str) -> list[str]:
    """Write `new` over `old` in the version source and the release pins; returns the files
    that changed."""
    changed = []
    source = root / VERSION_FILE
    source.write_text(_SOURCE.sub(f'__version__ = "{new}"', source.read_text("utf-8")),
                      encoding="utf-8")
    changed.append(VERSION_FILE)
    pins = re.compile(rf"(?<=v|=){re.escape(old)}(?![\w.])")
    for relative in PINNED:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        bumped = pins.sub(new, text)
        if bumped != text:
            path.write_text(bumped, encoding="utf-8")
            changed.append(relative)
    return changed


def _check_ready(root: Path, new: str, old: str) -> None:
    if _run("git", "status", "--porcelain", root=root).strip():
        raise ReleaseError("the working tree has changes: commit or stash them first")
    branch = _run("git", "rev-parse", "--abbrev-ref", "HEAD", root=root).strip()
    if branch != "main":
        raise ReleaseError(f"releases are cut from main, not {branch!r}")
    if _run("git", "tag", "--list", f"v{new}", root=root).strip():
        raise ReleaseError(f"the tag v{new} exists already")
    if _key(new) < _key(old) or (new == old and _run("git", "tag", "--list", f"v{old}",
                                                     root=root).strip()):
        raise ReleaseError(f"version {new} does not come after {old}")


def release(root: Path, wanted: str | None) -> str:
    old = current_version(root)
    new = next_version(root, wanted)
    _check_ready(root, new, old)
    if new != old:
        bump(root, old, new)
    _run(_git_cliff(), "--config", "pyproject.toml", "--tag", f"v{new}", "--output",
         "CHANGELOG.md", root=root)
    _run("git", "add", "--all", root=root)
    _run("git", "commit", "--quiet", "-m", f"chore(release): v{new}", root=root)
    _run("git", "tag", "--annotate", f"v{new}", "-m", f"dagship v{new}", root=root)
    return new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", nargs="?", help="X.Y.Z (default: git-cliff's proposal)")
    args = parser.parse_args(argv)
    try:
        new = release(ROOT, args.version)
    except ReleaseError as exc:
        sys.stderr.write(f"release: {exc}\n")
        return 1
    sys.stdout.write(f"release: committed and tagged v{new}. Review it (git show), then\n"
                     f"  git push origin main v{new}\n"
                     "which starts the release workflow (test, build, PyPI, GitHub release).\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

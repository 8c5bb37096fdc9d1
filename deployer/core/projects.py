"""Project names as templates: `{project}` (one repository, several projects) and `{branch}`
(a preview project per branch).

Pure functions over strings: the config reader checks templates with them, and
deployer.core.units renders a target for one project and branch.

A branch becomes part of a DolphinScheduler project name. A branch that is already a safe
name (lower-case letters and digits in runs joined by single `-`) is used as it is; any
other is folded to that alphabet and gets `--` and a hash of the original branch. A safe
name never contains `--`, a folded one always does, so the two never meet, and two folded
branches meet only if their 8-hex-digit hashes do.
"""

from __future__ import annotations

import hashlib
import re

PLACEHOLDERS = ("project", "branch")
# DolphinScheduler checks no length itself; a preview's name is kept short enough to read
# in the UI's project list and to leave room in every database's name column.
MAX_PROJECT_NAME = 64
_HASH = 8
MIN_ROOM = 2 * _HASH + 2  # what a branch needs at least: a few letters, `--`, the hash
_FIELD = re.compile(r"\{([^{}]*)\}")
_SAFE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def placeholders(template: str) -> list[str]:
    return _FIELD.findall(template)


def is_preview(template: str) -> bool:
    return "branch" in placeholders(template)


def template_problem(template: str, *, has_projects: bool, production: bool) -> str | None:
    """Why `template` cannot name a target's project(s); None when it can."""
    names = placeholders(template)
    for name in names:
        if name not in PLACEHOLDERS:
            return (f"unknown placeholder {{{name}}}; a project name may use "
                    "{project} (with `projects:`) and {branch} (a preview target)")
    if has_projects and "project" not in names:
        return ("with `projects:` the name must contain {project} (e.g. \"{project}-staging\"), "
                "else every project would deploy into one")
    if not has_projects and "project" in names:
        return "{project} needs a top-level `projects:` mapping project keys to folders"
    if "branch" in names:
        if production:
            return ("a production target cannot be a preview: {branch} makes a project per "
                    "branch, and production has one project")
        if MAX_PROJECT_NAME - len(_FIELD.sub("", template)) < MIN_ROOM:
            return (f"too long for a preview: a project name is kept within {MAX_PROJECT_NAME} "
                    "characters, leaving too little room for the branch")
    return None


def safe_branch(branch: str, room: int) -> str:
    """`branch` as a project-name part of at most `room` characters, injective (above)."""
    if _SAFE.fullmatch(branch) and len(branch) <= room:
        return branch
    folded = re.sub(r"[^a-z0-9]+", "-", branch.lower()).strip("-")
    digest = hashlib.sha256(branch.encode("utf-8")).hexdigest()[:_HASH]
    keep = max(room - _HASH - 2, 0)
    folded = folded[:keep].rstrip("-")
    return f"{folded}--{digest}" if folded else f"b--{digest}"[-room:]


def render(template: str, project: str, branch: str | None) -> str:
    """The project name of `template` for project key `project` and `branch`."""
    out = template.replace("{project}", project)
    if "{branch}" in out:
        room = max(MAX_PROJECT_NAME - len(out.replace("{branch}", "")), MIN_ROOM)
        out = out.replace("{branch}", safe_branch(branch or "", room))
    return out

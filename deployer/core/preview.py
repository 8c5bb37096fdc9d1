"""Preview projects: which branch a preview is for, and the mark that says dagship made it.

The mark lives in the project's description, where anyone can read it through the API
(`GET /projects/list`) and the UI. dagship writes it only when it creates the project, and
destroy deletes only a project that carries it, so it is true by construction: a project
someone made by hand has no mark and is never destroyed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

_MARK = re.compile(r"\[dagship preview target=(?P<target>\S+) branch=(?P<branch>\S+) "
                   r"created=(?P<created>\S+)\]")
# DolphinScheduler refuses a project description longer than this (1400004, 3.1: 10001)
_MAX_DESCRIPTION = 255


@dataclass(frozen=True)
class PreviewMark:
    target: str
    branch: str
    created: str  # ISO 8601, UTC

    def text(self) -> str:
        return f"[dagship preview target={self.target} branch={self.branch} " \
               f"created={self.created}]"

    def created_at(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.created.replace("Z", "+00:00"))
        except ValueError:
            return None


def mark_for(target: str, branch: str, now: datetime | None = None) -> PreviewMark:
    """The mark of a new preview; a long branch is cut so that it fits the description."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    room = _MAX_DESCRIPTION - len(PreviewMark(target, "", when).text())
    return PreviewMark(target, branch[:max(room, 1)], when)


def parse_mark(description: object) -> PreviewMark | None:
    match = _MARK.search(description) if isinstance(description, str) else None
    return PreviewMark(match["target"], match["branch"], match["created"]) if match else None


# Where CI names the branch of a pull/merge request: the branch a preview is for (a pull
# request build itself runs on a merge ref, not on the branch).
_REQUEST_BRANCH = ("DAGSHIP_BRANCH", "GITHUB_HEAD_REF", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
                   "CHANGE_BRANCH")


def request_branch(env: Mapping[str, str]) -> str | None:
    for var in _REQUEST_BRANCH:
        if env.get(var):
            return env[var]
    return None


_DURATION = re.compile(r"(\d+)([mhdw])")
_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float | None:
    """`7d`, `12h`, `2w`, `30m` in seconds; None when it is none of those."""
    match = _DURATION.fullmatch(text.strip())
    return int(match[1]) * _SECONDS[match[2]] if match else None


def age_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"

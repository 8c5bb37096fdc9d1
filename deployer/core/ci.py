"""What the CI running us tells through its environment, so the templates stay thin.

Detection: GitHub Actions (`GITHUB_ACTIONS=true`), GitLab CI (`GITLAB_CI=true`), Jenkins
(`JENKINS_URL`). From it come the default output format (annotations on GitHub; plain text
elsewhere, where reports are files), the branch a merge request merges into (a plan on a
merge request is planned against that branch's target) and the commits a build brings in
(`dagship commit-msg --range auto`). Pure functions of the environment mapping; the only
file read is the event payload GitHub names in `GITHUB_EVENT_PATH`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from deployer.core.errors import UsageError

CI = Literal["github", "gitlab", "jenkins"]

# A ref that did not exist before a push (a new branch) or no longer exists after it.
_ZERO = frozenset("0")


def detect(env: Mapping[str, str]) -> CI | None:
    if env.get("GITHUB_ACTIONS") == "true":
        return "github"
    if env.get("GITLAB_CI") == "true":
        return "gitlab"
    if env.get("JENKINS_URL"):
        return "jenkins"
    return None


def default_format(env: Mapping[str, str]) -> str:
    """Annotations on GitHub (they land on the changed lines); text everywhere else."""
    return "github" if detect(env) == "github" else "text"


def merge_target_branch(env: Mapping[str, str]) -> str | None:
    """The branch a pull/merge request build would merge into; None for other builds."""
    ci = detect(env)
    if ci == "github":
        return env.get("GITHUB_BASE_REF") or None  # set only on pull_request events
    if ci == "gitlab":
        return env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME") or None
    if ci == "jenkins":
        return env.get("CHANGE_TARGET") or None  # multibranch pipelines, change requests
    return None


def commit_range(env: Mapping[str, str]) -> str:
    """The commits this build brings in, as a git revision range.

    A merge request: its own commits. A push: the commits since the previous head of the
    branch. A new branch has no previous head: its head commit alone (its other commits
    are judged in its merge request).
    """
    ci = detect(env)
    found = None
    if ci == "github":
        found = _github_range(env)
    elif ci == "gitlab":
        found = _gitlab_range(env)
    elif ci == "jenkins":
        found = _jenkins_range(env)
    if found is None:
        where = f"this {ci} build" if ci else "outside a detected CI (GitHub Actions, GitLab " \
                                              "CI, Jenkins)"
        raise UsageError(f"--range auto: cannot tell which commits {where} brings in; give "
                         "the range, e.g. --range origin/main..HEAD")
    return found


def _is_zero(sha: str) -> bool:
    return not sha or set(sha) <= _ZERO


def _push_range(before: str, after: str) -> str:
    return f"{after}^!" if _is_zero(before) else f"{before}..{after}"


def _github_range(env: Mapping[str, str]) -> str | None:
    event = _github_event(env)
    pull = event.get("pull_request")
    if isinstance(pull, dict):
        base, head = pull.get("base", {}).get("sha"), pull.get("head", {}).get("sha")
        if base and head:
            return f"{base}..{head}"
    after = event.get("after")
    if isinstance(after, str) and after and not _is_zero(after):
        return _push_range(str(event.get("before") or ""), after)
    return f"{env['GITHUB_SHA']}^!" if env.get("GITHUB_SHA") else None


def _github_event(env: Mapping[str, str]) -> dict[str, object]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--range auto: cannot read the GitHub event payload {path}: "
                         f"{exc}") from exc
    return data if isinstance(data, dict) else {}


def _gitlab_range(env: Mapping[str, str]) -> str | None:
    head = env.get("CI_COMMIT_SHA", "")
    base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA")
    if base:
        # A merged-results pipeline builds a merge commit; the request's own head is this.
        head = env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA") or head
        return f"{base}..{head or 'HEAD'}"
    if not head:
        return None
    return _push_range(env.get("CI_COMMIT_BEFORE_SHA", ""), head)


def _jenkins_range(env: Mapping[str, str]) -> str | None:
    head = env.get("GIT_COMMIT") or "HEAD"
    if env.get("CHANGE_TARGET"):
        return f"origin/{env['CHANGE_TARGET']}..{head}"
    return _push_range(env.get("GIT_PREVIOUS_SUCCESSFUL_COMMIT", ""), head)

"""Which target a run deploys to, and from which commit.

`--target` wins. Otherwise the branch being built (the CI's variable, else git) is mapped
through each target's `branches:`. A branch no target lists deploys nothing (that is a
normal outcome for feature branches); a production target refuses a branch it does not list.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deployer.core import git
from deployer.core.ci import merge_target_branch
from deployer.core.config import Config, Target
from deployer.core.errors import ConfigError, DeployRefused, GitError, GitMissing, UsageError


@dataclass(frozen=True)
class Selection:
    target: Target | None  # None: the branch maps to no target; deploy nothing
    branch: str | None
    reason: str  # said to the user


def pull_request_ref(env: Mapping[str, str]) -> str | None:
    """`123/merge` when GitHub builds a pull request: a merge ref, not a branch."""
    name = env.get("GITHUB_REF_NAME", "")
    return name if re.fullmatch(r"\d+/(merge|head)", name) else None


def branch_being_built(env: Mapping[str, str], cwd: Path | None = None) -> str | None:
    """The branch CI is building, from its variables, else from git.

    None for a GitHub pull request build: its GITHUB_REF_NAME is `123/merge`, which a
    pattern such as `*` would otherwise map to a target (and the checkout is detached).
    """
    if pull_request_ref(env):
        return None
    ref_type = env.get("GITHUB_REF_TYPE", "branch")
    if env.get("GITHUB_REF_NAME") and ref_type in ("branch", ""):
        return env["GITHUB_REF_NAME"]
    for var in ("CI_COMMIT_BRANCH", "BRANCH_NAME", "GIT_BRANCH"):
        value = env.get(var)
        if value:
            return value.removeprefix("refs/heads/").removeprefix("origin/")
    try:
        return git.current_branch(cwd)
    except GitMissing as exc:  # it may be a checkout: say so rather than "no branch"
        raise GitMissing(f"{exc.message.split(';')[0]} (needed to tell which branch this is, "
                         "hence the target; or name the target with --target); install git, "
                         "or put it on PATH") from exc
    except GitError:  # not a checkout (an export, a tarball): no branch to tell
        return None


def source_commit(env: Mapping[str, str], cwd: Path | None = None) -> str:
    """The commit being deployed (full id), or "nogit" outside a repository."""
    for var in ("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT"):
        if env.get(var):
            return env[var]
    # git missing raises: a checkout's deploy must not be recorded as made outside Git
    proc = git.run(["rev-parse", "HEAD"], cwd=cwd, check=False,
                   what="find the commit being deployed")
    return proc.stdout.decode("ascii", "replace").strip() if proc.returncode == 0 else "nogit"


def lists(target: Target, branch: str) -> bool:
    return any(fnmatch.fnmatchcase(branch, pattern) for pattern in target.branches)


_lists = lists


def select_target(config: Config, name: str | None, env: Mapping[str, str],
                  cwd: Path | None = None, *, merge_request: bool = False) -> Selection:
    """`merge_request=True` (plan): a pull/merge request build is judged as the branch it
    merges into, so its plan shows what merging would deploy; a deploy never does this."""
    if config.path is None:
        raise ConfigError(config.not_found())
    if not config.targets:
        raise UsageError(f"{config.path}: no targets configured; add one under `targets:` "
                         "(url, token_env, project), as `dagship init` writes them")
    def being_built() -> str | None:
        found = branch_being_built(env, cwd or config.root)
        return (merge_target_branch(env) or found) if merge_request else found

    if name is not None:
        target = config.target(name)
        if not (target.production and target.branches):
            return Selection(target, None, f"target {target.name!r} (--target)")
        branch = being_built()  # only a production target asks which branch this is
        if branch is None or not _lists(target, branch):
            raise DeployRefused(
                f"target {target.name!r} is a production target and deploys only from "
                f"{', '.join(target.branches)}; this is branch {branch or '(unknown)'!r}")
        return Selection(target, branch, f"target {target.name!r} (--target)")
    branch = being_built()
    pull = pull_request_ref(env)
    if branch is None and pull:
        return Selection(None, None, f"this is a pull request build (GITHUB_REF_NAME {pull!r}), "
                                     "which is mapped to no target; nothing to deploy (name "
                                     "one with --target, e.g. to plan against it)")
    if branch is None:
        raise UsageError("cannot tell which branch this is (no CI branch variable, not a git "
                         "checkout on a branch); name the target with --target")
    matches = [t for t in config.targets.values() if _lists(t, branch)]
    if not matches:
        return Selection(None, branch, f"branch {branch!r} is mapped to no target "
                                       "(targets.*.branches); nothing to deploy")
    if len(matches) > 1:
        names = ", ".join(t.name for t in matches)
        raise UsageError(f"branch {branch!r} is mapped to several targets ({names}); "
                         "choose one with --target")
    return Selection(matches[0], branch, f"target {matches[0].name!r} (branch {branch!r})")


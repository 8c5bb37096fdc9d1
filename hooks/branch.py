"""`dagship branch`: branch names and protected branches, for the pre-commit and pre-push stages.

Decisions (documented in the README's hook section):
- pre-commit stage: a commit on a protected branch is refused (BR101) and a branch whose
  name does not match `branches.pattern` is refused (BR102). The pattern is applied with
  `re.search`, so anchor it (`^...$`) as the default does.
- A detached HEAD (bisect, CI checkouts) passes silently: there is no branch to judge.
  During a rebase (or `git am`) the commits land on the branch being rebased, so that
  branch is judged: `git rebase -i` on main and `git commit` at a stop is a direct commit
  on main (BR101). The first commit of a fresh repository passes: nothing exists to
  branch from yet.
- pre-push stage (`--pre-push`, or automatically when pre-commit exports
  `PRE_COMMIT_REMOTE_BRANCH`): each pushed branch must match the pattern (BR102). Pushing
  *another* local branch onto a protected remote branch (`git push origin topic:main`)
  bypasses review and is refused (BR103); pushing local `main` to `main` is allowed, since
  the pre-commit stage already keeps direct commits off it and the server's branch
  protection is the real gate. Deleting a branch and pushing tags are always fine.
- Under pre-commit, git's pre-push input is consumed by pre-commit itself, which exports
  only the first pushed ref; a plain git hook (`dagship branch --pre-push`) sees every ref.

Codes: BR101 commit on a protected branch, BR102 name does not match the pattern,
BR103 push onto a protected branch from a differently named branch.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from deployer.core import git
from deployer.core.config import BranchRules, Config
from deployer.core.errors import GitError, GitMissing, UsageError
from deployer.output.tty import is_terminal

if TYPE_CHECKING:
    from deployer.core.findings import Finding

_PREFIXES = ("feature", "feat", "bugfix", "fix", "hotfix", "release", "chore", "docs")


def example_name(rules: BranchRules, topic: str = "my-change") -> str | None:
    """A branch name that matches the pattern, built around `topic`, if one is found."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", topic.rsplit("/", 1)[-1]).strip("-.") or "my-change"
    candidates = [f"{p}{sep}{s}" for s in dict.fromkeys((slug, slug.lower(), "my-change"))
                  for p in _PREFIXES for sep in ("/", "-", "_")]
    candidates += [slug, slug.lower(), "my-change"]
    pattern = re.compile(rules.pattern)
    return next((c for c in candidates if pattern.search(c) and c not in rules.protected), None)


def _finding(name: str, code: str, message: str) -> Finding:
    # Imported only when there is something to report: the hook runs on every commit.
    from deployer.core.findings import Finding

    return Finding(name, 1, 1, code, "error", message)


def check_name(name: str, rules: BranchRules, *, rebasing: bool = False) -> list[Finding]:
    """Findings for committing on branch `name` (pre-commit stage)."""
    if name in rules.protected:
        example = example_name(rules) or "<topic-branch>"
        during = " (also while rebasing it)" if rebasing else ""
        return [_finding(name, "BR101",
                         f'commits directly on protected branch "{name}" are refused{during}; '
                         f"move your work to a new branch: git switch -c {example}")]
    return _pattern_findings(name, rules)


def _pattern_findings(name: str, rules: BranchRules) -> list[Finding]:
    if re.search(rules.pattern, name):
        return []
    example = example_name(rules, name)
    fix = f"; rename it, e.g. git branch -m {example}" if example else ""
    return [_finding(name, "BR102",
                     f'branch name "{name}" does not match the pattern {rules.pattern}{fix}')]


def check_pushes(updates: Iterable[tuple[str, str, str, str]], rules: BranchRules,
                 head_branch: str | None = None) -> list[Finding]:
    """Findings for pre-push updates `(local ref, local sha, remote ref, remote sha)`."""
    findings: list[Finding] = []
    for local_ref, local_sha, remote_ref, _ in updates:
        if local_sha == git.ZERO_SHA or not remote_ref.startswith("refs/heads/"):
            continue  # a delete, or a tag / note / other ref: nothing to judge
        name = remote_ref.removeprefix("refs/heads/")
        local = local_ref.removeprefix("refs/heads/")
        if local == "HEAD" and head_branch is not None:
            local = head_branch
        if name in rules.protected:
            if local != name:
                findings.append(_finding(name, "BR103",
                                         f'pushing "{local}" onto protected branch "{name}" '
                                         "bypasses review; push it to its own branch and open "
                                         "a pull request"))
            continue
        findings += _pattern_findings(name, rules)
    return findings


def _read_updates(stream_data: str) -> list[tuple[str, str, str, str]]:
    updates = []
    for line in stream_data.splitlines():
        if not line.strip():
            continue
        parts = line.rsplit(maxsplit=3)
        if len(parts) != 4:
            raise UsageError(f"unexpected pre-push input {line!r}; expected "
                             "'<local ref> <local sha> <remote ref> <remote sha>' lines")
        updates.append((parts[0], parts[1], parts[2], parts[3]))
    return updates


def _checked_out() -> str | None:
    try:
        return git.current_branch()
    except GitMissing:
        raise
    except GitError as exc:
        raise GitError(f"{exc.message} (run inside a git repository, or give --name)") from exc


def run_branch(config: Config, *, pre_push: bool, branch_name: str | None, color: bool) -> int:
    """Check the current branch (pre-commit stage) or the pushed refs (pre-push); 0 or 1."""
    rules = config.branches
    env_remote = os.environ.get("PRE_COMMIT_REMOTE_BRANCH")
    if branch_name is not None and not pre_push:
        findings = check_name(branch_name, rules)
    elif pre_push or env_remote:
        if branch_name is not None:
            updates = [(f"refs/heads/{branch_name}", "1" * 40, f"refs/heads/{branch_name}", "")]
        elif env_remote:
            # pre-commit exports full refs; a bare name is a branch. Without
            # PRE_COMMIT_LOCAL_BRANCH (older pre-commit) the pushed branch is the current one.
            if not env_remote.startswith("refs/"):
                env_remote = f"refs/heads/{env_remote}"
            local_ref = os.environ.get("PRE_COMMIT_LOCAL_BRANCH") or "HEAD"
            updates = [(local_ref, "1" * 40, env_remote, "")]
        else:
            updates = _read_updates("" if is_terminal(sys.stdin) else sys.stdin.read())
        head = None
        if any(local == "HEAD" for local, *_ in updates):
            head = _checked_out()
        findings = check_pushes(updates, rules, head)
    else:
        name = _checked_out()
        rebasing = name is None
        if name is None:
            name = git.rebasing_branch()
            if name is None:
                return 0  # detached HEAD outside a rebase: no branch to judge
        findings = check_name(name, rules, rebasing=rebasing)
        if findings and findings[0].code == "BR101" and not git.head_exists():
            return 0  # the first commit of a repository has nowhere else to go
    if findings:
        from deployer.output.findings import format_text

        sys.stderr.write(format_text(findings, color=color) + "\n")
    return 1 if findings else 0

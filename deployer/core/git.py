"""The one home of git: every call of the `git` executable goes through `run`.

`run` gives each call a timeout and one wording for failures: git missing from PATH is
`GitMissing`, anything else git refuses is `GitError` with git's own explanation (both
`deployer.core.errors`, exit code 2), never a traceback. `output` asks questions whose
answer may be "unknown" (outside a repository, git missing) and answers None then.
Only the standard library is imported: the hooks run this on every commit.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from deployer.core.commit_message import MessageConfig
from deployer.core.errors import GitError, GitMissing, UsageError

ZERO_SHA = "0" * 40
TIMEOUT = 60.0  # seconds; a ref lookup or a tree listing takes milliseconds
QUESTION_TIMEOUT = 10.0  # for `output`: an answer that may be "unknown" is not worth a wait
MISSING = "git is not installed or not on PATH"


def _failed_to_start(exc: OSError, what: str | None) -> GitError:
    purpose = f" (needed to {what})" if what else ""
    if isinstance(exc, FileNotFoundError):
        return GitMissing(f"{MISSING}{purpose}; install git, or put it on PATH")
    return GitError(f"cannot run git{purpose}: {exc.strerror or exc}")


def run(args: Sequence[str], *, cwd: Path | None = None, check: bool = True,
        what: str | None = None, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` in `cwd`, output captured as bytes. With `check`, a non-zero exit raises
    GitError `cannot <what>: <git's last line>`; without, the caller reads the exit code."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {args[0]} gave no answer within {timeout:g} s"
                       + (f" (needed to {what})" if what else "")) from exc
    except OSError as exc:
        raise _failed_to_start(exc, what) from exc
    if check and proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"cannot {what or 'run git ' + args[0]}: "
                       f"{lines[-1] if lines else 'git failed'}")
    return proc


def require(what: str) -> None:
    """GitMissing, naming `what` needs git, unless git can be run: for a command that will
    need git before it can tell anything else (a diff of refs)."""
    run(["--version"], what=what)


def text(args: Sequence[str], cwd: Path, *, what: str) -> str:
    """git's output as text (checked); names that are not UTF-8 survive (surrogate escapes)."""
    return os.fsdecode(run(args, cwd=cwd, what=what).stdout)


def output(args: Sequence[str], cwd: Path | None = None) -> str | None:
    """git's stripped output, or None when git is missing, says no or does not answer: for
    questions whose answer may be "unknown" (which branch, which commit, how far behind)."""
    try:
        proc = run(args, cwd=cwd, check=False, timeout=QUESTION_TIMEOUT)
    except GitError:
        return None
    return os.fsdecode(proc.stdout).strip() if proc.returncode == 0 else None


def start(args: Sequence[str], *, cwd: Path, stdin: IO[bytes],
          what: str) -> subprocess.Popen[bytes]:
    """A streaming `git ARGS` (e.g. `cat-file --batch`): stdout is a pipe, stderr dropped."""
    try:
        return subprocess.Popen(["git", *args], cwd=cwd, stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError as exc:
        raise _failed_to_start(exc, what) from exc


def resolve_commit(root: Path, ref: str) -> str:
    """The full commit id a ref names (branch, tag, sha, `HEAD~2`...)."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"{ref!r} is not a Git ref")
    # checked here, not by `run`: "no such ref" is only true when git ran and said no
    proc = run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
               cwd=root, check=False, what=f"find the commit of {ref!r}")
    if proc.returncode != 0:
        raise GitError(f"cannot find the commit of {ref!r}: no such branch, tag or commit here")
    return os.fsdecode(proc.stdout).strip()


def merge_base(root: Path, a: str, b: str) -> str:
    return text(["merge-base", a, b], root, what=f"find the merge base of {a!r} and {b!r}").strip()


def message_config() -> MessageConfig:
    """Comment prefix, commit encoding and cleanup mode from git config, in one call.

    `core.commentString` (git >= 2.45) and `core.commentChar` set the same thing; the one
    read last wins, as in git. Outside a repository git still reads the global config; if
    git is missing the defaults apply (the hook must never fail for that).
    """
    try:
        proc = run(["config", "-z", "--get-regexp",
                    r"^(core\.commentchar|core\.commentstring|i18n\.commitencoding|commit\.cleanup)$"],
                   check=False)
    except GitError:
        return MessageConfig()
    found: dict[bytes, str] = {}
    for record in proc.stdout.split(b"\0"):
        key, _, value = record.partition(b"\n")
        if key == b"core.commentstring":
            key = b"core.commentchar"
        found[key] = value.decode("utf-8", "replace")
    cleanup = found.get(b"commit.cleanup")
    return MessageConfig(found.get(b"core.commentchar"), found.get(b"i18n.commitencoding"),
                         cleanup.strip().lower() if cleanup is not None else None)


def log_messages(rev_range: str) -> list[tuple[str, bytes]]:
    """(short sha, raw message bytes) of every non-merge commit in a range, oldest first."""
    if rev_range.startswith("-"):
        raise UsageError(f"--range {rev_range!r}: expected a revision range such as "
                         "origin/main..HEAD")
    proc = run(["log", "--no-merges", "--reverse", "--encoding=UTF-8", "--format=%h%x00%B%x00",
                "--end-of-options", rev_range, "--"], check=False)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = (lines[0] if lines else "git log failed").removeprefix("fatal: ")
        hint = "; expected a revision range such as origin/main..HEAD"
        raise UsageError(f"--range {rev_range!r}: {detail}"
                         f"{hint if 'revision' in detail or 'ambiguous' in detail else ''}")
    parts = proc.stdout.split(b"\0")
    return [(parts[i].strip().decode("ascii", "replace"), parts[i + 1])
            for i in range(0, len(parts) - 1, 2)]


def current_branch(cwd: Path | None = None) -> str | None:
    """The checked-out branch name (also on an unborn branch); None on a detached HEAD.
    Outside a repository: GitError `cannot tell the current branch: <git's words>`."""
    proc = run(["symbolic-ref", "--quiet", "--short", "HEAD"], cwd=cwd, check=False)
    if proc.returncode == 1:
        return None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"cannot tell the current branch: {detail or 'git failed'}")
    return proc.stdout.decode("utf-8", "replace").strip()


def head_exists() -> bool:
    """False on an unborn branch (a fresh repository before its first commit)."""
    proc = run(["rev-parse", "--quiet", "--verify", "HEAD^{commit}"], check=False)
    return proc.returncode == 0


def rebasing_branch() -> str | None:
    """The branch a rebase (or `git am`) in progress will update, on its detached HEAD."""
    proc = run(["rev-parse", "--git-path", "rebase-merge/head-name",
                "--git-path", "rebase-apply/head-name"], check=False)
    if proc.returncode != 0:
        return None
    for path in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                ref = handle.read().strip()
        except OSError:
            continue  # no such rebase in progress
        if ref.startswith("refs/heads/"):
            return ref.removeprefix("refs/heads/")
    return None

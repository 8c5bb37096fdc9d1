"""Small helpers around the `git` executable and git's own message conventions.

Only the standard library is imported here: these helpers run inside hooks, on every
commit. Every call goes through `run_git`, which turns "git is missing" and "git said no"
into `deployer.core.errors.UsageError` with git's own explanation, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from deployer.core.errors import UsageError

if TYPE_CHECKING:
    import subprocess

# The characters `core.commentChar=auto` chooses from, in git's order (builtin/commit.c).
AUTO_COMMENT_CHARS = "#;@!$%^&|:"
SCISSORS = "------------------------ >8 ------------------------"
ZERO_SHA = "0" * 40


def run_git(args: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run `git ARGS` and capture bytes; with check, a failure becomes a UsageError."""
    import subprocess  # lazily: linting a message file usually needs no git at all

    try:
        proc = subprocess.run(["git", *args], capture_output=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc.strerror or exc}") from exc
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip() or f"exit code {proc.returncode}"
        raise UsageError(f"git {' '.join(args[:2])} failed: {detail}")
    return proc


class MessageConfig(NamedTuple):
    """What git config says about writing commit messages (None: git's default)."""

    comment: str | None = None
    encoding: str | None = None
    cleanup: str | None = None


def message_config() -> MessageConfig:
    """Comment prefix, commit encoding and cleanup mode from git config, in one call.

    `core.commentString` (git >= 2.45) and `core.commentChar` set the same thing; the one
    read last wins, as in git. Outside a repository git still reads the global config; if
    git is missing the defaults apply (the hook must never fail for that).
    """
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "config", "-z", "--get-regexp",
             r"^(core\.commentchar|core\.commentstring|i18n\.commitencoding|commit\.cleanup)$"],
            capture_output=True, check=False,
        )
    except OSError:
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


def strips_comments(cleanup: str | None, *, editor_used: bool) -> bool:
    """Whether git drops comment lines from the message, given `commit.cleanup`.

    git's default is `strip` when the message was edited and `whitespace` when it was not
    (`-m`, `-F`, `--no-edit`): then `#` lines are part of the commit. git tells a hook
    that no editor ran by exporting `GIT_EDITOR=:`. `--cleanup=` on the command line is
    invisible to a hook.
    """
    if cleanup in ("whitespace", "verbatim", "scissors"):
        return False
    if cleanup == "strip":
        return True
    return editor_used


def decode_message(raw: bytes, encoding: str | None) -> tuple[str, str | None]:
    """Decode a message as git would have written it; never raises.

    Returns the text and, when the bytes were not in the expected encoding, a warning
    saying how they were read instead (Latin-1 decodes any byte sequence).
    """
    wanted = (encoding or "utf-8").strip() or "utf-8"
    try:
        return raw.decode(wanted), None
    except LookupError:
        warning = f"unknown i18n.commitEncoding {wanted!r}; "
    except UnicodeDecodeError:
        warning = f"the message is not valid {wanted}; "
    if wanted.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return raw.decode("utf-8"), None
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1"), (
        warning + "read it as Latin-1 (save the message as UTF-8, or set "
        "i18n.commitEncoding to the encoding your editor uses)"
    )


def resolve_comment_prefix(configured: str | None, lines: Sequence[str]) -> str:
    """The comment prefix git used when it wrote this message file.

    With `auto`, git picked the first of `#;@!$%^&|:` that starts no line of the message,
    then appended its comment block. So the comment char is one of the leading run of
    candidates that do start a line in the file; git's block comes last, so we take the
    first character of the last non-blank line when it is in that run.
    """
    if configured is None or configured == "":
        return "#"
    if configured.lower() != "auto":
        return configured
    # `git commit -v` (or cleanup=scissors) wrote a scissors line: it names the char, and
    # the diff below it ends the file, so the last-line rule below would not hold.
    for line in lines:
        if line[1:] == f" {SCISSORS}" and line[:1] in AUTO_COMMENT_CHARS:
            return line[:1]
    starts = {line[:1] for line in lines if line}
    run = ""
    for char in AUTO_COMMENT_CHARS:
        if char not in starts:
            break
        run += char
    last = next((line[:1] for line in reversed(lines) if line.strip()), "")
    if last and last in run:
        return last
    # No comment block: git's pick is the first candidate no line starts with.
    return next((c for c in AUTO_COMMENT_CHARS if c not in starts), "#")


def strip_git_comments(lines: Sequence[str], prefix: str, *,
                       comments: bool = True) -> list[tuple[int, str]]:
    """Numbered lines git keeps: nothing from the scissors line on, and comment lines
    dropped unless `comments` is False (git's cleanup keeps them)."""
    cut = f"{prefix} {SCISSORS}"
    kept: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line == cut:
            break
        if not comments or not line.startswith(prefix):
            kept.append((number, line))
    return kept


def log_messages(rev_range: str) -> list[tuple[str, bytes]]:
    """(short sha, raw message bytes) of every non-merge commit in a range, oldest first."""
    if rev_range.startswith("-"):
        raise UsageError(f"--range {rev_range!r}: expected a revision range such as "
                         "origin/main..HEAD")
    proc = run_git(["log", "--no-merges", "--reverse", "--encoding=UTF-8",
                    "--format=%h%x00%B%x00", "--end-of-options", rev_range, "--"], check=False)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = (lines[0] if lines else "git log failed").removeprefix("fatal: ")
        hint = "; expected a revision range such as origin/main..HEAD"
        raise UsageError(f"--range {rev_range!r}: {detail}"
                         f"{hint if 'revision' in detail or 'ambiguous' in detail else ''}")
    parts = proc.stdout.split(b"\0")
    return [(parts[i].strip().decode("ascii", "replace"), parts[i + 1])
            for i in range(0, len(parts) - 1, 2)]


def current_branch() -> str | None:
    """The checked-out branch name; None on a detached HEAD."""
    proc = run_git(["symbolic-ref", "--quiet", "--short", "HEAD"], check=False)
    if proc.returncode == 1:
        return None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip()
        raise UsageError(f"cannot tell the current branch: {detail or 'git failed'} "
                         "(run inside a git repository, or give --name)")
    return proc.stdout.decode("utf-8", "replace").strip()


def head_exists() -> bool:
    """False on an unborn branch (a fresh repository before its first commit)."""
    proc = run_git(["rev-parse", "--quiet", "--verify", "HEAD^{commit}"], check=False)
    return proc.returncode == 0


def rebasing_branch() -> str | None:
    """The branch a rebase (or `git am`) in progress will update, on its detached HEAD."""
    proc = run_git(["rev-parse", "--git-path", "rebase-merge/head-name",
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

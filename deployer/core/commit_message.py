"""git's conventions for the text of a commit message: which lines it keeps.

How `git commit` writes the message file a commit-msg hook reads (comment lines under
`core.commentChar`, `auto` included; the `git commit -v` scissors line), which of them its
cleanup drops, and how it decodes the bytes. Pure functions of text: the values git config
holds come from `deployer.core.git.message_config`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

# The characters `core.commentChar=auto` chooses from, in git's order (builtin/commit.c).
AUTO_COMMENT_CHARS = "#;@!$%^&|:"
SCISSORS = "------------------------ >8 ------------------------"


class MessageConfig(NamedTuple):
    """What git config says about writing commit messages (None: git's default)."""

    comment: str | None = None
    encoding: str | None = None
    cleanup: str | None = None


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

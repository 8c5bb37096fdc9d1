"""`dagship commit-msg`: Conventional Commits 1.0.0 plus the `commit:` rules of dagship.yaml.

A message file is read as git will clean it up: everything from the `git commit -v`
scissors line on is not part of the message, and neither are comment lines (honouring
`core.commentChar`/`core.commentString`, including `auto`) when git strips them: after an
editor ran, or with `commit.cleanup=strip`. Without an editor (`-m`, `-F`, `--no-edit`;
git then exports `GIT_EDITOR=:` to the hook) or with `commit.cleanup` `whitespace`,
`verbatim` or `scissors`, git keeps `#` lines, so they are linted. A message that is empty
once cleaned passes: git aborts the commit itself. `git config` is asked only when the
answer can matter: when some line starts with a punctuation character that could be a
comment char, or when the bytes are not ASCII (then `i18n.commitEncoding` decides how
to read them). Findings keep the line numbers of the file, so an editor can jump to them.

With `--range`, every non-merge commit is read from `git log` (no comment stripping: a
stored message has none) and reported under its short SHA.

Codes (stable; all errors except CM115):
  CM101 empty message (--range)       CM102 header not `type(scope)!: description`
  CM103 type not allowed        CM104 scope not allowed (`,`, `/` and `\\` separate several)
  CM105 scope required
  CM106 empty scope `()`        CM107 spacing after the colon  CM108 empty description
  CM109 header too long         CM110 no blank line after the header
  CM111 body/footer line too long (exempt when the word crossing the limit is a URL or
        longer than the limit on its own: rewrapping cannot help)
  CM112 BREAKING CHANGE footer malformed or misplaced
  CM113 ticket reference missing (ticket_pattern)
  CM114 fixup!/squash!/amend! commit where autosquash ones are refused (--range default)
  CM115 warning: message bytes not in the expected encoding, read as Latin-1
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from deployer.core import commit_message as message
from deployer.core.config import CommitRules, Config, display_path
from deployer.core.errors import UsageError

if TYPE_CHECKING:
    from deployer.core.findings import Finding, Severity

Lines = list[tuple[int, str]]

_HEADER = re.compile(
    r"(?P<type>[^\s():!]+)(?:\((?P<scope>[^()]*)\))?(?P<bang>!)?:(?P<space>[ \t]*)(?P<desc>.*)"
)
_FOOTER = re.compile(r"(?:BREAKING CHANGE|[A-Za-z][A-Za-z0-9-]*)(?:: | #)")
_BREAKING = re.compile(r"(?i)breaking[ -]change *[:#]")
# git's fmt-merge-msg titles (singular and plural, `HEAD`, `Merge <url>` of a pull from a
# URL's HEAD) and the hosting services' `Merge pull request`.
_MERGE = re.compile(r"Merge (?:(?:(?:remote-tracking )?branch(?:es)?|tags?|commits?|pull request"
                    r"|HEAD,?) |[a-z][a-z0-9+.-]*://|\S+@\S+:)")
_REVERT = re.compile(r'(?:Revert|Reapply) "')
_AUTOSQUASH = re.compile(r"(?P<kind>fixup|squash|amend)! ")
# Any ASCII punctuation except bullet markers could be someone's core.commentChar.
_MAYBE_COMMENT = frozenset("#;@!$%^&|:/\\\"'`~=+.,?<>[](){}_")
_EXAMPLE = "feat(ingest): add the orders workflow"
# `feat(api,cli)`, `feat(api/cli)`, `feat(api\cli)`: several scopes, each checked against
# `commit.scopes` (conventional-pre-commit and commitlint's scope-enum split on all three)
_SCOPE_SEPARATORS = re.compile(r"[,/\\]")


class _Collector:
    """Findings of one message; the path is the file (or the short SHA)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []

    def add(self, line: int, col: int, code: str, message: str,
            severity: Severity = "error") -> None:
        # Imported on the first finding only: a clean commit never pays for the reporters.
        from deployer.core.findings import Finding

        self.findings.append(Finding(self.path, line, col, code, severity, message))


def lint_lines(lines: Lines, rules: CommitRules, *, path: str,
               allow_autosquash: bool = True) -> list[Finding]:
    """Lint a message given as (line number, text) pairs, comments already removed."""
    out = _Collector(path)
    lines = [(n, text.rstrip()) for n, text in lines]
    while lines and not lines[0][1]:
        lines.pop(0)
    while lines and not lines[-1][1]:
        lines.pop()
    if not lines:
        out.add(1, 1, "CM101", f"commit message is empty; write a header such as `{_EXAMPLE}`")
        return out.findings
    number, header = lines[0]
    if _MERGE.match(header) or _REVERT.match(header):
        return out.findings  # git wrote these; they are accepted as they are
    squash = _AUTOSQUASH.match(header)
    if squash:
        if not allow_autosquash:
            out.add(number, 1, "CM114", f"`{squash['kind']}!` commit must be squashed before "
                    "it is merged (git rebase -i --autosquash); or pass --allow-autosquash")
        elif squash["kind"] == "amend" and len(lines) > 2:
            # amend! carries the replacement message after a blank line: lint that one.
            return lint_lines(lines[2:], rules, path=path, allow_autosquash=allow_autosquash)
        return out.findings
    _check_header(out, number, header, rules)
    _check_body(out, lines, rules)
    if rules.ticket_pattern and not re.search(rules.ticket_pattern,
                                              "\n".join(t for _, t in lines)):
        out.add(number, 1, "CM113", f"no ticket reference matching `{rules.ticket_pattern}`; "
                "name the ticket in the header, the body or a footer such as `Refs: <ticket>`")
    return out.findings


def _check_header(out: _Collector, number: int, header: str, rules: CommitRules) -> None:
    if len(header) > rules.subject_max_length:
        out.add(number, rules.subject_max_length + 1, "CM109",
                f"header is {len(header)} characters long; the limit is "
                f"{rules.subject_max_length} (commit.subject_max_length)")
    m = _HEADER.fullmatch(header)
    if m is None:
        out.add(number, 1, "CM102", "header does not follow Conventional Commits "
                f"`type(scope)!: description`; e.g. `{_EXAMPLE}`")
        return
    kind = m["type"]
    if not _allowed(kind, rules.types):
        out.add(number, 1, "CM103", _not_allowed("type", kind, rules.types))
    scope = m["scope"]
    if scope is not None:
        _check_scope(out, number, m.start("scope") + 1, scope, rules)
    elif rules.require_scope:
        allowed = f"; allowed scopes: {', '.join(rules.scopes)}" if rules.scopes else ""
        out.add(number, m.end("type") + 1, "CM105",
                f"a scope is required: write `{kind}(<scope>): ...`{allowed}")
    space, desc = m["space"], m["desc"]
    col = m.start("space") + 1
    if not desc.strip():
        out.add(number, col, "CM108",
                f"description is empty; say what the change does after `{kind}: `")
    elif space != " ":
        what = "no space" if not space else f"{len(space)} blank characters"
        prefix = header[:m.start("space")]  # `type(scope)!:` as written
        out.add(number, col, "CM107",
                f"{what} after the colon; write exactly one space: `{prefix} {desc.strip()}`")


def _check_scope(out: _Collector, number: int, col: int, scope: str, rules: CommitRules) -> None:
    if not scope.strip():
        out.add(number, col, "CM106",
                "scope is empty; name it, e.g. `feat(api): ...`, or drop the parentheses")
        return
    if not rules.scopes:
        return
    offset = 0
    for part in _SCOPE_SEPARATORS.split(scope):
        name = part.strip()
        if not _allowed(name, rules.scopes):
            out.add(number, col + offset + part.index(name[:1] or part), "CM104",
                    _not_allowed("scope", name, rules.scopes))
        offset += len(part) + 1


def _check_body(out: _Collector, lines: Lines, rules: CommitRules) -> None:
    if len(lines) > 1 and lines[1][1]:
        out.add(lines[1][0], 1, "CM110",
                "put a blank line between the header and the body")
    limit = rules.body_max_line_length
    paragraph_start = ""
    for index, (number, text) in enumerate(lines[1:], start=1):
        if not text:
            paragraph_start = ""
            continue
        if not paragraph_start:
            paragraph_start = text
        if len(text) > limit and not _unbreakable_overflow(text, limit):
            out.add(number, limit + 1, "CM111", f"line is {len(text)} characters long; the "
                    f"limit is {limit} (commit.body_max_line_length)")
        if _BREAKING.match(text):
            _check_breaking(out, number, text, first=index == 1,
                            in_footer=_FOOTER.match(paragraph_start) is not None)


def _unbreakable_overflow(text: str, limit: int) -> bool:
    """True when rewrapping cannot fix the line: the word that crosses the limit is a URL
    (also in a footer such as `Refs: https://...` or a list item) or longer than the limit."""
    start = 0
    for word in text.split(" "):
        end = start + len(word)
        if end > limit:
            return "://" in word or len(word) > limit
        start = end + 1
    return False


def _check_breaking(out: _Collector, number: int, text: str, *, first: bool,
                    in_footer: bool) -> None:
    token, sep, value = text[:15], text[15:17], text[17:]
    if token not in ("BREAKING CHANGE", "BREAKING-CHANGE") or sep != ": ":
        out.add(number, 1, "CM112", "write the footer as `BREAKING CHANGE: <what breaks>` "
                "(upper case, a colon and one space)")
    elif not value.strip():
        out.add(number, 18, "CM112", "BREAKING CHANGE footer is empty; say what breaks and "
                "how to migrate")
    elif first or not in_footer:
        out.add(number, 1, "CM112", "BREAKING CHANGE must start a footer: put a blank line "
                "before it (or mark the header with `!`)")


def _allowed(value: str, allowed: tuple[str, ...]) -> bool:
    # Conventional Commits rule 15: types and scopes are not case sensitive.
    return value in allowed or value.casefold() in {a.casefold() for a in allowed}


def _not_allowed(what: str, value: str, allowed: tuple[str, ...]) -> str:
    import difflib

    hint = ""
    by_lower = {a.lower(): a for a in allowed}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    if close:
        hint = f" (did you mean `{by_lower[close[0]]}`?)"
    return f'{what} "{value}" is not allowed{hint}; use one of: {", ".join(allowed)}'


def lint_file_bytes(raw: bytes, rules: CommitRules, *, path: str,
                    allow_autosquash: bool = True) -> list[Finding]:
    """Lint a commit-msg hook's message file, given as bytes."""
    ascii_only = raw.isascii()
    text = raw.decode("ascii") if ascii_only else ""
    probe = text or raw.decode("latin-1")
    lines = probe.replace("\r\n", "\n").split("\n")
    config = message.MessageConfig()
    if not ascii_only or any(line[:1] in _MAYBE_COMMENT for line in lines):
        # git is asked only when its answer can matter: a clean message needs no process
        from deployer.core import git

        config = git.message_config()
    warning = None
    if not ascii_only:
        text, warning = message.decode_message(raw, config.encoding)
        lines = text.replace("\r\n", "\n").split("\n")
    prefix = message.resolve_comment_prefix(config.comment, lines)
    editor_used = os.environ.get("GIT_EDITOR") != ":"  # git exports `:` when none ran
    kept = message.strip_git_comments(
        lines, prefix, comments=message.strips_comments(config.cleanup, editor_used=editor_used))
    if not any(text.strip() for _, text in kept):
        # git aborts an empty commit by itself ("Aborting commit due to empty commit
        # message"): that is how one abandons a commit from the editor, so say nothing.
        # --allow-empty-message is a deliberate override, like --no-verify; --range in CI
        # still reports CM101.
        return []
    findings = lint_lines(kept, rules, path=path, allow_autosquash=allow_autosquash)
    if warning:
        out = _Collector(path)
        out.add(1, 1, "CM115", warning, "warning")
        findings[:0] = out.findings
    return findings


def _lint_range(rev_range: str, rules: CommitRules, allow_autosquash: bool) -> tuple[
        list[Finding], list[str]]:
    from deployer.core import git

    findings: list[Finding] = []
    checked: list[str] = []
    for sha, raw in git.log_messages(rev_range):
        checked.append(sha)
        text, warning = message.decode_message(raw, None)
        lines = list(enumerate(text.replace("\r\n", "\n").split("\n"), start=1))
        if warning:
            out = _Collector(sha)
            out.add(1, 1, "CM115", warning, "warning")
            findings += out.findings
        findings += lint_lines(lines, rules, path=sha, allow_autosquash=allow_autosquash)
    return findings, checked


def run_commit_msg(config: Config, *, file: str | None, rev_range: str | None, fmt: str,
                   junit_path: str | None, allow_autosquash: bool | None, color: bool) -> int:
    """Lint a message file (hook) or every commit of a range (CI); 0 clean, 1 errors."""
    if rev_range is not None:
        findings, checked = _lint_range(rev_range, config.commit, bool(allow_autosquash))
        if not checked and fmt == "text":
            sys.stderr.write(f"dagship commit-msg: no commits to check in {rev_range}\n")
    elif file is not None:
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read commit message file {file}: "
                             f"{exc.strerror or exc}") from exc
        path = display_path(config.root, file)
        checked = [path]
        findings = lint_file_bytes(raw, config.commit, path=path,
                                   allow_autosquash=allow_autosquash is not False)
    else:
        raise UsageError("give either a message FILE or --range A..B")
    _report(findings, fmt=fmt, color=color, file=file)
    if junit_path:
        from deployer.output.console import write_report
        from deployer.output.findings import format_junit

        write_report(junit_path, format_junit(findings, suite="dagship commit-msg",
                                              checked=checked))
    return 1 if any(f.severity == "error" for f in findings) else 0


def _report(findings: list[Finding], *, fmt: str, color: bool, file: str | None) -> None:
    if fmt == "text" and not findings:
        return  # the common case of a hook: silence, without importing the reporters
    from deployer.output.findings import render

    text = render(findings, fmt, color=color)
    if fmt != "text":
        sys.stdout.write(text)
        return
    if file and any(f.severity == "error" for f in findings):
        text += (f"hint: your message is kept in {file}; edit and retry with "
                 f"`git commit --edit --file={file}`\n")
    sys.stderr.write(text)  # git shows a hook's stderr

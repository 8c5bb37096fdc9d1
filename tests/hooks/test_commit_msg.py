"""The commit-msg linter: a table of messages, config rules, git comment handling, --range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.cli.main import main
from deployer.core.config import CommitRules
from hooks.commit_msg import lint_file_bytes

RULES = CommitRules()
LONG_WORDS = " ".join(["word"] * 30)  # 149 characters with spaces

# (id, raw message bytes, expected [(code, line, col)])
CASES: list[tuple[str, bytes, list[tuple[str, int, int]]]] = [
    ("plain", b"feat: add the orders workflow\n", []),
    ("scope-body", b"feat(ingest): add orders\n\nLonger explanation.\n", []),
    ("bang-footer", b"fix(api)!: drop v1\n\nBREAKING CHANGE: v1 endpoints are gone\n", []),
    ("bang-no-scope", b"refactor!: rename the tables\n", []),
    ("footers", b"fix: x\n\nbody\n\nRefs #123\nReviewed-by: Z\nBREAKING-CHANGE: y\n", []),
    ("multi-paragraph-breaking", b"fix: x\n\nBREAKING CHANGE: y\ncontinued\n\nmore\n", []),
    ("non-ascii", "feat(ingest): prise en charge des données\n".encode(), []),
    ("non-ascii-length", ("feat: " + "é" * 66 + "\n").encode(), []),
    ("no-trailing-newline", b"docs: fix typo", []),
    ("leading-blank-lines", b"\n\nfeat: x\n", []),
    ("trailing-spaces", b"feat: x   \n", []),
    ("url-line-exempt", b"docs: x\n\nhttps://example.com/" + b"a" * 120 + b"\n", []),
    ("merge-branch", b"Merge branch 'feature/x' into main\n", []),
    ("merge-pr", b"Merge pull request #12 from org/feature/x\n\nwhatever\n", []),
    ("merge-remote", b"Merge remote-tracking branch 'origin/main'\n", []),
    ("revert", b'Revert "feat: x"\n\nThis reverts commit 0123abc.\n', []),
    ("reapply", b'Reapply "feat: x"\n\nThis reverts commit 0123abc.\n', []),
    ("fixup", b"fixup! feat: x\n", []),
    ("squash", b"squash! feat: x\n\nmore words\n", []),
    ("amend-valid", b"amend! feat: x\n\nfeat: better words\n", []),
    ("amend-invalid", b"amend! feat: x\n\nfeature: words\n", [("CM103", 3, 1)]),
    ("scissors", b"feat: x\n\n# Please enter the message.\n"
     b"# ------------------------ >8 ------------------------\n"
     b"# Do not modify or remove the line above.\ndiff --git a/x b/x\n+" + LONG_WORDS.encode()
     + b"\n", []),
    ("comment-lines-ignored", b"feat: x\n# " + LONG_WORDS.encode() + b"\n", []),
    ("crlf", b"feat: x\r\n\r\nbody line\r\n", []),
    # Conventional Commits rule 15: types and scopes are not case sensitive.
    ("type-case", b"Feat: x\n", []),
    ("type-upper-case", b"FIX(API)!: x\n", []),
    # git's merge titles, plural forms included (octopus merges)
    ("merge-remote-branches", b"Merge remote-tracking branches 'origin/a' and 'origin/b'\n", []),
    ("merge-branches", b"Merge branches 'a', 'b' and 'c' into main\n", []),
    ("merge-tags", b"Merge tags 'v1' and 'v2'\n", []),
    ("merge-commits", b"Merge commits '0123abc' and '4567def'\n", []),
    ("merge-url", b"Merge https://github.com/org/repo\n", []),
    ("merge-head", b"Merge HEAD, branch 'x' of https://github.com/org/repo\n", []),
    ("merge-is-not-a-type", b"Merge the two workflows\n", [("CM102", 1, 1)]),
    # a URL that crosses the limit cannot be rewrapped, wherever it starts
    ("url-in-footer", b"docs: x\n\nRefs: https://example.com/" + b"a" * 120 + b"\n", []),
    ("url-in-list", b"docs: x\n\n- see <https://example.com/" + b"a" * 120 + b">\n", []),
    ("url-then-prose", b"docs: x\n\nsee https://example.com/a " + LONG_WORDS.encode() + b"\n",
     [("CM111", 3, 101)]),
    ("body-exactly-the-limit", b"docs: x\n\n" + b"word " * 19 + b"word\n", []),
    ("header-exactly-the-limit", b"feat: " + b"x" * 66 + b"\n", []),
    ("nul-byte", b"feat: x\0y\n", []),  # git itself refuses it, with a clear message
    # Empty once cleaned up: git aborts the commit by itself, so the hook stays quiet.
    ("empty", b"", []),
    ("only-comments", b"# Please enter the commit message\n#\n", []),
    ("only-blank", b"  \n\n\t\n", []),
    # invalid
    ("no-type", b"add stuff\n", [("CM102", 1, 1)]),
    ("space-before-scope", b"feat (api): x\n", [("CM102", 1, 1)]),
    ("unknown-type", b"feature: x\n", [("CM103", 1, 1)]),
    ("empty-scope", b"feat(): x\n", [("CM106", 1, 6)]),
    ("no-space", b"feat:x\n", [("CM107", 1, 6)]),
    ("two-spaces", b"feat:  x\n", [("CM107", 1, 6)]),
    ("tab", b"feat:\tx\n", [("CM107", 1, 6)]),
    ("empty-description", b"feat: \n", [("CM108", 1, 6)]),
    ("colon-only", b"feat:\n", [("CM108", 1, 6)]),
    ("header-too-long", b"feat: " + b"x" * 70 + b"\n", [("CM109", 1, 73)]),
    ("no-blank-line", b"feat: x\nbody\n", [("CM110", 2, 1)]),
    ("body-too-long", b"feat: x\n\n" + LONG_WORDS.encode() + b"\n", [("CM111", 3, 101)]),
    ("breaking-lower-case", b"feat: x\n\nbreaking change: y\n", [("CM112", 3, 1)]),
    ("breaking-empty", b"feat: x\n\nBREAKING CHANGE: \n", [("CM112", 3, 1)]),
    ("breaking-in-body", b"feat: x\n\nbody\nBREAKING CHANGE: y\n", [("CM112", 4, 1)]),
    ("comment-keeps-line-numbers", b"# leading comment\nfeature: x\n", [("CM103", 2, 1)]),
    ("crlf-invalid", b"feature: x\r\n\r\nbody\r\n", [("CM103", 1, 1)]),
    ("several", b"feature(): x\nbody\n", [("CM103", 1, 1), ("CM106", 1, 9), ("CM110", 2, 1)]),
    ("latin1", b"feat: donn\xe9es\n", [("CM115", 1, 1)]),
    ("latin1-invalid", b"feature: donn\xe9es\n", [("CM115", 1, 1), ("CM103", 1, 1)]),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_message_table(git_repo: Path, raw: bytes, expected: list[tuple[str, int, int]]) -> None:
    findings = lint_file_bytes(raw, RULES, path="MSG")
    assert [(f.code, f.line, f.col) for f in findings] == expected
    assert all(f.path == "MSG" for f in findings)


def _messages(raw: bytes, rules: CommitRules = RULES, **kw: bool) -> list[str]:
    return [f"{f.code} {f.message}" for f in lint_file_bytes(raw, rules, path="M", **kw)]


def test_messages_say_what_is_accepted(git_repo: Path) -> None:
    assert _messages(b"feature: x\n") == [
        'CM103 type "feature" is not allowed (did you mean `feat`?); use one of: feat, fix, '
        "docs, style, refactor, perf, test, build, ci, chore, revert"]
    assert _messages(b"Fxi: x\n")[0].startswith(
        'CM103 type "Fxi" is not allowed (did you mean `fix`?)')
    assert _messages(b"feat:  x\n") == [
        "CM107 2 blank characters after the colon; write exactly one space: `feat: x`"]
    assert _messages(b"update things\n") == [
        "CM102 header does not follow Conventional Commits `type(scope)!: description`; "
        "e.g. `feat(ingest): add the orders workflow`"]
    assert _messages(b"feat: " + b"x" * 70) == [
        "CM109 header is 76 characters long; the limit is 72 (commit.subject_max_length)"]


def test_scopes_and_require_scope(git_repo: Path) -> None:
    rules = CommitRules(scopes=("ingest", "api"), require_scope=True)
    assert _messages(b"feat(ingest): x\n", rules) == []
    assert _messages(b"feat(ingest, api): x\n", rules) == []
    assert _messages(b"feat(ingset): x\n", rules) == [
        'CM104 scope "ingset" is not allowed (did you mean `ingest`?); use one of: ingest, api']
    assert _messages(b"feat: x\n", rules) == [
        "CM105 a scope is required: write `feat(<scope>): ...`; allowed scopes: ingest, api"]
    finding = lint_file_bytes(b"feat(api,ui): x\n", rules, path="M")[0]
    assert (finding.code, finding.col) == ("CM104", 10)


def test_spacing_fix_keeps_the_scope_and_the_bang(git_repo: Path) -> None:
    assert _messages(b"feat(orders):missing space\n") == [
        "CM107 no space after the colon; write exactly one space: "
        "`feat(orders): missing space`"]
    assert _messages(b"fix(api)!:  drop v1\n") == [
        "CM107 2 blank characters after the colon; write exactly one space: "
        "`fix(api)!: drop v1`"]


@pytest.mark.parametrize("header", [b"feat(api/client): x", b"feat(API/CLIENT): x",
                                    b"feat(api\\client): x", b"feat(api, client/api): x"])
def test_slash_and_backslash_separate_scopes_as_a_comma_does(git_repo: Path,
                                                               header: bytes) -> None:
    # as conventional-pre-commit and commitlint's scope-enum read them
    assert _messages(header + b"\n", CommitRules(scopes=("api", "client"))) == []


def test_each_scope_between_slashes_is_checked_where_it_is(git_repo: Path) -> None:
    rules = CommitRules(scopes=("api", "client"))
    (finding,) = lint_file_bytes(b"feat(api/ui): x\n", rules, path="M")
    assert (finding.code, finding.col) == ("CM104", 10)
    assert finding.message.startswith('scope "ui" is not allowed')


def test_custom_types_and_lengths(git_repo: Path) -> None:
    rules = CommitRules(types=("feat", "wip"), subject_max_length=20, body_max_line_length=10)
    assert _messages(b"wip: x\n\nshort\n", rules) == []
    codes = [m[:5] for m in _messages(b"fix: a header over twenty\n\nmore than ten\n", rules)]
    assert codes == ["CM109", "CM103", "CM111"]


def test_ticket_pattern_anywhere_in_the_message(git_repo: Path) -> None:
    rules = CommitRules(ticket_pattern=r"[A-Z]+-[0-9]+")
    assert _messages(b"feat: x\n\nRefs: DATA-12\n", rules) == []
    assert _messages(b"feat: DATA-12 x\n", rules) == []
    assert _messages(b"feat: x\n\n# DATA-12 only in a comment\n", rules) == [
        "CM113 no ticket reference matching `[A-Z]+-[0-9]+`; name the ticket in the header, "
        "the body or a footer such as `Refs: <ticket>`"]


def test_autosquash_refused_when_asked(git_repo: Path) -> None:
    assert _messages(b"fixup! feat: x\n", allow_autosquash=False) == [
        "CM114 `fixup!` commit must be squashed before it is merged (git rebase -i "
        "--autosquash); or pass --allow-autosquash"]


@pytest.mark.parametrize("char", [";", "@", "%"])
def test_core_comment_char(git_repo: Path, git_cmd, char: str) -> None:
    git_cmd("config", "core.commentChar", char)
    rules = CommitRules(ticket_pattern="#[0-9]+")
    raw = (f"feat: x\n\n#123 is kept: # is not a comment here\n{char} Please enter\n"
           f"{char} ------------------------ >8 ------------------------\n"
           f"{LONG_WORDS}\n").encode()
    assert _messages(raw, rules) == []


def test_default_comment_char_strips_hash_lines(git_repo: Path) -> None:
    rules = CommitRules(ticket_pattern="#[0-9]+")
    assert [m[:5] for m in _messages(b"feat: x\n\n#123 is a comment here\n", rules)] == ["CM113"]


def test_comment_char_auto(git_repo: Path, git_cmd) -> None:
    git_cmd("config", "core.commentChar", "auto")
    rules = CommitRules(ticket_pattern="#[0-9]+")
    # git saw a line starting with '#' and picked ';' for its own comment block.
    raw = b"feat: x\n\n#123 body\n\n; Please enter the commit message\n; " + LONG_WORDS.encode()
    assert _messages(raw, rules) == []
    # No '#' line in the message: git picked '#'.
    assert _messages(b"feat: x\n\n# " + LONG_WORDS.encode() + b"\n") == []


def test_comment_char_auto_with_verbose_diff(git_repo: Path, git_cmd) -> None:
    git_cmd("config", "core.commentChar", "auto")
    # `#1` made git pick ';'; the diff of `git commit -v` ends the file, not the comments.
    raw = (b"feat: x\n\n#1 is kept\n\n; Please enter the commit message\n"
           b"; ------------------------ >8 ------------------------\n"
           b"; Do not modify or remove the line above.\ndiff --git a/a b/a\n@@ -1 +1 @@\n-b\n"
           b"+feature: " + LONG_WORDS.encode() + b"\n")
    assert _messages(raw, CommitRules(ticket_pattern="#[0-9]+")) == []


@pytest.mark.parametrize(("editor", "cleanup", "kept"), [
    ("vi", None, False),            # an editor ran: git's default cleanup is `strip`
    (":", None, True),              # -m / -F / --no-edit: git's default is `whitespace`
    (":", "strip", False),
    ("vi", "whitespace", True),
    ("vi", "verbatim", True),
    ("vi", "scissors", True),       # scissors keeps comments, cuts at the scissors line
    ("vi", "default", False),
])
def test_comment_lines_follow_git_cleanup(git_repo: Path, git_cmd,
                                          monkeypatch: pytest.MonkeyPatch, editor: str,
                                          cleanup: str | None, kept: bool) -> None:
    monkeypatch.setenv("GIT_EDITOR", editor)
    if cleanup:
        git_cmd("config", "commit.cleanup", cleanup)
    rules = CommitRules(ticket_pattern="#[0-9]+")
    raw = (b"fix: x\n\n#123 names the ticket\n"
           b"# ------------------------ >8 ------------------------\n" + LONG_WORDS.encode())
    assert [m[:5] for m in _messages(raw, rules)] == ([] if kept else ["CM113"])


def test_types_and_scopes_are_not_case_sensitive(git_repo: Path) -> None:
    rules = CommitRules(types=("feat", "Fix"), scopes=("API", "ingest"))
    assert _messages(b"FEAT(api): x\n", rules) == []
    assert _messages(b"fix(Ingest, API): x\n", rules) == []
    assert _messages(b"fxi(api): x\n", rules) == [
        'CM103 type "fxi" is not allowed (did you mean `Fix`?); use one of: feat, Fix']


def test_range_still_reports_an_empty_message(git_repo: Path) -> None:
    from hooks.commit_msg import lint_lines

    assert [f.code for f in lint_lines([(1, ""), (2, "  ")], RULES, path="abc")] == ["CM101"]


def test_commit_encoding_is_honoured(git_repo: Path, git_cmd) -> None:
    git_cmd("config", "i18n.commitEncoding", "ISO-8859-1")
    assert _messages(b"feat: donn\xe9es\n") == []
    git_cmd("config", "i18n.commitEncoding", "no-such-encoding")
    assert [m[:5] for m in _messages("feat: données\n".encode())] == []
    assert [m[:5] for m in _messages(b"feat: donn\xe9es\n")] == ["CM115"]


def test_cli_text_output_and_exit_code(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    msg = git_repo / "MSG"
    msg.write_bytes(b"feature: x\nbody\n")
    assert main(["commit-msg", str(msg)]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.splitlines() == [
        'MSG:1:1: CM103 type "feature" is not allowed (did you mean `feat`?); use one of: '
        "feat, fix, docs, style, refactor, perf, test, build, ci, chore, revert",
        "MSG:2:1: CM110 put a blank line between the header and the body",
        f"hint: your message is kept in {msg}; edit and retry with "
        f"`git commit --edit --file={msg}`",
    ]
    msg.write_bytes("feat(ingest): prise en charge des données\n".encode())
    assert main(["commit-msg", "MSG"]) == 0
    assert capsys.readouterr() == ("", "")


def test_cli_warning_only_passes(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (git_repo / "MSG").write_bytes(b"feat: donn\xe9es\n")
    assert main(["commit-msg", "MSG"]) == 0
    assert capsys.readouterr().err.startswith("MSG:1:1: CM115 the message is not valid utf-8")


def test_cli_json_github_junit(git_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (git_repo / "MSG").write_bytes(b"feat:x\n")
    assert main(["commit-msg", "MSG", "--format", "json", "--junit", "r.xml"]) == 1
    out = capsys.readouterr()
    assert out.err == ""
    data = json.loads(out.out)
    assert [(d["path"], d["line"], d["col"], d["code"], d["severity"]) for d in data] == [
        ("MSG", 1, 6, "CM107", "error")]
    junit = (git_repo / "r.xml").read_text(encoding="utf-8")
    assert 'tests="1" failures="1"' in junit
    assert "CM107" in junit
    assert main(["commit-msg", "MSG", "--format", "github"]) == 1
    assert capsys.readouterr().out.startswith("::error file=MSG,line=1,col=6,title=CM107::")


def test_cli_bad_input_is_a_clear_error(git_repo: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["commit-msg", "missing.txt"]) == 2
    assert capsys.readouterr().err == (
        "dagship: error: cannot read commit message file missing.txt: No such file or directory\n")
    assert main(["commit-msg"]) == 2
    assert "give either a message FILE or --range" in capsys.readouterr().err


def test_config_rules_come_from_dagship_yaml(git_repo: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (git_repo / "dagship.yaml").write_text(
        "commit:\n  types: [feat]\n  ticket_pattern: 'DATA-[0-9]+'\n", encoding="utf-8")
    (git_repo / "MSG").write_bytes(b"fix: x\n")
    assert main(["commit-msg", str(git_repo / "MSG")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == 'MSG:1:1: CM103 type "fix" is not allowed; use one of: feat'
    assert lines[1].startswith("MSG:1:1: CM113 no ticket reference matching `DATA-[0-9]+`")


# --range: real commits in a real repository


def test_range_lints_every_non_merge_commit(git_repo: Path, git_cmd, commit_file,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    base = commit_file(git_repo, "a", "1", "chore: start")
    git_cmd("switch", "-q", "-c", "feature/x")
    good = commit_file(git_repo, "b", "2", "feat(ingest): prise en charge des données")
    bad = commit_file(git_repo, "c", "3", "added stuff\n\nlong story")
    git_cmd("config", "i18n.commitEncoding", "ISO-8859-1")  # stored with an encoding header
    encoded = commit_file(git_repo, "d", "4", b"fix: donn\xe9es")
    git_cmd("config", "--unset", "i18n.commitEncoding")
    latin = _raw_commit(git_cmd, b"fix: donn\xe9es\n")  # bytes as another tool stored them
    fixup = commit_file(git_repo, "e", "5", "fixup! feat(ingest): prise en charge des données")
    hashy = commit_file(git_repo, "f", "6", "fix: x\n\n#12 is not a comment in a commit")
    git_cmd("switch", "-q", "main")
    commit_file(git_repo, "g", "7", "docs: side")
    git_cmd("merge", "-q", "--no-edit", "--no-ff", "feature/x")

    def short(sha: str) -> str:
        return git_cmd("rev-parse", "--short", sha).stdout.strip()

    assert main(["commit-msg", "--range", f"{base}..HEAD"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{short(bad)}:1:1: CM102 header does not follow Conventional Commits "
        "`type(scope)!: description`; e.g. `feat(ingest): add the orders workflow`",
        f"{short(latin)}:1:1: CM115 the message is not valid utf-8; read it as Latin-1 (save "
        "the message as UTF-8, or set i18n.commitEncoding to the encoding your editor uses)",
        f"{short(fixup)}:1:1: CM114 `fixup!` commit must be squashed before it is merged "
        "(git rebase -i --autosquash); or pass --allow-autosquash",
    ]
    assert short(good) not in "\n".join(err)
    assert short(encoded) not in "\n".join(err)
    assert short(hashy) not in "\n".join(err)
    assert main(["commit-msg", "--range", f"{bad}..HEAD", "--allow-autosquash"]) == 0
    capsys.readouterr()
    assert main(["commit-msg", "--range", f"{base}..HEAD", "--format", "json"]) == 1
    paths = [d["path"] for d in json.loads(capsys.readouterr().out)]
    assert paths == [short(bad), short(latin), short(fixup)]


def _raw_commit(git_cmd, message: bytes) -> str:
    """Store a commit object byte for byte (git commit would re-encode the message)."""
    tree = git_cmd("rev-parse", "HEAD^{tree}").stdout.strip()
    parent = git_cmd("rev-parse", "HEAD").stdout.strip()
    body = (f"tree {tree}\nparent {parent}\nauthor A <a@b> 1700000000 +0000\n"
            f"committer A <a@b> 1700000000 +0000\n\n").encode() + message
    sha = git_cmd("hash-object", "-t", "commit", "-w", "--stdin", input=body).stdout.strip()
    git_cmd("update-ref", "HEAD", sha)
    return sha


def test_range_errors(git_repo: Path, commit_file, capsys: pytest.CaptureFixture[str]) -> None:
    commit_file(git_repo, "a", "1", "chore: start")
    assert main(["commit-msg", "--range", "nope..HEAD"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dagship: error: --range 'nope..HEAD': ")
    assert "expected a revision range such as origin/main..HEAD" in err
    assert main(["commit-msg", "--range", "--all"]) == 2
    assert "expected a revision range" in capsys.readouterr().err
    assert main(["commit-msg", "--range", "HEAD..HEAD"]) == 0
    assert capsys.readouterr().err == "dagship commit-msg: no commits to check in HEAD..HEAD\n"


def test_git_is_asked_only_when_the_answer_can_matter(git_repo: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in `git` that only records that it ran: the linter must not need it for a
    # plain message, and must fall back to git's defaults when it fails.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "git-ran"
    fake = bin_dir / "git"
    fake.write_text(f"#!/bin/sh\necho >> {marker}\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert _messages(b"feat(ingest): add orders\n\nPlain body, - bullets too.\n") == []
    assert not marker.exists()
    assert _messages(b"feat: x\n# a comment line\n") == []
    assert marker.read_text() == "\n"


def test_manifest_hooks() -> None:
    import re

    import yaml

    root = Path(__file__).resolve().parents[2]
    hooks = {h["id"]: h for h in yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["dagship-commit-msg"]["stages"] == ["commit-msg"]
    assert hooks["dagship-branch"]["stages"] == ["pre-commit", "pre-push"]
    assert hooks["dagship-branch"]["pass_filenames"] is False
    assert hooks["dagship-lint"]["require_serial"] is True
    files = re.compile(hooks["dagship-lint"]["files"])
    for path in ("workflows/a.yaml", "workflows/b.yml", "exports/c.json"):
        assert files.search(path), path
    for path in ("README.md", "workflows/a.yaml.bak", "scripts/x.sql"):
        assert not files.search(path), path

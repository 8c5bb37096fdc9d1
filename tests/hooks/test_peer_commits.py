"""329 commit messages from other linters' test suites (conventional-pre-commit, commitlint,
the Conventional Commits spec and parser, gitlint, commitizen), with the verdict a correct
dagship gives (`../shared/corpus/peer/commit/expected.tsv`): each is linted as the hook
lints it, from an empty repository after an editor ran, with the row's `dagship.yaml`."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.core.config import CommitRules, load_config
from hooks.commit_msg import lint_file_bytes
from tests.helpers.peer import PEER, rows

COMMITS = PEER / "commit"
ROWS = rows(COMMITS)


def _rules(config: str) -> CommitRules:
    if not config:
        return CommitRules()
    return load_config(str(COMMITS / "configs" / config / "dagship.yaml")).commit


@pytest.mark.skipif(not ROWS, reason="../shared/corpus/peer is not present (the shared corpus)")
def test_every_peer_message_gets_its_expected_verdict(git_repo: Path) -> None:
    wrong = []
    for row in ROWS:
        raw = (COMMITS / row["path"]).read_bytes()
        findings = lint_file_bytes(raw, _rules(row["config"]), path=row["path"])
        verdict = "bad" if any(f.severity == "error" for f in findings) else "ok"
        if verdict != row["expected"]:
            wrong.append((row["path"], row["expected"], [f.code for f in findings]))
    assert wrong == []
    assert len(ROWS) == 329


@pytest.mark.skipif(not ROWS, reason="../shared/corpus/peer is not present (the shared corpus)")
def test_the_slash_rows_that_were_dagship_gaps_pass(git_repo: Path) -> None:
    gaps = [r for r in ROWS if r["cls"] == "dagship gap"]
    assert [r["path"] for r in gaps] == ["cpc-format/scopes_enum_4.msg",
                                         "cpc-format/scopes_enum_11.msg"]
    for row in gaps:
        raw = (COMMITS / row["path"]).read_bytes()
        assert lint_file_bytes(raw, _rules(row["config"]), path=row["path"]) == []

"""45 real workflow files written outside this project (pydolphinscheduler's examples at
eleven commits, two MLOps repositories, DolphinScheduler's docs and API-test resources),
linted as a repository each, against the verdicts of `../shared/corpus/peer/workflows/
expected.tsv` (pydolphinscheduler 3.1.1 and 4.1.0 actually run on each)."""

from __future__ import annotations

import pytest

from deployer.core.config import Config, load_config
from deployer.definitions.repo import LoadResult, load_repository
from tests.helpers.peer import PEER, rows

WORKFLOWS = PEER / "workflows"
# Verdicts issue 15 changed on purpose: `timeout_flag` (pydolphinscheduler 3.x) is now a WF507
# warning, read with its 3.x meaning, like every other 3.x form (docs/rules.md, WF507).
CHANGED = {
    "history-ds-2022-09-06-38ee91fb1e/workflows/MoreConfiguration.yaml": "ok",
    "history-sdk-2022-11-16-afdd923/workflows/MoreConfiguration.yaml": "ok",
}
ROWS = rows(WORKFLOWS)
pytestmark = pytest.mark.skipif(not ROWS, reason="../shared/corpus/peer is not present "
                                                 "(the shared corpus)")


@pytest.fixture(scope="module")
def linted() -> dict[str, LoadResult]:
    """Each top folder is a repository root, with its own dagship.yaml where it has one."""
    out = {}
    for top in sorted({r["path"].split("/")[0] for r in ROWS}):
        root = (WORKFLOWS / top).resolve()
        own = root / "dagship.yaml"
        out[top] = load_repository(load_config(str(own)) if own.is_file()
                                   else Config(root=root, path=None))
    return out


def _findings(linted: dict[str, LoadResult], path: str) -> list[tuple[str, str, str]]:
    top, rel = path.split("/", 1)
    return [(f.code, f.severity, f.message) for f in linted[top].findings if f.path == rel]


def test_every_peer_file_gets_its_expected_verdict(linted) -> None:
    wrong = []
    for row in ROWS:
        found = _findings(linted, row["path"])
        verdict = "bad" if any(sev == "error" for _, sev, _ in found) else "ok"
        if verdict != CHANGED.get(row["path"], row["expected"]):
            wrong.append((row["path"], row["expected"], [c for c, _, _ in found]))
    assert wrong == []
    assert len(ROWS) == 45


def _without_run(found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Issue 13 added WF509 (`run: true`) to files whose other verdicts issue 15 fixed."""
    return [f for f in found if f[0] != "WF509"]


def test_every_run_true_is_said_not_to_start_the_workflow(linted) -> None:
    """pydolphinscheduler starts such a workflow on submit; dagship never silently ignores it."""
    with_run = [r["path"] for r in ROWS
                if "\n  run: true" in (WORKFLOWS / r["path"]).read_text(encoding="utf-8")]
    assert len(with_run) == 12
    for path in with_run:
        warned = [m for c, s, m in _findings(linted, path) if c == "WF509" and s == "warning"]
        assert len(warned) == 1, path
        assert "smoke.workflows" in warned[0]


def test_the_issue_15_rows_say_what_they_should(linted) -> None:
    # `port: ${port}`
    assert _without_run(_findings(linted, "ml-tutorial/pyds/deploy.yaml")) == []
    dependent = _without_run(
        _findings(linted, "history-ds-2022-09-06-38ee91fb1e/workflows/Dependent.yaml"))
    assert sorted({(c, s) for c, s, _ in dependent}) == [("WF102", "error"),
                                                         ("WF507", "warning")]
    assert all("denpendence" in m for c, _, m in dependent if c == "WF102")
    (http,) = _without_run(
        _findings(linted, "history-ds-2022-09-06-38ee91fb1e/workflows/Http.yaml"))
    assert "then fails at submit" in http[2]
    for path in CHANGED:
        (legacy,) = _without_run(_findings(linted, path))
        assert legacy[:2] == ("WF507", "warning")
        assert "did you mean" not in legacy[2]

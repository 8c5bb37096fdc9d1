"""A misspelled `task_type:` key gets "did you mean" like every other key."""

from __future__ import annotations

from pathlib import Path

from deployer.core.config import Config
from deployer.definitions.repo import load_repository


def _lint(tmp_path: Path, task: str) -> list[tuple[str, int, str]]:
    (tmp_path / "wf.yaml").write_text("workflow:\n  name: t\ntasks:\n  - name: a\n" + task,
                                      encoding="utf-8")
    result = load_repository(Config(root=tmp_path, path=None, workflows=(".",)))
    return [(f.code, f.line, f.message) for f in result.findings]


def test_task_tpye_gets_did_you_mean_task_type(tmp_path):
    found = _lint(tmp_path, "    task_tpye: Shell\n    command: echo a\n")
    assert [(c, line) for c, line, _ in found] == [("WF102", 5)]
    assert found[0][2].startswith("task `a`: unknown key `task_tpye` (did you mean "
                                  "`task_type`?); every task needs `task_type:`, one of: Shell,")


def test_the_other_keys_are_still_checked_against_the_intended_type(tmp_path):
    found = _lint(tmp_path, "    task_tpye: Shell\n    command: echo a\n"
                            "    fail_retry_time: 3\n")
    assert [(c, line) for c, line, _ in found] == [("WF102", 5), ("WF102", 7)]
    assert "(did you mean `fail_retry_times`?)" in found[1][2]


def test_a_valid_key_is_never_taken_for_the_missing_task_type(tmp_path):
    found = _lint(tmp_path, "    task_priority: HIGH\n    command: echo a\n")
    assert [(c, line) for c, line, _ in found] == [("WF105", 4)]
    assert found[0][2].startswith("task `a`: missing `task_type:`; accepted: Shell,")

"""Without a dagship.yaml, the commands that need a target say so, where they looked, and how
to make one (before: "dagship.yaml: no targets configured")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.clirun import forget_ci, run_cli


@pytest.mark.parametrize("command", [["plan"], ["deploy"], ["status"], ["plan", "--target",
                                     "staging"], ["pull", "--target", "staging"],
                                     ["rollback", "--target", "staging", "--to", "HEAD"]])
def test_a_missing_dagship_yaml_is_named_with_where_it_was_looked_for(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        command: list[str]) -> None:
    forget_ci(monkeypatch)
    here = tmp_path / "data-repo"
    here.mkdir()
    monkeypatch.chdir(here)
    res = run_cli(capsys, command)
    assert res.code == 2
    assert res.err == (
        f"dagship: error: no dagship.yaml found in {here.resolve()} or any folder above it; "
        "run `dagship init` there to create one (with a staging and a production target), "
        "or give its path with --config (or DAGSHIP_CONFIG)\n")

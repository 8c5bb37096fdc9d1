"""`dagship fmt` rewrites only files that lint clean: it cannot know what a misspelled key's
value means (a cron under `schedul:` lost its quotes), so such a file is left alone, with why."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.pull import run

MISSPELLED = """\
workflow:
  name: t
  schedul: "0 0 3 * * ? *"
  timezone: UTC
tasks:
  - name: a
    task_type: Shell
    command: "echo a"
"""
MESSY = """\
workflow:
  timezone: UTC
  name: ok
tasks:
  - command: "echo b"
    task_type: Shell
    name: b
"""


def _repo(tmp_path: Path, monkeypatch) -> Path:
    repo = tmp_path / "repo"
    (repo / "workflows").mkdir(parents=True)
    (repo / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    (repo / "workflows" / "bad.yaml").write_text(MISSPELLED, encoding="utf-8")
    (repo / "workflows" / "ok.yaml").write_text(MESSY, encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo


REFUSAL = ("workflows/bad.yaml:3:3: not formatted: WF102 unknown workflow key `schedul` "
           "(did you mean `schedule`?); fmt rewrites only files that lint clean, so it never "
           "guesses what a value means (run `dagship lint workflows/bad.yaml`)\n")


def test_a_file_that_fails_lint_is_left_alone_and_fmt_says_why(tmp_path, monkeypatch,
                                                               capsys) -> None:
    repo = _repo(tmp_path, monkeypatch)
    res = run(capsys, "fmt")
    assert res.code == 1
    assert (repo / "workflows" / "bad.yaml").read_text(encoding="utf-8") == MISSPELLED
    assert res.out == "reformatted workflows/ok.yaml\n"  # the clean file is still formatted
    assert REFUSAL in res.err
    assert res.err.endswith("dagship: 1 file(s) reformatted, 0 unchanged, 1 not formatted "
                            "(lint errors or unreadable)\n")


def test_check_names_it_too(tmp_path, monkeypatch, capsys) -> None:
    repo = _repo(tmp_path, monkeypatch)
    res = run(capsys, "fmt", "--check", "workflows/bad.yaml")
    assert res.code == 1
    assert REFUSAL in res.err
    assert (repo / "workflows" / "bad.yaml").read_text(encoding="utf-8") == MISSPELLED


def test_warnings_do_not_stop_fmt(tmp_path, monkeypatch, capsys) -> None:
    repo = _repo(tmp_path, monkeypatch)
    (repo / "workflows" / "bad.yaml").unlink()
    (repo / "workflows" / "warn.yaml").write_text(  # WF305: a schedule without timezone
        MESSY.replace("  timezone: UTC\n", '  schedule: "0 0 3 * * ? *"\n')
        .replace("name: ok", "name: warn"), encoding="utf-8")
    res = run(capsys, "fmt")
    assert res.code == 0, res.err
    assert res.out == "reformatted workflows/ok.yaml\nreformatted workflows/warn.yaml\n"

"""`dagship diff`: golden tests on a scripted Git history, plus the edges of the command.

The history (commit dates pinned by the sealed git of conftest.py, so commit ids are
stable): v1 has `etl` (scheduled, a task script in a `$FILE`), `report` and `legacy`; v2
adds a task, moves a dependency, edits the script file, changes a schedule, and renames
`legacy` to `archive`. Goldens live in tests/data/diff/; regenerate them after an intended
change of the output with `DAGSHIP_UPDATE_GOLDENS=1 .venv/bin/pytest tests/commands/test_diff.py`
and review the diff of the golden files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from deployer.cli.main import main
from tests.helpers.gitrun import git

GOLDENS = Path(__file__).resolve().parents[1] / "data" / "diff"
UPDATE = os.environ.get("DAGSHIP_UPDATE_GOLDENS") == "1"

ETL_V1 = """\
workflow:
  name: etl
  description: nightly load
  schedule: "0 0 2 * * ? *"
  timezone: UTC
  start_time: "2024-01-01"
tasks:
  - name: extract
    task_type: Shell
    command: echo extract
  - name: transform
    task_type: Shell
    command: $FILE{"scripts/transform.sh"}
    deps: [extract]
  - name: load
    task_type: Shell
    command: echo load
    deps: [transform]
"""
ETL_V2 = ETL_V1.replace("    deps: [transform]\n", "    deps: [extract]\n") + """\
  - name: audit
    task_type: Shell
    command: echo audit
    deps: [load]
"""
REPORT_V1 = """\
workflow:
  name: report
  schedule: "0 0 6 * * ? *"
  timezone: Europe/Paris
  start_time: "2024-01-01"
tasks:
  - name: build
    task_type: Shell
    command: echo build
  - name: "mail <team> & \\"ops\\""
    task_type: Shell
    command: echo mail
    deps: [build]
"""
REPORT_V2 = REPORT_V1.replace("0 0 6 * * ? *", "0 30 7 ? * MON-FRI *")
LEGACY = """\
workflow:
  name: {name}
tasks:
  - name: copy
    task_type: Shell
    command: echo copy
  - name: check
    task_type: Shell
    command: echo check
    deps: [copy]
"""
SCRIPT_V1 = "set -e\necho transform\npython transform.py --day ${dt}\n"
SCRIPT_V2 = "set -e\necho transform\npython transform.py --day ${dt} --strict\n"


def _write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def history(git_repo: Path) -> Path:
    """v1 -> v2 as described in the module docstring; the working tree equals v2."""
    _write(git_repo, {"dagship.yaml": "workflows: [workflows/]\n",
                      "workflows/etl.yaml": ETL_V1, "workflows/scripts/transform.sh": SCRIPT_V1,
                      "workflows/report.yaml": REPORT_V1,
                      "workflows/legacy.yaml": LEGACY.format(name="legacy")})
    git("add", "-A", cwd=git_repo)
    git("commit", "-q", "--no-verify", "-m", "feat: first workflows", cwd=git_repo)
    git("tag", "v1", cwd=git_repo)
    _write(git_repo, {"workflows/etl.yaml": ETL_V2, "workflows/scripts/transform.sh": SCRIPT_V2,
                      "workflows/report.yaml": REPORT_V2,
                      "workflows/legacy.yaml": LEGACY.format(name="archive")})
    git("add", "-A", cwd=git_repo)
    git("commit", "-q", "--no-verify", "-m", "feat: audit, later report, archive", cwd=git_repo)
    git("tag", "v2", cwd=git_repo)
    return git_repo


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["diff", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _golden(name: str, actual: str) -> None:
    path = GOLDENS / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"missing golden {path}; run with DAGSHIP_UPDATE_GOLDENS=1"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("json", "json"),
                                          ("markdown", "md")])
def test_golden_v1_to_v2(history: Path, capsys: pytest.CaptureFixture[str], fmt: str,
                         ext: str) -> None:
    code, out, _err = _run(capsys, "v1", "v2", "--format", fmt, "--no-color")
    assert code == 0
    _golden(f"v1-v2.{ext}", out)


def test_golden_rename_told(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "v1", "v2", "--rename", "legacy=archive", "--no-color")
    assert code == 0
    _golden("v1-v2-rename.txt", out)


def test_rename_told_finds_no_change_beyond_the_name(history: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _err = _run(capsys, "v1", "v2", "--rename", "legacy=archive", "--format", "json")
    doc = json.loads(out)
    archive = next(w for w in doc["workflows"] if w["name"] == "archive")
    assert archive["status"] == "renamed"
    assert archive["old_name"] == "legacy"
    assert archive["tasks"] == []
    assert doc["summary"] == {"added": 0, "removed": 0, "changed": 2, "renamed": 1}


def test_semantics_of_the_scripted_changes(history: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """What the goldens show, asserted directly so a regenerated golden cannot hide a bug."""
    _code, out, _err = _run(capsys, "v1", "v2", "--format", "json")
    doc = {w["name"]: w for w in json.loads(out)["workflows"]}
    assert {n: w["status"] for n, w in doc.items()} == {
        "etl": "changed", "report": "changed", "legacy": "removed", "archive": "added"}
    etl = doc["etl"]
    assert [(t["name"], t["status"]) for t in etl["tasks"]] == [("audit", "added"),
                                                                ("transform", "changed")]
    transform = etl["tasks"][1]["changes"]
    # edited via its $FILE; said in the file's words: `command`, not `params.rawScript`
    assert [c["field"] for c in transform] == ["command"]
    assert transform[0]["new"] == SCRIPT_V2
    # moved: load now waits on extract, no longer on transform; audit's edge is its own
    assert etl["dependencies"] == {"added": [["extract", "load"]],
                                   "removed": [["transform", "load"]]}
    assert doc["report"]["schedule"] == [{"field": "schedule", "old": "0 0 6 * * ? *",
                                          "new": "0 30 7 ? * MON-FRI *"}]
    assert [t["task_type"] for t in etl["tasks"]] == ["Shell", "Shell"]  # not SHELL
    assert doc["report"]["tasks"] == []


def test_working_tree_is_the_default_head(history: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = _run(capsys, "v2", "--exit-code")
    assert code == 0
    assert out == ("dagship diff v2 (" + git("rev-parse", "--short=7", "v2", cwd=history)
                   .stdout.strip() + ") .. working tree\nNo workflow changes (3 unchanged)\n")
    (history / "workflows" / "report.yaml").write_text(REPORT_V1, encoding="utf-8")
    code, out, _err = _run(capsys, "v2", "--exit-code")
    assert code == 1
    assert "~ workflow report" in out
    assert '    ~ schedule\n        ~ schedule: "0 30 7 ? * MON-FRI *" -> "0 0 6 * * ? *"' in out


def test_default_base_is_the_merge_base_with_the_mr_target_branch(
        history: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    git("branch", "develop", "v1", cwd=history)
    git("checkout", "-q", "-b", "feature/x", "v2", cwd=history)
    monkeypatch.setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "develop")
    _code, out, _err = _run(capsys)
    sha = git("rev-parse", "--short=7", "v1", cwd=history).stdout.strip()
    assert out.startswith(f"dagship diff merge base with develop ({sha}) .. working tree\n")
    assert "4 workflow(s) differ" in out


def test_default_base_from_the_target_branch(history: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (history / "dagship.yaml").write_text(
        "workflows: [workflows/]\ntargets:\n  staging:\n    url: http://127.0.0.1:9\n"
        "    token_env: T\n    project: p\n    branches: ['release/*', develop]\n",
        encoding="utf-8")
    git("branch", "develop", "v2", cwd=history)
    code, out, _err = _run(capsys, "--target", "staging")
    assert code == 0
    assert "merge base with develop" in out
    assert "No workflow changes" in out


def test_no_base_is_a_usage_error(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _run(capsys)
    assert code == 2
    assert "no BASE to compare with" in err


@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "cannot find the commit of 'nope'"),
    (["v1", "v2", "--rename", "legacy"], "--rename 'legacy': expected OLD=NEW"),
    (["v1", "v2", "--rename", "etl=archive"], "no workflow 'etl' was removed"),
    (["v1", "v2", "--rename", "legacy=report"], "no workflow 'report' was added"),
])
def test_bad_arguments(history: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                       message: str) -> None:
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_invalid_file_at_a_ref_stops_the_diff_with_its_findings(
        history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (history / "workflows" / "etl.yaml").write_text(ETL_V2.replace("task_type: Shell\n    "
                                                                    "command: echo audit",
                                                                    "task_type: Shel\n    "
                                                                    "command: echo audit"),
                                                   encoding="utf-8")
    code, _out, err = _run(capsys, "v2")
    assert code == 1
    assert "workflows/etl.yaml:" in err
    assert "error(s) in workflow files at working tree; cannot compare it" in err


def test_config_in_a_subfolder_and_files_written(git_repo: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = git_repo / "data"
    _write(data, {"dagship.yaml": "workflows: [flows/]\n", "flows/etl.yaml": ETL_V1,
                  "flows/scripts/transform.sh": SCRIPT_V1})
    _write(git_repo, {"README": "not a workflow\n"})
    git("add", "-A", cwd=git_repo)
    git("commit", "-q", "--no-verify", "-m", "feat: data", cwd=git_repo)
    monkeypatch.chdir(data)
    (data / "flows" / "scripts" / "transform.sh").write_text(SCRIPT_V2, encoding="utf-8")
    code, _out, _err = _run(capsys, "HEAD", "--json", "d.json", "--markdown", "d.md")
    assert code == 0
    doc = json.loads((data / "d.json").read_text(encoding="utf-8"))
    assert doc["workflows"][0]["new_path"] == "flows/etl.yaml"
    assert "```mermaid" in (data / "d.md").read_text(encoding="utf-8")


def test_refs_are_read_from_git_objects_not_an_archive(git_repo: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    """`export-ignore` (which `git archive` honours) hides nothing; a symlink is skipped and
    a file name that is not UTF-8 does not stop the read."""
    _write(git_repo, {"dagship.yaml": "workflows: [workflows/]\n",
                      ".gitattributes": "workflows/** export-ignore\n",
                      "workflows/etl.yaml": ETL_V1, "workflows/scripts/transform.sh": SCRIPT_V1})
    (git_repo / "workflows" / "again.yaml").symlink_to("etl.yaml")
    (git_repo / os.fsdecode(b"workflows/caf\xe9.txt")).write_bytes(b"x")
    git("add", "-A", cwd=git_repo)
    git("commit", "-q", "--no-verify", "-m", "feat: v1", cwd=git_repo)
    git("tag", "v1", cwd=git_repo)
    (git_repo / "workflows" / "scripts" / "transform.sh").write_text(SCRIPT_V2, encoding="utf-8")
    git("commit", "-q", "--no-verify", "-am", "fix: strict", cwd=git_repo)
    code, out, err = _run(capsys, "v1", "HEAD", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert [(w["name"], w["status"]) for w in doc["workflows"]] == [("etl", "changed")]
    assert doc["unchanged"] == 0


def test_markdown_survives_fences_and_odd_names_in_scripts(git_repo: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    flow = """\
workflow:
  name: "odd | `name`"
tasks:
  - name: "t|1"
    task_type: Shell
    command: |
      echo start
      echo '```' and more text to make this a long value
"""
    _write(git_repo, {"dagship.yaml": "workflows: [workflows/]\n", "workflows/odd.yaml": flow})
    git("add", "-A", cwd=git_repo)
    git("commit", "-q", "--no-verify", "-m", "feat: odd", cwd=git_repo)
    (git_repo / "workflows" / "odd.yaml").write_text(flow.replace("echo start", "echo begin"),
                                                     encoding="utf-8")
    code, out, _err = _run(capsys, "HEAD", "--format", "markdown")
    assert code == 0
    assert "\n    ````diff\n" in out  # longer than the script's own ``` run
    assert "\n    ````\n" in out
    assert "| ~ | <code>odd &#124; `name`</code> |" in out
    assert 't0["t|1"]' in out

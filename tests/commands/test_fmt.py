"""`dagship fmt`: canonical form, comments kept, and never a change of meaning."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from deployer.core.config import load_config
from deployer.definitions.model import WorkflowSpec
from deployer.definitions.repo import load_repository
from tests.helpers.pull import run

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("DAGSHIP_CORPUS", ROOT.parent / "shared" / "corpus"))


def _meaning(root: Path) -> tuple[list[WorkflowSpec], list[tuple[str, str]]]:
    """What the loader makes of a repository, positions left out."""
    loaded = load_repository(load_config(str(root / "dagship.yaml")))

    def bare(spec: WorkflowSpec) -> WorkflowSpec:
        tasks = tuple(dataclasses.replace(t, line=0) for t in spec.tasks)
        return dataclasses.replace(spec, line=0, tasks=tasks)

    specs = sorted((bare(s) for s in loaded.workflows), key=lambda s: s.name)
    findings = sorted((f.path, f.code) for f in loaded.findings)
    return specs, findings


def _repo(tmp_path: Path, source: Path) -> Path:
    """The folder as a repository's workflows, with its own dagship.yaml when it has one
    (the examples' targets define their `$VAR`s, so they lint clean, as fmt requires)."""
    repo = tmp_path / "repo"
    shutil.copytree(source, repo / "workflows")
    own = source.parent / "dagship.yaml"
    config = own.read_text(encoding="utf-8") if own.is_file() else "workflows: [workflows/]\n"
    (repo / "dagship.yaml").write_text(config, encoding="utf-8")
    return repo


def _lint_failing(repo: Path) -> set[Path]:
    """The files fmt leaves alone: those with lint errors (the corpus has three)."""
    loaded = load_repository(load_config(str(repo / "dagship.yaml")))
    return {repo / f.path for f in loaded.findings if f.severity == "error"}


def _sources() -> list[Path]:
    found = [ROOT / "examples" / "workflows"]
    if (CORPUS / "pydolphinscheduler-yaml").is_dir():
        found.append(CORPUS / "pydolphinscheduler-yaml")
    return found


@pytest.mark.parametrize("source", _sources(), ids=lambda p: p.parent.name)
def test_fmt_never_changes_meaning_and_is_idempotent(source: Path, tmp_path, monkeypatch,
                                                     capsys) -> None:
    repo = _repo(tmp_path, source)
    monkeypatch.chdir(repo)
    before = _meaning(repo)
    failing = {p: p.read_bytes() for p in _lint_failing(repo)}
    res = run(capsys, "fmt")
    assert res.code == (1 if failing else 0), res.out + res.err
    assert {p: p.read_bytes() for p in failing} == failing
    assert _meaning(repo) == before
    formatted = {p: p.read_bytes() for p in repo.rglob("*.yaml")}
    res = run(capsys, "fmt", "--check")
    assert res.out == "", res.out  # nothing left to reformat
    assert {p: p.read_bytes() for p in repo.rglob("*.yaml")} == formatted


def test_corpus_is_reformatted_with_every_comment_kept(tmp_path, monkeypatch, capsys) -> None:
    if not (CORPUS / "pydolphinscheduler-yaml").is_dir():
        pytest.skip("shared corpus not present (set DAGSHIP_CORPUS)")
    repo = _repo(tmp_path, CORPUS / "pydolphinscheduler-yaml")
    monkeypatch.chdir(repo)
    comments = {p.name: sorted(line.strip() for line in p.read_text().splitlines()
                               if line.strip().startswith("#"))
                for p in (repo / "workflows").glob("*.yaml")}
    res = run(capsys, "fmt", "--check")
    assert res.code == 1
    assert "would reformat workflows/Condition.yaml" in res.out
    assert res.err.strip().endswith("3 not formatted (lint errors or unreadable)")
    run(capsys, "fmt")
    after = {p.name: sorted(line.strip() for line in p.read_text().splitlines()
                            if line.strip().startswith("#"))
             for p in (repo / "workflows").glob("*.yaml")}
    assert after == comments
    condition = (repo / "workflows" / "Condition.yaml").read_text()
    assert "  - name: pre_task_1\n    task_type: Shell\n    command: echo pre_task_1\n" \
        in condition  # flow mappings become the block form the examples use


MESSY = """\
# header comment
tasks:
  # the tasks
  - command: "echo 'hi'"   # says hi (ruamel keeps a comment's column)
    task_type: Shell
    name: "hello"
    fail_retry_times: 2
  - { name: two, task_type: Shell, command: "echo 2", deps: ["hello"] }
workflow:
  timezone: UTC
  schedule: 0 0 2 * * ? *
  name: messy   # the name
  param: {a: "1", b: "yes", c: plain}
"""

CLEAN = """\
# header comment
workflow:
  name: messy   # the name
  schedule: "0 0 2 * * ? *"
  timezone: UTC
  param:
    a: "1"
    b: "yes"
    c: plain
tasks:
  # the tasks
  - name: hello
    task_type: Shell
    fail_retry_times: 2
    command: echo 'hi'     # says hi (ruamel keeps a comment's column)
  - name: two
    task_type: Shell
    deps: [hello]
    command: echo 2
"""


def test_fmt_canonical_form(tmp_path, monkeypatch, capsys) -> None:
    repo = tmp_path / "repo"
    (repo / "workflows").mkdir(parents=True)
    (repo / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    (repo / "workflows" / "messy.yaml").write_text(MESSY, encoding="utf-8")
    (repo / "workflows" / "notes.yaml").write_text("on: {push: 'x'}\n", encoding="utf-8")
    (repo / "ci.yaml").write_text("workflow: {name: 'not ours'}\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    before = _meaning(repo)
    res = run(capsys, "fmt", "--check", "workflows", "ci.yaml")
    assert res.code == 1
    assert res.out == "would reformat workflows/messy.yaml\n"
    assert (repo / "workflows" / "messy.yaml").read_text() == MESSY
    res = run(capsys, "fmt")
    assert res.code == 0
    assert res.out == "reformatted workflows/messy.yaml\n"
    assert (repo / "workflows" / "messy.yaml").read_text() == CLEAN
    assert _meaning(repo) == before
    assert (repo / "workflows" / "notes.yaml").read_text() == "on: {push: 'x'}\n"
    assert (repo / "ci.yaml").read_text() == "workflow: {name: 'not ours'}\n"


def test_fmt_reports_a_file_it_cannot_read(tmp_path, monkeypatch, capsys) -> None:
    repo = tmp_path / "repo"
    (repo / "workflows").mkdir(parents=True)
    (repo / "dagship.yaml").write_text("workflows: [workflows/]\n", encoding="utf-8")
    (repo / "workflows" / "bad.yaml").write_text("workflow:\n  name: [x\n", encoding="utf-8")
    (repo / "workflows" / "dup.yaml").write_text(
        "workflow:\n  name: a\n  name: b\ntasks:\n  - {name: t, task_type: Shell, command: x}\n",
        encoding="utf-8")
    monkeypatch.chdir(repo)
    res = run(capsys, "fmt")
    assert res.code == 1
    assert "workflows/bad.yaml:3:1: cannot format: " in res.err
    assert "workflows/dup.yaml:3:3: cannot format: " in res.err
    assert "Traceback" not in res.err
    res = run(capsys, "fmt", "missing.yaml")
    assert res.code == 2
    assert "missing.yaml: no such file or directory" in res.err


def test_comments_stay_on_their_lines_when_keys_move() -> None:
    from deployer.adopt.write import format_text

    src = ("workflow:\n  timezone: UTC\n  name: x   # eol of name\n\n  # after the workflow\n"
           "tasks:\n  - command: echo a  # eol of command\n    task_type: Shell\n"
           "    name: a\n")
    out = format_text(src)
    assert out == ("workflow:\n  name: x   # eol of name\n  timezone: UTC\n\n"
                   "  # after the workflow\ntasks:\n  - name: a\n    task_type: Shell\n"
                   "    command: echo a  # eol of command\n")
    assert format_text(out) == out


TRICKY = ["a\n\nb  \n", "  leading", "tab\there", "\ttab start\nx", "x\r\ny", "emoji ✓",
          "#comment-like", "- dash", "a: b\nc", "", "null", "~", "123", "1e3", "true", "0o17",
          "2024-01-01", "${a}", "*alias", "&anchor", "!tag", "%pct", "@at", "`bt", "|pipe",
          ">gt", "key: value #x", "trailing\n\n\n", "\n", "\nlead nl", "a\\b", 'say "hi"',
          "it's", "'q'", "x" * 300, "line1\n  indented\nline3", "  indented first\nsecond\n",
          "NO", "yes", "on", "=", "[x]", "{y}", "a, b", "\u00a0nbsp", "\x07bell",
          "end space \nnext", "multi\nline\nwith 'quotes' and \"dq\"\n"]


@pytest.mark.parametrize("text", TRICKY)
def test_the_writer_reads_back_every_string(text: str) -> None:
    from deployer.adopt.write import format_text, render
    from deployer.yaml.loader import load

    doc = {"workflow": {"name": "x", "description": text, "param": {"k": text}},
           "tasks": [{"name": "a", "task_type": "Shell", "command": text,
                      "deps": [text] if text else []}]}
    written = render(doc)
    back, _dups = load(written)
    assert back["workflow"]["description"] == text
    assert back["workflow"]["param"]["k"] == text
    assert back["tasks"][0]["command"] == text
    assert format_text(written) == written


def test_a_deps_list_with_comments_stays_a_block() -> None:
    from deployer.adopt.write import format_text

    head = "workflow:\n  name: x\ntasks:\n"
    src = (head + "  - name: b\n    task_type: Shell\n    command: echo\n    deps:\n"
           "      - a  # why\n  - name: c\n    task_type: Shell\n    command: echo\n"
           "    deps:\n      - a\n      - b\n")
    assert format_text(src) == (
        head + "  - name: b\n    task_type: Shell\n    deps:\n      - a  # why\n"
        "    command: echo\n  - name: c\n    task_type: Shell\n    deps: [a, b]\n"
        "    command: echo\n")

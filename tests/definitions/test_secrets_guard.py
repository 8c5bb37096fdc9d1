"""WF601 end to end: where `dagship lint` looks for credentials (scripts, $FILE payloads, HTTP
parameters, native exports, dagship.yaml) and how a false positive is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.cli.main import main

PW = "Hunt" + "er2024x"  # assembled so this file does not trip secret scanners
DS_TOKEN = "5f4dcc3b5aa765d6" + "1d8327deb882cf99"
CONFIG = ("workflows: [workflows/]\n"
          "targets:\n"
          "  staging:\n"
          "    url: {url}\n"
          "    token_env: DS_TOKEN\n"
          "    project: p\n"
          "    variables:\n"
          "      db_host: db.internal\n"
          "      db_password: {pw}\n")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "dagship.yaml").write_text(
        CONFIG.format(url="https://ds.example.com/dolphinscheduler", pw="$ENV{X}"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _lint(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, list[tuple[str, ...]]]:
    code = main(["lint", "--format", "json", *paths])
    out = capsys.readouterr().out
    found = json.loads(out) if out.strip() else []
    assert all(PW not in f["message"] and DS_TOKEN not in f["message"] for f in found)
    return code, [(f["path"], f["line"], f["col"], f["code"]) for f in found]


def _wf(repo: Path, name: str, tasks: str) -> None:
    (repo / "workflows" / name).write_text(f"workflow:\n  name: {name[:-5]}\ntasks:\n{tasks}")


def test_http_params_in_both_forms(repo, capsys):
    _wf(repo, "h.yaml", "  - name: call\n    task_type: Http\n    url: https://api\n"
        f"    http_params:\n      token: {DS_TOKEN}\n      page: 1\n"
        f"      Authorization: Bearer {PW}\n")
    _wf(repo, "l.yaml", "  - name: call\n    task_type: Http\n    url: https://api\n"
        f"    http_params:\n      - {{prop: password, httpParametersType: PARAMETER, "
        f"value: {PW}}}\n")
    code, found = _lint(capsys)
    assert code == 1
    assert found == [("workflows/h.yaml", 8, 14, "WF601"), ("workflows/h.yaml", 10, 22, "WF601"),
                     ("workflows/l.yaml", 7, 5, "WF504"), ("workflows/l.yaml", 8, 64, "WF601")]


def test_allow_marker_on_the_yaml_line_and_in_a_script_line(repo, capsys):
    (repo / "sql").mkdir()
    (repo / "sql" / "load.sql").write_text(
        f"-- fixture user, dagship: allow-secret\nCREATE USER t IDENTIFIED BY '{PW}';\n"
        f"CREATE USER u IDENTIFIED BY '{PW}x';  -- dagship: allow-secret\n")
    _wf(repo, "a.yaml",
        f"  - name: a\n    task_type: Shell\n    command: PGPASSWORD={PW} psql  "
        "# dagship: allow-secret (test database)\n"
        "  - name: b\n    task_type: Shell\n    command: |\n"
        f"      export PGPASSWORD={PW}  # dagship: allow-secret\n"
        f"      export MYSQL_PWD={PW}\n"
        "  - name: c\n    task_type: Sql\n    datasource_name: pg\n"
        '    sql: $FILE{"sql/load.sql"}\n')
    code, found = _lint(capsys)
    assert code == 1
    # only the unmarked lines: line 11 of a.yaml, line 2 of the payload (the marker on
    # line 1 does not cover line 2)
    assert found == [("sql/load.sql", 2, 30, "WF601"), ("workflows/a.yaml", 11, 24, "WF601")]


def test_native_export_scripts_are_scanned(repo, capsys):
    export = [{"processDefinition": {"name": "n", "timeout": 0},
               "taskDefinitionList": [{"code": 1, "name": "t", "taskType": "SHELL",
                                       "taskParams": {"rawScript": f"mysql -uroot -p{PW} db"}}],
               "processTaskRelationList": [{"preTaskCode": 0, "postTaskCode": 1}]}]
    (repo / "workflows" / "n.json").write_text(json.dumps(export, indent=2))
    code, found = _lint(capsys)
    assert code == 1
    assert [(p, c) for p, _line, _col, c in found] == [("workflows/n.json", "WF601")]


@pytest.mark.parametrize(("url", "pw", "expected"), [
    (f"https://admin:{PW}@ds.example.com/dolphinscheduler", "$ENV{X}", [(4, 10)]),
    ("https://ds.example.com/dolphinscheduler", PW, [(9, 20)]),
    ("https://ds.example.com/dolphinscheduler", f"{PW}  # dagship: allow-secret", []),
])
def test_the_config_is_scanned_by_a_full_lint_and_when_named(repo, capsys, url, pw, expected):
    (repo / "dagship.yaml").write_text(CONFIG.format(url=url, pw=pw))
    _wf(repo, "w.yaml", "  - {name: a, task_type: Shell, command: echo}\n")
    code, found = _lint(capsys)
    assert found == [("dagship.yaml", line, col, "WF601") for line, col in expected]
    assert code == (1 if expected else 0)
    # pre-commit passes the changed files: the config among them is scanned, else not
    assert _lint(capsys, "dagship.yaml", "workflows/w.yaml")[1] == found
    assert _lint(capsys, "workflows/w.yaml") == (0, [])


def test_lint_disable_silences_the_config_too(repo, capsys):
    (repo / "dagship.yaml").write_text(CONFIG.format(
        url="https://ds.example.com/dolphinscheduler", pw=PW) + "lint:\n  disable: [WF601]\n")
    _wf(repo, "w.yaml", "  - {name: a, task_type: Shell, command: echo}\n")
    assert _lint(capsys) == (0, [])

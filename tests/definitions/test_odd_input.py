"""Adversarial input: whatever the file holds, lint answers with findings, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deployer.core.config import Config
from deployer.definitions.repo import load_repository

CORPUS = Path(__file__).parents[2] / ".." / "shared" / "corpus"
EXPORT = {"processDefinition": {"name": "w", "timeout": 0},
          "taskDefinitionList": [{"code": 11, "name": "t", "taskType": "SHELL",
                                  "taskParams": {"rawScript": "echo"}}],
          "processTaskRelationList": [{"preTaskCode": 0, "postTaskCode": 11}]}


def _lint(root: Path, files: dict[str, str | bytes]) -> list[tuple[str, str, int, int]]:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    result = load_repository(Config(root=root.resolve(), path=None, workflows=(".",)))
    return [(f.path, f.code, f.line, f.col) for f in result.findings]


def _export(**changes: object) -> str:
    item = json.loads(json.dumps(EXPORT))
    for dotted, value in changes.items():
        node = item
        *parents, last = dotted.split("__")
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        node[last] = value
    return json.dumps([item], indent=2)


def test_tasks_given_as_a_mapping_is_one_wrong_type_not_also_no_tasks(tmp_path):
    text = "workflow:\n  name: w\ntasks:\n  a:\n    task_type: Shell\n"
    assert _lint(tmp_path, {"w.yaml": text}) == [("w.yaml", "WF103", 4, 3)]


@pytest.mark.parametrize(("content", "expected"), [
    ("[]", [("WF109", 1, 1)]),
    (_export(taskDefinitionList=[1, 2]), [("WF109", 2, 3)]),
    (_export(processTaskRelationList=["x"]), [("WF109", 2, 3)]),
    (_export(taskDefinitionList__0__taskParams="{bad"), [("WF109", 9, 9)]),  # at "code"
    (_export(taskDefinitionList__0__taskParams=[1]), [("WF109", 9, 9)]),
    (_export(taskDefinitionList__0__code=[1]), [("WF109", 12, 17)]),  # at its name
    (_export(processDefinition__timeout="abc"), [("WF109", 4, 15)]),  # at the workflow name
    (_export(taskDefinitionList__0__failRetryTimes="x"), [("WF109", 9, 9)]),
    (_export(taskDefinitionList__0__taskType="SWITCH",
             taskDefinitionList__0__taskParams={"switchResult": [1]}), []),
    (_export(taskDefinitionList__0__taskType="CONDITIONS",
             taskDefinitionList__0__taskParams={"conditionResult": {"successNode": 3},
                                                "dependence": [1]}), []),
    (_export(processDefinition__globalParams=7), []),
])
def test_malformed_native_exports_are_findings_not_tracebacks(tmp_path, content, expected):
    got = _lint(tmp_path, {"e.json": content})
    assert [(c, line, col) for _p, c, line, col in got] == expected


def test_each_workflow_of_a_multi_workflow_export_is_placed_at_its_own_element(tmp_path):
    second = json.loads(json.dumps(EXPORT))
    second["processDefinition"]["timeout"] = "x"
    text = json.dumps([EXPORT, second], indent=2)
    (finding,) = _lint(tmp_path, {"e.json": text})
    assert finding[1:] == ("WF109", 26, 15)  # the second element's "name": "w"
    assert text.splitlines()[25] == '      "name": "w",'


def _sub(name: str, child: str) -> str:
    return (f"workflow:\n  name: {name}\ntasks:\n  - name: t\n    task_type: SubWorkflow\n"
            f"    workflow_name: {child}\n")


def test_a_workflow_including_itself_is_wf411(tmp_path):
    got = _lint(tmp_path, {"me.yaml": _sub("me", '$WORKFLOW{"me.yaml"}')})
    assert got == [("me.yaml", "WF411", 6, 20)]


def test_a_three_workflow_include_cycle_is_reported_in_every_file(tmp_path):
    got = _lint(tmp_path, {"a.yaml": _sub("a", '$WORKFLOW{"b.yaml"}'),
                           "b.yaml": _sub("b", "c"), "c.yaml": _sub("c", "a")})
    assert got == [("a.yaml", "WF411", 6, 20), ("b.yaml", "WF411", 6, 20),
                   ("c.yaml", "WF411", 6, 20)]
    result = load_repository(Config(root=tmp_path.resolve(), path=None, workflows=(".",)),
                             only=[tmp_path / "b.yaml"])
    (finding,) = result.findings
    assert "b -> c -> a -> b (with a.yaml, c.yaml)" in finding.message


def test_dependents_waiting_on_each_other_are_not_an_include_cycle(tmp_path):
    dep = ("workflow:\n  name: {n}\ntasks:\n  - name: t\n    task_type: Dependent\n    op: and\n"
           "    groups:\n      - op: and\n        groups:\n          - project_name: "
           "${{CONFIG.WORKFLOW_PROJECT}}\n            workflow_name: {o}\n"
           "            dependent_task_name: t\n            dependent_date: last1Days\n")
    assert _lint(tmp_path, {"a.yaml": dep.format(n="a", o="b"),
                            "b.yaml": dep.format(n="b", o="a")}) == []


def test_file_and_workflow_targets_must_be_files_inside_the_repository(tmp_path):
    outside = tmp_path / "outside.sql"
    outside.write_text("select 1", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / "sqldir").mkdir(parents=True)
    (repo / "link.sql").symlink_to(outside)
    text = ("workflow:\n  name: w\ntasks:\n"
            "  - {name: a, task_type: Sql, datasource_name: pg, sql: '$FILE{\"sqldir\"}'}\n"
            "  - {name: b, task_type: Sql, datasource_name: pg, sql: '$FILE{\"../outside.sql\"}'}\n"
            "  - {name: c, task_type: Sql, datasource_name: pg, sql: '$FILE{\"link.sql\"}'}\n"
            "  - {name: d, task_type: SubWorkflow, workflow_name: '$WORKFLOW{\"../x.yaml\"}'}\n")
    (tmp_path / "x.yaml").write_text(_sub("x", "y"), encoding="utf-8")
    (repo / "w.yaml").write_text(text, encoding="utf-8")
    result = load_repository(Config(root=repo.resolve(), path=None, workflows=(".",)))
    got = [(f.code, f.line, f.message.split(": ", 1)[1]) for f in result.findings]
    outside_msg = "it resolves outside the repository; only files of the repository are used"
    assert got == [
        ("WF401", 4, "that is a directory, not a file (paths are relative to ./ or to the "
                     "repository root)"),
        ("WF401", 5, f"{outside_msg} (paths are relative to ./ or to the repository root)"),
        ("WF401", 6, f"{outside_msg} (paths are relative to ./ or to the repository root)"),
        ("WF405", 7, f"{outside_msg} (paths are relative to the YAML file or the repository "
                     "root, and the file needs `workflow: {name: ...}`)"),
    ]


def test_workflows_at_the_repository_root_do_not_make_the_config_a_workflow(tmp_path):
    from deployer.core.config import load_config

    (tmp_path / "dagship.yaml").write_text("workflows: [.]\n", encoding="utf-8")
    (tmp_path / "w.yaml").write_text(_sub("w", "w2"), encoding="utf-8")
    result = load_repository(load_config(tmp_path / "dagship.yaml"))
    assert [p.name for p in result.files] == ["w.yaml"]


@pytest.mark.parametrize(("text", "col"), [
    ("[" * 5000, 201),  # the 201st bracket
    ('{"a":' * 2000 + "1" + "}" * 2000, 1001),
    ('["\\"[[[",' + "[" * 3000, 209),  # brackets inside a string (escaped quote) do not count
])
def test_json_nested_too_deeply_is_wf100_not_a_recursion_error(tmp_path, text, col):
    # found by tests/fuzz: json.loads raised RecursionError past ~1000 brackets
    assert _lint(tmp_path, {"e.json": text}) == [("e.json", "WF100", 1, col)]


def test_json_number_past_pythons_digit_limit_is_wf100(tmp_path):
    # found by tests/fuzz: json.loads raises a plain ValueError, not JSONDecodeError
    got = _lint(tmp_path, {"e.json": '{"a": ' + "1" * 5000 + "}"})
    assert got == [("e.json", "WF100", 1, 1)]


@pytest.mark.parametrize(("text", "line", "col"), [
    ("workflow: !!int\n", 1, 11),  # found by tests/fuzz: ValueError from int("")
    ("workflow:\n  name: !!float abc\n", 2, 9),
    ("workflow:\n  name: w\n  timeout: !!bool maybe\n", 3, 12),
    ("workflow:\n  timeout: " + "9" * 5000 + "\n", 2, 12),  # past Python's int digit limit
])
def test_a_scalar_its_explicit_tag_cannot_read_is_wf100(tmp_path, text, line, col):
    assert _lint(tmp_path, {"w.yaml": text}) == [("w.yaml", "WF100", line, col)]


@pytest.mark.parametrize(("text", "expected"), [
    # names and params are text: `010` would silently become "8", a zip code 01234 "668"
    ("workflow:\n  name: 010\ntasks:\n  - {name: t, task_type: Shell, command: echo}\n",
     [("WF103", 2, 9)]),
    ("workflow:\n  name: w\n  param: {zip: 01234, n: 1_000, ok: 12}\n"
     "tasks:\n  - {name: t, task_type: Shell, command: echo}\n",
     [("WF103", 3, 16), ("WF103", 3, 26)]),
    ("workflow:\n  name: w\n  timeout: 1:30\ntasks:\n  - {name: 07, task_type: Shell, "
     "command: echo, fail_retry_times: 00}\n", [("WF103", 3, 12), ("WF103", 5, 12)]),
    # keys stay the text written (`on`, `yes`), dates stay strings: no trap to report
    ("workflow:\n  name: w\n  schedule: '0 0 0 * * ? *'\n  timezone: UTC\n"
     "  start_time: 2024-01-01\n  param: {on: yes, 2024-01-01: x}\n"
     "tasks:\n  - {name: t, task_type: Shell, command: echo}\n", []),
])
def test_yaml11_number_traps_are_wf103(tmp_path, text, expected):
    got = _lint(tmp_path, {"w.yaml": text})
    assert [(c, line, col) for _p, c, line, col in got] == expected


@pytest.mark.parametrize(("raw", "expected"), [
    # the offending byte's line, not 1:1: a big file must say where to look
    (b"workflow:\n  name: w\n  description: caf\xe9\n", ("WF108", 3, 19)),
    (b"workflow:\n  name: w\x00x\n", ("WF100", 2, 10)),
    ("workflow:\n  name: w\n".encode("utf-16"), ("WF108", 1, 1)),
])
def test_undecodable_bytes_and_control_characters_are_placed(tmp_path, raw, expected):
    assert _lint(tmp_path, {"w.yaml": raw}) == [("w.yaml", *expected)]

"""Remote shapes the dialect has to bend to: parameter order, declaration order of branch
targets, timeouts, dependents on another project; and what it cannot say at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.sandbox import Sandbox
from tests.helpers.pull import (
    PROJECT,
    TOKEN,
    client,
    post_workflow,
    run,
    ui_task,
    versions,
    write_config,
)


@pytest.fixture(params=["3.2", "3.3"])
def ds(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with Sandbox(api_version=request.param, token=TOKEN, datasources={"pg": "POSTGRESQL"}) as sb:
        c = client(sb)
        repo = tmp_path / "repo"
        write_config(repo, sb)
        monkeypatch.chdir(repo)
        monkeypatch.setenv("DS_TOKEN", sb.token)
        try:
            yield sb, c, int(c.create_project(PROJECT)["code"]), repo
        finally:
            c.close()


def _shell(script: str, local: list[dict[str, str]] | None = None) -> dict:
    return {"rawScript": script, "localParams": local or [], "resourceList": []}


def test_shapes_round_trip_to_a_no_op(ds, capsys) -> None:
    sb, c, pc, repo = ds
    code = iter(c.gen_task_codes(pc, 10))
    params = [{"prop": "out1", "direct": "OUT", "type": "VARCHAR", "value": ""},
              {"prop": "in1", "direct": "IN", "type": "VARCHAR", "value": "VARCHAR(x)"},
              {"prop": "n", "direct": "IN", "type": "LONG", "value": "5"}]
    sw, a, b = next(code), next(code), next(code)
    tasks = [
        ui_task(sw, "route", "SWITCH", {"switchResult": {
            "dependTaskList": [{"condition": "${n} > 1", "nextNode": a}], "nextNode": b},
            "localParams": [], "resourceList": []}),
        ui_task(a, "big", "SHELL", _shell("echo big", params)),
        ui_task(b, "small", "SHELL", _shell("echo small"), timeoutFlag="OPEN", timeout=5,
                timeoutNotifyStrategy="WARNFAILED", failRetryInterval=0),
    ]
    post_workflow(c, pc, "shapes", tasks, [(None, "route"), ("route", "big"),
                                           ("route", "small")],
                  global_params=[{"prop": "n", "direct": "IN", "type": "VARCHAR",
                                  "value": "2"}])
    other = int(c.create_project("upstream-team")["code"])
    up = next(code)
    post_workflow(c, other, "their_load", [ui_task(up, "load", "SHELL", _shell("echo l"))],
                  [(None, "load")])
    wait = next(code)
    post_workflow(c, pc, "waits", [ui_task(wait, "wait", "DEPENDENT", {"dependence": {
        "relation": "AND", "dependTaskList": [{"relation": "AND", "dependItemList": [
            {"projectCode": other, "definitionCode": c.get_workflow(other, "their_load")[
                "workflowDefinition"]["code"], "depTaskCode": up, "cycle": "hour",
             "dateValue": "last3Hours"}]}]}, "localParams": [], "resourceList": []})],
        [(None, "wait")])

    res = run(capsys, "pull", "--target", "staging")
    assert res.code == 0, res.err
    assert res.err == ""
    shapes = (repo / "workflows" / "shapes.yaml").read_text()
    # branch targets above the switch (the dialect resolves them in file order)
    assert shapes.index("name: big") < shapes.index("name: route")
    assert shapes.index("name: small") < shapes.index("name: route")
    assert "    local_params:\n      - prop: out1\n        direct: OUT\n" in shapes
    assert "    timeout_notify_strategy: WARNFAILED\n    timeout: 5\n" in shapes
    assert "    fail_retry_interval: 0\n" in shapes
    waits = (repo / "workflows" / "waits.yaml").read_text()
    assert "project_name: upstream-team\n" in waits
    assert "workflow_name: their_load\n" in waits
    assert "dependent_date: last3Hours\n" in waits
    assert run(capsys, "lint").code == 0

    before = versions(sb)
    res = run(capsys, "deploy", "--target", "staging", "--no-progress")
    assert res.code == 0, res.out + res.err
    assert "nothing to do" in res.out
    assert versions(sb) == before


def test_what_the_dialect_cannot_say_is_named(ds, capsys) -> None:
    _sb, c, pc, _repo = ds
    code = iter(c.gen_task_codes(pc, 3))
    http = {"url": "https://x", "httpMethod": "GET", "httpCheckCondition": "STATUS_CODE_DEFAULT",
            "connectTimeout": 60000, "socketTimeout": 60000, "localParams": [],
            "resourceList": [], "httpParams": [
                {"prop": "Accept", "httpParametersType": "HEADERS", "value": "json"}]}
    post_workflow(c, pc, "lossy", [
        ui_task(next(code), "call", "HTTP", http),
        ui_task(next(code), "odd", "SHELL", _shell("echo"), timeoutFlag="CLOSE",
                timeoutNotifyStrategy="WARN"),
        ui_task(next(code), "jupyter", "JUPYTER", {"condaEnvName": "x"}),
    ], [(None, "call"), (None, "odd"), (None, "jupyter")],
        global_params=[{"prop": "n", "direct": "IN", "type": "INTEGER", "value": "1"}],
        description="d" * 230)
    res = run(capsys, "pull", "--target", "staging")
    assert res.code == 0
    for fragment in ("lossy: parameter `n`: IN INTEGER",
                     "lossy: task `call`: http parameter `Accept` of type HEADERS",
                     "lossy: task `odd`: timeout flag CLOSE, 0 minute(s), notify WARN",
                     "lossy: task `jupyter`: task type JUPYTER has no form in the YAML dialect",
                     "lossy: description: 230 characters; lint accepts 207"):
        assert fragment in res.err, res.err
    assert "Traceback" not in res.err
    lint = run(capsys, "lint")
    assert lint.code == 1  # the stand-in for the JUPYTER task can never deploy by mistake
    assert "WF106 task `jupyter`: unknown task_type 'JUPYTER'" in lint.out


def test_the_ui_sql_form_is_read_back_and_its_gaps_named(ds, capsys) -> None:
    """DolphinScheduler's UI saves a SQL task without the keys pydolphinscheduler always
    writes (showType, connParams, title, groupId): pull reads the files back as deploy would
    and names each field a deploy would change."""
    _sb, c, pc, repo = ds
    pg = next(d["id"] for d in c.list_datasources() if d["name"] == "pg")
    sql = {"type": "POSTGRESQL", "datasource": pg, "sql": "select 1", "sqlType": "0",
           "preStatements": [], "postStatements": [], "sendEmail": False, "displayRows": 10,
           "localParams": [], "resourceList": []}
    post_workflow(c, pc, "from_ui", [ui_task(c.gen_task_codes(pc, 1)[0], "q", "SQL", sql)],
                  [(None, "q")])
    res = run(capsys, "pull", "--target", "staging")
    assert res.code == 0
    for key in ("connParams", "groupId", "showType", "title"):
        assert f"from_ui: task `q`: taskParams.{key}: the YAML dialect writes it " \
               "differently" in res.err, res.err
    assert "datasource_name: pg" in (repo / "workflows" / "from_ui.yaml").read_text()


def _dag(task_params: object, global_params: object = "[]") -> dict:
    return {"workflowDefinition": {"name": "wf", "code": 1, "globalParams": global_params,
                                   "releaseState": "ONLINE"},
            "taskDefinitionList": [{"name": "a", "code": 11, "taskType": "SHELL",
                                    "taskParams": task_params}],
            "workflowTaskRelationList": [{"preTaskCode": 0, "postTaskCode": 11}]}


def test_fields_that_are_not_json_are_named_as_losses_never_emptied_silently() -> None:
    from deployer.adopt.context import Names
    from deployer.adopt.reverse import reverse

    doc, losses = reverse(_dag('{"rawScript": "echo 1"', '[{"prop": "dt"'), Names())
    assert [(x.where, x.detail) for x in losses] == [
        ("globalParams", "not valid JSON; left out"),
        ("task `a`", "taskParams is not valid JSON; left out")]
    assert "param" not in doc["workflow"]
    _doc, clean = reverse(_dag('{"rawScript": "echo 1"}'), Names())
    assert clean == []


def test_the_json_reader_keeps_unreadable_text_so_the_digest_stays_faithful() -> None:
    from deployer.engine import canonical

    assert canonical.json_field('{"a": 1}', {}) == {"a": 1}
    assert canonical.json_field({"a": 1}, {}) == {"a": 1}
    assert canonical.json_field(None, []) == []
    assert canonical.json_field("", []) == []
    assert canonical.json_field("{broken", {}) == "{broken"
    # a server holding garbage never reads as a workflow with empty task params
    broken = canonical.digest(canonical.from_dag(_dag("{broken")))
    empty = canonical.digest(canonical.from_dag(_dag("{}")))
    assert broken != empty

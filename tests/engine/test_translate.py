"""Translation of a WorkflowSpec into the API's form and layout, and the canonical form
(the digest) that a translation and the remote workflow share."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.definitions.model import (
    DatasourceRef,
    Property,
    ScheduleSpec,
    TaskRef,
    TaskSpec,
    WorkflowSpec,
)
from deployer.engine import canonical
from deployer.engine.translate import (
    Resolver,
    UnresolvedReference,
    layout,
    placeholder_codes,
    translate,
)


def _spec(tasks: tuple[TaskSpec, ...], **kw: object) -> WorkflowSpec:
    return WorkflowSpec(name="wf", path=Path("workflows/wf.yaml"), tasks=tasks, **kw)  # type: ignore[arg-type]


SWITCH = TaskSpec("sw", "SWITCH", {"switchResult": {
    "dependTaskList": [{"condition": "${x} == 1", "nextNode": TaskRef("one")}],
    "nextNode": TaskRef("two")}})
TASKS = (
    SWITCH,
    TaskSpec("one", "SHELL", {"rawScript": "echo 1", "localParams": [Property("p", "1")]},
             deps=("sw",), timeout=5),
    TaskSpec("two", "SHELL", {"rawScript": "echo 2"}, deps=("sw",), is_cache=True),
    TaskSpec("end", "SHELL", {"rawScript": "echo end"}, deps=("one", "two")),
)


def _translate(spec: WorkflowSpec, remote: dict | None = None):
    resolver = Resolver(None, "p", 1, {})
    return translate(spec, resolver, remote, placeholder_codes(), "abc1234def")


def test_translation_payload() -> None:
    spec = _spec(TASKS, global_params=(Property("dt", "${system.biz.date}"),),
                 schedule=ScheduleSpec("0 0 2 * * ? *", "UTC", "2024-01-01 00:00:00",
                                       "2099-12-31 00:00:00"))
    tr = _translate(spec)
    form = tr.form
    codes = tr.task_codes
    sw = form["taskDefinitionJson"][0]
    assert sw["taskParams"]["switchResult"]["nextNode"] == codes["two"]
    assert sw["taskParams"]["switchResult"]["dependTaskList"][0]["nextNode"] == codes["one"]
    one = form["taskDefinitionJson"][1]
    assert (one["timeoutFlag"], one["timeoutNotifyStrategy"], one["timeout"]) == ("OPEN", "WARN", 5)
    assert one["taskParams"]["localParams"] == [
        {"prop": "p", "direct": "IN", "type": "VARCHAR", "value": "1"}]
    # Not "harmless to omit" (reference §4): a real 3.2.2 answers 10001 to a task without it;
    # servers without the field ignore it (their JSON mapper skips unknown properties).
    assert one["isCache"] == "NO"
    assert form["taskDefinitionJson"][2]["isCache"] == "YES"  # the spec's is_cache
    edges = {(r["preTaskCode"], r["postTaskCode"]) for r in form["taskRelationJson"]}
    assert edges == {(0, codes["sw"]), (codes["sw"], codes["one"]), (codes["sw"], codes["two"]),
                     (codes["one"], codes["end"]), (codes["two"], codes["end"])}
    assert form["globalParams"] == [
        {"prop": "dt", "direct": "IN", "type": "VARCHAR", "value": "${system.biz.date}"}]
    assert form["description"].endswith(f"[dagship {tr.digest} abc1234 v0.1.0]")
    assert tr.schedule == {
        "schedule": {"startTime": "2024-01-01 00:00:00", "endTime": "2099-12-31 00:00:00",
                     "crontab": "0 0 2 * * ? *", "timezoneId": "UTC"},
        "failureStrategy": "END", "warningType": "NONE", "warningGroupId": 0,
        "workflowInstancePriority": "MEDIUM", "workerGroup": "default",
        "tenantCode": "default", "environmentCode": -1}


def test_layout_is_layered_by_longest_path() -> None:
    places = layout(TASKS)
    assert places["sw"][0] < places["one"][0] == places["two"][0] < places["end"][0]
    assert places["one"][1] != places["two"][1]
    assert layout(TASKS) == places


def test_digest_ignores_codes_and_order_but_not_content() -> None:
    a = _translate(_spec(TASKS))
    b = _translate(_spec(tuple(reversed(TASKS))))
    assert a.digest == b.digest
    assert a.task_codes != {}
    changed = (*TASKS[:3], TaskSpec("end", "SHELL", {"rawScript": "echo END"}, deps=("one",)))
    assert _translate(_spec(changed)).digest != a.digest


def test_canonical_of_remote_dag_equals_canonical_of_form() -> None:
    tr = _translate(_spec(TASKS, description="d"))
    form = tr.form
    # The server answers with ids, versions, stringified params and extra fields.
    dag = {
        "workflowDefinition": {"code": 9, "name": "wf", "description": form["description"],
                               "globalParams": "[]", "timeout": 0, "executionType": "PARALLEL",
                               "releaseState": "ONLINE", "version": 3, "locations": "[]"},
        "taskDefinitionList": [{**t, "id": 1, "version": 2, "createTime": "x",
                                "environmentCode": -1, "isCache": "NO",
                                "taskParams": {**t["taskParams"], "varPool": None,
                                               "resourceList": []}}
                               for t in form["taskDefinitionJson"]],
        "workflowTaskRelationList": [{**r, "id": 5, "preTaskVersion": 1, "postTaskVersion": 2}
                                     for r in reversed(form["taskRelationJson"])],
    }
    assert canonical.digest(canonical.from_dag(dag)) == tr.digest


def test_remote_codes_and_versions_are_reused() -> None:
    remote = {"workflowDefinition": {"code": 9, "name": "wf"},
              "taskDefinitionList": [{"name": "one", "code": 111, "version": 4}]}
    tr = _translate(_spec(TASKS), remote)
    one = next(t for t in tr.form["taskDefinitionJson"] if t["name"] == "one")
    assert (one["code"], one["version"]) == (111, 4)
    assert tr.task_codes["two"] < 0  # placeholder: plan-time codes never reach the server


def test_missing_datasource_names_file_and_task() -> None:
    class NoDatasources:
        def list_datasources(self) -> list[dict]:
            return [{"id": 3, "name": "pg", "type": "POSTGRESQL"}]

    sql = TaskSpec("q", "SQL", {"datasource": DatasourceRef("mysql_prod"), "sql": "select 1"},
                   line=7)
    with pytest.raises(UnresolvedReference) as err:
        translate(_spec((sql,)), Resolver(NoDatasources(), "p", 1, {}), None,
                  placeholder_codes(), "nogit")
    assert err.value.message == ("workflows/wf.yaml: task 'q' (line 7): datasource "
                                 "'mysql_prod' not found on the target")
    ok = TaskSpec("q", "SQL", {"datasource": DatasourceRef("pg"), "sql": "select 1"})
    tr = translate(_spec((ok,)), Resolver(NoDatasources(), "p", 1, {}), None,
                   placeholder_codes(), "nogit")
    params = tr.form["taskDefinitionJson"][0]["taskParams"]
    assert (params["datasource"], params["type"]) == (3, "POSTGRESQL")


def test_workflow_form_always_carries_every_field() -> None:
    # A real 3.1.1 keeps the stored description/locations when a PUT omits them (MyBatis
    # skips null columns), so the form must never leave one out, even when empty in Git.
    from deployer.client.transport import encode_form

    tr = _translate(_spec(TASKS))
    fields = {"name", "description", "globalParams", "locations", "timeout", "executionType",
              "taskDefinitionJson", "taskRelationJson"}
    assert set(tr.form) == fields
    assert set(encode_form(tr.form)) == fields  # nothing dropped on the wire (None is)
    assert tr.form["description"] == tr.form["description"].strip() != ""  # the marker
    assert tr.form["globalParams"] == []
    assert {loc["taskCode"] for loc in tr.form["locations"]} == set(tr.task_codes.values())

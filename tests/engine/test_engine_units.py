"""Pure parts of the engine: the marker, the canonical form, translation and layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer import canonical, metadata
from deployer.apply import levels
from deployer.cycles import new_cycles
from deployer.definitions.model import (
    DatasourceRef,
    Property,
    ScheduleSpec,
    TaskRef,
    TaskSpec,
    WorkflowSpec,
)
from deployer.plan import WorkflowPlan
from deployer.translate import (
    Resolver,
    UnresolvedReference,
    layout,
    placeholder_codes,
    translate,
)

META = metadata.Meta("0123456789ab", "abcdef0", "0.1.0")


def test_marker_round_trip() -> None:
    text = metadata.render("Nightly load", META)
    assert text == "Nightly load [dagship 0123456789ab abcdef0 v0.1.0]"
    assert metadata.parse(text) == ("Nightly load", META)
    assert metadata.parse("made in the UI") == ("made in the UI", None)
    assert metadata.parse(None) == ("", None)
    assert metadata.render("", META) == META.marker()


def test_long_description_is_shortened_within_255_code_points() -> None:
    text = metadata.render("é" * 300, META)
    assert len(text) == 255
    user, meta = metadata.parse(text)
    assert meta == META
    assert user.endswith(metadata.ELLIPSIS)
    # The digest uses the part that will read back, so the next plan sees no change: the
    # fitted part reads back as it is, with a clean marker and with a `+dirty` one alike.
    fitted = metadata.fitted("é" * 300, "0.1.0")
    for commit in ("abc1234", "abc1234+dirty"):
        marked = metadata.render(fitted, metadata.Meta(META.digest, commit, "0.1.0"))
        assert len(marked) <= 255
        assert metadata.parse(marked) == (fitted, metadata.Meta(META.digest, commit, "0.1.0"))


def test_a_dirty_commit_is_kept_in_the_marker() -> None:
    assert metadata.short_commit("ABCDEF0123456789+dirty") == "abcdef0+dirty"
    text = metadata.render("nightly", metadata.Meta("0" * 12, "abcdef0+dirty", "0.1.0"))
    assert text == "nightly [dagship 000000000000 abcdef0+dirty v0.1.0]"
    assert metadata.parse(text)[1] == metadata.Meta("0" * 12, "abcdef0+dirty", "0.1.0")
    assert metadata.is_dirty("abcdef0+dirty")
    assert not metadata.is_dirty("abcdef0")


def test_short_commit() -> None:
    assert metadata.short_commit("ABCDEF0123456789") == "abcdef0"
    assert metadata.short_commit("nogit") == "nogit"
    assert metadata.short_commit(None) == "nogit"


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


def test_levels_put_dependencies_first() -> None:
    items = [WorkflowPlan("parent", "create", depends_on={"child"}),
             WorkflowPlan("child", "create", depends_on={"grandchild"}),
             WorkflowPlan("grandchild", "update"), WorkflowPlan("solo", "create")]
    assert [[i.name for i in level] for level in levels(items)] == [
        ["grandchild", "solo"], ["child"], ["parent"]]


def test_levels_break_a_cycle_at_a_workflow_whose_dependencies_exist() -> None:
    """`new` (to create) and `old` (to update) name each other in dependent tasks: `new` can
    go first, as `old`'s code is known; `old` then resolves `new`'s fresh code."""
    items = [WorkflowPlan("old", "update", code=7, depends_on={"new"}),
             WorkflowPlan("new", "create", depends_on={"old"}),
             WorkflowPlan("after", "create", depends_on={"old"})]
    assert [[i.name for i in level] for level in levels(items)] == [
        ["new"], ["old"], ["after"]]
    both_new = [WorkflowPlan("a", "create", depends_on={"b"}),
                WorkflowPlan("b", "create", depends_on={"a"})]
    assert [[i.name for i in level] for level in levels(both_new)] == [["a", "b"]]


def test_new_cycles_are_only_those_no_existing_workflow_can_break() -> None:
    items = [WorkflowPlan("a", "create", depends_on={"b", "e"}),
             WorkflowPlan("b", "create", depends_on={"a"}),
             WorkflowPlan("e", "update", code=7, depends_on={"a"}),  # on a, yet no way out
             WorkflowPlan("old", "update", code=8, depends_on={"new"}),
             WorkflowPlan("new", "create", depends_on={"old"}),
             WorkflowPlan("x", "create", depends_on={"y"}),
             WorkflowPlan("y", "create", depends_on={"z", "x"}),
             WorkflowPlan("z", "create", depends_on={"x"})]
    assert new_cycles(items) == [["a", "b", "a"], ["x", "y", "x"]]
    assert new_cycles(items[3:5]) == []


def test_progress_bar_in_a_terminal_and_lines_in_ci() -> None:
    import io

    from deployer.progress import Progress

    tty = io.StringIO()
    bar = Progress(bar=True, stream=tty, clock=lambda: 7.0)
    bar.start(4, "applying")
    bar.current("etl_daily")
    bar.advance("etl_daily", "ok")
    bar.finish()
    assert "[#####---------------] 1/4 0.0 s applying etl_daily" in tty.getvalue()
    log = io.StringIO()
    plain = Progress(bar=False, stream=log)
    plain.start(2, "applying")
    plain.advance("a", "ok")
    plain.advance("b", "failed")
    assert log.getvalue() == "[1/2] a: ok\n[2/2] b: failed\n"


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

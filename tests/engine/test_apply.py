"""Applying a plan: dependencies first, and the exit codes of a deploy the scheduler stops
serving part-way (token rejected, unreachable)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

import deployer.engine.plan
from deployer.engine.apply import levels
from deployer.engine.plan import WorkflowPlan
from tests.helpers.deploy_env import PROJECT, Env, wf_yaml


def _after_plan(monkeypatch: pytest.MonkeyPatch, then: Any) -> None:
    """Run `then()` right after the plan was read, before the first write is sent."""
    real = deployer.engine.plan.build_plan

    def build_plan(*args: Any, **kwargs: Any) -> Any:
        plan = real(*args, **kwargs)
        then()
        return plan

    monkeypatch.setattr(deployer.engine.plan, "build_plan", build_plan)


def test_token_expired_mid_deploy_exits_3_naming_the_variable(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("zero", wf_yaml("zero"))
    env.deploy()
    env.write("one", wf_yaml("one"))
    env.write("two", wf_yaml("two"))

    def expire() -> None:
        with env.sb.state.lock:
            for row in env.sb.state.tokens.values():
                row["expireTime"] = "2000-01-01 00:00:00"

    _after_plan(monkeypatch, expire)
    res = env.run("deploy", "--no-progress", "--parallel", "1", "--json", "r.json")
    assert res.code == 3, res.out + res.err
    assert "DS_TOKEN" in res.err
    assert "rejected the token" in res.err
    doc = json.loads((env.root / "r.json").read_text())
    statuses = {o["name"]: o["status"] for o in doc["result"]["outcomes"]}
    assert statuses == {"one": "failed", "two": "skipped"}
    assert [w["name"] for w in env.sb.state.workflows(PROJECT)] == ["zero"]


def test_token_expired_before_the_project_is_created_names_the_variable(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write("one", wf_yaml("one"))
    real = env.sb.token

    def expire() -> None:
        with env.sb.state.lock:
            for row in env.sb.state.tokens.values():
                if row["token"] == real:
                    row["expireTime"] = "2000-01-01 00:00:00"

    _after_plan(monkeypatch, expire)
    res = env.run("deploy", "--no-progress", "--json", "r.json", "--markdown", "r.md")
    assert res.code == 3, res.out + res.err
    assert "DS_TOKEN" in res.err
    # Nothing was applied, and the reports a CI job uploads say so.
    doc = json.loads((env.root / "r.json").read_text())
    assert doc["summary"]["create"] == 1
    assert doc["result"]["failed"] is True
    assert doc["result"]["project_created"] is False
    assert "DS_TOKEN" in doc["result"]["error"]
    assert [(o["name"], o["status"]) for o in doc["result"]["outcomes"]] == [("one", "skipped")]
    md = (env.root / "r.md").read_text()
    assert "**Not applied**: " in md
    assert "- **skipped** `one`: not attempted" in md
    assert env.sb.state.project(PROJECT) is None


def test_project_creation_refused_writes_the_reports_and_exits_4(env: Env) -> None:
    """A business error creating the project (here: no permission) stops the deploy before
    the first workflow; it exits as a business error does, and the reports say why."""
    env.write("one", wf_yaml("one"))
    env.write("two", wf_yaml("two"))
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.add_passthru(env.sb.base_url)
        mock.add(responses.POST, f"{env.sb.base_url}/projects", json={
            "code": 30001, "msg": "user has no operation privilege", "data": None,
            "success": False, "failed": True})
        res = env.run("deploy", "--no-progress", "--json", "r.json", "--markdown", "r.md")
    assert res.code == 4, res.out + res.err
    assert "no operation privilege" in res.err
    doc = json.loads((env.root / "r.json").read_text())
    assert "no operation privilege" in doc["result"]["error"]
    assert {o["name"]: o["status"] for o in doc["result"]["outcomes"]} == {
        "one": "skipped", "two": "skipped"}
    assert "no operation privilege" in (env.root / "r.md").read_text()
    assert env.sb.state.project(PROJECT) is None


def test_token_rejected_at_plan_names_the_variable(env: Env) -> None:
    env.mp.setenv("DS_TOKEN", "not-the-token-0123456789abcdef")
    res = env.run("plan")
    assert res.code == 3
    assert "DS_TOKEN" in res.err
    assert "targets.staging.token_env" in res.err


def test_scheduler_unreachable_mid_deploy_exits_3(
        env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.write_config("    deadline: 0.5\n")
    env.write("one", wf_yaml("one"))
    env.deploy()
    env.write("one", wf_yaml("one", [("a", "echo changed", ())]))
    env.write("two", wf_yaml("two"))
    _after_plan(monkeypatch, lambda: env.sb.faults.set(1.0))
    res = env.run("deploy", "--no-progress", "--parallel", "1")
    assert res.code == 3, res.out + res.err
    assert "unreachable part-way" in res.err
    assert "skipped two: not attempted" in res.out


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

"""Workflows whose Dependent tasks wait on each other: a cycle the plan must see up front."""

from __future__ import annotations

import json

from deployer.engine.cycles import new_cycles
from deployer.engine.plan import WorkflowPlan
from tests.helpers.deploy_env import PROJECT, Env, wf_yaml


def dep_yaml(name: str, *waits_on: str) -> str:
    """A workflow with one shell task and, per name, a Dependent task waiting on that
    workflow's task `a` (the same project)."""
    extra = ""
    for other in waits_on:
        extra += (f"  - name: wait_{other}\n    task_type: Dependent\n    op: and\n"
                  "    groups:\n      - op: and\n        groups:\n"
                  "          - project_name: ${CONFIG.WORKFLOW_PROJECT}\n"
                  f"            workflow_name: {other}\n"
                  "            dependent_task_name: a\n"
                  "            dependent_date: last1Days\n")
    return wf_yaml(name, [("a", f"echo {name}", ())], extra=extra)


def test_new_workflows_waiting_on_each_other_are_refused_before_anything_is_sent(
        env: Env) -> None:
    env.write("solo", wf_yaml("solo"))
    env.write("alpha", dep_yaml("alpha", "beta"))
    env.write("beta", dep_yaml("beta", "alpha"))
    env.write("after", dep_yaml("after", "alpha"))
    res = env.run("deploy", "--no-progress", "--json", "r.json", "--markdown", "r.md")
    assert res.code == 1, res.out + res.err
    assert "alpha -> beta -> alpha" in res.err
    assert "alpha: task 'wait_beta' waits on beta (" in res.err
    assert "beta: task 'wait_alpha' waits on alpha (" in res.err
    assert "Nothing was sent" in res.err
    assert "remove one of its Dependent tasks (e.g. task 'wait_beta' of alpha)" in res.err
    assert env.sb.state.project(PROJECT) is None  # not even the project
    doc = json.loads((env.root / "r.json").read_text())
    assert doc["cycles"] == [["alpha", "beta", "alpha"]]
    assert doc["result"] is None
    assert "`alpha` -> `beta` -> `alpha`" in (env.root / "r.md").read_text()
    # `plan` says the same, so a pull request shows it before the merge.
    res = env.run("plan")
    assert res.code == 1
    assert "alpha -> beta -> alpha" in res.out + res.err


def test_the_advice_works_one_deploy_without_the_dependent_then_the_cycle_deploys(
        env: Env) -> None:
    env.write("alpha", dep_yaml("alpha"))
    env.write("beta", dep_yaml("beta", "alpha"))
    env.deploy()
    env.write("alpha", dep_yaml("alpha", "beta"))
    env.deploy()
    env.write("gamma", dep_yaml("gamma", "delta"))  # an existing one breaks a longer cycle
    env.write("delta", dep_yaml("delta", "alpha"))
    env.write("alpha", dep_yaml("alpha", "beta", "gamma"))
    env.deploy()
    alpha = env.remote("alpha")
    assert alpha is not None
    assert {t["name"] for t in alpha["tasks"]} == {"a", "wait_beta", "wait_gamma"}


def test_a_cycle_of_three_new_workflows_is_named_in_order(env: Env) -> None:
    env.write("x", dep_yaml("x", "y"))
    env.write("y", dep_yaml("y", "z"))
    env.write("z", dep_yaml("z", "x"))
    res = env.run("deploy", "--no-progress")
    assert res.code == 1, res.out + res.err
    assert "x -> y -> z -> x" in res.err
    assert env.sb.state.project(PROJECT) is None


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

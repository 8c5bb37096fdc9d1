"""The plan reads like `terraform plan`: each workflow's action, then what changes in it, task
by task and key by key, in the words of the workflow file; against the sandbox."""

from __future__ import annotations

import json

from tests.helpers.deploy_env import Env, wf_yaml

ORDERS = """\
workflow:
  name: orders_daily
  schedule: "0 0 2 * * ? *"
  timezone: Asia/Shanghai
  start_time: "2024-01-01"
tasks:
  - name: extract
    task_type: Shell
    command: echo extract
  - name: load_orders
    task_type: Shell
    deps: [extract]
    command: |
      set -e
      python load.py --day ${dt}
"""


def _deployed(env: Env) -> None:
    env.write("orders", ORDERS)
    for name in ("a", "b", "c", "d", "e"):
        env.write(name, wf_yaml(name))
    env.deploy()


def test_a_one_task_change_reads_like_a_terraform_plan(env: Env) -> None:
    _deployed(env)
    env.write("orders", ORDERS.replace("--day ${dt}", "--day ${dt} --full")
              .replace("Asia/Shanghai", "UTC"))
    res = env.run("plan")
    assert res.code == 0, res.err
    assert res.out == (
        "Target staging: project dagship-test, DolphinScheduler 3.3 API, not a Git checkout\n"
        "\n"
        "dagship will perform the following actions on target staging (project "
        "dagship-test):\n"
        "\n"
        "  ~ workflow orders_daily  (update in place)\n"
        "      ~ task load_orders (Shell)\n"
        "          ~ command:\n"
        "              @@ -1,2 +1,2 @@\n"
        "               set -e\n"
        "              -python load.py --day ${dt}\n"
        "              +python load.py --day ${dt} --full\n"
        "      ~ schedule\n"
        '          ~ timezone: "Asia/Shanghai" -> "UTC"\n'
        "\n"
        "Plan: 0 to create, 1 to update, 0 to delete, 5 unchanged, 0 drifted\n")


def test_the_detail_costs_no_request(env: Env) -> None:
    _deployed(env)
    env.run("plan", "--json", "before.json")
    env.write("orders", ORDERS.replace("echo extract", "echo extract2"))
    env.run("plan", "--json", "after.json")
    before = json.loads((env.root / "before.json").read_text())
    after = json.loads((env.root / "after.json").read_text())
    assert after["summary"]["update"] == 1
    assert after["plan_requests"] == before["plan_requests"]


def test_nothing_to_do_says_so(env: Env) -> None:
    _deployed(env)
    res = env.run("plan")
    assert res.out.splitlines()[2:] == [
        "No changes: target staging (project dagship-test) matches Git.", "",
        "Plan: 0 to create, 0 to update, 0 to delete, 6 unchanged, 0 drifted"]
    assert "not yet known" not in res.out


def test_a_new_workflow_lists_its_tasks_and_schedule_and_no_placeholder(env: Env) -> None:
    env.write("orders", ORDERS)
    res = env.run("plan")
    assert res.out.splitlines()[0] == ("Target staging: project dagship-test (to be created), "
                                       "not a Git checkout")
    assert ("  + workflow orders_daily  (create)\n"
            "      + task extract (Shell)\n"
            "      + task load_orders (Shell)\n"
            '      + schedule: "0 0 2 * * ? *" (timezone Asia/Shanghai)\n') in res.out
    assert "(not yet known)" not in res.out


def test_dependencies_retries_and_release_state_in_the_files_keys(env: Env) -> None:
    _deployed(env)
    changed = (ORDERS.replace("    deps: [extract]\n", "    fail_retry_times: 3\n")
               .replace("  start_time", "  release_state: offline\n  start_time"))
    env.write("orders", changed)
    res = env.run("plan")
    block = res.out.split("  ~ workflow orders_daily  (update in place)\n", 1)[1]
    assert block.split("\n\n", 1)[0].splitlines() == [
        '      ~ release_state: "online" -> "offline"',
        "      ~ task load_orders (Shell)",
        "          ~ fail_retry_times: 0 -> 3",
        "      - dependency extract -> load_orders",
        "      ~ schedule",
        "          ~ online_schedule: true -> false",
    ]


def test_an_explicit_datasource_type_is_not_a_change(env: Env) -> None:
    sql = ("workflow:\n  name: report\ntasks:\n  - name: q\n    task_type: Sql\n"
           "    datasource_name: pg\n    datasource_type: postgresql\n    sql: select 1\n")
    env.write("report", sql)
    env.deploy()
    env.write("report", sql.replace("select 1", "select 2"))
    res = env.run("plan")
    assert ("  ~ workflow report  (update in place)\n"
            "      ~ task q (Sql)\n"
            '          ~ sql: "select 1" -> "select 2"\n\n') in res.out


def test_an_offline_workflow_shows_no_schedule_change_the_deploy_will_not_make(env: Env) -> None:
    # release_state offline keeps the schedule offline whatever online_schedule says; the plan
    # once showed `online_schedule: false -> true` on every update of such a workflow
    offline = ORDERS.replace("workflow:\n", "workflow:\n  release_state: offline\n")
    env.write("orders", offline)
    env.deploy()
    env.write("orders", offline.replace("--day ${dt}", "--day ${dt} --full"))
    res = env.run("plan")
    assert res.code == 0, res.err
    assert "~ task load_orders (Shell)" in res.out
    assert "schedule" not in res.out.split("Plan:")[0].split("(update in place)")[1]

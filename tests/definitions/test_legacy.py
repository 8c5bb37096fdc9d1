"""pydolphinscheduler 3.x forms: one rule everywhere (WF507, a warning naming the 4.x form),
read with the meaning 3.x gave them; a 3.x key dagship cannot deploy stays an error."""

from __future__ import annotations

from pathlib import Path

from deployer.core.config import Config
from deployer.definitions.model import WorkflowRef
from deployer.definitions.repo import load_repository

CHILD = "workflow:\n  name: child\ntasks:\n  - name: task_1\n    task_type: Shell\n" \
        "    command: echo 1\n"


def _load(tmp_path: Path, tasks: str, *, child: bool = True):
    if child:
        (tmp_path / "child.yaml").write_text(CHILD, encoding="utf-8")
    (tmp_path / "wf.yaml").write_text("workflow:\n  name: legacy\ntasks:\n" + tasks,
                                      encoding="utf-8")
    result = load_repository(Config(root=tmp_path, path=None, workflows=(".",)))
    found = [(f.code, f.severity, f.line, f.message) for f in result.findings]
    specs = {w.name: w for w in result.workflows}
    return found, specs.get("legacy")


DEPENDENT = """\
  - name: wait
    task_type: Dependent
    op: and
    groups:
      - op: or
        groups:
          - project_name: ${CONFIG.WORKFLOW_PROJECT}
            process_definition_name: child
            dependent_task_name: task_1
"""


def test_dependent_item_process_definition_name_is_a_warning_read_as_workflow_name(tmp_path):
    found, spec = _load(tmp_path, DEPENDENT)
    assert found == [("WF507", "warning", 11, "task `wait`: groups[0].groups[0]: "
                      "`process_definition_name` is the pydolphinscheduler 3.x form; 4.x "
                      "writes `workflow_name:` (pydolphinscheduler 4.x fails on the 3.x key; "
                      "dagship reads it as `workflow_name`)")]
    item = spec.tasks[0].params["dependence"]["dependTaskList"][0]["dependItemList"][0]
    assert item["definitionCode"] == WorkflowRef("child", None)


def test_dependent_item_with_both_keys_is_an_error(tmp_path):
    found, _ = _load(tmp_path, DEPENDENT.replace(
        "            dependent_task_name", "            workflow_name: child\n"
        "            dependent_task_name"))
    assert [(c, s) for c, s, _, _ in found] == [("WF102", "error")]
    assert "`process_definition_name` and `workflow_name` both name the workflow" in found[0][3]


def test_subprocess_follows_the_same_rule(tmp_path):
    found, spec = _load(tmp_path, "  - name: run\n    task_type: SubProcess\n"
                                  "    process_definition_name: child\n")
    assert found == [("WF507", "warning", 5, "task `run`: `task_type: SubProcess` is the "
                      "pydolphinscheduler 3.x form; 4.x writes `task_type: SubWorkflow` with "
                      "`workflow_name:` (pydolphinscheduler 4.x fails on the 3.x form; "
                      "dagship reads it as SubWorkflow)")]
    assert spec.tasks[0].params["workflowDefinitionCode"] == WorkflowRef("child")


SHELL = "  - name: shell_0\n    task_type: Shell\n    command: echo 1\n"


def test_timeout_flag_close_gets_a_legacy_hint_and_keeps_the_timeout_off(tmp_path):
    found, spec = _load(tmp_path, SHELL + "    timeout_flag: \"CLOSE\"\n    timeout: 60\n",
                        child=False)
    assert found == [("WF507", "warning", 7, "task `shell_0`: `timeout_flag` is the "
                      "pydolphinscheduler 3.x form; 4.x removed it and switches the timeout "
                      "on whenever `timeout:` is over 0 (`timeout_flag: CLOSE` keeps the "
                      "60-minute timeout off, as 3.x did, while pydolphinscheduler 4.x would "
                      "time the task out; delete `timeout_flag` and `timeout` to say the same "
                      "in 4.x)")]
    assert spec.tasks[0].timeout == 0
    assert "did you mean" not in found[0][3]


def test_timeout_flag_open_with_a_timeout_is_the_4x_meaning(tmp_path):
    found, spec = _load(tmp_path, SHELL + "    timeout_flag: OPEN\n    timeout: 60\n",
                        child=False)
    assert [(c, m.split("(")[-1]) for c, _, _, m in found] == [
        ("WF507", "`timeout: 60` alone says the same in 4.x; delete `timeout_flag`)")]
    assert spec.tasks[0].timeout == 60


def test_timeout_flag_close_without_a_timeout(tmp_path):
    found, spec = _load(tmp_path, SHELL + "    timeout_flag: CLOSE\n", child=False)
    assert [m.split("(")[-1] for _, _, _, m in found] == [
        "no timeout is set, so 4.x says the same without it; delete `timeout_flag`)"]
    assert spec.tasks[0].timeout == 0


def test_timeout_flag_with_another_value_is_refused(tmp_path):
    found, _ = _load(tmp_path, SHELL + "    timeout_flag: close\n", child=False)
    assert [(c, s) for c, s, _, _ in found] == [("WF104", "error")]
    assert "expected CLOSE or OPEN" in found[0][3]


def test_a_3x_key_dagship_cannot_deploy_stays_an_error_and_says_why(tmp_path):
    found, _ = _load(tmp_path, "  - name: job\n    task_type: Spark\n    main_class: M\n"
                               "    main_package: a.jar\n    spark_version: SPARK2\n",
                     child=False)
    assert [(c, s) for c, s, _, _ in found] == [("WF102", "error")]
    assert found[0][3].startswith("task `job`: unknown key `spark_version` for Spark "
                                  "(removed in pydolphinscheduler 4.x and DolphinScheduler "
                                  "3.2; dagship cannot deploy it: delete it)")


def test_a_list_http_params_says_what_pydolphinscheduler_41_really_does(tmp_path):
    found, _ = _load(tmp_path, "  - name: call\n    task_type: Http\n    url: https://x\n"
                               "    http_params:\n      - {prop: a, httpParametersType: "
                               "PARAMETER, value: b}\n", child=False)
    assert found == [("WF504", "error", 7, "task `call`: `http_params` is a list (the "
                      "pydolphinscheduler 3.x form); pydolphinscheduler 4.1 warns that it "
                      "ignores the list, then fails at submit (PyDSParamException: `params` "
                      "must be a dict); write a mapping `name: value`")]

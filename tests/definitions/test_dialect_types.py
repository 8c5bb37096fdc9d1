"""The dialect's value kinds against DolphinScheduler's own field types.

A key the dialect reads as a number must be a number in DolphinScheduler, or a runtime
placeholder such as `${port}` (valid there) is refused here. The Java types below were read
from apache/dolphinscheduler's task parameter classes (`dolphinscheduler-task-plugin/*/
*Parameters.java`), `TaskDefinition` and `ProcessDefinition` at tags 3.1.1 and 3.2.2 (equal
in both for these fields): every numeric field a dialect key writes, and the one `String`
field that pydolphinscheduler fills with a number (`MlflowParameters.deployPort`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deployer.core.config import Config
from deployer.definitions import dialect
from deployer.definitions.repo import load_repository

# (task type or "task"/"workflow" for the common keys, dialect key) -> Java type in DS
DS_FIELD_TYPES = {
    ("workflow", "warning_group_id"): "Integer",
    ("workflow", "timeout"): "int",
    ("task", "task_group_id"): "int",
    ("task", "task_group_priority"): "int",
    ("task", "delay_time"): "int",
    ("task", "fail_retry_times"): "int",
    ("task", "fail_retry_interval"): "int",
    ("task", "timeout"): "int",
    ("task", "cpu_quota"): "Integer",
    ("task", "memory_max"): "Integer",
    ("Sql", "display_rows"): "int",
    ("Http", "connect_timeout"): "int",
    ("Http", "socket_timeout"): "int",
    ("Spark", "driver_cores"): "int",
    ("Spark", "num_executors"): "int",
    ("Spark", "executor_cores"): "int",
    ("Flink", "slot"): "int",
    ("Flink", "task_manager"): "int",
    ("Flink", "parallelism"): "int",
    ("DataX", "job_speed_byte"): "int",
    ("DataX", "job_speed_record"): "int",
    ("DataX", "xms"): "int",
    ("DataX", "xmx"): "int",
    ("CustomDataX", "xms"): "int",
    ("CustomDataX", "xmx"): "int",
    ("Kubernetes", "min_cpu_cores"): "double",
    ("Kubernetes", "min_memory_space"): "double",
    ("MLflowModels", "port"): "String",
}
_KIND_OF_JAVA = {"int": "int", "Integer": "int", "double": "num", "String": "scalar"}


def _numeric_keys() -> dict[tuple[str, str], str]:
    keys = {("workflow", k.name): k.kind for k in dialect.WORKFLOW_KEYS.values()}
    keys |= {("task", k.name): k.kind for k in dialect.COMMON_KEYS.values()}
    keys |= {("task", k.name): k.kind for k in dialect.WORKER_RESOURCE_KEYS.values()}
    for ttype in dialect.TASK_TYPES:
        keys |= {(ttype.name, k.name): k.kind for k in ttype.keys}
    return {where: kind for where, kind in keys.items() if kind in ("int", "num", "scalar")}


def test_every_numeric_key_has_dolphinschedulers_field_type():
    """Both ways: no dialect key is numeric where DolphinScheduler is not, and every key
    listed above has the kind its Java type calls for."""
    assert _numeric_keys() == {where: _KIND_OF_JAVA[java]
                               for where, java in DS_FIELD_TYPES.items()}


def _lint(tmp_path: Path, task: str) -> tuple[list[str], dict]:
    (tmp_path / "wf.yaml").write_text(
        "workflow:\n  name: deploy\n  param:\n    port: 7002\ntasks:\n"
        f"  - name: serve\n    task_type: MLflowModels\n    model_uri: models:/m/1\n{task}",
        encoding="utf-8")
    result = load_repository(Config(root=tmp_path, path=None, workflows=(".",)))
    findings = [f"{f.code} {f.message}" for f in result.findings]
    params = result.workflows[0].tasks[0].params if result.workflows else {}
    return findings, params


@pytest.mark.parametrize(("line", "sent"), [
    ("    port: ${port}\n", "${port}"),       # a DolphinScheduler placeholder, kept as text
    ("    port: 7002\n", 7002),               # a number, sent as written (as pyds does)
    ("    port: \"7002\"\n", "7002"),
    ("", 7000),                               # pydolphinscheduler's default
])
def test_mlflow_port_is_a_string_field_so_a_placeholder_is_valid(tmp_path, line, sent):
    findings, params = _lint(tmp_path, line)
    assert findings == []
    assert params["deployPort"] == sent


def test_mlflow_port_still_refuses_a_mapping_or_a_yes(tmp_path):
    findings, _ = _lint(tmp_path, "    port: {a: 1}\n")
    assert findings == ["WF103 task `serve`: `port`: expected a string or a number, "
                        "got a mapping"]
    findings, _ = _lint(tmp_path, "    port: yes\n")
    assert findings[0].startswith("WF103 task `serve`: `port`: expected a string or a number, "
                                  "got a boolean (true) (YAML reads unquoted yes/no")

"""A data repository on disk pointed at a sandbox, and workflows made the way the UI makes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deployer.client import DSClient, RetryPolicy
from deployer.core.config import load_config
from deployer.definitions.repo import load_repository
from deployer.engine import metadata
from deployer.engine.translate import Resolver, schedule_form, translate
from deployer.sandbox import Sandbox
from tests.helpers.clirun import Result, run_cli

HERE = Path(__file__).resolve().parents[1] / "data" / "pull"  # workflows made like the UI
PROJECT = "adopt-me"
TOKEN = "pull-token-0123456789abcdef0123456789"
DATASOURCES = {"pg": "POSTGRESQL", "mysql_dst": "MYSQL"}
ENVIRONMENTS = {"prod_env": "export A=1"}


def write_config(root: Path, sb: Sandbox) -> None:
    (root / "workflows").mkdir(parents=True, exist_ok=True)
    (root / "dagship.yaml").write_text(
        "workflows: [workflows/]\n"
        "targets:\n"
        "  staging:\n"
        f"    url: {sb.base_url}\n"
        "    token_env: DS_TOKEN\n"
        f"    project: {PROJECT}\n"
        "    branches: [develop]\n", encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    return run_cli(capsys, args)


def client(sb: Sandbox) -> DSClient:
    return DSClient(sb.base_url, sb.token, policy=RetryPolicy(initial_wait=0.001, max_wait=0.01))


def create_like_ui(sb: Sandbox, source: Path, names: list[str]) -> None:
    """POST each workflow of `source` (a repo folder) as the UI saves one: the whole form,
    no dagship marker in the description; then release it and its schedule as the file says.
    `names` in creation order (a sub-workflow's child first)."""
    config = load_config(source / "dagship.yaml")
    target = config.target("staging")
    loaded = load_repository(config, target=target, env={})
    assert not [f for f in loaded.findings if f.severity == "error"], loaded.findings
    specs = {s.name: s for s in loaded.workflows}
    c = client(sb)
    try:
        pc = int(c.create_project(PROJECT)["code"])
        resolver = Resolver(c, PROJECT, pc, {})
        for name in names:
            spec = specs[name]
            tr = translate(spec, resolver, None, lambda n: c.gen_task_codes(pc, n), "nogit")
            form = dict(tr.form)
            form["description"] = metadata.parse(form["description"])[0]
            code = c.create_workflow(pc, form)
            if spec.release_state == "ONLINE" or tr.schedule is not None:
                c.release_workflow(pc, code, "ONLINE")
            if tr.schedule is not None:
                sid = c.create_schedule(pc, code, tr.schedule)
                assert spec.schedule is not None
                if spec.schedule.online and spec.release_state == "ONLINE":
                    c.set_schedule_state(pc, sid, True)
            if spec.release_state != "ONLINE":
                c.release_workflow(pc, code, "OFFLINE")
            dag = c.get_workflow(pc, name)
            assert dag is not None
            resolver.record(name, dag)
    finally:
        c.close()


def versions(sb: Sandbox) -> dict[str, Any]:
    return {w["name"]: w["version"] for w in sb.state.workflows(PROJECT)}


__all__ = ["DATASOURCES", "ENVIRONMENTS", "HERE", "TOKEN", "create_like_ui", "run",
           "schedule_form", "versions", "write_config"]


def ui_task(code: int, name: str, task_type: str, params: dict[str, Any],
            **fields: Any) -> dict[str, Any]:
    """A task definition with the fields the UI's task form sends."""
    task = {"code": code, "version": 1, "name": name, "description": "",
            "taskType": task_type, "taskParams": params, "flag": "YES",
            "taskPriority": "MEDIUM", "workerGroup": "default", "environmentCode": -1,
            "failRetryTimes": 0, "failRetryInterval": 1, "timeoutFlag": "CLOSE",
            "timeoutNotifyStrategy": None, "timeout": 0, "delayTime": 0, "taskGroupId": 0,
            "taskGroupPriority": 0, "cpuQuota": -1, "memoryMax": -1,
            "taskExecuteType": "BATCH", "isCache": "NO"}
    task.update(fields)
    return task


def post_workflow(c: DSClient, project_code: int, name: str, tasks: list[dict[str, Any]],
                  edges: list[tuple[str | None, str]],
                  global_params: list[dict[str, str]] | None = None,
                  description: str = "") -> int:
    """Save a workflow as the UI's DAG editor does: tasks, relations by code, canvas places."""
    codes = {t["name"]: t["code"] for t in tasks}
    relations = [{"name": "", "preTaskCode": codes[pre] if pre else 0, "preTaskVersion": 0,
                  "postTaskCode": codes[post], "postTaskVersion": 0, "conditionType": "NONE",
                  "conditionParams": {}} for pre, post in edges]
    locations = [{"taskCode": t["code"], "x": 100 + 200 * i, "y": 100}
                 for i, t in enumerate(tasks)]
    return c.create_workflow(project_code, {
        "name": name, "description": description, "globalParams": global_params or [],
        "locations": locations, "timeout": 0, "executionType": "PARALLEL",
        "taskDefinitionJson": tasks, "taskRelationJson": relations})

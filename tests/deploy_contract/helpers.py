"""One deploy scenario, any backend: a data repository, the real CLI, and the remote as the
API shows it. Nothing here reads a sandbox's memory, so a test that passes on the sandbox
means the same thing on a real DolphinScheduler (tests/deploy_contract/conftest.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deployer.client import DSClient, RetryPolicy
from deployer.client.resources import ResourceCenter
from deployer.core.errors import ApiError
from deployer.sandbox import Sandbox
from tests.helpers.clirun import Result, forget_ci, run_cli
from tests.helpers.dsui import edit_task_script

TOKEN_ENV = "DAGSHIP_CONTRACT_TOKEN"
TARGET = "contract"
HTTP_LINE = re.compile(r"^dagship\.http: (GET|POST|PUT|DELETE) (\S+) -> ", re.MULTILINE)


@dataclass(frozen=True)
class Backend:
    """Where the scenario deploys: a sandbox (id `sandbox-3.3`) or a real server (`real-3.1`)."""

    id: str
    url: str
    token: str
    api_version: str
    sandbox: Sandbox | None = None

    @property
    def real(self) -> bool:
        return self.sandbox is None

    @property
    def g3(self) -> bool:
        return self.api_version >= "3.3"

    def client(self) -> DSClient:
        if self.real:
            return DSClient(self.url, self.token, api_version=self.api_version, timeout=30.0,
                            policy=RetryPolicy(deadline=60.0))
        return DSClient(self.url, self.token, api_version=self.api_version,
                        policy=RetryPolicy(initial_wait=0.001, max_wait=0.01))

    def workflow_path(self, project_code: int, *rest: object) -> str:
        segment = "workflow-definition" if self.g3 else "process-definition"
        return "/".join([f"/projects/{project_code}/{segment}", *map(str, rest)])


class Run(Result):
    @property
    def requests(self) -> list[tuple[str, str]]:
        """Every HTTP request the run sent (it runs with `--verbose`), as (method, path)."""
        return HTTP_LINE.findall(self.err)

    @property
    def writes(self) -> list[tuple[str, str]]:
        """Requests that may change something (3.1 reads its schedule list with a POST)."""
        return [(m, p) for m, p in self.requests
                if m != "GET" and not p.endswith("/schedules/list")]

    def plan_line(self) -> str:
        found = re.search(r"Plan: .*", self.out)
        assert found, self.out
        return found.group(0)


def repo_config(backend: Backend, project: str) -> str:
    timeouts = "    timeout: 30\n    deadline: 60\n" if backend.real else ""
    return (
        "workflows: [workflows/]\n"
        "targets:\n"
        f"  {TARGET}:\n"
        f"    url: {backend.url}\n"
        f"    token_env: {TOKEN_ENV}\n"
        f"    project: {project}\n"
        "    branches: ['*']\n"
        f'    api_version: "{backend.api_version}"\n'
        f"{timeouts}"
        "    variables:\n"
        "      datasource: pg_staging\n"
        "      worker_group: default\n"
        "      landing_path: /data/landing/staging\n"
        "      alert_email: data-team-staging@example.com\n"
        "      report_schema: reporting_staging\n"
    )


class Repo:
    """A data repository whose one target is the backend's project; runs the real CLI."""

    def __init__(self, root: Path, backend: Backend, project: str,
                 monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.root, self.backend, self.project, self.capsys = root, backend, project, capsys
        (root / "workflows").mkdir(parents=True, exist_ok=True)
        (root / "dagship.yaml").write_text(repo_config(backend, project), encoding="utf-8")
        monkeypatch.chdir(root)
        monkeypatch.setenv(TOKEN_ENV, backend.token)
        forget_ci(monkeypatch)

    def write(self, name: str, text: str) -> None:
        (self.root / "workflows" / f"{name}.yaml").write_text(text, encoding="utf-8")

    def remove(self, name: str) -> None:
        (self.root / "workflows" / f"{name}.yaml").unlink()

    def edit(self, file: str, old: str, new: str) -> None:
        path = self.root / "workflows" / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def run(self, *args: str) -> Run:
        got = run_cli(self.capsys, [*args, "--target", TARGET, "--verbose", "--no-color"])
        return Run(got.code, got.out, got.err)

    def deploy(self, *args: str) -> Run:
        res = self.run("deploy", "--no-progress", *args)
        assert res.code == 0, res.out + res.err
        return res

    def steps(self, report: str) -> dict[str, list[str]]:
        """Each workflow's applied steps, from a `--json` report."""
        doc = json.loads((self.root / report).read_text(encoding="utf-8"))
        return {o["name"]: o["steps"] for o in doc["result"]["outcomes"]}


class Remote:
    """The project as the API shows it (read with dagship's own client)."""

    def __init__(self, backend: Backend, project: str) -> None:
        self.backend, self.project = backend, project
        self.c = backend.client()

    def close(self) -> None:
        self.c.close()

    def project_code(self) -> int | None:
        found = self.c.find_project(self.project)
        return None if found is None else int(found["code"])

    @property
    def pc(self) -> int:
        code = self.project_code()
        assert code is not None, f"project {self.project} does not exist"
        return code

    def workflow(self, name: str) -> dict[str, Any] | None:
        """The workflow flattened: definition fields, `tasks`, `edges` (by task name) and
        `schedule` (None without one)."""
        pc = self.pc
        dag = self.c.get_workflow(pc, name)
        if dag is None:
            return None
        wf = dict(dag["workflowDefinition"])
        wf["tasks"] = dag["taskDefinitionList"]
        names = {int(t["code"]): str(t["name"]) for t in wf["tasks"]}
        wf["edges"] = {(names.get(int(r["preTaskCode"]), ""), names[int(r["postTaskCode"])])
                       for r in dag["workflowTaskRelationList"]}
        wf["schedule"] = self.c.find_schedule(pc, int(wf["code"]))
        return wf

    def names(self) -> set[str]:
        return {str(d["workflowDefinition"]["name"]) for d in self.c.list_workflows(self.pc)}

    def versions(self) -> dict[str, int]:
        return {str(d["workflowDefinition"]["name"]): int(d["workflowDefinition"]["version"])
                for d in self.c.list_workflows(self.pc)}

    def ui_edit(self, name: str, task: str, script: str) -> None:
        edit_task_script(self.c, self.pc, name, task, script)

    def handmade(self, name: str, task_type: str = "SHELL",
                 params: dict[str, Any] | None = None) -> int:
        """A one-task workflow made outside dagship (as in the UI); returns its code."""
        return create_handmade(self.c, self.pc, name, task_type, params)


def create_handmade(c: DSClient, pc: int, name: str, task_type: str = "SHELL",
                    params: dict[str, Any] | None = None) -> int:
    """A one-task workflow made outside dagship in project `pc` (as in the UI); its code."""
    (code,) = c.gen_task_codes(pc, 1)
    return c.create_workflow(pc, {
        "name": name, "description": "made by hand", "globalParams": [],
        "locations": [], "timeout": 0, "executionType": "PARALLEL",
        "taskDefinitionJson": [{
            "code": code, "version": 1, "name": "x", "description": "",
            "taskType": task_type, "taskParams": params or {"rawScript": "echo x"},
            "flag": "YES", "taskPriority": "MEDIUM", "workerGroup": "default",
            "environmentCode": -1, "failRetryTimes": 0, "failRetryInterval": 1,
            "timeoutFlag": "CLOSE", "timeout": 0, "delayTime": 0, "isCache": "NO"}],
        "taskRelationJson": [{"preTaskCode": 0, "postTaskCode": code, "name": "",
                              "preTaskVersion": 0, "postTaskVersion": 1,
                              "conditionType": "NONE", "conditionParams": {}}]})


def task_of(wf: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in wf["tasks"] if t["name"] == name)


def remove_project(c: DSClient, name: str) -> None:
    """Schedules and workflows offline, workflows deleted (referrers first), project deleted."""
    found = c.find_project(name)
    if found is None:
        return
    pc = int(found["code"])
    for sched in c.list_schedules(pc):
        if sched.get("releaseState") == "ONLINE":
            c.set_schedule_state(pc, int(sched["id"]), False)
    pending = {int(d["workflowDefinition"]["code"]): d for d in c.list_workflows(pc)}
    for code, dag in pending.items():
        if dag["workflowDefinition"].get("releaseState") == "ONLINE":
            c.release_workflow(pc, code, "OFFLINE")
    # The server may refuse to delete a workflow another one references: go in rounds.
    for _round in range(len(pending) + 1):
        for code in list(pending):
            try:
                c.delete_workflow(pc, code)
            except ApiError:
                continue
            del pending[code]
        if not pending:
            break
    assert not pending, f"could not delete workflows {sorted(pending)}"
    c.delete_project(pc)


def sql_to_shell(text: str) -> str:
    """Turn the examples' SQL tasks into Shell tasks that carry the same text.

    The examples' SQL tasks name the datasource `pg_staging`; a real server refuses to
    create a datasource it cannot connect to (3.1.1: 10016 "data source connection failed"),
    and there is no database here. The graph (sub-workflow, dependent, switch, condition)
    stays exactly as in examples/.
    """
    text = text.replace("task_type: Sql", "task_type: Shell")
    text = re.sub(r"^ +(datasource_name|display_rows):.*\n", "", text, flags=re.MULTILINE)
    return re.sub(r"^(\s+)sql:", r"\1command:", text, flags=re.MULTILINE)


def remove_resource_tree(c: DSClient, version: str, root: str) -> None:
    """Everything below `root` and `root` itself, files first (3.1 refuses a full folder)."""
    rc = ResourceCenter(c, version, root)
    found = rc.list()
    for f in sorted(found.values(), key=lambda f: (f.directory, -f.path.count("/"))):
        if f.path:
            rc.delete(f)
    top = found.get("")
    if top is None:
        return
    if rc.g1:
        c._http.call("DELETE", f"/resources/{top.id}")
    else:
        c._http.call("DELETE", "/resources", {"fullName": top.full_name,
                                              "tenantCode": ""})
